#!/usr/bin/env python3
"""Fan-out benchmark: the project against the floor and plain Channels.

Entry point of ``make bench``.  Starts a private redis-server, each server
under test (several processes), client processes and an injector process, runs
the scenarios, prints a table and writes ``bench/results/<label>.json``,
``<label>.md`` (the table) and ``<label>.png`` (chart).

    python bench/run.py                 # full run (several minutes)
    python bench/run.py --smoke         # tiny numbers, < 60 s: the harness works end to end
    python bench/run.py --servers floor,channels --scenarios a,d

Scenarios (see docs/benchmarks.md):
  a  1,000 sockets over 100 branches, event rate rising until p99 > 50 ms
  b  one branch with 1,000 sockets, same stepping
  c  end to end: orders POSTed over 10 branches x 20 sockets (project only)
  d  10,000 idle sockets on one server process: memory per socket
  e  reconnect storm: 2,000 clients drop at once and resume with ?since=

Nothing here asserts a time: figures are reported, never judged.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import ClientPool, Proc, injector_main
from servers import BENCH_DIR, ChannelsServer, FloorServer, RedisServer, cpu_seconds, rss_bytes

P99_LIMIT_MS = 50.0  # scenario (a) stops when p99 passes this (the criterion)
# One event to 1,000 sockets is a burst whose last delivery alone can take tens
# of ms on two shared cores, so (b) measures the fan-out that keeps up instead:
# the ramp stops when p99 passes this (a backlog forming) or deliveries go missing.
B_P99_LIMIT_MS = 250.0
MIN_DELIVERED = 0.97  # ... or when fewer than this share of deliveries arrive


@dataclass
class Sizes:
    server_procs: int = 2
    client_procs: int = 2
    step_seconds: float = 4.0
    a_sockets: int = 1000
    a_branches: int = 100
    a_rates: list = field(default_factory=lambda: [round(20 * 1.5**i) for i in range(22)])  # events/s, to ~100,000
    b_sockets: int = 1000
    b_rates: list = field(
        default_factory=lambda: [0.5, 1, 2, 3, 5, 8, 12, 18, 27, 40, 60, 90, 135, 200, 300, 450, 675, 1000]
    )
    c_rate: float = 50.0
    c_branches: int = 10
    c_per_branch: int = 20
    c_seconds: float = 10.0
    d_sockets: int = 10000
    e_clients: int = 2000
    e_branches: int = 100
    e_rate: float = 100.0
    e_seconds: float = 10.0  # injection time; the storm happens after 2 s of it
    settle: float = 1.0  # pauses that let memory and in-flight events settle
    warmup: bool = True  # a discarded 1 s step before each ramp
    refine: int = 2  # extra steps between the last good and the first bad rate


SMOKE = Sizes(
    server_procs=1,
    client_procs=2,
    step_seconds=0.7,
    a_sockets=40,
    a_branches=4,
    a_rates=[20, 40],
    b_sockets=40,
    b_rates=[5],
    c_rate=10,
    c_branches=2,
    c_per_branch=3,
    c_seconds=1,
    d_sockets=200,
    e_clients=60,
    e_branches=4,
    e_rate=20,
    e_seconds=1.5,
    settle=0.3,
    warmup=False,
    refine=0,
)


def pct(values, q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(q / 100.0 * len(s)))]


def log(msg: str) -> None:
    print(msg, flush=True)


class Bench:
    def __init__(self, sizes: Sizes, redis_url: str, redis_pids: list[int], log_dir: Path):
        self.sizes = sizes
        self.redis_url = redis_url
        self.redis_pids = redis_pids
        self.log_dir = log_dir
        self.pool = ClientPool(sizes.client_procs)
        self.injector = Proc(injector_main, redis_url)
        self.seq: dict[str, int] = {}

    def close(self):
        self.pool.stop()
        self.injector.stop()

    # -- helpers -----------------------------------------------------------------
    def cpu(self, server) -> dict:
        """CPU seconds so far of each part of the bench, of the whole machine, and the wall clock."""
        import psutil

        t = psutil.cpu_times()
        return {
            "server": cpu_seconds(server.pids),
            "clients": cpu_seconds(self.pool.pids),
            "injector": cpu_seconds([self.injector.pid]),
            "redis": cpu_seconds(self.redis_pids),
            "runner": sum(psutil.Process().cpu_times()[:2]),
            "machine": sum(t) - t.idle - getattr(t, "iowait", 0.0),
            "wall": time.time(),
        }

    @staticmethod
    def cpu_delta(cpu0: dict, cpu1: dict) -> dict:
        """Per-part CPU seconds between two readings, plus ``other_cores``: the load of
        processes outside the bench (PostgreSQL, anything else running) in cores."""
        d = {k: cpu1[k] - cpu0[k] for k in cpu0}
        wall = d.pop("wall")
        machine = d.pop("machine")
        d["other_cores"] = max(0.0, machine - sum(d.values())) / max(wall, 1e-6)
        if d["other_cores"] > 0.2:
            log(f"    ! other processes used {d['other_cores']:.2f} cores meanwhile: figures are disturbed")
        return d

    def connect(self, server, company: str, branches: list[str], n: int, concurrency=200) -> dict:
        clients = [
            (i, server.path(company, branches[i % len(branches)]), branches[i % len(branches)]) for i in range(n)
        ]
        res = self.pool.connect(clients, server.port, concurrency=concurrency)
        if res["errors"]:
            log(f"    ! {res['errors']} of {n} connections failed, e.g. {res['error_samples']}")
        server.wait_subscribed()
        return res

    def inject(self, server, company, branches, rate, seconds, keep_log=False, mode=None) -> dict:
        if company not in self.seq:
            self.seq[company] = server.current_seq(company) + 1
        r = self.injector.call(
            "inject",
            mode=mode or server.mode,
            company=company,
            start_seq=self.seq[company],
            branches=branches,
            rate=rate,
            duration=seconds,
            channel=server.channel,
            keep_log=keep_log,
            database_url=getattr(server, "database_url", None),
        )
        self.seq[company] = r["next_seq"]
        return r

    def step(self, server, company, branches, rate, seconds, fanout) -> dict:
        """Inject ``rate`` events/s for ``seconds``; measure deliveries, latency, CPU."""
        self.pool.all("reset")
        cpu0 = self.cpu(server)
        r = self.inject(server, company, branches, rate, seconds)
        time.sleep(0.5)  # in-flight deliveries land
        cpu1 = self.cpu(server)
        st = self.pool.stats()
        lat = st["latencies"]
        expected = r["sent"] * fanout
        cpu = self.cpu_delta(cpu0, cpu1)
        return {
            "rate": rate,
            "sent_rate": r["rate"],
            "offered_deliveries_s": expected / r["seconds"],
            "deliveries": st["count"],
            "expected": expected,
            "delivered_share": st["count"] / max(1, expected),
            "deliveries_s": st["count"] / r["seconds"],
            "p50_ms": pct(lat, 50),
            "p99_ms": pct(lat, 99),
            "max_ms": max(lat, default=None),
            "cpu_s": cpu,
            "server_cpu_ms_per_1000": 1e6 * cpu["server"] / max(1, st["count"]),
        }

    # -- scenarios -----------------------------------------------------------------
    def ramp(self, server, sockets: int, n_branches: int, rates: list, p99_limit: float) -> dict:
        company, branches = server.setup_data(n_branches)
        fanout = sockets // n_branches
        self.connect(server, company, branches, sockets)
        if self.sizes.warmup:
            self.step(server, company, branches, rates[0], 1.0, fanout)  # discarded
        steps, best = [], None

        def run(rate) -> bool:
            s = self.step(server, company, branches, rate, self.sizes.step_seconds, fanout)
            steps.append(s)
            ok = (
                s["p99_ms"] is not None
                and s["p99_ms"] <= p99_limit
                and s["delivered_share"] >= MIN_DELIVERED
                and s["sent_rate"] >= 0.9 * rate
            )
            s["within_limit"] = ok
            log(
                f"    {rate:6} ev/s -> {s['deliveries_s']:9.0f} deliveries/s  p50 {s['p50_ms'] or 0:7.1f} ms"
                f"  p99 {s['p99_ms'] or 0:7.1f} ms  delivered {100 * s['delivered_share']:5.1f}%"
                f"  server CPU {s['server_cpu_ms_per_1000']:6.1f} ms/1000{'' if ok else '  <- limit'}"
            )
            if not ok:
                time.sleep(2 * self.sizes.settle)  # let the backlog drain before another step
            return ok

        good = bad = None
        for rate in rates:
            if not run(rate):
                bad = rate
                break
            good, best = rate, steps[-1]
        # Narrow the limit down between the last good and the first bad rate.
        for _ in range(self.sizes.refine if good and bad else 0):
            mid = round((good * bad) ** 0.5, 1)
            if not good < mid < bad:
                break
            if run(mid):
                good, best = mid, steps[-1]
            else:
                bad = mid
        self.pool.all("close_all")
        return {
            "sockets": sockets,
            "branches": n_branches,
            "p99_limit_ms": p99_limit,
            "steps": steps,
            "best": best,
            "limit_reached": bad is not None,  # else the ladder ran out first: the limit is higher
        }

    def scenario_a(self, server):
        z = self.sizes
        return self.ramp(server, z.a_sockets, z.a_branches, z.a_rates, P99_LIMIT_MS)

    def scenario_b(self, server):
        z = self.sizes
        return self.ramp(server, z.b_sockets, 1, z.b_rates, B_P99_LIMIT_MS)

    def scenario_c(self, server):
        if not server.supports_orders:
            return None
        z = self.sizes
        company, branches = server.setup_data(z.c_branches)
        self.connect(server, company, branches, z.c_branches * z.c_per_branch)
        self.pool.all("reset", key_pattern=server.order_key_pattern)
        cpu0 = self.cpu(server)
        posted = server.post_orders(branches, z.c_rate, z.c_seconds)  # {order_id: post_time}
        time.sleep(z.settle)
        st = self.pool.stats()
        self.pool.all("close_all")
        lat = [(t - posted[k]) * 1000.0 for k, t in st["keys"] if k in posted]
        expected = len(posted) * z.c_per_branch
        out = {
            "orders": len(posted),
            "post_errors": len(server.post_errors),
            "post_error_samples": server.post_errors[:3],
            "post_rate": len(posted) / z.c_seconds,
            "receipts": len(lat),
            "expected": expected,
            "p50_ms": pct(lat, 50),
            "p99_ms": pct(lat, 99),
            "max_ms": max(lat, default=None),
            "post_p50_ms": pct(server.post_ms, 50),
            "post_p99_ms": pct(server.post_ms, 99),
            "cpu_s": self.cpu_delta(cpu0, self.cpu(server)),
        }
        log(
            f"    {out['orders']} orders ({out['post_errors']} failed POSTs), {out['receipts']} of {expected}"
            f" receipts: p50 {fmt(out['p50_ms'], '{:.1f}')} ms, p99 {fmt(out['p99_ms'], '{:.1f}')} ms"
            f" (the POSTs' own response times: p50 {fmt(out['post_p50_ms'], '{:.1f}')} ms,"
            f" p99 {fmt(out['post_p99_ms'], '{:.1f}')} ms)"
        )
        return out

    def scenario_d(self, server):
        z = self.sizes
        company, branches = server.setup_data(10)
        self.connect(server, company, branches, 20)  # import lazily-loaded code first
        self.pool.all("close_all")
        time.sleep(z.settle)
        before = rss_bytes(server.pids)
        res = self.connect(server, company, branches, z.d_sockets, concurrency=250)
        time.sleep(2 * z.settle)
        after = rss_bytes(server.pids)
        self.pool.all("close_all")
        per = (after - before) / max(1, res["connected"])
        log(
            f"    {res['connected']} idle sockets: RSS {before / 2**20:.1f} -> {after / 2**20:.1f} MiB,"
            f" {per / 1024:.1f} KiB per socket"
        )
        return {
            "sockets": res["connected"],
            "errors": res["errors"],
            "rss_before": before,
            "rss_after": after,
            "kib_per_socket": per / 1024,
        }

    def scenario_e(self, server):
        z = self.sizes
        company, branches = server.setup_data(z.e_branches)
        self.connect(server, company, branches, z.e_clients)
        self.pool.all("reset", record_seqs=True)
        result = {}

        def inject():
            result["inject"] = self.inject(
                server,
                company,
                branches,
                z.e_rate,
                z.e_seconds,
                keep_log=True,
                mode=getattr(server, "storm_mode", None),
            )

        th = threading.Thread(target=inject)
        th.start()
        time.sleep(min(2.0, z.e_seconds / 3))
        cpu0 = self.cpu(server)
        storms = self.pool.all("storm", since=server.supports_since)
        cpu_storm = self.cpu_delta(cpu0, self.cpu(server))
        th.join()
        time.sleep(z.settle + 0.5)  # replays and in-flight events land
        losses = self.pool.all("loss", published=result["inject"]["log"])
        self.pool.all("close_all")
        out = {
            "clients": z.e_clients,
            "events": result["inject"]["sent"],
            "handshake_errors": sum(s["errors"] for s in storms),
            "error_samples": [e for s in storms for e in s["error_samples"]][:3],
            "not_back": sum(s["failed"] for s in storms),
            "all_back_s": max(s["all_back_s"] for s in storms),
            "median_back_s": pct([t for s in storms for t in s["back_times"]], 50),
            "expected": sum(x["expected"] for x in losses),
            "lost": sum(x["lost"] for x in losses),
            "duplicates": sum(x["duplicates"] for x in losses),
            "loss_samples": [sample for x in losses for sample in x["samples"]][:5],
            "replays_missed_events": server.supports_since,
            "storm_cpu_s": cpu_storm,
        }
        log(
            f"    storm: {out['handshake_errors']} handshake errors, all back in {out['all_back_s']:.2f} s"
            f" (median {fmt(out['median_back_s'], '{:.2f}')} s),"
            f" {out['lost']} of {out['expected']} deliveries lost, {out['duplicates']} duplicates;"
            f" server CPU until all were back {cpu_storm['server']:.2f} s"
        )
        return out


SCENARIOS = {"a": "scenario_a", "b": "scenario_b", "c": "scenario_c", "d": "scenario_d", "e": "scenario_e"}


def make_servers(names: list[str], redis_url: str, log_dir: Path) -> list:
    import project_server

    available = {"floor": FloorServer, "channels": ChannelsServer}
    if project_server.available():
        available["project"] = project_server.ProjectServer
    servers = []
    for name in names:
        if name not in available:
            # A server asked for and missing is a broken harness (say, the project's files
            # moved), not a figure: fail rather than measure nothing.
            raise SystemExit(f"! server {name!r} is not available (its files are not where the harness looks)")
        servers.append(available[name](redis_url, log_dir))
    return servers


def run_server(bench: Bench, server, scenarios: list[str]) -> dict:
    z = bench.sizes
    out = {}
    # (d) wants a single server process: it shares the others' server when that has one.
    multi = [s for s in scenarios if s in "abce" or (s == "d" and z.server_procs == 1)]
    if multi:
        log(f"== {server.name}: {z.server_procs} server process(es)")
        server.start(z.server_procs)
        try:
            for s in multi:
                log(f"  ({s})")
                out[s] = getattr(bench, SCENARIOS[s])(server)
        finally:
            server.stop()
    if "d" in scenarios and "d" not in out:
        log(f"== {server.name}: 1 server process")
        server.start(1)
        try:
            log("  (d)")
            out["d"] = bench.scenario_d(server)
        finally:
            server.stop()
    return out


# -- reporting ---------------------------------------------------------------------


def fmt(v, spec="{:.0f}", none="n/a"):
    return none if v is None else spec.format(v)


def best_or_below(ramp) -> str:
    """The ramp's result; '< X' when even its first step was past the limit, '>= X'
    when its last step was still within it."""
    if not ramp or not ramp["steps"]:
        return "n/a"
    if ramp["best"] is None:
        return f"< {ramp['steps'][0]['offered_deliveries_s']:.0f}"
    return f"{'' if ramp.get('limit_reached', True) else '>= '}{ramp['best']['deliveries_s']:.0f}"


def best_with_latency(ramp) -> str:
    if not (ramp and ramp["best"]):
        return best_or_below(ramp)
    best = ramp["best"]
    return f"{best_or_below(ramp)} ({fmt(best['p50_ms'], '{:.0f}')}/{fmt(best['p99_ms'], '{:.0f}')})"


def table(results: dict) -> list[list[str]]:
    head = [
        "server",
        "(a) deliveries/s @p99<=50ms",
        "(a) server CPU ms/1000",
        "(b) deliveries/s (p50/p99 ms)",
        "(c) p50/p99 ms",
        "(d) KiB/socket",
        "(e) errors",
        "(e) s to all back",
        "(e) lost/expected",
    ]
    rows = [head]
    for name, r in results.items():
        a, b, c, d, e = (r.get(k) for k in "abcde")
        rows.append(
            [
                name,
                best_or_below(a),
                fmt(a and a["best"] and a["best"]["server_cpu_ms_per_1000"], "{:.1f}"),
                best_with_latency(b),
                "n/a" if not c else f"{fmt(c['p50_ms'], '{:.1f}')}/{fmt(c['p99_ms'], '{:.1f}')}",
                fmt(d and d["kib_per_socket"], "{:.1f}"),
                fmt(e and e["handshake_errors"]),
                fmt(e and e["all_back_s"], "{:.2f}"),
                "n/a"
                if not e
                else f"{e['lost']}/{e['expected']}" + ("" if e["replays_missed_events"] else " (no replay)"),
            ]
        )
    return rows


def ratios(results: dict) -> list[str]:
    def best(name):
        a = results.get(name, {}).get("a")
        return a["best"]["deliveries_s"] if a and a.get("best") else None

    lines = []
    p, f, c = best("project"), best("floor"), best("channels")
    if p and f:
        lines.append(f"(a) project / floor = {p / f:.2f} (target >= 0.5)")
    if p and c:
        lines.append(f"(a) project / channels = {p / c:.1f}x (target >= 5x)")
    if f and c:
        lines.append(f"(a) floor / channels = {f / c:.1f}x")
    return lines


def print_table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for j, r in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))
        if j == 0:
            print("  ".join("-" * w for w in widths))


def markdown(rows) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines) + "\n"


def chart(results: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    for row, (key, limit) in enumerate((("a", P99_LIMIT_MS), ("b", B_P99_LIMIT_MS))):
        ax_d, ax_l = axes[row]
        label = f"({key})"
        for i, (name, r) in enumerate(results.items()):
            if r.get(key):
                label = f"({key}) {r[key]['sockets']} sockets over {r[key]['branches']} branch(es)"
            steps = sorted((r.get(key) or {}).get("steps") or [], key=lambda s: s["offered_deliveries_s"])
            if not steps:
                continue
            color = f"C{i}"
            x = [s["offered_deliveries_s"] for s in steps]
            ax_d.plot(x, [s["deliveries_s"] for s in steps], "o-", color=color, label=name)
            ax_l.plot(x, [s["p99_ms"] or 0 for s in steps], "o-", color=color, label=f"{name} p99")
            ax_l.plot(x, [s["p50_ms"] or 0 for s in steps], "s--", color=color, label=f"{name} p50", alpha=0.7)
        ax_d.set(
            title=f"{label}: deliveries/s",
            xlabel="offered deliveries/s",
            ylabel="deliveries/s",
            xscale="log",
            yscale="log",
        )
        ax_l.axhline(limit, color="grey", lw=0.8, ls=":")
        ax_l.set(title=f"{label}: latency", xlabel="offered deliveries/s", ylabel="ms", xscale="log", yscale="log")
        for ax in (ax_d, ax_l):
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
                axis.set_minor_formatter(NullFormatter())
            ax.grid(True, which="both", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    import psutil

    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Fan-out benchmark (see docs/benchmarks.md)")
    ap.add_argument("--smoke", action="store_true", help="tiny numbers: checks the harness end to end in < 60 s")
    ap.add_argument("--servers", default="project,floor,channels", help="comma list of project,floor,channels")
    ap.add_argument("--scenarios", default="abcde", help="letters of the scenarios to run, e.g. 'ad'")
    ap.add_argument("--server-procs", type=int, help="server processes for (a)(b)(c)(e) (default 2; smoke 1)")
    ap.add_argument("--client-procs", type=int, help="load generator client processes (default 2)")
    ap.add_argument("--step-seconds", type=float, help="injection time per load step")
    ap.add_argument("--redis-url", help="use this Redis instead of starting a private redis-server")
    ap.add_argument("--out", default=str(BENCH_DIR / "results"), help="output folder")
    ap.add_argument("--label", help="output file name stem (default 'bench', or 'smoke' with --smoke)")
    args = ap.parse_args(argv)

    sizes = SMOKE if args.smoke else Sizes()
    for attr in ("server_procs", "client_procs", "step_seconds"):
        if getattr(args, attr):
            setattr(sizes, attr, getattr(args, attr))
    label = args.label or ("smoke" if args.smoke else "bench")
    out_dir = Path(args.out)
    log_dir = out_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    scenarios = [s for s in args.scenarios if s in SCENARIOS]

    redis = None
    if args.redis_url:
        redis_url, redis_pids = args.redis_url, []
    else:
        redis = RedisServer(log_dir)
        redis_url, redis_pids = redis.url, redis.pids
    servers = make_servers([s.strip() for s in args.servers.split(",") if s.strip()], redis_url, log_dir)
    bench = Bench(sizes, redis_url, redis_pids, log_dir)
    started = time.time()
    results = {}
    try:
        for server in servers:
            results[server.name] = run_server(bench, server, scenarios)
    finally:
        bench.close()
        if redis:
            redis.stop()

    rows = table(results)
    print()
    print_table(rows)
    if args.smoke:
        print("(smoke run: tiny numbers, the figures mean nothing; it shows the harness works)")
    else:
        for line in ratios(results):
            print(line)
    info = machine()
    doc = {
        "label": label,
        "smoke": args.smoke,
        "machine": info,
        "sizes": asdict(sizes),
        "seconds": time.time() - started,
        "results": results,
    }
    (out_dir / f"{label}.json").write_text(json.dumps(doc, indent=1))
    (out_dir / f"{label}.md").write_text(markdown(rows) + "\n" + "\n".join(ratios(results)) + "\n")
    chart(
        results,
        out_dir / f"{label}.png",
        f"fan-out on {info['cores']} cores ({info['cpu']}), {sizes.server_procs} server procs",
    )
    print(f"\nwrote {out_dir / (label + '.json')}, .md and .png in {time.time() - started:.0f} s")
    problems = broken(results)
    for p in problems:
        print(f"! harness problem: {p}")
    return 1 if problems else 0


def broken(results: dict) -> list[str]:
    """What shows the harness itself failing (nothing delivered, sockets that never
    connect), as opposed to slow figures, which are never judged."""
    problems = []
    for name, r in results.items():
        for key in "ab":
            ramp = r.get(key)
            if ramp and (not ramp["steps"] or ramp["steps"][0]["deliveries"] == 0):
                problems.append(f"{name} ({key}): no event delivered")
        c = r.get("c")
        if c and c["receipts"] == 0:
            problems.append(f"{name} (c): no order event received")
        d = r.get("d")
        if d and d["sockets"] == 0:
            problems.append(f"{name} (d): no socket connected")
        e = r.get("e")
        if e and (e["expected"] == 0 or e["not_back"] == e["clients"]):
            problems.append(f"{name} (e): no event sent or no client back")
    return problems


if __name__ == "__main__":
    sys.exit(main())
