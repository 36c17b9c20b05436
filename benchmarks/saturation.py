"""The deep-sigmoid preset's saturation and gradient flow, measured (the README's numbers).

Runs the ``deep_sigmoid_circle`` preset (nine sigmoid layers of 32 units, torch's default init, Adam lr
0.03) for each seed of ``--seeds`` (the preset's training seed and data seed), in this process, with a
probe every 10 steps, and prints per sigmoid layer: the saturated share (|σ'(z)| < 0.05 x 1/4 on the
probe batch) at step 0, at the middle probe and at the last probe, and the gradient L2 norm of the
linear layer feeding it, mean over the first 10 and the last 10 logged steps; then the medians over
seeds, and the final test accuracy. Also the same for the preset with weights drawn from N(0, 1)
(``init`` ``large_normal``, the preset until December 2026), saturated from the start.

Usage: .venv/bin/python benchmarks/saturation.py [--seeds 0 1 2] [--epochs 30]
"""

import argparse
import statistics

from nnplay.spec.presets import PRESETS
from nnplay.train import train


def run(seed: int, epochs: int, init: str | None) -> tuple[list, list, list, list]:
    spec = next(p["spec"] for p in PRESETS if p["id"] == "deep_sigmoid_circle").model_copy(deep=True)
    spec.training.seed, spec.training.epochs, spec.training.probe_every = seed, epochs, 10
    spec.dataset = spec.dataset.model_copy(update={"seed": seed})
    if init is not None:
        spec.network.layers = [layer.model_copy(update={"init": init}) if layer.type == "linear" else layer
                               for layer in spec.network.layers]
    events = []
    train(spec, events.append)
    sat = [e for e in events if e["type"] == "saturation"]
    grads = [e for e in events if e["type"] == "gradients"]
    accuracy = [e for e in events if e["type"] == "metrics" and e["scope"] == "epoch"][-1]["test_accuracy"]
    mean = lambda es, j: statistics.mean(e["norms"][j] for e in es)  # noqa: E731
    layers = range(len(sat[0]["layers"]))
    share = lambda k: [sat[k]["layers"][j]["saturated"] for j in layers]  # noqa: E731
    return (share(0), share(len(sat) // 2), share(-1), [mean(grads[:10], j) for j in layers],
            [mean(grads[-10:], j) for j in layers], accuracy)


def report(name: str, runs: list) -> None:
    print(f"\n{name}: median over {len(runs)} seeds")
    print("sigmoid layer | saturated step 0 | middle | end   | ||grad|| feeding linear, first 10 steps | last 10 steps")
    for j in range(len(runs[0][0])):
        med = [statistics.median(r[k][j] for r in runs) for k in range(5)]
        print(f"{2 * j + 1:13d} | {med[0]:16.3f} | {med[1]:6.3f} | {med[2]:5.3f} | {med[3]:38.2e} | {med[4]:13.2e}")
    last = len(runs[0][0]) - 1
    print(f"deepest sigmoid layer, saturated share start -> end per seed: "
          f"{[(round(r[0][last], 3), round(r[2][last], 3)) for r in runs]}; "
          f"final test accuracy per seed: {[round(r[5], 3) for r in runs]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args()
    report("deep_sigmoid_circle (torch's default init, Adam lr 0.03)", [run(s, args.epochs, None) for s in args.seeds])
    report("same net, weights N(0, 1) (init large_normal)", [run(s, args.epochs, "large_normal") for s in args.seeds])


if __name__ == "__main__":
    main()
