"""Publishing from many request threads at once through a small Redis pool waits for
a free connection instead of failing (redis-py's plain pool raises when it runs out)."""

import threading
import uuid

import pytest
import redis
from django.conf import settings as django_settings

from realtime import bus, publishing


@pytest.fixture
def small_pool(settings, services, monkeypatch):
    settings.REDIS_PUBLISH_CONNECTIONS = 2
    settings.EVENTS_CHANNEL = f"cafe.test.{uuid.uuid4()}"
    monkeypatch.setattr(publishing, "_publisher", None)
    yield
    if publishing._publisher is not None:
        publishing._publisher.connection_pool.disconnect()
    monkeypatch.setattr(publishing, "_publisher", None)


def test_forty_threads_publish_through_two_connections_and_none_is_dropped(small_pool, settings, caplog):
    listener = redis.Redis.from_url(django_settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(bus.channel("c"))
    threads = [threading.Thread(target=publishing.publish, args=([f"c {n} - order_created\n{{}}"],)) for n in range(40)]
    with caplog.at_level("WARNING", logger="realtime.publishing"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    received = set()
    for _ in range(400):
        message = listener.get_message(timeout=0.05)
        if message:
            received.add(int(message["data"].split(b" ")[1]))
        if len(received) == 40:
            break
    listener.close()
    assert received == set(range(40))
    assert "could not publish" not in caplog.text
    assert publishing._publisher.connection_pool.max_connections == 2
