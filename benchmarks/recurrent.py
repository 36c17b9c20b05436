"""Training throughput of a recurrent job: the char-LSTM preset on Shakespeare (embedding 32, LSTM 128,
linear 74; batch 64 of 100 characters; Adam, grad_clip 1) trained by nnplay's job loop with its probes
at the default cadence (gates, gradients through time and a generated text sample every
``probe_every`` = 20 steps, per-layer gradient norms at every logged step) vs a bare PyTorch loop with
the same torch modules (nn.Embedding, nn.LSTM, nn.Linear), data, batches, optimizer and clipping,
side by side in one process, interleaved. Both evaluate the test part once per epoch.
Prints sequences per second of each and their ratio (issue target: at least 0.90).

Usage: .venv/bin/python benchmarks/recurrent.py [--epochs 1] [--repeats 2] [--probe-every 20] [--threads 1]
"""

import argparse
import math
import time

import torch
from torch import nn
import torch.nn.functional as F

from nnplay.data import dataset_info, load
from nnplay.spec.presets import PRESETS
from nnplay.train import train

TEST_FRACTION = 0.05  # a small test part: the run is about training throughput


def job_spec(epochs: int, probe_every: int):
    spec = next(p["spec"] for p in PRESETS if p["id"] == "char_lstm_shakespeare").model_copy(deep=True)
    spec.dataset.test_fraction = TEST_FRACTION
    spec.network.layers[-1].out_features = dataset_info(spec.dataset).vocab_size  # this split's vocabulary
    spec.training.epochs, spec.training.probe_every = epochs, probe_every
    return spec


class Bare(nn.Module):
    """The same computation with torch's own modules, no nnplay: (N, T) ids -> (N, T, V) logits."""

    def __init__(self, vocab: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab, 32)
        self.lstm = nn.LSTM(32, 128, batch_first=True)
        self.linear = nn.Linear(128, vocab)

    def forward(self, x):
        out, _ = self.lstm(self.embedding(x))
        return self.linear(out)


def bare_loop(spec, split) -> float:
    """Seconds to train ``spec``'s epochs with a plain loop (and evaluate once per epoch)."""
    t = spec.training
    torch.manual_seed(t.seed)
    model = Bare(split.info.vocab_size)
    opt = torch.optim.Adam(model.parameters(), lr=t.lr)
    gen = torch.Generator().manual_seed(t.seed)
    start = time.perf_counter()
    for _ in range(t.epochs):
        model.train()
        for idx in torch.randperm(len(split.x_train), generator=gen).split(t.batch_size):
            opt.zero_grad(set_to_none=True)
            logits = model(split.x_train[idx])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), split.y_train[idx].reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), t.grad_clip)
            opt.step()
            loss.item()  # the loss is read every step, as any loop that logs it does
        model.eval()
        with torch.no_grad():
            logits = model(split.x_test)
            F.cross_entropy(logits.reshape(-1, logits.shape[-1]), split.y_test.reshape(-1)).item()
    return time.perf_counter() - start


def job_loop(spec, split) -> tuple[float, dict]:
    counts: dict = {}
    result = train(spec, lambda e: counts.__setitem__(e["type"], counts.get(e["type"], 0) + 1), split=split)
    return result.seconds, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--probe-every", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    spec = job_spec(args.epochs, args.probe_every)
    split = load(spec.dataset)
    sequences = len(split.x_train) * args.epochs
    steps = math.ceil(len(split.x_train) / spec.training.batch_size) * args.epochs
    job, bare, counts = [], [], {}
    for _ in range(args.repeats):
        seconds, counts = job_loop(spec, split)
        job.append(seconds)
        bare.append(bare_loop(spec, split))
    j, b = min(job), min(bare)
    print(f"char-LSTM on Shakespeare: {sequences:,} training sequences of 100 characters ({steps} steps), "
          f"{len(split.x_test):,} test sequences per epoch; best of {args.repeats}; torch threads {args.threads}")
    print(f"nnplay job, probes every {args.probe_every} steps: {j:8.2f} s  {sequences / j:8.1f} sequences/s   "
          f"({counts.get('gates', 0)} gates, {counts.get('time_gradients', 0)} time-gradient, "
          f"{counts.get('text_sample', 0)} text-sample messages)")
    print(f"bare PyTorch loop                : {b:8.2f} s  {sequences / b:8.1f} sequences/s")
    print(f"ratio job / bare                 : {b / j:8.3f}   (target >= 0.90)")


if __name__ == "__main__":
    main()
