"""PostgreSQL connections that give up on a server that has stopped answering.

A frozen PostgreSQL (a stopped process, a paused container or VM, a proxy that
forwards nothing) keeps its TCP connections open and its kernel acknowledges
what is sent, so neither the server's ``statement_timeout`` nor TCP timeouts end
a wait for its answer: psycopg would wait for ever. Here every wait for an answer
has a bound, after which the connection is closed (the pool replaces it) and
``OperationalError`` raised, which ``core.availability`` counts as "unreachable".
"""

from typing import Any

import psycopg
from psycopg import errors
from psycopg.abc import PQGen, Query
from psycopg.connection import _WAIT_INTERVAL

# Seconds past the server's statement_timeout the client waits for its answer: the
# server's own cancellation (a clean error, the connection kept) comes first.
STATEMENT_MARGIN = 2.0


class BoundedConnection(psycopg.Connection[Any]):
    """Waits at most ``answer_timeout`` seconds for each answer of the server, and
    ``check_timeout`` for the answer to the pool's health check (an empty query);
    ``None`` waits for ever. Made with the bounds by ``bounded_connection_class``."""

    answer_timeout: float | None = None
    check_timeout: float | None = None
    _checking = False  # while the health check runs

    def execute(self, query: Query, *args: Any, **kwargs: Any) -> psycopg.Cursor[Any]:
        if query != "":
            return super().execute(query, *args, **kwargs)
        # psycopg_pool's ConnectionPool.check_connection, Django's health check: a
        # round trip that asks nothing of the server, so it waits no longer than a
        # connection attempt.
        self._checking = True
        try:
            return super().execute(query, *args, **kwargs)
        finally:
            self._checking = False

    def wait(self, gen: PQGen[Any], interval: float = _WAIT_INTERVAL, timeout: float | None = None) -> Any:
        if timeout is not None:  # the caller's own bound (notifies(), a cancellation)
            return super().wait(gen, interval, timeout)
        bound = self.check_timeout if self._checking else self.answer_timeout
        try:
            return super().wait(gen, interval, bound)
        except errors._WaitTimeout:
            # The answer may still come, half-read: the connection cannot be used again.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"PostgreSQL did not answer within {bound:g} s; the connection is closed."
            ) from None


def bounded_connection_class(*, answer_timeout: float | None, check_timeout: float | None) -> type[BoundedConnection]:
    """The connection class for the pool (its ``connection_class``) with these bounds."""
    attributes = {"answer_timeout": answer_timeout, "check_timeout": check_timeout}
    return type("BoundedConnection", (BoundedConnection,), attributes)
