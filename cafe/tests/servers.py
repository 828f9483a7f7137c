"""Real server processes for end-to-end tests: `manage.py serve` on loopback,
sharing the test database (PostgreSQL) and Redis with the test. Each worker's
servers are forked by its fork server (``cafe/tests/forkserver.py``), which has
imported their third-party modules once."""

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

ROOT = Path(__file__).resolve().parents[2]
# The servers' PBKDF2 count: passwords hashed in a thousandth of the production time
# (a test's users protect nothing). Hashes a test makes for them use it too
# (``server_hash``), so that a login checks them without hashing them again; the login
# flood test asks for the production count.
PASSWORD_ITERATIONS = 1000


def server_hash(secret: str, salt: str) -> str:
    """A password (or PIN) hash as the servers' hasher makes it: PBKDF2 at their count."""
    return PBKDF2PasswordHasher().encode(secret, salt, PASSWORD_ITERATIONS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test run uses (pytest-django's test database)."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class ForkServer:
    """This process's fork server (``cafe/tests/forkserver.py``), started with the
    first server and ended with the process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("forkserver.py"))],
            cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.requests, self.replies = self.process.stdin, self.process.stdout
        self.lock = threading.Lock()
        atexit.register(self.close)

    def ask(self, request: dict[str, Any]) -> Any:
        self.requests.write(json.dumps(request) + "\n")
        self.requests.flush()
        reply = self.replies.readline()
        if not reply:
            raise RuntimeError(f"the fork server exited ({self.process.wait()}); its error is in the test's output")
        return json.loads(reply)

    def start(self, argv: list[str], *, env: dict[str, str], log: Path) -> "Forked":
        with self.lock:  # the child is a zombie until the next request reaps it: pidfd_open finds it
            pid = self.ask({"start": {"argv": argv, "env": env, "cwd": str(ROOT), "log": str(log)}})
            return Forked(self, pid)

    def exit_status(self, pid: int) -> int | None:
        with self.lock:
            return self.ask({"poll": pid})

    def close(self) -> None:
        self.requests.close()  # its end of input ends it
        self.process.wait()


_fork_server: ForkServer | None = None


def fork_server() -> ForkServer:
    global _fork_server
    if _fork_server is None:
        _fork_server = ForkServer()
    return _fork_server


class Forked:
    """A process the fork server forked, as Server uses a Popen: ``pid``, ``poll()``,
    ``wait()``, ``send_signal()``, ``kill()``. It is the fork server's child, so it is
    watched through a pidfd and its exit status asked of the fork server."""

    def __init__(self, forks: ForkServer, pid: int) -> None:
        self.forks = forks
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            while (code := self.forks.exit_status(self.pid)) is None:  # it has exited: reaped at once
                time.sleep(0.01)
            self.returncode = code
            os.close(self.pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and not select.select([self.pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(["manage.py", "serve"], timeout or 0)
        code = self.poll()
        assert code is not None
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it has just exited (as Popen allows)
                signal.pidfd_send_signal(self.pidfd, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Server:
    def __init__(self, log_dir: Path, name: str, **env: str) -> None:
        self.port = free_port()
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "EVENTS_CHANNEL": settings.EVENTS_CHANNEL,
            "HUB_POLL_SECONDS": "0.5",
            "LOG_LEVEL": "INFO",  # the redaction test reads the servers' request log lines
            "LOG_FORMAT": "plain",  # uvicorn's request lines, which tests read (core/tests/test_ops.py: json)
            "PYTHONUNBUFFERED": "1",
            "TICKS_ENABLED": "0",  # the timer runs only where a test asks for it
            "PASSWORD_ITERATIONS": str(PASSWORD_ITERATIONS),
            **env,
        }
        self.process: Forked | subprocess.Popen | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> "Server":
        argv = ["manage.py", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if hasattr(os, "pidfd_open"):
            self.process = fork_server().start(argv, env=self.env, log=self.log_path)
        else:  # no pidfd outside Linux: a fresh process, as fast as the imports allow
            with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
                self.process = subprocess.Popen(
                    [sys.executable, *argv], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited: {self.log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.http}/api/users/me/", timeout=1)
            except urllib.error.HTTPError:
                return self  # 401: it answers
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server {self.name} did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """kill -9: no shutdown, no goodbye to clients."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def start_server(services, transactional_db, tmp_path):
    """Starts real server processes: ``start_server("a")``; all are stopped after the test."""
    servers: list[Server] = []

    def start(name: str, **env: str) -> Server:
        server = Server(tmp_path, name, **env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
    # Events the servers wrote must match the AsyncAPI document too.
    from realtime.tests.event_schema import logged_event_errors

    problems = logged_event_errors()
    assert not problems, "Logged events do not match the AsyncAPI document:\n" + "\n".join(problems[:20])
