"""Handing committed events to live delivery: Redis pub/sub to every process's
hub, or straight to this process's hub without ``REDIS_URL``."""

import logging

import redis
from django.conf import settings

from core import metrics as core_metrics
from realtime import metrics
from realtime.hub import local_hub

log = logging.getLogger(__name__)

_publisher: redis.Redis | None = None


def publish(envelopes: list[str]) -> None:
    """Hands committed events to live delivery. Never raises: if Redis is down the
    hubs find the events in the log when they next poll."""
    global _publisher
    if not settings.REDIS_URL:
        hub = local_hub()
        if hub is not None and not hub.loop.is_closed():
            hub.loop.call_soon_threadsafe(hub.receive, envelopes)
            metrics.EVENTS_PUBLISHED.inc(len(envelopes))  # metrics
        return
    try:
        if _publisher is None:
            # Request threads share a bounded pool and wait briefly for a free
            # connection (redis-py's plain pool raises when it runs out).
            pool = redis.BlockingConnectionPool.from_url(
                settings.REDIS_URL,
                max_connections=settings.REDIS_PUBLISH_CONNECTIONS,
                timeout=0.5,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
            _publisher = redis.Redis(connection_pool=pool)
        pipe = _publisher.pipeline(transaction=False)
        for envelope in envelopes:
            pipe.publish(settings.EVENTS_CHANNEL, envelope)
        pipe.execute()
        metrics.EVENTS_PUBLISHED.inc(len(envelopes))  # metrics
    except (redis.RedisError, OSError) as exc:
        core_metrics.backend_error(exc)  # metrics
        log.warning("could not publish %d events (%s); sockets will read them from the log", len(envelopes), exc)
