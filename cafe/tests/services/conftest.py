import threading

import pytest
from django.db import connection


def _run_in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcome = target(index)
        except Exception as exc:
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def run_in_threads():
    """``run_in_threads(count, target)``: ``target(i)`` in ``count`` threads released at
    once, each closing its database connection; their results (or exceptions), in the
    order they finished (tests using it need ``transaction=True``)."""
    return _run_in_threads


@pytest.fixture
def english_threads(settings):
    """The race tests' threads activate no language: they answer in LANGUAGE_CODE."""
    settings.LANGUAGE_CODE = "en"
