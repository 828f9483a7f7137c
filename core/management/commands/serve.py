from functools import partial

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from core import metrics
from core.server import GuardedHttpToolsProtocol


class Command(BaseCommand):
    help = "Serves the REST API and the WebSockets through one ASGI server (uvicorn)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=settings.SERVER_HOST)
        parser.add_argument("--port", type=int, default=settings.SERVER_PORT)
        parser.add_argument(
            "--workers", type=int, default=settings.SERVER_WORKERS,
            help="server processes; with several, set REDIS_URL so they share live events",
        )  # fmt: skip

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        module, _, name = settings.ASGI_APPLICATION.rpartition(".")
        # Several workers write their metrics to files a scrape of any of them adds up
        # (core/metrics.py); the directory is emptied now, so counters start at zero.
        temporary = metrics.multiprocess_directory_prepare() if workers > 1 else None
        try:
            self.run(module, name, host=host, port=port, workers=workers)
        finally:
            if temporary is not None:
                metrics.multiprocess_directory_remove(temporary)

    def run(self, module: str, name: str, *, host: str, port: int, workers: int) -> None:
        uvicorn.run(
            f"{module}:{name}",
            host=host,
            port=port,
            workers=workers,
            lifespan="on",  # starts each process's timer (core/ticks.py)
            # uvicorn calls whatever it is given to build each connection's protocol.
            http=partial(  # type: ignore[arg-type]
                GuardedHttpToolsProtocol,
                header_timeout=settings.HTTP_HEADER_TIMEOUT,
                body_timeout=settings.HTTP_BODY_TIMEOUT,
                max_connections=settings.MAX_CONNECTIONS,
            ),
            ws="websockets-sansio",  # core/server.py reads its handshake state
            ws_max_size=settings.WEBSOCKET_MAX_FRAME,
            ws_per_message_deflate=settings.WEBSOCKET_PER_MESSAGE_DEFLATE,
            ws_ping_interval=settings.WEBSOCKET_PING_INTERVAL,
            ws_ping_timeout=settings.WEBSOCKET_PING_TIMEOUT,
            log_config=settings.LOGGING,
            proxy_headers=settings.SERVER_PROXY_HEADERS,
            forwarded_allow_ips=settings.SERVER_FORWARDED_ALLOW_IPS,
        )
