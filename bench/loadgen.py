"""Load generator: WebSocket client processes and an event injector process.

Client processes each hold hundreds or thousands of WebSocket connections.
They use a deliberately small RFC 6455 client written on a raw asyncio
Protocol (handshake, unmasked server frames, ping/pong, close), because a full
client library costs several times more CPU per received message and the load
generator shares the machine's two cores with the servers it measures.

For every event a client records the receive time, the event's ``seq`` and,
when the event data carries the injector's ``bench_t`` send timestamp, the
latency.  The injector publishes events at a controlled rate either as the
project's Redis envelope (``PUBLISH cafe.events "<company> <seq> <branch>
<type>\\n<json>"``) or, for the plain Channels server, as one channels_redis
``group_send`` per event.

Both kinds of process are driven by the runner (run.py) over a
multiprocessing Pipe: the runner sends ``(command, kwargs)`` and waits for the
reply.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import multiprocessing as mp
import os
import random
import re
import resource
import time
import uuid
from array import array
from datetime import UTC

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SEQ_RE = re.compile(rb'"seq"\s*:\s*(-?\d+|null)')
BENCH_T_RE = re.compile(rb'"bench_t"\s*:\s*([0-9.eE+-]+)')


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:  # plain asyncio works too, only slower
        return asyncio.new_event_loop()


# --------------------------------------------------------------------------
# Minimal WebSocket client
# --------------------------------------------------------------------------


def mask_frame(opcode: int, payload: bytes) -> bytes:
    """A client-to-server frame (always masked, payloads < 64 KiB here)."""
    key = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    else:
        head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    if n:
        mask = (key * (n // 4 + 1))[:n]
        payload = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(n, "big")
    return head + key + payload


class Record:
    """One logical client: survives reconnects (used by the reconnect storm)."""

    __slots__ = ("branch", "cid", "last_seq", "path", "proto", "seqs", "since")

    def __init__(self, cid: int, path: str, branch: str):
        self.cid = cid
        self.path = path
        self.branch = branch
        self.last_seq: int | None = None
        self.seqs = array("q")
        self.proto: WsClient | None = None
        self.since: int | None = None  # the since of its last reconnect


class WsClient(asyncio.Protocol):
    def __init__(self, worker: ClientWorker, record: Record, path: str, host: str, port: int):
        self.worker = worker
        self.record = record
        self.path = path
        self.host = host
        self.port = port
        self.transport: asyncio.Transport | None = None
        self.upgraded = False
        self.buf = bytearray()
        self.fragments: list[bytes] | None = None
        self.hello: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.key = base64.b64encode(os.urandom(16))

    # -- asyncio.Protocol --------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        transport.write(
            b"GET " + self.path.encode() + b" HTTP/1.1\r\n"
            b"Host: " + f"{self.host}:{self.port}".encode() + b"\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + self.key + b"\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )

    def connection_lost(self, exc):
        if not self.hello.done():
            self.hello.set_exception(ConnectionError(f"closed before hello: {exc}"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes):
        now = time.time()
        buf = self.buf
        buf += data
        pos = 0
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self._check_handshake(bytes(buf[:end])):
                return
            self.upgraded = True
            pos = end + 4
        size = len(buf)
        while size - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            n = b1 & 0x7F
            start = pos + 2
            if n == 126:
                if size - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                start = pos + 4
            elif n == 127:
                if size - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                start = pos + 10
            if b1 & 0x80:  # servers must not mask; tolerate it anyway
                start += 4
            end = start + n
            if end > size:
                break
            payload = bytes(buf[start:end])
            if b1 & 0x80:
                key = buf[start - 4 : start]
                payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
            pos = end
            self._frame(b0 & 0x80, b0 & 0x0F, payload, now)
        if pos:
            del buf[:pos]

    # -- helpers -------------------------------------------------------------
    def _check_handshake(self, head: bytes) -> bool:
        lines = head.split(b"\r\n")
        ok = len(lines[0].split()) > 1 and lines[0].split()[1] == b"101"
        if ok:
            want = base64.b64encode(hashlib.sha1(self.key + WS_GUID).digest())
            accept = [h.split(b":", 1)[1].strip() for h in lines[1:] if h.lower().startswith(b"sec-websocket-accept:")]
            ok = accept == [want]
        if not ok:
            if not self.hello.done():
                self.hello.set_exception(ConnectionError(lines[0].decode(errors="replace")))
            self.transport.abort()
        return ok

    def _frame(self, fin: int, opcode: int, payload: bytes, now: float) -> None:
        if opcode == 0x0:  # continuation
            if self.fragments is None:
                return
            self.fragments.append(payload)
            if fin:
                payload = b"".join(self.fragments)
                self.fragments = None
                self._message(payload, now)
        elif opcode in (0x1, 0x2):
            if fin:
                self._message(payload, now)
            else:
                self.fragments = [payload]
        elif opcode == 0x9:  # ping
            self.transport.write(mask_frame(0xA, payload))
        elif opcode == 0x8:  # close: answer and drop
            self.transport.write(mask_frame(0x8, payload[:2]))
            self.transport.close()

    def _message(self, payload: bytes, now: float) -> None:
        if not self.hello.done():
            if b"connection_established" in payload:
                m = SEQ_RE.search(payload)
                if m and m.group(1) != b"null" and self.record.last_seq is None:
                    self.record.last_seq = int(m.group(1))
                self.hello.set_result(now)
            return
        self.worker.on_event(self.record, payload, now)

    def send_text(self, text: str) -> None:
        self.transport.write(mask_frame(0x1, text.encode()))

    def close(self) -> None:
        """Polite close: a close frame (1000), then FIN without waiting for the echo."""
        if self.transport is not None and not self.transport.is_closing():
            if self.upgraded:
                self.transport.write(mask_frame(0x8, (1000).to_bytes(2, "big")))
            self.transport.close()


class ClientWorker:
    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self.records: list[Record] = []
        self.latencies = array("d")  # ms
        self.count = 0
        self.key_re: re.Pattern | None = None
        self.keys: list[tuple[str, float]] = []
        self.record_seqs = False

    # -- event accounting (hot path) -----------------------------------------
    def on_event(self, record: Record, payload: bytes, now: float) -> None:
        i = payload.rfind(b'"seq"')
        if i < 0:
            return  # pong or another control message
        m = SEQ_RE.match(payload, i)
        if not m or m.group(1) == b"null":
            return
        seq = int(m.group(1))
        self.count += 1
        if record.last_seq is None or seq > record.last_seq:
            record.last_seq = seq
        if self.record_seqs:
            record.seqs.append(seq)
        m = BENCH_T_RE.search(payload)
        if m:
            self.latencies.append((now - float(m.group(1))) * 1000.0)
        if self.key_re is not None:
            k = self.key_re.search(payload)
            if k:
                self.keys.append((k.group(1).decode(), now))

    # -- connections ---------------------------------------------------------
    async def open(self, record: Record, since: bool, timeout: float = 15.0) -> float:
        path = record.path
        if since and record.last_seq is not None:
            path += ("&" if "?" in path else "?") + f"since={record.last_seq}"
            record.since = record.last_seq
        loop = asyncio.get_running_loop()
        _, proto = await asyncio.wait_for(
            loop.create_connection(lambda: WsClient(self, record, path, self.host, self.port), self.host, self.port),
            timeout,
        )
        record.proto = proto
        try:
            return await asyncio.wait_for(proto.hello, timeout)
        except BaseException:
            proto.close()
            raise

    async def cmd_connect(self, clients, concurrency=200, since=False, host=None, port=None):
        """Open connections for ``clients`` [(cid, path, branch)]; report errors."""
        self.host = host or self.host
        self.port = port or self.port
        sem = asyncio.Semaphore(concurrency)
        errors: list[str] = []
        new = [Record(cid, path, branch) for cid, path, branch in clients]

        async def one(rec):
            async with sem:
                try:
                    await self.open(rec, since)
                except Exception as e:
                    errors.append(repr(e)[:200])
                    rec.proto = None

        t0 = time.time()
        await asyncio.gather(*(one(r) for r in new))
        self.records.extend(r for r in new if r.proto is not None)
        return {
            "connected": len(new) - len(errors),
            "errors": len(errors),
            "error_samples": errors[:3],
            "seconds": time.time() - t0,
        }

    async def cmd_close_all(self):
        for r in self.records:
            if r.proto is not None:
                r.proto.close()
        await asyncio.gather(*(r.proto.closed for r in self.records if r.proto is not None), return_exceptions=True)
        n = len(self.records)
        self.records = []
        return {"closed": n}

    async def cmd_storm(self, since=True, deadline=60.0):
        """Drop every connection at once, reconnect at once (retrying on error)."""
        t0 = time.time()
        for r in self.records:
            r.proto.transport.abort()
        errors: list[str] = []
        back_at: list[float] = []
        failed = 0

        async def one(rec):
            nonlocal failed
            while True:
                try:
                    await self.open(rec, since)
                    back_at.append(time.time() - t0)
                    return
                except Exception as e:
                    errors.append(repr(e)[:200])
                    if time.time() - t0 > deadline:
                        failed += 1
                        return
                    await asyncio.sleep(0.1 + random.random() * 0.4)

        await asyncio.gather(*(one(r) for r in self.records))
        return {
            "reconnected": len(back_at),
            "errors": len(errors),
            "error_samples": errors[:3],
            "failed": failed,
            "all_back_s": max(back_at, default=0.0),
            "back_times": back_at,
        }

    # -- measurements ----------------------------------------------------------
    async def cmd_reset(self, record_seqs=False, key_pattern=None):
        self.latencies = array("d")
        self.count = 0
        self.keys = []
        self.record_seqs = record_seqs
        self.key_re = re.compile(key_pattern.encode()) if key_pattern else None
        for r in self.records:
            r.seqs = array("q")
        return {"sockets": len(self.records)}

    async def cmd_stats(self):
        return {
            "count": self.count,
            "latencies": self.latencies.tobytes(),
            "keys": self.keys,
            "sockets": len(self.records),
        }

    async def cmd_loss(self, published):
        """Compare received seqs with ``published`` [(seq, branch)] per client."""
        by_branch: dict[str, set[int]] = {}
        for seq, branch in published:
            by_branch.setdefault(branch, set()).add(seq)
        expected = received = lost = dups = 0
        samples = []
        for r in self.records:
            want = by_branch.get(r.branch, set())
            got = [s for s in r.seqs if s in want]
            uniq = set(got)
            expected += len(want)
            received += len(uniq)
            lost += len(want - uniq)
            dups += len(got) - len(uniq)
            if want - uniq and len(samples) < 5:
                samples.append(
                    {
                        "client": r.cid,
                        "branch": r.branch,
                        "missing": sorted(want - uniq)[:10],
                        "resumed_since": r.since,
                        "received": len(uniq),
                        "last_seq": r.last_seq,
                    }
                )
        return {"expected": expected, "received": received, "lost": lost, "duplicates": dups, "samples": samples}


def client_main(conn, host: str, port: int) -> None:
    """Entry point of a client process."""
    raise_fd_limit()
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    worker = ClientWorker(host, port)

    async def serve():
        while True:
            cmd, kwargs = await loop.run_in_executor(None, conn.recv)
            if cmd == "exit":
                await worker.cmd_close_all()
                conn.send({"ok": True})
                return
            try:
                result = await getattr(worker, "cmd_" + cmd)(**kwargs)
            except Exception as e:
                result = {"error": repr(e)}
            conn.send(result)

    loop.run_until_complete(serve())


# --------------------------------------------------------------------------
# Injector
# --------------------------------------------------------------------------

# A realistic order event (about 450 bytes once filled in).
EVENT_TEMPLATE = (
    '{{"type": "order_created", "data": {{"bench_t": {t:.6f}, "id": "{oid}", "branch": "{branch}", '
    '"table": "T{table}", "status": "pending", "guests": 2, "items": [{{"menu_item": "Flat white", '
    '"quantity": 1, "price": "3.40"}}, {{"menu_item": "Croissant", "quantity": 2, "price": "2.10"}}], '
    '"total": "7.60", "created_by": "bench"}}, "event_id": "{eid}", "seq": {seq}, "ts": "{ts}"}}'
)


def event_text(seq: int, branch: str, t: float) -> str:
    ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}+00:00"
    return EVENT_TEMPLATE.format(t=t, oid=uuid.uuid4(), branch=branch, table=seq % 40, eid=uuid.uuid4(), seq=seq, ts=ts)


class Injector:
    def __init__(self, redis_url: str):
        self.redis_url = redis_url
        self.redis = None
        self.layer = None

    async def cmd_inject(
        self,
        mode,
        company,
        start_seq,
        branches,
        rate,
        duration,
        channel="cafe.events",
        event_type="order_created",
        keep_log=False,
        database_url=None,
    ):
        """Send ``rate`` events/s for ``duration`` s, round-robin over ``branches``.

        mode "publish": PUBLISH the envelope on ``channel`` (floor and project).
        mode "group_send": channels_redis group_send to cafe_orders_<company>_<branch>.
        mode "log": as the project's ``realtime.emit.emit``: take seqs by bumping
        ``accounts_company.event_seq`` under its row lock, insert the events
        into ``cafe_event``, commit, then PUBLISH (``start_seq`` is ignored).
        Otherwise seqs are contiguous from ``start_seq`` (per company, as the
        project wants).
        """
        db = None
        if mode == "log":
            import psycopg

            db = psycopg.connect(database_url)
        if mode in ("publish", "log") and self.redis is None:
            import redis.asyncio as aioredis

            self.redis = aioredis.from_url(self.redis_url)
        if mode == "group_send" and self.layer is None:
            from channels_redis.core import RedisChannelLayer

            self.layer = RedisChannelLayer(hosts=[{"address": self.redis_url, "max_connections": 10000}])
        seq = start_seq
        sent = 0
        log: list[tuple[int, str]] = []
        late = 0.0
        t0 = time.time()
        i = 0
        while True:
            now = time.time()
            elapsed = now - t0
            if elapsed >= duration:
                break
            due = int(elapsed * rate) + 1 - sent
            if due > 0:
                if db is not None:
                    seq = self.reserve_seqs(db, company, due)
                batch = []
                for _ in range(due):
                    branch = branches[i % len(branches)]
                    i += 1
                    batch.append((seq, branch, event_text(seq, branch, now)))
                    if keep_log:
                        log.append((seq, branch))
                    seq += 1
                if db is not None:
                    self.write_log(db, company, batch, now)
                if mode in ("publish", "log"):
                    # A channel per company when the server's channel names one ("{company}").
                    channel = channel.format(company=company) if "{company}" in channel else channel
                    pipe = self.redis.pipeline(transaction=False)
                    for s, branch, text in batch:
                        pipe.publish(channel, f"{company} {s} {branch} {event_type}\n{text}")
                    await pipe.execute()
                else:
                    await asyncio.gather(
                        *(
                            self.layer.group_send(
                                f"cafe_orders_{company}_{branch}", {"type": "cafe.event", "text": text}
                            )
                            for s, branch, text in batch
                        )
                    )
                sent += due
                late = max(late, time.time() - t0 - sent / rate)
            await asyncio.sleep(0.004)
        elapsed = time.time() - t0
        if db is not None:
            db.close()
        return {
            "sent": sent,
            "seconds": elapsed,
            "rate": sent / elapsed,
            "next_seq": seq,
            "log": log,
            "max_behind_s": late,
        }

    @staticmethod
    def reserve_seqs(db, company: str, n: int) -> int:
        """Opens a transaction and takes ``n`` seqs for ``company``; returns the first."""
        row = db.execute(
            "UPDATE accounts_company SET event_seq = event_seq + %s WHERE id = %s RETURNING event_seq", (n, company)
        ).fetchone()
        return row[0] - n + 1

    @staticmethod
    def write_log(db, company: str, batch, now: float) -> None:
        """Inserts the events reserved by ``reserve_seqs`` and commits."""
        from datetime import datetime

        created = datetime.fromtimestamp(now, UTC)
        with db.cursor() as cur:
            cur.executemany(
                "INSERT INTO cafe_event (id, company_id, seq, branch_id, type, message, created_at)"
                " VALUES (%s, %s, %s, %s, 'order_created', %s, %s)",
                [(uuid.uuid4(), company, seq, branch, text, created) for seq, branch, text in batch],
            )
        db.commit()

    async def cmd_close(self):
        if self.redis is not None:
            await self.redis.aclose()
            self.redis = None
        if self.layer is not None:
            await self.layer.close_pools()
            self.layer = None
        return {"ok": True}


def injector_main(conn, redis_url: str) -> None:
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    inj = Injector(redis_url)

    async def serve():
        while True:
            cmd, kwargs = await loop.run_in_executor(None, conn.recv)
            if cmd == "exit":
                await inj.cmd_close()
                conn.send({"ok": True})
                return
            try:
                result = await getattr(inj, "cmd_" + cmd)(**kwargs)
            except Exception as e:
                result = {"error": repr(e)}
            conn.send(result)

    loop.run_until_complete(serve())


# --------------------------------------------------------------------------
# Runner-side handles
# --------------------------------------------------------------------------


class Proc:
    """A child process driven over a Pipe."""

    def __init__(self, target, *args):
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=target, args=(child, *args), daemon=True)
        self.process.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, cmd: str, **kwargs) -> None:
        self.conn.send((cmd, kwargs))

    def recv(self):
        result = self.conn.recv()
        if isinstance(result, dict) and "error" in result:
            raise RuntimeError(f"load generator process failed: {result['error']}")
        return result

    def call(self, cmd: str, **kwargs):
        self.send(cmd, **kwargs)
        return self.recv()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.call("exit")
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()


class ClientPool:
    """Several client processes; clients are spread round-robin over them."""

    def __init__(self, n: int, host: str = "127.0.0.1", port: int = 0):
        self.procs = [Proc(client_main, host, port) for _ in range(n)]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def all(self, cmd: str, per_proc: list[dict] | None = None, **kwargs) -> list:
        for i, p in enumerate(self.procs):
            p.send(cmd, **(per_proc[i] if per_proc else kwargs))
        return [p.recv() for p in self.procs]

    def connect(self, clients: list[tuple[int, str, str]], port: int, concurrency: int = 200, since=False) -> dict:
        parts = [clients[i :: len(self.procs)] for i in range(len(self.procs))]
        res = self.all(
            "connect",
            per_proc=[{"clients": part, "port": port, "concurrency": concurrency, "since": since} for part in parts],
        )
        return {
            "connected": sum(r["connected"] for r in res),
            "errors": sum(r["errors"] for r in res),
            "error_samples": [s for r in res for s in r["error_samples"]][:3],
            "seconds": max(r["seconds"] for r in res),
        }

    def stats(self) -> dict:
        res = self.all("stats")
        lat = array("d")
        keys = []
        for r in res:
            lat.frombytes(r["latencies"])
            keys.extend(r["keys"])
        return {"count": sum(r["count"] for r in res), "latencies": lat, "keys": keys}

    def stop(self) -> None:
        for p in self.procs:
            p.stop()
