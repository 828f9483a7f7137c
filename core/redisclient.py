"""The one way this project reaches Redis: one server (``REDIS_URL=redis://host:port/db``)
or a Redis Cluster (``REDIS_URL=redis+cluster://host:port,host:port/``, the nodes to
start from; the client learns the others and follows failovers and resharding).

A cluster has no databases (``/db`` is refused) and keys used together in one command
or script must share a hash slot: callers put the part that ties them together in
braces (``{company id}``), which is harmless on a single server.
"""

from typing import Any
from urllib.parse import unquote

import redis
import redis.asyncio
import redis.asyncio.cluster
import redis.cluster
import redis.exceptions
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CLUSTER_SCHEME = "redis+cluster://"

# What a Redis call may raise when Redis cannot answer (a cluster client's own errors,
# such as a slot no node serves during a failover, are not RedisErrors).
ERRORS: tuple[type[BaseException], ...] = (redis.RedisError, redis.exceptions.RedisClusterException, OSError)

SyncClient = redis.Redis | redis.cluster.RedisCluster
AsyncClient = redis.asyncio.Redis | redis.asyncio.cluster.RedisCluster


def cluster_nodes(url: str) -> list[tuple[str, int]]:
    """The start-up nodes of a ``redis+cluster://`` URL; [] for any other URL."""
    if not url.startswith(CLUSTER_SCHEME):
        return []
    location, _, path = url[len(CLUSTER_SCHEME) :].partition("/")
    if path.strip("/") not in ("", "0"):
        raise ImproperlyConfigured("A Redis Cluster has only database 0: drop the /db from REDIS_URL.")
    hosts = location.rpartition("@")[2]
    nodes = []
    for part in hosts.split(","):
        host, _, port = part.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ImproperlyConfigured(f"REDIS_URL: {part!r} is not host:port.")
        nodes.append((host.strip("[]"), int(port)))
    return nodes


def credentials(url: str) -> dict[str, Any]:
    location = url[len(CLUSTER_SCHEME) :].partition("/")[0]
    userinfo, at, _ = location.rpartition("@")
    if not at:
        return {}
    user, colon, password = userinfo.partition(":")
    found = {"password": unquote(password)} if colon else {"password": unquote(user)}
    if colon and user:
        found["username"] = unquote(user)
    return found


def is_cluster(url: str | None = None) -> bool:
    return bool(cluster_nodes(settings.REDIS_URL if url is None else url))


def sync_client(*, max_connections: int | None = None, wait: float | None = None, **options: Any) -> SyncClient:
    """A client of ``REDIS_URL``. With ``max_connections`` the pool (per node on a
    cluster) is bounded and a caller waits up to ``wait`` seconds for a free connection."""
    url = settings.REDIS_URL
    nodes = cluster_nodes(url)
    if max_connections is not None:
        options["max_connections"] = max_connections
        if wait is not None:
            options |= {"connection_pool_class": redis.BlockingConnectionPool, "timeout": wait}
    if not nodes:
        if "connection_pool_class" in options:
            pool_class = options.pop("connection_pool_class")
            options.pop("timeout", None)
            return redis.Redis(connection_pool=pool_class.from_url(url, timeout=wait, **options))
        return redis.Redis.from_url(url, **options)
    (host, port), *others = nodes
    # Given as a URL, the nodes' pools are built with ``connection_pool_class``.
    return redis.cluster.RedisCluster(
        url=f"redis://{host}:{port}/0",
        startup_nodes=[redis.cluster.ClusterNode(h, p) for h, p in others] or None,
        **credentials(url),
        **options,
    )


def async_client(*, max_connections: int | None = None, **options: Any) -> AsyncClient:
    """An asyncio client of ``REDIS_URL`` (on a cluster, ``max_connections`` per node)."""
    url = settings.REDIS_URL
    nodes = cluster_nodes(url)
    if not nodes:
        if max_connections is not None:
            wait = options.pop("wait", None)
            return redis.asyncio.Redis.from_pool(  # closing the client closes its pool
                redis.asyncio.BlockingConnectionPool.from_url(
                    url, max_connections=max_connections, timeout=wait, **options
                )
            )
        return redis.asyncio.Redis.from_url(url, **options)
    options.pop("wait", None)
    if max_connections is not None:
        options["max_connections"] = max_connections
    return redis.asyncio.cluster.RedisCluster(
        startup_nodes=[redis.asyncio.cluster.ClusterNode(h, p) for h, p in nodes],
        **credentials(url),
        **options,
    )
