"""Load benchmark: 4 training jobs watched by 50 websocket clients, against a real `nnplay serve`.

What it does, on loopback only, for a bounded time:

1. Starts `nnplay serve` (NNPLAY_MAX_CONCURRENT_JOBS=--jobs) in a temporary data folder.
2. Baseline: trains --jobs copies of the LeNet preset (GET /api/presets, epochs raised so they cannot
   finish) with no client, measures their steps per second over --baseline-seconds, stops them.
3. Load: the same jobs again, now watched by --clients websocket clients spread round-robin over
   them, all connecting with ``after=0`` (history, then live). Client 0 reads slowly (sleeps
   --slow-delay s per message; when the server drops it, it reconnects with ``after=<last seq>``, as
   a real client would). Client 1 is a separate process killed with SIGKILL part-way (no close
   frame). The rest are healthy: they read as fast as they can. After --seconds the jobs are stopped,
   so every stream ends with the final status and closes.

Figures printed:

- completeness: each healthy client must have received seq 1..last_seq of its job exactly once, in
  order, with the same bytes as every other client of that job (CRC-32 per message), and one client
  per job must hold exactly the metrics of GET /api/jobs/{id}/metrics;
- server RSS (psutil, else /proc/PID/status VmRSS) before the load phase's jobs start, its peak, and
  after the jobs have ended and every client has gone (target: growth < 100 MB);
- delay from emission to a healthy client's receipt, p50 and p99 (see below);
- training throughput under load / without clients, total steps per second of the jobs over the
  measurement window (target: >= 0.9).

How the delay is measured. The protocol carries no emission time, and adding one is not this
script's business, so the server is run with one addition that changes nothing on the wire: this
script starts it as ``load.py --serve-stamped STAMPS ...``, which wraps ``nnplay.jobs.run.encode``
(called by JobRun.emit, under its lock, at the moment a job's message is numbered) to append
``job_id seq step time.monotonic()`` to a file, then runs ``nnplay serve`` as usual. On Linux
``time.monotonic()`` is CLOCK_MONOTONIC, one clock for every process on the machine, so a client's
receipt time minus the stamp is the true emission-to-receipt delay: server batching
(PUBLISH_DELAY_SECONDS), event-loop queueing, the socket, and the client's own event loop, which on a
2-core machine shares the cores with the server and the training. Only messages emitted after the
client had connected count (history replay is not "delay"). As a cross-check that needs no
instrumentation at all, the fan-out spread is printed too: per message, each healthy client's
receipt time minus the earliest receipt of that message by any client of the job.
The same stamps give the step rate: the step of each job's last message at or before the window's
start and end, over the window's length, so the throughput needs no request during the window.

Usage: .venv/bin/python benchmarks/load.py [--seconds 120] [--baseline-seconds S] [--clients 50]
       [--jobs 4] [--warmup 5] [--slow-delay 0.5]
"""

import argparse
import asyncio
import bisect
import collections
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from array import array
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EPOCHS = 100_000  # more than any run of this script can train: jobs end when stopped
MAX_RSS_GROWTH_MB = 100
MIN_THROUGHPUT_RATIO = 0.9


# ---- inside the server process -------------------------------------------------------------------

def serve_stamped(stamps: str, serve_args: list[str]) -> int:
    """``nnplay serve`` with every message's emission time appended to ``stamps`` (every 0.2 s)."""
    import nnplay.jobs.run as run_module
    from nnplay.cli import main

    queue: collections.deque = collections.deque()
    encode = run_module.encode

    def stamped_encode(job_id: str, seq: int, event: dict) -> str:
        queue.append((job_id, seq, event["step"], time.monotonic()))  # formatted off the training thread
        return encode(job_id, seq, event)

    def writer() -> None:
        with open(stamps, "a") as out:
            while True:
                time.sleep(0.2)
                while queue:
                    out.write("%s %d %d %.6f\n" % queue.popleft())
                out.flush()

    run_module.encode = stamped_encode
    threading.Thread(target=writer, daemon=True, name="stamps").start()
    return main(["serve", *serve_args])


# ---- the dropped client (its own process, killed with SIGKILL) -----------------------------------

async def drop_client(url: str) -> None:
    import websockets

    async with websockets.connect(url, max_size=None) as ws:
        print("connected", flush=True)
        async for _ in ws:
            pass


# ---- the benchmark -------------------------------------------------------------------------------

