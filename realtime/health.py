"""The hub's part of ``/health/ready`` (``core.ops``): this process's hub runs and,
with ``REDIS_URL``, listens to the events channel."""

import asyncio

from realtime.hub import get_hub

# A readiness probe starts the hub if no socket has yet; it gets this long to subscribe.
SUBSCRIBE_WAIT = 1.0


async def hub_check() -> str | None:
    hub = get_hub()
    waited = 0.0
    while not hub.subscribed and waited < SUBSCRIBE_WAIT:
        await asyncio.sleep(0.05)
        waited += 0.05
    return None if hub.subscribed else "not subscribed to the events channel in Redis"
