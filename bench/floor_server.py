"""The floor: the least a Python fan-out server can do.

One process = one ``websockets`` server + one Redis subscription.  Each Redis
message is the project's envelope::

    "<company_id> <seq> <branch_id> <type>\\n<event_json_text>"

and is handed with ``websockets.broadcast()`` to the local sockets registered
for (company, branch), text unchanged.  Sockets register with query params
``?company=<uuid>&branch=<uuid>`` on any path (``company_id``/``branch_id``
are accepted too).  Run several processes on one port (SO_REUSEPORT)::

    python bench/floor_server.py --port 8101 --redis-url redis://127.0.0.1:6379/0
"""

from __future__ import annotations

import argparse
import asyncio
import json
from urllib.parse import parse_qs, urlsplit

import redis.asyncio as aioredis
from websockets.asyncio.server import broadcast, serve
from websockets.exceptions import ConnectionClosed

# (company, branch) -> set of connections; branch "-" = company-wide sockets
SOCKETS: dict[tuple[str, str], set] = {}


async def handler(ws):
    query = parse_qs(urlsplit(ws.request.path).query)
    company = (query.get("company") or query.get("company_id") or [""])[0]
    branch = (query.get("branch") or query.get("branch_id") or ["-"])[0]
    key = (company, branch)
    await ws.send(
        json.dumps(
            {
                "type": "connection_established",
                "company_id": company,
                "branch_id": branch,
                "group": f"{company}:{branch}",
                "seq": None,
            }
        )
    )
    SOCKETS.setdefault(key, set()).add(ws)
    try:
        async for message in ws:  # only {"action": "ping"} is understood
            if '"ping"' in message:
                await ws.send('{"type": "pong"}')
    except ConnectionClosed:
        pass
    finally:
        peers = SOCKETS[key]
        peers.discard(ws)
        if not peers:
            del SOCKETS[key]


async def pump(redis_url: str, channel: str):
    redis = aioredis.from_url(redis_url)
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)
    async for msg in pubsub.listen():
        if msg["type"] != "message":
            continue
        data = msg["data"]
        head, _, text = data.partition(b"\n")
        company, _seq, branch, kind = head.decode().split(" ")
        if not kind.startswith("order_"):
            continue
        targets = SOCKETS.get((company, branch))
        if targets:
            broadcast(targets, text, text=True)
        if branch != "-":
            wide = SOCKETS.get((company, "-"))
            if wide:
                broadcast(wide, text, text=True)


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8101)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--channel", default="cafe.events")
    args = ap.parse_args()
    async with serve(
        handler,
        args.host,
        args.port,
        reuse_port=True,
        backlog=4096,
        compression=None,
        ping_interval=20,
        ping_timeout=20,
    ):
        await pump(args.redis_url, args.channel)


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