def server_class():
    sys.path.insert(0, str(REPO))
    from tests.serverproc import ServerProcess

    class StampedServer(ServerProcess):
        """ServerProcess running ``serve_stamped`` instead of ``python -m nnplay serve``."""

        def __init__(self, data_dir: Path, **env):
            super().__init__(data_dir, **env)
            self.stamps = self.data_dir / "stamps.txt"

        def start(self) -> "StampedServer":
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with open(self.log, "ab") as out:
                self.proc = subprocess.Popen(
                    [sys.executable, __file__, "--serve-stamped", str(self.stamps), "--host", "127.0.0.1",
                     "--port", str(self.port), "--log-level", "warning"],
                    cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT)
            self.wait_healthy()
            return self

    return StampedServer


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (2**20 bytes)."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU time (user + system, s) of the server's main thread (uvicorn's event loop: HTTP, websockets),
    of its other threads (the training workers, mostly), and of this process (the clients)."""
    tick = os.sysconf("SC_CLK_TCK")
    main = others = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended meanwhile
        used = (int(fields[11]) + int(fields[12])) / tick  # utime, stime: fields 14 and 15 of stat
        if task.name == str(pid):
            main += used
        else:
            others += used
    mine = os.times()
    return {"server event loop": main, "server other threads (training)": others,
            "benchmark clients": mine.user + mine.system}


def read_stamps(path: Path) -> dict[str, tuple[list[float], list[int], dict[int, float]]]:
    """job_id -> (emission times, steps, {seq: time}), in emission order."""
    out: dict[str, tuple[list[float], list[int], dict[int, float]]] = {}
    for line in path.read_text().splitlines():
        job_id, seq, step, t = line.split()
        times, steps, by_seq = out.setdefault(job_id, ([], [], {}))
        times.append(float(t))
        steps.append(int(step))
        by_seq[int(seq)] = float(t)
    return out


def step_at(stamps, job_id: str, t: float) -> int:
    """The step of the job's last message emitted at or before ``t``."""
    times, steps, _ = stamps[job_id]
    i = bisect.bisect_right(times, t) - 1
    return steps[i] if i >= 0 else 0


def seq_of(text: str) -> int:
    """``seq`` from a message's text without parsing all of it: the envelope puts it first."""
    i = text.index('"seq":') + 6
    return int(text[i:text.index(",", i)])


class Watch:
    """What one client received: seq, receipt time (monotonic) and CRC-32 of each message."""

    def __init__(self, job_id: str, keep_metrics: bool = False):
        self.job_id = job_id
        self.seqs, self.times, self.crcs = array("q"), array("d"), array("L")
        self.connected_at: float | None = None
        self.close_codes: list[int | None] = []
        self.metrics: list[dict] | None = [] if keep_metrics else None
        self.error: str | None = None

    def record(self, text: str) -> None:
        self.times.append(time.monotonic())
        self.seqs.append(seq_of(text))
        self.crcs.append(zlib.crc32(text.encode()))
        if self.metrics is not None and '"type":"metrics"' in text[:200]:
            self.metrics.append(json.loads(text))


async def healthy_client(ws_url: str, watch: Watch) -> None:
    import websockets

    try:
        async with websockets.connect(f"{ws_url}/api/jobs/{watch.job_id}/stream?after=0", max_size=None,
                                      open_timeout=60) as ws:
            watch.connected_at = time.monotonic()
            async for text in ws:
                watch.record(text)
            watch.close_codes.append(ws.close_code)
    except Exception as exc:  # reported as a failed client, never silently
        watch.error = f"{type(exc).__name__}: {exc}"


async def slow_client(ws_url: str, watch: Watch, delay: float) -> None:
    """Sleeps ``delay`` s per message; reconnects with ``after=<last seq>`` whenever it is dropped."""
    import websockets

    while True:
        after = watch.seqs[-1] if watch.seqs else 0
        try:
            async with websockets.connect(f"{ws_url}/api/jobs/{watch.job_id}/stream?after={after}",
                                          max_size=None, open_timeout=60) as ws:
                watch.connected_at = watch.connected_at or time.monotonic()
                async for text in ws:
                    watch.record(text)
                    await asyncio.sleep(delay)
                watch.close_codes.append(ws.close_code)
                if ws.close_code == 1000:
                    return
        except websockets.ConnectionClosed as exc:
            watch.close_codes.append(exc.rcvd.code if exc.rcvd else None)
        await asyncio.sleep(1.0)  # before reconnecting, as a polite client does


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (q in 0.1 steps, 0 < q < 100)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 10) - 1]


