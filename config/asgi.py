"""HTTP (Django) and WebSockets (Channels) in one ASGI application."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from core import ops, ticks  # noqa: E402
from realtime.health import hub_check  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402


class BrowserOriginValidator(OriginValidator):
    """Browsers must come from an allowed origin; clients that send no Origin
    (Postman, command-line tools, native apps) are let in: the token authenticates."""

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or super().valid_origin(parsed_origin)


application = ProtocolTypeRouter(
    {
        # /health/live, /health/ready and /metrics are answered before Django (core/ops.py).
        "http": ops.OpsEndpoints(
            django_application,
            checks={
                "database": ops.database_check,
                "migrations": ops.migrations_check,
                "redis": ops.redis_check,
                "hub": hub_check,
            },
        ),
        "websocket": BrowserOriginValidator(URLRouter(websocket_urlpatterns), settings.WEBSOCKET_ALLOWED_ORIGINS),
        # Each server process's start and stop: its timer thread (core/ticks.py).
        "lifespan": ticks.lifespan,
    }
)
