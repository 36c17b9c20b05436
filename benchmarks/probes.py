"""Probe cost on a 2-D set: the spiral MLP preset trained with decision-boundary probes at the default
cadence (probe_every=20) vs the same run with probes effectively off (probe_every larger than the run),
side by side in one process, interleaved. Prints seconds, the probe share of training time, and the
ratio (issue target: probes cost at most 10% at the default cadence).

Usage: .venv/bin/python benchmarks/probes.py [--epochs 100] [--repeats 3]
"""

import argparse

import torch

from nnplay.spec.presets import PRESETS
from nnplay.train import train


def run(probe_every: int, epochs: int) -> tuple[float, int]:
    spec = next(p["spec"] for p in PRESETS if p["id"] == "mlp_spiral").model_copy(deep=True)
    spec.training.epochs, spec.training.probe_every = epochs, probe_every
    frames = []
    result = train(spec, lambda e: frames.append(1) if e["type"] == "decision_boundary" else None)
    return result.seconds, len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with_probes, without = [], []
    for _ in range(args.repeats):
        seconds, frames = run(20, args.epochs)
        with_probes.append(seconds)
        without.append(run(10**9, args.epochs)[0])
    w, wo = min(with_probes), min(without)
    print(f"MLP on spiral, {args.epochs} epochs, best of {args.repeats}, torch threads 1")
    print(f"probes every 20 steps : {w:7.3f} s  ({frames} decision-boundary frames of 64x64)")
    print(f"probes off            : {wo:7.3f} s")
    print(f"probe share           : {(w - wo) / w:7.1%}   (target <= 10%)")


if __name__ == "__main__":
    main()
