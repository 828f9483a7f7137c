"""Which database errors answer 503 with Retry-After, and which stay 500s."""

import sqlite3

import psycopg
import pytest
import redis
from django.db import Error, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from django.test import RequestFactory
from django.utils import translation
from psycopg_pool import PoolTimeout

from core.availability import DatabaseOutage, backend_unavailable
from core.errors import BackendUnavailableMiddleware, exception_handler, server_error


def raised_as(django_error: type[Error], cause: BaseException) -> Error:
    """The Django error as Django's wrapper raises it: ``from`` the driver's."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise django_error(str(exc)) from exc
    except Error as wrapped:
        return wrapped


def sqlite_locked(tmp_path) -> sqlite3.OperationalError:
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sqlite3.connect(path, timeout=0).execute("SELECT * FROM t")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        holder.close()
    raise AssertionError("not locked")


def test_unreachable_database_errors_are_unavailable(tmp_path):
    assert backend_unavailable(raised_as(OperationalError, psycopg.OperationalError("connection refused")))
    assert backend_unavailable(raised_as(OperationalError, psycopg.errors.AdminShutdown()))
    assert backend_unavailable(raised_as(OperationalError, psycopg.errors.TooManyConnections()))
    assert backend_unavailable(raised_as(OperationalError, psycopg.errors.QueryCanceled()))  # statement timeout
    assert backend_unavailable(raised_as(OperationalError, PoolTimeout("couldn't get a connection")))
    assert backend_unavailable(PoolTimeout("couldn't get a connection"))
    assert backend_unavailable(raised_as(InterfaceError, psycopg.InterfaceError("connection already closed")))
    assert backend_unavailable(raised_as(OperationalError, sqlite_locked(tmp_path)))


def test_programming_errors_are_not_unavailable():
    assert not backend_unavailable(raised_as(ProgrammingError, psycopg.errors.UndefinedTable()))
    assert not backend_unavailable(raised_as(IntegrityError, psycopg.errors.UniqueViolation()))
    assert not backend_unavailable(raised_as(OperationalError, psycopg.errors.DeadlockDetected()))
    assert not backend_unavailable(raised_as(OperationalError, sqlite3.OperationalError("no such table: t")))
    assert not backend_unavailable(ValueError("boom"))


def test_the_api_answers_503_with_retry_after_and_leaves_bugs_to_500():
    with translation.override("en"):
        response = exception_handler(raised_as(OperationalError, psycopg.errors.AdminShutdown()), {})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data == {"detail": "The service is temporarily unavailable; try again shortly."}
    assert exception_handler(raised_as(ProgrammingError, psycopg.errors.UndefinedTable()), {}) is None


@pytest.mark.parametrize(
    ("error", "status"),
    [(raised_as(OperationalError, PoolTimeout("no connection")), 503), (ZeroDivisionError(), 500)],
)
def test_views_outside_the_api_answer_503_too(error, status):
    request = RequestFactory().get("/admin/")
    middleware = BackendUnavailableMiddleware(lambda request: None)
    answer = middleware.process_exception(request, error)
    assert (answer.status_code if answer else 500) == status
    try:
        raise error
    except Exception:
        response = server_error(request)  # Django's handler500, called while handling
    assert response.status_code == status
    if status == 503:
        assert response["Retry-After"] == "5"


def test_an_unreachable_redis_is_unavailable_too():
    assert backend_unavailable(redis.ConnectionError("Error 111 connecting to 127.0.0.1:1"))
    assert backend_unavailable(redis.TimeoutError("Timeout reading from socket"))
    assert not backend_unavailable(redis.ResponseError("WRONGTYPE"))


def test_after_an_outage_one_call_at_a_time_tries_the_database_and_the_others_are_refused():
    outage = DatabaseOutage()
    with outage.guard(), outage.guard():  # no outage known: nothing is refused
        pass
    with pytest.raises(OperationalError), outage.guard():  # the database stops answering
        raise OperationalError("connection refused") from psycopg.OperationalError("connection refused")
    with pytest.raises(OperationalError), outage.guard():  # noqa: PT012 - the block is one call, guarded as a whole; the next call tries again, and fails
        with pytest.raises(OperationalError) as refused, outage.guard():
            pass  # meanwhile others are refused, as unreachable
        assert backend_unavailable(refused.value)
        assert str(refused.value) == "The database could not be reached a moment ago; it is being tried again."
        raise OperationalError("connection refused") from psycopg.OperationalError("connection refused")
    with outage.guard(), pytest.raises(OperationalError), outage.guard():  # tried again: it answers
        pass
    with outage.guard(), outage.guard():  # the outage is over
        pass
    with pytest.raises(ValueError, match="boom"), outage.guard():  # a bug is no outage
        raise ValueError("boom")
    with outage.guard(), outage.guard():
        pass


def test_a_pool_that_serves_no_one_is_an_outage():
    outage = DatabaseOutage()  # nothing got through yet (or not for DATABASE_POOL_TIMEOUT)
    with pytest.raises(PoolTimeout), outage.guard():
        raise PoolTimeout("couldn't get a connection")
    with pytest.raises(OperationalError, match="being tried again"), outage.guard(), outage.guard():
        pass


def test_a_pool_busy_while_calls_get_through_is_no_outage():
    """A reconnect storm: every pool connection busy, one wait runs out, while other
    calls are served. Refusing everyone then would make the storm worse."""
    outage = DatabaseOutage()
    with outage.guard():
        pass  # a call got through just now
    with pytest.raises(PoolTimeout), outage.guard():
        raise PoolTimeout("couldn't get a connection")
    with outage.guard():
        pass  # not refused: the database answers, the pool was only busy
