"""A class on one server: STUDENTS simulated students each create a small job (a spiral MLP or LeNet on
digits, a few epochs) and watch its stream, with max_concurrent_jobs = cores; then the issue's two
hostile specs run while a health probe watches. Prints, side by side:

- every job completed with a contiguous stream (no repeated or out-of-order seq), queue positions seen;
- /api/health latency p50/p99 (polled every 100 ms throughout);
- server resident memory before, at its peak, and its growth (workers are separate processes);
- the database's growth per 1,000 steps of a probe_every=1 spiral run (thinning bounds it).

    .venv/bin/python benchmarks/classroom.py [STUDENTS]
"""

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.serverproc import ServerProcess  # noqa: E402

STUDENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
MLP = {"dataset": {"name": "spiral", "n_samples": 400}, "network": {"layers": [
    {"type": "linear", "out_features": 16}, {"type": "tanh"}, {"type": "linear", "out_features": 16},
    {"type": "tanh"}, {"type": "linear", "out_features": 2}]},
       "training": {"optimizer": "adam", "lr": 0.01, "epochs": 5, "batch_size": 16, "probe_every": 10}}
LENET = {"dataset": {"name": "digits"}, "network": {"layers": [
    {"type": "conv2d", "out_channels": 6, "kernel_size": 3, "padding": "same"}, {"type": "relu"},
    {"type": "maxpool2d", "kernel_size": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 10}]},
         "training": {"optimizer": "adam", "lr": 0.01, "epochs": 2, "batch_size": 32, "probe_every": 20}}
HOSTILE_ATTENTION = {"dataset": {"name": "reverse", "seq_len": 1000, "n_samples": 40},
                     "network": {"layers": [{"type": "embedding", "embedding_dim": 64},
                                            {"type": "self_attention", "num_heads": 64},
                                            {"type": "linear", "out_features": 10}]},
                     "training": {"epochs": 1, "batch_size": 8, "probe_every": 1000}}
HOSTILE_SPIRAL = {"dataset": {"name": "spiral", "n_samples": 20000}, "network": {"layers": [
    {"type": "linear", "out_features": 32}, {"type": "relu"}, {"type": "linear", "out_features": 32},
    {"type": "relu"}, {"type": "linear", "out_features": 2}]},
                  "training": {"optimizer": "adam", "lr": 0.01, "epochs": 500, "batch_size": 32, "probe_every": 1}}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


class Probe:
    """Polls /api/health every 100 ms and the server's memory, until stopped."""

    def __init__(self, http: httpx.AsyncClient, pid: int):
        self.http, self.pid, self.latencies, self.peak = http, pid, [], rss_mb(pid)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            await self.http.get("/api/health")
            self.latencies.append(time.perf_counter() - started)
            self.peak = max(self.peak, rss_mb(self.pid))
            await asyncio.sleep(0.1)

    def report(self, label: str, before: float) -> None:
        lat = sorted(self.latencies)
        p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
        print(f"{label}: health p50 {statistics.median(lat) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
              f"({len(lat)} probes); server RSS {before:.0f} -> peak {self.peak:.0f} MB "
              f"(+{self.peak - before:.0f} MB)")


async def student(http: httpx.AsyncClient, ws_base: str, spec: dict) -> dict:
    job = (await http.post("/api/jobs", json=spec)).json()
    position = (await http.get(f"/api/jobs/{job['id']}")).json().get("queue_position")
    seqs, status = [], None
    async with connect(f"{ws_base}/api/jobs/{job['id']}/stream", max_size=None) as ws:
        async for text in ws:
            msg = json.loads(text)
            seqs.append(msg["seq"])
            if msg["type"] == "status":
                status = msg["status"]
    return {"status": status, "ordered": seqs == sorted(set(seqs)) and seqs[0] == 1, "queue_position": position}


async def classroom(server: ServerProcess) -> None:
    ws_base = server.url.replace("http", "ws")
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        stop, before = asyncio.Event(), rss_mb(server.proc.pid)
        probe = Probe(http, server.proc.pid)
        watcher = asyncio.create_task(probe.run(stop))
        started = time.perf_counter()
        results = await asyncio.gather(*(student(http, ws_base, MLP if i % 2 else LENET) for i in range(STUDENTS)))
        elapsed = time.perf_counter() - started
        stop.set()
        await watcher
        done = sum(r["status"] == "completed" for r in results)
        ordered = sum(r["ordered"] for r in results)
        positions = sorted({r["queue_position"] for r in results if r["queue_position"]})
        print(f"classroom: {STUDENTS} students, {done} jobs completed, {ordered} contiguous ordered streams, "
              f"queue positions seen up to {max(positions, default=0)}, {elapsed:.0f} s in all")
        probe.report("classroom", before)


async def hostile(server: ServerProcess, spec: dict, label: str, seconds: float) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        stop, before = asyncio.Event(), rss_mb(server.proc.pid)
        probe = Probe(http, server.proc.pid)
        watcher = asyncio.create_task(probe.run(stop))
        created = await http.post("/api/jobs", json=spec)
        job_id = created.json().get("id") if created.status_code == 201 else None
        db = server.data_dir / "nnplay.db"
        size0, deadline = db.stat().st_size, time.monotonic() + seconds
        job = {"status": f"refused {created.status_code}: {created.text[:160]}"}
        while job_id and time.monotonic() < deadline:
            job = (await http.get(f"/api/jobs/{job_id}")).json()
            if job["status"] in ("completed", "failed", "stopped", "diverged"):
                break
            await asyncio.sleep(0.5)
        if job_id:
            metrics = (await http.get(f"/api/jobs/{job_id}/metrics")).json()["metrics"]
            steps = metrics[-1]["step"] if metrics else 0
            grown = (db.stat().st_size - size0) / 2**20
            print(f"{label}: {steps} steps, database +{grown:.1f} MB ({grown / max(steps, 1) * 1000:.2f} MB "
                  f"per 1,000 steps)")
            if job["status"] not in ("completed", "failed"):
                job = (await http.post(f"/api/jobs/{job_id}/stop")).json()
        stop.set()
        await watcher
        print(f"{label}: ended '{job['status']}' {job.get('detail') or ''}")
        probe.report(label, before)


def main() -> None:
    cores = os.cpu_count() or 2
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp), NNPLAY_MAX_CONCURRENT_JOBS=str(cores), NNPLAY_MAX_STORED_JOBS="1000").start()
        try:
            asyncio.run(classroom(server))
            asyncio.run(hostile(server, HOSTILE_ATTENTION, "hostile attention (reverse, 1000 tokens, 64 heads)", 120))
            asyncio.run(hostile(server, HOSTILE_SPIRAL, "hostile spiral (20,000 samples, probe_every 1), 90 s", 90))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
