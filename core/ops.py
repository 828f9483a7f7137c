"""What an operator's tools ask a server process, answered before Django's middleware
(no host check, no HTTPS redirect, no session; a probe from a load balancer or an
orchestrator gets its answer whatever ``Host`` it sends):

* ``GET /health/live`` — 200 while the process answers.
* ``GET /health/ready`` — 200 when every readiness check passes, else 503 naming the
  failing parts: ``{"status": "unavailable", "failing": ["redis"], "checks": {...}}``.
  The checks are given by the roof (``config/asgi.py``): the database, Redis, the
  migrations, the hub.
* ``GET /metrics`` — every Prometheus figure of every server process, behind the guard
  of ``METRICS_TOKEN`` / ``METRICS_ALLOWED_NETWORKS`` (``metrics_allowed``; 404 when
  neither is set and ``DEBUG`` is off). docs/deploy.md, "Health" and "Metrics".
"""

import asyncio
import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from django.conf import settings

from core import metrics
from core.logging import redact

# A readiness check: None when its part is fine, else why not.
Check = Callable[[], Awaitable[str | None]]
CHECK_TIMEOUT = 3.0


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return str(redact(f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__))


async def _run(check: Check) -> str | None:
    try:
        return await asyncio.wait_for(check(), CHECK_TIMEOUT)
    except TimeoutError:
        return f"no answer within {CHECK_TIMEOUT:g} s"
    except Exception as exc:
        return _reason(exc)


async def readiness(checks: dict[str, Check]) -> tuple[int, dict[str, Any]]:
    """Runs every check at once: (200 or 503, the answer's body)."""
    results = dict(zip(checks, await asyncio.gather(*(_run(check) for check in checks.values())), strict=True))
    failing = [name for name, problem in results.items() if problem is not None]
    body = {
        "status": "unavailable" if failing else "ready",
        "failing": failing,
        "checks": {name: problem or "ok" for name, problem in results.items()},
    }
    return (503 if failing else 200), body


def _networks(values: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in values]


def metrics_allowed(client: str | None, authorization: str | None) -> int | None:
    """None if this client may read the metrics, else the status to answer: 404 when
    the endpoint is off (no token, no networks, DEBUG off), 403 when a configured
    guard refuses (every one configured must pass)."""
    token, networks = settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        if not settings.DEBUG:
            return 404
        networks = ["127.0.0.0/8", "::1/128"]  # DEBUG: loopback only
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return 403
    if networks:
        try:
            address = ipaddress.ip_address(client or "")
        except ValueError:
            return 403
        if not any(address in network for network in _networks(networks)):
            return 403
    return None


DETAILS = {404: "Not found.", 403: "Not allowed to read the metrics.", 405: "Method not allowed."}


class OpsEndpoints:
    """ASGI middleware: answers the paths above itself, passes everything else on."""

    def __init__(self, app: Any, checks: dict[str, Check]) -> None:
        self.app = app
        self.checks = checks
        self.routes = {
            "/health/live": self.live,
            "/health/ready": self.ready,
            "/metrics": self.metrics,
        }

    async def __call__(self, scope, receive, send) -> None:
        endpoint = self.routes.get(scope["path"].rstrip("/")) if scope["type"] == "http" else None
        if endpoint is None:
            return await self.app(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD"):
            return await self._answer(send, scope, 405, {"detail": DETAILS[405]}, allow="GET, HEAD")
        await endpoint(scope, send)

    async def live(self, scope, send) -> None:
        await self._answer(send, scope, 200, {"status": "live"})

    async def ready(self, scope, send) -> None:
        status, body = await readiness(self.checks)
        await self._answer(send, scope, status, body)

    async def metrics(self, scope, send) -> None:
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        client = scope["client"][0] if scope.get("client") else None
        refused = metrics_allowed(client, authorization)
        if refused is not None:
            return await self._answer(send, scope, refused, {"detail": DETAILS[refused]})
        body, content_type = await asyncio.to_thread(metrics.exposition)
        await self._send(send, scope, 200, body, content_type)

    async def _answer(self, send, scope, status: int, body: dict, **headers: str) -> None:
        await self._send(send, scope, status, json.dumps(body).encode(), "application/json", **headers)

    @staticmethod
    async def _send(send, scope, status: int, body: bytes, content_type: str, **extra: str) -> None:
        headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *((name.replace("_", "-").encode(), value.encode()) for name, value in extra.items()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


# The readiness checks of what every app shares


def _database_answers() -> None:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


async def database_check() -> str | None:
    """The database answers a query."""
    await asyncio.to_thread(_database_answers)
    return None


_migrated = False


def _unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    finally:
        connection.close()


async def migrations_check() -> str | None:
    """Every migration is applied (once they all are, this process stops asking)."""
    global _migrated
    if _migrated:
        return None
    unapplied = await asyncio.to_thread(_unapplied_migrations)
    if unapplied:
        more = f" and {len(unapplied) - 3} more" if len(unapplied) > 3 else ""
        return f"{len(unapplied)} unapplied: {', '.join(unapplied[:3])}{more}"
    _migrated = True
    return None


async def redis_check() -> str | None:
    """Redis answers PING (when ``REDIS_URL`` is set)."""
    if not settings.REDIS_URL:
        return None
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
    finally:
        await client.aclose()
    return None
