"""Several hosts on this machine, built with network namespaces: app hosts (each a
namespace with its own address on a bridge, running real ``manage.py serve``), a Redis
Cluster of three masters and three replicas on the bridge, and the machine's
PostgreSQL reached through a small TCP relay on the bridge (it listens on loopback
only). Needs root and ``ip``; every name carries a tag of its own, so runs in
parallel never collide, and everything is removed at the end, however the test ends."""

import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from cafe.tests.servers import ROOT, Server


def missing() -> str | None:
    """Why hosts cannot be built here, or None."""
    if os.geteuid() != 0:
        return "needs root (ip netns)"
    for binary in ("ip", "redis-server", "redis-cli"):
        if shutil.which(binary) is None:
            return f"needs {binary}"
    return None


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=30)


class Relay:
    """A TCP relay in this process: ``listen`` (on the bridge) to ``target``."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.listen, self.target = listen, target
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="relay", daemon=True)
        self.writers: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._pair, *self.listen), self.loop
        ).result(10)

    async def _pair(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}

        async def pipe(source, sink) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}

    def stop(self) -> None:
        async def close() -> None:
            self.server.close()
            for writer in list(self.writers):
                writer.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class HostServer(Server):
    """``manage.py serve`` inside an app host's namespace, on its address."""

    def __init__(self, log_dir: Path, name: str, namespace: str, address: str, **env: str) -> None:
        super().__init__(log_dir, name, **env)
        self.namespace, self.address, self.port = namespace, address, 8000

    @property
    def http(self) -> str:
        return f"http://{self.address}:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://{self.address}:{self.port}"

    def start(self, timeout: float = 30) -> "HostServer":
        import urllib.error
        import urllib.request

        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["ip", "netns", "exec", self.namespace, sys.executable, "manage.py", "serve",
                 "--host", "0.0.0.0", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited: {self.log()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.http}/api/users/me/", timeout=1)
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server {self.name} did not start: {self.log()[-2000:]}")


class Hosts:
    def __init__(self, directory: Path, apps: int) -> None:
        self.directory = directory
        self.tag = f"{os.getpid() % 10000:04d}{random.randrange(256):02x}"
        self.bridge = f"c{self.tag}b"
        self.subnet = self._free_subnet()
        self.gateway = f"{self.subnet}.1"
        self.namespaces = [f"cafe-{self.tag}-h{n + 1}" for n in range(apps)]
        self.addresses = [f"{self.subnet}.{11 + n}" for n in range(apps)]
        self.links = [f"c{self.tag}h{n + 1}" for n in range(apps)]
        self.redis: dict[int, subprocess.Popen] = {}
        self.servers: list[HostServer] = []
        self.relay: Relay | None = None

    @staticmethod
    def _free_subnet() -> str:
        used = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=True).stdout
        for _ in range(100):
            subnet = f"10.{random.randrange(200, 250)}.{random.randrange(256)}"
            if f" {subnet}." not in used:
                return subnet
        raise RuntimeError("no free 10.x.y.0/24 subnet")

    # Building

    def build(self) -> None:
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        for namespace, address, link in zip(self.namespaces, self.addresses, self.links, strict=True):
            run("ip", "netns", "add", namespace)
            run("ip", "link", "add", link, "type", "veth", "peer", "name", f"{link}n")
            run("ip", "link", "set", link, "master", self.bridge, "up")
            run("ip", "link", "set", f"{link}n", "netns", namespace)
            run("ip", "-n", namespace, "link", "set", f"{link}n", "name", "eth0")
            run("ip", "-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
            run("ip", "-n", namespace, "link", "set", "eth0", "up")
            run("ip", "-n", namespace, "link", "set", "lo", "up")
            run("ip", "-n", namespace, "route", "add", "default", "via", self.gateway)
        db = settings.DATABASES["default"]
        self.relay = Relay((self.gateway, self._port()), (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
        self.relay.start()
        self._redis_cluster()

    def _port(self) -> int:
        with socket.socket() as sock:
            sock.bind((self.gateway, 0))
            return sock.getsockname()[1]

    def _cluster_port(self) -> int:
        """A port free with its cluster bus port (10000 above it)."""
        for _ in range(100):
            port = random.randrange(20000, 30000)
            try:
                with socket.socket() as first, socket.socket() as second:
                    first.bind((self.gateway, port))
                    second.bind((self.gateway, port + 10000))
                return port
            except OSError:
                continue
        raise RuntimeError("no free port for a Redis Cluster node")

    def _redis_cluster(self) -> None:
        ports = []
        for _ in range(6):
            port = self._cluster_port()
            node_dir = self.directory / f"redis-{port}"
            node_dir.mkdir()
            self.redis[port] = subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", self.gateway, "--protected-mode", "no",
                 "--cluster-enabled", "yes", "--cluster-config-file", str(node_dir / "nodes.conf"),
                 "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0",
                 "--save", "", "--appendonly", "no", "--dir", str(node_dir),
                 "--logfile", str(node_dir / "redis.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            ports.append(port)
        for port in ports:
            log = self.directory / f"redis-{port}" / "redis.log"
            self._wait(lambda port=port: self.node(port).ping(), f"redis {port} did not start", log=log)
        run("redis-cli", "--cluster", "create", *[f"{self.gateway}:{p}" for p in ports],
            "--cluster-replicas", "1", "--cluster-yes")  # fmt: skip
        for port in ports:
            self._wait(lambda port=port: self.node(port).cluster("info")["cluster_state"] == "ok", "cluster not ok")

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(host=self.gateway, port=port, socket_timeout=1, socket_connect_timeout=1)

    @staticmethod
    def _wait(check, message: str, timeout: float = 30, log: Path | None = None) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if check():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{message}: {log.read_text()[-2000:]}" if log and log.exists() else message)
            time.sleep(0.1)

    @property
    def redis_url(self) -> str:
        return "redis+cluster://" + ",".join(f"{self.gateway}:{p}" for p in self.redis)

    @property
    def database_url(self) -> str:
        db = settings.DATABASES["default"]
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        assert self.relay is not None
        return f"postgres://{db['USER']}{password}@{self.gateway}:{self.relay.listen[1]}/{db['NAME']}"

    def start(self, n: int, **env: str) -> HostServer:
        env = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "ALLOWED_HOSTS": ",".join(self.addresses),
            **env,
        }
        server = HostServer(self.directory, f"h{n + 1}", self.namespaces[n], self.addresses[n], **env)
        self.servers.append(server)
        return server.start()

    # Failures

    def cut(self, n: int) -> None:
        """App host n goes: its processes are killed and its link is cut."""
        self.servers[n].kill()
        run("ip", "link", "set", self.links[n], "down")

    def master_of(self, channel: str) -> int:
        """The port of the master serving a channel's slot."""
        any_port = next(p for p, proc in self.redis.items() if proc.poll() is None)
        slot = self.node(any_port).cluster("keyslot", channel)
        for start, end, master, *_ in self.node(any_port).execute_command("CLUSTER SLOTS"):
            if start <= slot <= end:
                return int(master[1])
        raise AssertionError(f"slot {slot} has no master")

    def fail_over(self, port: int) -> int:
        """kill -9 a master; returns the port of the replica that took over its slots."""
        slot = next(
            start for start, end, master, *_ in self.node(port).execute_command("CLUSTER SLOTS")
            if int(master[1]) == port
        )  # fmt: skip
        self.redis[port].kill()
        self.redis[port].wait()
        survivor = next(p for p in self.redis if p != port)

        def promoted() -> bool:
            for start, end, master, *_ in self.node(survivor).execute_command("CLUSTER SLOTS"):
                if start <= slot <= end and int(master[1]) != port:
                    return self.node(int(master[1])).cluster("info")["cluster_state"] == "ok"
            return False

        self._wait(promoted, f"no replica took over from {port}")
        return next(
            int(master[1]) for start, end, master, *_ in self.node(survivor).execute_command("CLUSTER SLOTS")
            if start <= slot <= end
        )  # fmt: skip

    # Taking it all down

    def destroy(self) -> None:
        for server in self.servers:
            server.kill()
        for process in self.redis.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        if self.relay is not None:
            self.relay.stop()
        for namespace in self.namespaces:
            pids = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout.split()
            for pid in pids:  # only processes this test started live in its namespaces
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        for link in (*self.links, self.bridge):
            subprocess.run(["ip", "link", "del", link], capture_output=True)


@pytest.fixture
def hosts(services, transactional_db, tmp_path):
    """Builds the hosts (three app host namespaces, a Redis Cluster, PostgreSQL through a
    relay); skipped without root unless CI=true, where it must run."""
    reason = missing()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the multi-host test cannot run: {reason}")
    if reason:
        pytest.skip(f"multi-host test: {reason}")
    built = Hosts(tmp_path, apps=3)
    try:
        built.build()
        yield built
    finally:
        built.destroy()
        # pytest shows this only for a failed test: what the servers raised.
        for log in sorted(tmp_path.glob("h*.log")):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"--- {log.name}: its tracebacks ---")
                print("\n".join("Traceback" + chunk[-3000:] for chunk in text.split("Traceback")[1:]))
