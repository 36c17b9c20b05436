"""Active learning: test accuracy against the number of labels for entropy, margin and random queries,
on the same seeds (same first labels and initial weights per seed), averaged over seeds. Each run is
the job a `training.active` spec makes (``nnplay.train.active``), trained here in-process with probes
off. Prints the mean (and min..max over seeds) accuracy at each label count and the area under the
mean curve per strategy, so "uncertainty sampling beats random" is a measured claim with its spread.
With two classes, entropy and margin rank points alike (both are monotone in |p - 1/2|): their rows
are equal, a check of both scores.

Usage: PYTHONPATH=backend .venv/bin/python benchmarks/active.py [--dataset circle] [--seeds 5]
       [--initial 4] [--query 2] [--rounds 10] [--steps 100]
"""

import argparse

import numpy as np
import torch

from nnplay.spec.network import JobSpec
from nnplay.train import train

STRATEGIES = ("entropy", "margin", "random")


def spec(dataset: str, strategy: str, seed: int, args) -> JobSpec:
    return JobSpec.model_validate({
        "dataset": {"name": dataset, "n_samples": 400, "noise": 0.1, "seed": 0},
        "network": {"layers": [{"type": "linear", "out_features": 16}, {"type": "tanh"},
                               {"type": "linear", "out_features": 16}, {"type": "tanh"},
                               {"type": "linear", "out_features": 2}]},
        "training": {"optimizer": "adam", "lr": 0.01, "batch_size": 16, "seed": seed, "probe_every": 10**6,
                     "active": {"strategy": strategy, "initial_labels": args.initial, "query_size": args.query,
                                "rounds": args.rounds, "steps_per_round": args.steps}}})


def curve(dataset: str, strategy: str, seed: int, args) -> tuple[list[int], list[float]]:
    rounds = []
    train(spec(dataset, strategy, seed, args), lambda e: rounds.append(e) if e["type"] == "active_round" else None)
    return [r["n_labels"] for r in rounds], [r["test_accuracy"] for r in rounds]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="circle")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--initial", type=int, default=4)
    parser.add_argument("--query", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(1)
    acc = {}
    for strategy in STRATEGIES:
        runs = [curve(args.dataset, strategy, seed, args) for seed in range(args.seeds)]
        labels = runs[0][0]
        acc[strategy] = np.array([r[1] for r in runs])  # (seeds, rounds + 1)
    print(f"{args.dataset}, 400 points, MLP 2x16 tanh, {args.initial} first labels + {args.query} a round, "
          f"{args.rounds} rounds of {args.steps} steps, seeds 0..{args.seeds - 1}: test accuracy mean (min..max)")
    print("labels  " + "  ".join(f"{s:>20}" for s in STRATEGIES))
    for i, n in enumerate(labels):
        cells = [f"{a[:, i].mean():.3f} ({a[:, i].min():.2f}..{a[:, i].max():.2f})" for a in acc.values()]
        print(f"{n:>6}  " + "  ".join(f"{c:>20}" for c in cells))
    print("mean over label counts (area under the curve / rounds): "
          + ", ".join(f"{s} {a.mean():.3f}" for s, a in acc.items()))
    wins = {s: int((acc[s].mean(axis=1) > acc["random"].mean(axis=1)).sum()) for s in ("entropy", "margin")}
    print("seeds where the strategy's mean accuracy beats random's: "
          + ", ".join(f"{s} {w}/{args.seeds}" for s, w in wins.items()))


if __name__ == "__main__":
    main()
