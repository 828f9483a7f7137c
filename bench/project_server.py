"""The project as a server under test.

Started as in production: ``.venv/bin/python manage.py serve --workers N`` from
the repo root, with PostgreSQL (a bench database, recreated per run), Redis and
``DEBUG=False``.  Bench data (companies with 100 branches, an owner each, tables
and a menu item) comes from bench/project_setup.py; every scenario gets a fresh
company, and sockets use the owner's token with ``branch_id``.

How events reach it:
  * (a), (b): the injector PUBLISHes the project's envelope on ``cafe.events``
    with contiguous seqs, exactly like the floor: the fan-out path alone.
  * (e): mode "log": the injector does what ``realtime.emit.emit`` does (bump
    ``accounts_company.event_seq`` under its row lock, insert the rows into
    ``cafe_event``, commit, then PUBLISH), so resuming sockets find the events
    they missed in the log.
  * (c): real orders, POSTed to ``/api/cafe/orders/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection

from servers import BENCH_DIR, ROOT, Server

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cafe_bench")


def project_python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def available() -> bool:
    return all(
        (ROOT / p).exists()
        for p in ("manage.py", "accounts/models.py", "realtime/emit.py", "core/management/commands/serve.py")
    )


class ProjectServer(Server):
    name = "project"
    mode = "publish"
    storm_mode = "log"
    supports_since = True
    supports_orders = True
    order_key_pattern = r'"order":\s*\{"id":\s*"([0-9a-f-]{36})"'
    companies_needed = 6
    # Each company's events on its own channel (realtime/bus.py); the injector fills it in.
    channel = "cafe.events:{{{company}}}"

    def __init__(self, redis_url, log_dir):
        super().__init__(redis_url, log_dir)
        self.database_url = DATABASE_URL
        self.companies: list[dict] | None = None
        self.used = 0
        self.tokens: dict[str, str] = {}
        self.current: dict | None = None

    def env(self) -> dict:
        return dict(
            super().env(),
            DATABASE_URL=self.database_url,
            DEBUG="False",
            SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            # The harness holds thousands of sockets of one owner of one company and
            # reconnects them all at once (e): it measures the fan-out, not the
            # per-tenant caps, which are lifted here (docs/security.md, "Sockets per
            # tenant"; the caps' own tests: realtime/tests/*/test_socket_limits.py).
            WEBSOCKET_MAX_PER_USER="1000000",
            WEBSOCKET_MAX_PER_COMPANY="1000000",
            WEBSOCKET_COMPANY_SHARE="1",
            WEBSOCKET_REPLAYS_PER_SOCKET="1000000",
            WEBSOCKET_REPLAYS_PER_USER="1000000",
        )

    def commands(self, port, nprocs):
        return [
            [
                project_python(),
                "manage.py",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(nprocs),
            ]
        ]

    def start(self, nprocs, timeout=60.0):
        if self.companies is None:
            out = subprocess.run(
                [
                    project_python(),
                    str(BENCH_DIR / "project_setup.py"),
                    "--reset",
                    "--companies",
                    str(self.companies_needed),
                    "--branches",
                    "100",
                    "--tables",
                    "3",
                ],
                cwd=ROOT,
                env=self.env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                raise RuntimeError(f"project_setup.py failed:\n{out.stderr[-3000:]}")
            self.companies = json.loads(out.stdout)
        super().start(nprocs, timeout)

    def subscribers_after_connect(self) -> int:
        return self.nprocs  # each process's hub subscribes once it has a socket of the company

    def subscribed_channel(self) -> str:
        return self.channel.format(company=self.current["company"]) if self.current else self.channel

    # -- data and addresses -----------------------------------------------------
    def setup_data(self, n_branches):
        if self.used >= len(self.companies):
            raise RuntimeError("out of bench companies; raise ProjectServer.companies_needed")
        company = self.companies[self.used]
        self.used += 1
        body = json.dumps({"email": company["email"], "password": company["password"]}).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/users/login/", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            self.tokens[company["company"]] = json.load(resp)["access"]
        self.current = company
        return company["company"], company["branches"][:n_branches]

    def path(self, company, branch):
        return f"/ws/cafe/orders/?token={self.tokens[company]}&branch_id={branch}"

    def current_seq(self, company):
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return conn.execute("SELECT event_seq FROM accounts_company WHERE id = %s", (company,)).fetchone()[0]

    # -- scenario (c) ------------------------------------------------------------------
    def post_orders(self, branches: list[str], rate: float, seconds: float) -> dict:
        """POST ``rate`` orders/s for ``seconds`` round-robin over ``branches``.

        Returns {order_id: time the POST was sent}; failures are counted in
        ``self.post_errors``.
        """
        company = self.current
        token = self.tokens[company["company"]]
        local = threading.local()
        posted: dict[str, float] = {}
        errors: list[str] = []
        durations: list[float] = []
        n = int(rate * seconds)
        t0 = time.time() + 0.2

        def one(i: int) -> None:
            branch = branches[i % len(branches)]
            tables = company["tables"][branch]
            body = json.dumps(
                {
                    "table": tables[(i // len(branches)) % len(tables)],
                    "guests": 2,
                    "items": [{"menu_item": company["menu_item"], "quantity": 1}],
                }
            )
            delay = t0 + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            if not hasattr(local, "conn"):
                local.conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
            sent = time.time()
            try:
                local.conn.request(
                    "POST",
                    "/api/cafe/orders/",
                    body=body,
                    headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                )
                resp = local.conn.getresponse()
                data = resp.read()
                if resp.status != 201:
                    errors.append(f"{resp.status} {data[:200]!r}")
                    return
                posted[json.loads(data)["id"]] = sent
                durations.append((time.time() - sent) * 1000.0)
            except Exception as e:
                errors.append(repr(e)[:200])
                local.conn.close()
                del local.conn

        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(one, range(n)))
        self.post_errors = errors
        self.post_ms = durations
        return posted
