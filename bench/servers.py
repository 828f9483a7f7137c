"""How the runner starts each server under test and how clients address it.

A server object knows: the command that starts it (with N processes), how to
tell it is ready, the URL path a client opens for (company, branch), how the
injector reaches it (``publish`` = the project's Redis envelope, ``group_send``
= channels_redis), and whether it replays missed events from ``?since=``.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _raise_fd_limit():
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def tree(pids: list[int]) -> list[psutil.Process]:
    procs = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            procs.append(p)
            procs.extend(p.children(recursive=True))
        except psutil.NoSuchProcess:
            pass
    return procs


def cpu_seconds(pids: list[int]) -> float:
    """user+system CPU of the processes and their children (from /proc/<pid>/stat)."""
    total = 0.0
    for p in tree(pids):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for p in tree(pids):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


class RedisServer:
    """A private redis-server for the run, so no other user of Redis disturbs it."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = open(log_dir / "redis.log", "w")  # noqa: SIM115 - the server's stdout until stop()
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxclients",
                "20000",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=_raise_fd_limit,
        )
        deadline = time.time() + 10
        while not port_open(self.port):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("redis-server did not start (see redis.log)")
            time.sleep(0.05)

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


class Server:
    name = "?"
    mode = "publish"  # how the injector reaches it
    channel = "cafe.events"
    supports_since = False  # replays missed events on ?since=N
    supports_orders = False  # has the REST API for scenario (c)

    def __init__(self, redis_url: str, log_dir: Path):
        self.redis_url = redis_url
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []
        self.port = 0
        self.nprocs = 0

    # -- to override -----------------------------------------------------------
    def commands(self, port: int, nprocs: int) -> list[list[str]]:
        raise NotImplementedError

    def env(self) -> dict:
        return dict(os.environ, REDIS_URL=self.redis_url, PYTHONUNBUFFERED="1")

    def cwd(self) -> Path:
        return ROOT

    def subscribed_channel(self) -> str:
        """The channel ``wait_subscribed`` counts the subscriptions of."""
        return self.channel

    def subscribers_expected(self, nprocs: int) -> int:
        """Redis subscriptions on ``channel`` once every process is ready (0 = don't check)."""
        return 0

    def setup_data(self, n_branches: int) -> tuple[str, list[str]]:
        """A company id and ``n_branches`` branch ids the server accepts."""
        return str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(n_branches)]

    def path(self, company: str, branch: str) -> str:
        return f"/ws/cafe/orders/?company={company}&branch={branch}"

    def current_seq(self, company: str) -> int:
        """The company's last published seq (the injector continues from +1)."""
        return 0

    def subscribers_after_connect(self) -> int:
        """Redis subscriptions on ``channel`` once sockets are connected (0 = don't check)."""
        return self.subscribers_expected(self.nprocs)

    def wait_subscribed(self, timeout: float = 5.0) -> None:
        """After clients connected: wait until every process listens to Redis."""
        want = self.subscribers_after_connect()
        if not want:
            return
        import redis

        r = redis.Redis.from_url(self.redis_url)
        deadline = time.time() + timeout
        channel = self.subscribed_channel()
        while dict(r.pubsub_numsub(channel)).get(channel.encode(), 0) < want and time.time() < deadline:
            time.sleep(0.05)
        r.close()

    # -- lifecycle ---------------------------------------------------------------
    def start(self, nprocs: int, timeout: float = 60.0) -> None:
        self.port = free_port()
        self.nprocs = nprocs
        with open(self.log_dir / f"{self.name}.log", "a") as log:
            log.write(f"\n=== start {self.name} x{nprocs} on port {self.port} ===\n")
            log.flush()
            for cmd in self.commands(self.port, nprocs):
                self.procs.append(
                    subprocess.Popen(
                        cmd,
                        cwd=self.cwd(),
                        env=self.env(),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        preexec_fn=_raise_fd_limit,
                    )
                )
        deadline = time.time() + timeout
        want = self.subscribers_expected(nprocs)
        import redis

        r = redis.Redis.from_url(self.redis_url)
        while True:
            dead = [p for p in self.procs if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{self.name} exited with {dead[0].returncode} (see {self.name}.log)")
            ready = port_open(self.port)
            if ready and want:
                ready = dict(r.pubsub_numsub(self.channel)).get(self.channel.encode(), 0) >= want
            if ready:
                break
            if time.time() > deadline:
                raise RuntimeError(f"{self.name} not ready after {timeout}s (see {self.name}.log)")
            time.sleep(0.1)
        r.close()
        time.sleep(0.5)  # let every worker reach its accept loop

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


class FloorServer(Server):
    name = "floor"
    mode = "publish"

    def commands(self, port, nprocs):
        return [
            [
                sys.executable,
                str(BENCH_DIR / "floor_server.py"),
                "--port",
                str(port),
                "--redis-url",
                self.redis_url,
                "--channel",
                self.channel,
            ]
            for _ in range(nprocs)
        ]

    def subscribers_expected(self, nprocs):
        return nprocs


class ChannelsServer(Server):
    name = "channels"
    mode = "group_send"

    def commands(self, port, nprocs):
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "channels_server:application",
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--backlog",
            "4096",
            "--timeout-graceful-shutdown",
            "1",
        ]
        if nprocs > 1:
            cmd += ["--workers", str(nprocs)]
        return [cmd]
