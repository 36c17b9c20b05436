"""Attention probes: playground job throughput vs a bare PyTorch loop, and the size of one message.

1. Attention presets run as playground jobs in a real ``nnplay serve`` process, with the attention
   probe at the default cadence (no ``probe_every``: the TrainingSpec default, the time budget) and one websocket
   client reading every message; a job's time is the server's own (started_at -> finished_at). The
   bare loop trains the same modules (same seed, split, optimizer, batch size, epochs) in this process,
   with a per-epoch test evaluation. A third run is the same job with the probe off (``probe_every``
   beyond the run), separating the probe's cost from the job's per-step bookkeeping (metrics,
   gradient norms, storage). Presets: ``attention_reverse`` (1 self-attention layer, 2 heads, T = 8:
   a tiny model, so per-step bookkeeping weighs most) and ``transformer_authors`` (1 transformer
   block, 4 heads, T = 64, padded). Prints sequences/s and the ratios (targets: >= 0.90 for
   ``attention_reverse``, >= 0.95 for ``transformer_authors``).
2. The JSON size in bytes of one ``attention`` message for a 2-layer, 4-head transformer_encoder on a
   probe sequence of T = 64 characters (``shakespeare_chars``), as the protocol encodes it.

Usage: .venv/bin/python benchmarks/attention.py [--epochs 4] [--repeats 2] [--threads 1]
"""

import argparse
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import bare_seconds, paired_ratio, playground_job, start_server  # noqa: E402  (the shared helpers)

from nnplay.data import load  # noqa: E402
from nnplay.nn import build_network  # noqa: E402
from nnplay.protocol import encode  # noqa: E402
from nnplay.spec import JobSpec  # noqa: E402
from nnplay.spec.presets import PRESETS  # noqa: E402
from nnplay.train.probing import Probe  # noqa: E402


def preset(pid: str, epochs: int | None = None, probe_every: int | None = None) -> JobSpec:
    """The preset with ``epochs`` and ``probe_every`` (None: the TrainingSpec default, the time budget)."""
    spec = next(p["spec"] for p in PRESETS if p["id"] == pid).model_copy(deep=True)
    if epochs:
        spec.training.epochs = epochs
    spec.training.probe_every = probe_every
    return spec


def bare_loop(spec: JobSpec) -> float:
    """Training sequences per second of a plain PyTorch loop with the same modules."""
    return spec.training.epochs * len(load(spec.dataset).x_train) / bare_seconds(spec)


def message_bytes() -> tuple[int, list[int]]:
    """Bytes of one encoded ``attention`` message: 2 layers x 4 heads x T = 64 characters."""
    spec = JobSpec.model_validate({
        "dataset": {"name": "shakespeare_chars", "seq_len": 64},
        "network": {"layers": [
            {"type": "embedding", "embedding_dim": 64}, {"type": "positional_encoding", "kind": "learned", "max_len": 64},
            {"type": "transformer_encoder", "num_layers": 2, "num_heads": 4, "causal": True},
            {"type": "linear", "out_features": 1}]}})  # (out_features is not checked here)
    split = load(spec.dataset)
    torch.manual_seed(0)
    model = build_network(spec.network, split.info.input_shape, split.info.vocab_size)
    event = Probe(spec, split, 16, torch.device("cpu"))._attention(model, 0, 0)
    return len(encode("0" * 32, 1, event).encode()), [layer["shape"] for layer in event["layers"]]


TARGETS = {"attention_reverse": 0.90, "transformer_authors": 0.95}  # job / bare


def compare(base: str, pid: str, epochs: int, repeats: int) -> None:
    """Bare loop, job with probes, job without, interleaved ``repeats`` times; prints the best of each and
    the median of each repeat's job / bare."""
    spec, quiet = preset(pid, epochs), preset(pid, epochs, probe_every=1_000_000)
    n_train = len(load(spec.dataset).x_train)
    bare, job, off, received = [], [], [], 0
    for _ in range(repeats):  # interleaved so drift in machine load hits all three
        bare.append(bare_loop(spec))
        rate, received = playground_job(base, spec)
        job.append(rate * n_train)  # epochs/s -> sequences/s
        off.append(playground_job(base, quiet)[0] * n_train)
    b, j, o = max(bare), max(job), max(off)
    row = lambda name, v, xs: print(f"  {name:<24}: {v:8.0f} sequences/s   (all: {', '.join(f'{x:.0f}' for x in xs)})")  # noqa: E731
    print(f"{pid}: {n_train} training sequences, batch {spec.training.batch_size}, {epochs} epochs, "
          f"torch threads {torch.get_num_threads()}, best of {repeats}")
    row("bare PyTorch loop", b, bare)
    row("job, probes at default", j, job)
    row("job, probe off", o, off)
    print(f"  ratio job / bare        : {j / b:8.3f}   (target >= {TARGETS[pid]:.2f}; best of each; {received} messages to one websocket client)")
    print(f"  paired ratio job / bare : {paired_ratio(job, bare):8.3f}   (median of each repeat's job / bare)")
    print(f"  ratio job / probe off   : {j / o:8.3f}   (the attention probe's own cost)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads, the same for all runs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as data_dir:
        proc, base = start_server(data_dir)
        try:
            for pid in ("attention_reverse", "transformer_authors"):
                compare(base, pid, args.epochs, args.repeats)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    size, shapes = message_bytes()
    print(f"attention message : {size:,} bytes for 2 layers x 4 heads x T=64 (layer shapes {shapes}), "
          "probabilities as base64 float32")


if __name__ == "__main__":
    main()
