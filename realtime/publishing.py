"""Handing committed events to live delivery: to their companies' Redis channels
(``realtime.bus``), or straight to this process's hub without ``REDIS_URL``."""

import logging

import redis
import redis.cluster
from django.conf import settings

from core import metrics as core_metrics
from core import redisclient
from realtime import bus, envelope, metrics
from realtime.hub import local_hub

log = logging.getLogger(__name__)

_publisher: redisclient.SyncClient | None = None


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
            # Request threads share a bounded pool (per node on a cluster) and wait
            # briefly for a free connection (redis-py's plain pool raises when it runs out).
            _publisher = redisclient.sync_client(
                max_connections=settings.REDIS_PUBLISH_CONNECTIONS,
                wait=0.5,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
        pipe = _publisher.pipeline(transaction=False)
        # A cluster's sharded pub/sub: the message stays on the shard of its channel's slot.
        send = pipe.spublish if isinstance(_publisher, redis.cluster.RedisCluster) else pipe.publish
        for text in envelopes:
            send(bus.channel(envelope.company_of(text)), text)
        pipe.execute()
        metrics.EVENTS_PUBLISHED.inc(len(envelopes))  # metrics
    except redisclient.ERRORS as exc:
        core_metrics.backend_error(exc)  # metrics
        log.warning("could not publish %d events (%s); sockets will read them from the log", len(envelopes), exc)
