"""Playground overhead: the LeNet preset on digits as a playground job vs a bare PyTorch loop.

Both train the same model (same seed), on the same data split, with the same optimizer and batch
size, for the same number of epochs, and evaluate on the test part once per epoch. The job runs in a
real `nnplay serve` process with probes at the default cadence (no probe_every: the time budget of
nnplay.train.cadence) and one websocket
client reading every message; its time is the server's own (started_at -> finished_at). The bare loop
runs in this process. Prints epochs/s of both and their ratio (target: >= 0.95): that of the best
runs, and the median of each repeat's pair (``paired_ratio``).

Both use the same number of torch threads (--threads, default 1: the server's default with two
concurrent jobs on a 2-core machine).

Usage: .venv/bin/python benchmarks/overhead.py [--epochs 30] [--repeats 2] [--threads 1]
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

import httpx
import torch
import websockets

from nnplay.data import load
from nnplay.nn import build_network
from nnplay.spec import JobSpec
from nnplay.spec.presets import PRESETS
from nnplay.train.optim import loss_fn, make_optimizer


def lenet_spec(epochs: int) -> JobSpec:
    spec = next(p["spec"] for p in PRESETS if p["id"] == "lenet_digits").model_copy(deep=True)
    spec.training.epochs = epochs
    spec.training.probe_every = None  # the TrainingSpec default: the probe time budget
    return spec


def bare_seconds(spec: JobSpec) -> float:
    """Seconds a plain PyTorch loop takes for ``spec``'s epochs: the same modules, optimizer, seed and
    batch order; shuffle, step, read the loss, and evaluate on the test part once per epoch."""
    split, t = load(spec.dataset), spec.training
    torch.manual_seed(t.seed)
    model = build_network(spec.network, split.info.input_shape, split.info.vocab_size, pad_id=split.info.pad_id)
    opt = make_optimizer(model.parameters(), t)
    gen = torch.Generator().manual_seed(t.seed)
    start = time.perf_counter()
    for _ in range(t.epochs):
        model.train()
        for idx in torch.randperm(len(split.x_train), generator=gen).split(t.batch_size):
            opt.zero_grad()
            loss = loss_fn(t.loss, model(split.x_train[idx]), split.y_train[idx])
            loss.backward()
            opt.step()
            loss.item()
        model.eval()
        with torch.no_grad():
            (model(split.x_test).argmax(-1) == split.y_test).float().mean().item()
    return time.perf_counter() - start


def bare_loop(spec: JobSpec) -> float:
    """Epochs per second of the plain loop (:func:`bare_seconds`)."""
    return spec.training.epochs / bare_seconds(spec)


def paired_ratio(job: list[float], bare: list[float]) -> float:
    """The median over repeats of job / bare, each job against the bare run just before it. This VM's
    speed drifts by +-20% within minutes (the same bare loop took 0.76-1.25 s in one minute): a pair
    shares its moment, while the best of each side may come from two different ones."""
    return statistics.median(j / b for j, b in zip(job, bare))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def watch(url: str) -> int:
    count = 0
    async with websockets.connect(url, max_size=None) as ws:
        async for text in ws:
            count += 1
            msg = json.loads(text)
            if msg["type"] == "status" and msg["status"] not in ("queued", "running"):
                return count
    return count


def playground_job(base: str, spec: JobSpec) -> tuple[float, int]:
    """Epochs per second of the job as the server timed it, and the messages the client received."""
    job = httpx.post(f"{base}/api/jobs", json=spec.model_dump(mode="json"), timeout=30).json()
    received = asyncio.run(watch(f"{base.replace('http', 'ws')}/api/jobs/{job['id']}/stream"))
    job = httpx.get(f"{base}/api/jobs/{job['id']}", timeout=30).json()
    assert job["status"] == "completed", job
    seconds = parse_ts(job["finished_at"]) - parse_ts(job["started_at"])
    return spec.training.epochs / seconds, received


def start_server(data_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "NNPLAY_DATA_DIR": data_dir, "NNPLAY_TORCH_THREADS": str(torch.get_num_threads())}
    proc = subprocess.Popen([sys.executable, "-m", "nnplay", "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads, the same for both")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    spec = lenet_spec(args.epochs)
    with tempfile.TemporaryDirectory() as data_dir:
        proc, base = start_server(data_dir)
        try:
            bare, job, received = [], [], 0
            for _ in range(args.repeats):  # interleaved so drift in machine load hits both
                bare.append(bare_loop(spec))
                rate, received = playground_job(base, spec)
                job.append(rate)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    b, j = max(bare), max(job)
    print(f"LeNet on digits, batch {spec.training.batch_size}, {args.epochs} epochs, torch threads "
          f"{torch.get_num_threads()}, best of {args.repeats}")
    print(f"bare PyTorch loop : {b:8.2f} epochs/s   (all: {', '.join(f'{x:.2f}' for x in bare)})")
    print(f"playground job    : {j:8.2f} epochs/s   (all: {', '.join(f'{x:.2f}' for x in job)}; "
          f"{received} messages to one websocket client)")
    print(f"ratio job / bare  : {j / b:8.3f}   (target >= 0.95; best of each)")
    print(f"paired ratio      : {paired_ratio(job, bare):8.3f}   (median of each repeat's job / bare)")


if __name__ == "__main__":
    main()
