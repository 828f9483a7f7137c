"""One process's hub holding sockets of 10,000 companies: what it costs the event log
and Redis. Prints figures; asserts nothing. Run from the repo root with the project's
Python against a PostgreSQL database it may write companies into (they are removed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafe_bench \\
        .venv/bin/python bench/hubscale.py --companies 10000

It starts a redis-server of its own (to count the commands it is sent) and measures:

* joins: the first socket of each company (one per company);
* idle: database queries/s and Redis commands/s with nothing happening;
* foreign: events of companies this process holds no socket of, published to Redis:
  how many reach this process;
* outage: one event for every company written to the log and never published (as
  after a Redis outage): the queries and the time until every socket has its event.
"""

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(directory: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", directory],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            return process, port
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


class Counted:
    """Database statements run (in any thread) and envelopes the hub looked at."""

    statements = 0
    envelopes = 0
    lock = threading.Lock()


def count_statements() -> None:
    from django.db.backends import utils

    for name in ("execute", "executemany"):
        original = getattr(utils.CursorWrapper, name)

        def counted(self, *args, __original=original, **kwargs):
            with Counted.lock:
                Counted.statements += 1
            return __original(self, *args, **kwargs)

        setattr(utils.CursorWrapper, name, counted)


def redis_calls(client) -> int:
    return sum(stats["calls"] for stats in client.info("commandstats").values())


async def main(args) -> None:
    import redis
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Company
    from realtime import hub as hub_module
    from realtime.hub import Subscription, get_hub

    client = redis.Redis.from_url(settings.REDIS_URL)
    original_on_envelope = hub_module.Hub._on_envelope

    async def on_envelope(self, item):
        Counted.envelopes += 1
        await original_on_envelope(self, item)

    hub_module.Hub._on_envelope = on_envelope

    async def no_access_check(self) -> None:
        pass

    # The sockets' users are made up (no rows): the periodic re-check of their rights
    # would find every one of them gone each time, which measures nothing of interest.
    hub_module.Hub.check_access = no_access_check

    class Socket(Subscription):
        def __init__(self, company: str) -> None:
            self.user_id, self.company_id = str(uuid.uuid4()), company
            self.requested_branch = self.branch_id = None
            self.stream = "orders"
            self.got = 0

        def deliver(self, text: str) -> None:
            self.got += 1

        def revoke(self) -> None:
            pass

        def resync_required(self, latest: int) -> None:
            pass

    def create() -> list[str]:
        rows = [Company(name=f"hubscale {n}") for n in range(args.companies)]
        Company.objects.bulk_create(rows, batch_size=2000)
        return [str(row.pk) for row in rows]

    def drop(ids: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cafe_event WHERE company_id = ANY(%s::uuid[])", [ids])
        Company.objects.filter(pk__in=ids).delete()

    from asgiref.sync import sync_to_async

    ids = await sync_to_async(create)()
    try:
        hub = get_hub()
        await asyncio.sleep(0.5)  # the Redis link is up
        sockets = [Socket(company) for company in ids]
        statements, calls, started = Counted.statements, redis_calls(client), time.perf_counter()
        for sub in sockets:
            await hub.subscribe(sub, (0, True, []), lambda latest: None)
        took = time.perf_counter() - started
        commands = redis_calls(client) - calls - 1
        print(f"joins: {len(ids)} companies in {took:.2f} s ({took / len(ids) * 1e6:.0f} µs a first socket),")
        print(f"       {Counted.statements - statements} statements, {commands} Redis commands")

        await asyncio.sleep(1)
        statements, calls, started = Counted.statements, redis_calls(client), time.perf_counter()
        cpu = time.process_time()
        await asyncio.sleep(args.seconds)
        took = time.perf_counter() - started
        rate, commands = (Counted.statements - statements) / took, (redis_calls(client) - calls - 1) / took
        cpu = (time.process_time() - cpu) / took * 100
        print(f"idle ({settings.HUB_POLL_SECONDS:g} s poll): {rate:.1f} statements/s, {commands:.1f} Redis commands/s,")
        print(f"       CPU {cpu:.1f} % of a core")

        foreign = [str(uuid.uuid4()) for _ in range(200)]
        envelopes, cpu, started = Counted.envelopes, time.process_time(), time.perf_counter()
        publisher = redis.Redis.from_url(settings.REDIS_URL)
        channel = settings.EVENTS_CHANNEL
        for n in range(args.foreign):
            company = foreign[n % len(foreign)]
            text = f"{company} {n + 1} - order_created\n{{}}"
            # The channel each version publishes to: one for all, or the company's own.
            publisher.publish(channel, text)
            publisher.publish(f"{channel}:{{{company}}}", text)
        await asyncio.sleep(1)
        print(f"foreign: {args.foreign} events of companies with no socket here: "
              f"{Counted.envelopes - envelopes} reached the hub")  # fmt: skip

        def outage() -> None:
            now = timezone.now()
            # One transaction, as emit writes them: a poll never sees a seq without its event.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE accounts_company SET event_seq = event_seq + 1 WHERE id = ANY(%s::uuid[])",
                               [ids])  # fmt: skip
                cursor.executemany(
                    "INSERT INTO cafe_event (id, company_id, seq, branch_id, type, message, created_at)"
                    " VALUES (%s, %s, 1, NULL, 'order_created', '{}', %s)",
                    [(uuid.uuid4(), company, now) for company in ids],
                )

        await sync_to_async(outage)()
        statements, started = Counted.statements, time.perf_counter()
        while sum(1 for sub in sockets if sub.got) < len(sockets):
            await asyncio.sleep(0.01)
            if time.perf_counter() - started > args.give_up:
                stuck = next(sub for sub in sockets if not sub.got)
                print(f"  gave up: inbox {hub.inbox.qsize()}, a socket without its event: pending "
                      f"{stuck.pending}, cursor {stuck.cursor}, hub seq {hub.last_seq.get(stuck.company_id)}, "
                      f"tasks {[task.done() for task in hub.tasks]}")  # fmt: skip
                break
        took = time.perf_counter() - started
        print(f"outage: {sum(1 for sub in sockets if sub.got)} of {len(sockets)} sockets had their event after "
              f"{took:.2f} s (poll included), {Counted.statements - statements} statements")  # fmt: skip
        for task in hub.tasks:
            task.cancel()
    finally:
        await sync_to_async(drop)(ids)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="the idle measurement")
    parser.add_argument("--foreign", type=int, default=5_000)
    parser.add_argument("--give-up", type=float, default=300.0, help="seconds the outage may take")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("needs redis-server")
    with tempfile.TemporaryDirectory() as directory:
        server, port = start_redis(directory)
        try:
            os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            os.environ.setdefault("EVENTS_CHANNEL", "cafe.hubscale")
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            os.environ.setdefault("LOG_LEVEL", "WARNING")
            sys.path.insert(0, str(Path.cwd()))
            import django

            django.setup()
            count_statements()
            asyncio.run(main(args))
        finally:
            server.kill()
            server.wait()
