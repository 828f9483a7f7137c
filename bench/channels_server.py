"""The conventional design: one Channels consumer per socket, group_send per event.

Every socket is an ``AsyncWebsocketConsumer`` that joins the group
``cafe_orders_<company>_<branch>`` on a channels_redis ``RedisChannelLayer``;
the producer does one ``channel_layer.group_send(group, {"type": "cafe.event",
"text": ...})`` per event (see loadgen.Injector), and each consumer forwards
the text unchanged.  Deliberately minimal (no auth middleware, no database),
so the figures are a best case for this design.  Served by uvicorn::

    REDIS_URL=redis://127.0.0.1:6379/0 uvicorn channels_server:application \\
        --app-dir bench --port 8102 --workers 2

Sockets register with ``?company=<uuid>&branch=<uuid>`` on any path.
"""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                # redis-py 8 caps a pool at 100 connections by default, which makes
                # channels_redis fail under bursts of group_add/group_send; lift it.
                "CONFIG": {
                    "hosts": [
                        {"address": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), "max_connections": 10000}
                    ]
                },
            }
        },
    )
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter


class OrdersConsumer(AsyncWebsocketConsumer):
    group = None

    async def connect(self):
        query = parse_qs(self.scope["query_string"].decode())
        company = (query.get("company") or query.get("company_id") or [""])[0]
        branch = (query.get("branch") or query.get("branch_id") or ["-"])[0]
        self.group = f"cafe_orders_{company}_{branch}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(
            text_data=json.dumps(
                {
                    "type": "connection_established",
                    "company_id": company,
                    "branch_id": branch,
                    "group": self.group,
                    "seq": None,
                }
            )
        )

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data and '"ping"' in text_data:
            await self.send(text_data='{"type": "pong"}')

    async def cafe_event(self, event):
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter({"websocket": OrdersConsumer.as_asgi()})
