import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from config.settings import env


class Command(BaseCommand):
    help = "Serves the REST API and the WebSockets through one ASGI server (uvicorn)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=env.str("HOST", default="127.0.0.1"))
        parser.add_argument("--port", type=int, default=env.int("PORT", default=8000))
        parser.add_argument(
            "--workers", type=int, default=env.int("WEB_CONCURRENCY", default=1),
            help="server processes; with several, set REDIS_URL so they share live events",
        )  # fmt: skip

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            ws_max_size=settings.WEBSOCKET_MAX_FRAME,
            ws_per_message_deflate=settings.WEBSOCKET_PER_MESSAGE_DEFLATE,
            log_config=settings.LOGGING,
            proxy_headers=env.bool("PROXY_HEADERS", default=False),
        )