class Bench:
    def __init__(self, args, server, http):
        self.args, self.server, self.http = args, server, http
        self.ws_url = server.url.replace("http://", "ws://")

    async def lenet(self) -> dict:
        presets = (await self.http.get("/api/presets")).json()
        spec = next(p["spec"] for p in presets if p["id"] == "lenet_digits")
        spec["training"]["epochs"] = EPOCHS
        return spec

    async def start_jobs(self, spec: dict, label: str) -> list[str]:
        ids = []
        for i in range(self.args.jobs):
            r = await self.http.post("/api/jobs", json={**spec, "name": f"{label} {i + 1}"})
            r.raise_for_status()
            ids.append(r.json()["id"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            jobs = [(await self.http.get(f"/api/jobs/{j}")).json() for j in ids]
            if all(j["status"] == "running" for j in jobs):
                return ids
            await asyncio.sleep(0.1)  # bounded polling for the start
        raise RuntimeError(f"jobs did not all start: {[j['status'] for j in jobs]}")

    async def stop_jobs(self, ids: list[str]) -> None:
        await asyncio.gather(*(self.http.post(f"/api/jobs/{j}/stop") for j in ids))

    def step_rate(self, ids: list[str], t0: float, t1: float) -> tuple[float, list[float]]:
        """Total and per-job steps per second over [t0, t1], from the emission stamps."""
        stamps = read_stamps(self.server.stamps)
        rates = [(step_at(stamps, j, t1) - step_at(stamps, j, t0)) / (t1 - t0) for j in ids]
        return sum(rates), rates

    async def window(self, seconds: float, on_tick=None) -> tuple[float, float, dict]:
        """Waits ``seconds`` (calling ``on_tick(elapsed)`` each second); returns its start and end
        times and the cores used meanwhile (see ``cpu_seconds``)."""
        t0, cpu0 = time.monotonic(), cpu_seconds(self.server.proc.pid)
        while (elapsed := time.monotonic() - t0) < seconds:
            if on_tick:
                on_tick(elapsed)
            await asyncio.sleep(min(1.0, seconds - elapsed))
        t1, cpu1 = time.monotonic(), cpu_seconds(self.server.proc.pid)
        return t0, t1, {k: (cpu1[k] - cpu0[k]) / (t1 - t0) for k in cpu0}

    async def baseline(self, spec: dict) -> dict:
        ids = await self.start_jobs(spec, "baseline")
        await asyncio.sleep(self.args.warmup)
        t0, t1, cores = await self.window(self.args.baseline_seconds)
        await self.stop_jobs(ids)
        await asyncio.sleep(0.5)  # the stamps writer runs every 0.2 s
        total, rates = self.step_rate(ids, t0, t1)
        return {"rate": total, "rates": rates, "cores": cores}

    async def load(self, spec: dict) -> dict:
        a = self.args
        pid = self.server.proc.pid
        rss_start = rss_mb(pid)
        peak = [rss_start]
        ids = await self.start_jobs(spec, "load")
        watches = [Watch(ids[i % a.jobs]) for i in range(a.clients)]
        slow, dropped_job, healthy = watches[0], watches[1].job_id, watches[2:]
        for w in healthy[:a.jobs]:  # the first healthy client of each job keeps its metrics
            w.metrics = []
        tasks = [asyncio.create_task(healthy_client(self.ws_url, w)) for w in healthy]
        slow_task = asyncio.create_task(slow_client(self.ws_url, slow, a.slow_delay))
        dropper = subprocess.Popen([sys.executable, __file__, "--drop-client",
                                    f"{self.ws_url}/api/jobs/{dropped_job}/stream?after=0"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        await asyncio.sleep(a.warmup)
        killed_at: list[float] = []

        def tick(elapsed: float) -> None:
            peak[0] = max(peak[0], rss_mb(pid))
            if not killed_at and elapsed >= a.seconds / 3:
                dropper.send_signal(signal.SIGKILL)
                killed_at.append(elapsed)

        t0, t1, cores = await self.window(a.seconds, tick)
        await self.stop_jobs(ids)
        done, pending = await asyncio.wait(tasks, timeout=120)
        slow_task.cancel()
        await asyncio.gather(slow_task, return_exceptions=True)
        dropper.wait(timeout=10)
        dropper_connected = b"connected" in dropper.stdout.read()
        await asyncio.sleep(2)  # let the server release the connections
        peak[0] = max(peak[0], rss_mb(pid))
        rss_end = rss_mb(pid)
        total, rates = self.step_rate(ids, t0, t1)
        jobs = {j: (await self.http.get(f"/api/jobs/{j}")).json() for j in ids}
        metrics = {j: (await self.http.get(f"/api/jobs/{j}/metrics")).json()["metrics"] for j in ids}
        health = (await self.http.get("/api/health")).status_code
        return {"rate": total, "rates": rates, "t0": t0, "t1": t1, "ids": ids, "healthy": healthy,
                "slow": slow, "pending": len(pending), "jobs": jobs, "metrics": metrics,
                "rss": (rss_start, peak[0], rss_end), "killed_at": killed_at, "health": health,
                "dropper_connected": dropper_connected,
                "cores": cores}


def completeness(load: dict) -> list[str]:
    """Problems with what the healthy clients received; empty when all is complete."""
    problems = []
    reference = {}
    for w in load["healthy"]:
        last = load["jobs"][w.job_id]["last_seq"]
        if w.error:
            problems.append(f"client of {w.job_id[:8]} failed: {w.error}")
        elif list(w.seqs) != list(range(1, last + 1)):
            got = set(w.seqs)
            missing = [s for s in range(1, last + 1) if s not in got]
            problems.append(f"client of {w.job_id[:8]}: {len(w.seqs)} messages for seq 1..{last}, "
                            f"{len(missing)} missing (first {missing[:5]}), "
                            f"in order: {list(w.seqs) == sorted(w.seqs)}")
        elif w.close_codes != [1000]:
            problems.append(f"client of {w.job_id[:8]} closed with {w.close_codes}")
        ref = reference.setdefault(w.job_id, w.crcs)
        if not w.error and w.crcs != ref[:len(w.crcs)]:
            problems.append(f"client of {w.job_id[:8]} received different bytes than another client")
        if w.metrics is not None and w.metrics != load["metrics"][w.job_id]:
            problems.append(f"client of {w.job_id[:8]}: its {len(w.metrics)} metrics differ from "
                            f"GET /metrics ({len(load['metrics'][w.job_id])})")
    if load["pending"]:
        problems.append(f"{load['pending']} healthy clients had not closed 120 s after the jobs stopped")
    return problems


def delays(load: dict, stamps) -> tuple[list[float], list[float]]:
    """Emission-to-receipt delays of live messages (emitted after the client connected), and their
    fan-out spreads, over all healthy clients, in seconds."""
    live: list[tuple[str, int, float, float]] = []  # job, seq, receipt, emission
    for w in load["healthy"]:
        by_seq = stamps[w.job_id][2]
        for seq, t in zip(w.seqs, w.times):
            emitted = by_seq.get(seq)
            if emitted is not None and emitted >= w.connected_at:
                live.append((w.job_id, seq, t, emitted))
    first: dict[tuple[str, int], float] = {}
    for job_id, seq, t, _ in live:
        first[(job_id, seq)] = min(t, first.get((job_id, seq), t))
    return [t - e for _, _, t, e in live], [t - first[(j, s)] for j, s, t, _ in live]


def report(args, base: dict, load: dict, stamps, server_log: str) -> int:
    problems = completeness(load)
    live, spread = delays(load, stamps)
    received = sum(len(w.seqs) for w in load["healthy"])
    slow = load["slow"]
    slow_last = slow.seqs[-1] if slow.seqs else 0
    rss_start, rss_peak, rss_end = load["rss"]
    ratio = load["rate"] / base["rate"]
    errors = [line for line in server_log.splitlines() if "Traceback" in line or "ERROR" in line]
    def verdict(good: bool) -> str:
        return "meets target" if good else "MISSES target"

    window = load["t1"] - load["t0"]
    emitted = sum(j["last_seq"] for j in load["jobs"].values())
    print(f"\nnnplay load benchmark: {args.jobs} LeNet jobs, {args.clients} websocket clients "
          f"({len(load['healthy'])} healthy, 1 slow, 1 killed), {args.seconds:g} s under load, "
          f"{args.baseline_seconds:g} s baseline, {os.cpu_count()} cores")
    print(f"  messages: {emitted} emitted by the jobs, {received} received by healthy clients "
          f"({received / window:.0f}/s over the window)")
    if problems:
        print(f"  completeness: {len(problems)} PROBLEMS")
    else:
        print("  completeness: every healthy client got seq 1..last of its job once, in order, the same "
              "bytes as the others; metrics = GET /metrics")
    for p in problems[:20]:
        print(f"    - {p}")
    print(f"  delay emission -> healthy client receipt ({len(live)} live messages): "
          f"p50 {1000 * percentile(live, 50):.1f} ms, p99 {1000 * percentile(live, 99):.1f} ms, "
          f"max {1000 * max(live, default=float('nan')):.1f} ms")
    print(f"  fan-out spread (receipt - first receipt of that message by any client of the job): "
          f"p50 {1000 * percentile(spread, 50):.1f} ms, p99 {1000 * percentile(spread, 99):.1f} ms")
    print(f"  slow client ({args.slow_delay:g} s per message): {len(slow.seqs)} messages, last seq "
          f"{slow_last} of {load['jobs'][slow.job_id]['last_seq']}; its connections closed "
          f"{len(slow.close_codes)} times before the end (codes {slow.close_codes}), each time reconnecting "
          "with after=<last seq>")
    print(f"  killed client: connected {'yes' if load['dropper_connected'] else 'NO'}, SIGKILL after "
          f"{load['killed_at'][0]:.0f} s; server afterwards: /api/health "
          f"{load['health']}, {len(errors)} error lines in its log")
    for line in errors[:5]:
        print(f"    {line}")
    growth = rss_end - rss_start
    print(f"  server RSS: {rss_start:.0f} MB before the jobs, peak {rss_peak:.0f} MB, {rss_end:.0f} MB "
          f"after; growth {growth:+.0f} MB ({verdict(growth < MAX_RSS_GROWTH_MB)}: < {MAX_RSS_GROWTH_MB} MB)")
    print(f"  throughput: {base['rate']:.1f} steps/s without clients "
          f"({', '.join(f'{r:.1f}' for r in base['rates'])}), {load['rate']:.1f} steps/s with clients "
          f"({', '.join(f'{r:.1f}' for r in load['rates'])}); ratio {ratio:.3f} "
          f"({verdict(ratio >= MIN_THROUGHPUT_RATIO)}: >= {MIN_THROUGHPUT_RATIO})")
    for name, phase in (("without clients", base), ("with clients", load)):
        print(f"  cores used {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in phase["cores"].items()))
    return 1 if problems else 0


async def run(args) -> int:
    import httpx

    with tempfile.TemporaryDirectory(prefix="nnplay-load-") as folder:
        server = server_class()(Path(folder), NNPLAY_MAX_CONCURRENT_JOBS=str(args.jobs),
                                NNPLAY_MAX_EPOCHS=str(EPOCHS),
                                NNPLAY_MAX_CLIENTS_PER_JOB=str(max(32, args.clients))).start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
                bench = Bench(args, server, http)
                spec = await bench.lenet()
                print(f"baseline: {args.jobs} jobs, no client, {args.baseline_seconds:g} s ...", flush=True)
                base = await bench.baseline(spec)
                print(f"load: {args.jobs} jobs, {args.clients} clients, {args.seconds:g} s ...", flush=True)
                load = await bench.load(spec)
            await asyncio.sleep(0.5)
            stamps = read_stamps(server.stamps)
            log = server.tail()
        finally:
            server.stop()
        return report(args, base, load, stamps, log)


def main() -> int:
    if sys.argv[1:2] == ["--serve-stamped"]:
        return serve_stamped(sys.argv[2], sys.argv[3:])
    if sys.argv[1:2] == ["--drop-client"]:
        asyncio.run(drop_client(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="length of the load phase's window")
    parser.add_argument("--baseline-seconds", type=float,
                        help="length of the baseline window (default: --seconds)")
    parser.add_argument("--clients", type=int, default=50, help="websocket clients, >= 3")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=5, help="seconds before each window starts")
    parser.add_argument("--slow-delay", type=float, default=0.5, help="the slow client's sleep per message")
    args = parser.parse_args()
    args.baseline_seconds = args.baseline_seconds or args.seconds
    if args.clients < 2 + args.jobs:
        parser.error("--clients must leave a healthy client per job besides the slow and the killed one")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
