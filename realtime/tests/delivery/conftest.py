import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field

import pytest
import redis

from accounts.models import Branch, Company
from accounts.services import tokens_for
from cafe.floor.models import Table
from cafe.menu.models import MenuItem
from cafe.tests.factories import BranchFactory, CompanyFactory, MenuItemFactory, TableFactory, owner_of, staff_of
from cafe.tests.servers import free_port


@dataclass
class World:
    """A company with branches, tables, a menu and staff, with their access tokens."""

    company: Company
    branches: list[Branch]
    tables: dict[str, list[Table]]  # by branch id
    menu: list[MenuItem]
    owner: object
    owner_token: str
    waiters: dict[str, list] = field(default_factory=dict)  # branch id -> [(user, token)]


@pytest.fixture
def make_world():
    def make(branches: int = 2, tables: int = 3, waiters: int = 2) -> World:
        company = CompanyFactory()
        branch_list = [BranchFactory(company=company) for _ in range(branches)]
        owner = owner_of(company)
        menu = [MenuItemFactory(category__company=company, title=f"Dish {n}") for n in range(2)]
        world = World(
            company=company,
            branches=branch_list,
            tables={str(b.pk): [TableFactory(branch=b, number=n + 1) for n in range(tables)] for b in branch_list},
            menu=menu,
            owner=owner,
            owner_token=tokens_for(owner)["access"],
        )
        for branch in branch_list:
            staff = [staff_of(branch) for _ in range(waiters)]
            world.waiters[str(branch.pk)] = [(user, tokens_for(user)["access"]) for user in staff]
        return world

    return make


class OwnRedis:
    """A redis-server of the test's own, on a port of its own, so it may be stopped."""

    def __init__(self, directory) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """kill -9: every connection drops at once."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def subscribers(self, channel: str) -> int:
        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).pubsub_numsub(channel)[0][1]


@pytest.fixture
def own_redis(services, tmp_path):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but there is no redis-server binary")
        pytest.skip("needs a redis-server binary to start and stop its own Redis")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def channel():
    """An events channel of the test's own: no cross-talk with other test runs on a shared Redis."""
    return f"cafe.events.test.{uuid.uuid4().hex}"
