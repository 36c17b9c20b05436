"""The deep-sigmoid preset's saturation and gradient flow, measured (the README's numbers).

Runs the ``deep_sigmoid_circle`` preset (nine sigmoid layers of 32 units, N(0, 1) weights, SGD) for
each seed of ``--seeds`` (the preset's training seed and data seed), in this process, and prints per
sigmoid layer: the saturated share (|σ'(z)| < 0.05 x 1/4 on the probe batch) at step 0 and at the last
probe, and the gradient L2 norm of the linear layer feeding it, mean over the first 10 and the last 10
logged steps; then the medians over seeds. Also the same for the preset with torch's default init
(weights U(±1/√fan_in)), where gradients vanish without any saturation.

Usage: .venv/bin/python benchmarks/saturation.py [--seeds 0 1 2] [--epochs 30]
"""

import argparse
import statistics

from nnplay.spec.presets import PRESETS
from nnplay.train import train


def run(seed: int, epochs: int, init: str | None) -> tuple[list, list, list, list]:
    spec = next(p["spec"] for p in PRESETS if p["id"] == "deep_sigmoid_circle").model_copy(deep=True)
    spec.training.seed, spec.training.epochs = seed, epochs
    spec.dataset = spec.dataset.model_copy(update={"seed": seed})
    if init is not None:
        spec.network.layers = [layer.model_copy(update={"init": init}) if layer.type == "linear" else layer
                               for layer in spec.network.layers]
    events = []
    train(spec, events.append)
    sat = [e for e in events if e["type"] == "saturation"]
    grads = [e for e in events if e["type"] == "gradients"]
    mean = lambda es, j: statistics.mean(e["norms"][j] for e in es)  # noqa: E731
    layers = range(len(sat[0]["layers"]))
    return ([sat[0]["layers"][j]["saturated"] for j in layers], [sat[-1]["layers"][j]["saturated"] for j in layers],
            [mean(grads[:10], j) for j in layers], [mean(grads[-10:], j) for j in layers])


def report(name: str, runs: list) -> None:
    print(f"\n{name}: median over {len(runs)} seeds")
    print("sigmoid layer | saturated step 0 | saturated end | ||grad|| feeding linear, first 10 steps | last 10 steps")
    for j in range(len(runs[0][0])):
        med = [statistics.median(r[k][j] for r in runs) for k in range(4)]
        print(f"{2 * j + 1:13d} | {med[0]:16.3f} | {med[1]:13.3f} | {med[2]:38.2e} | {med[3]:13.2e}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args()
    report("deep_sigmoid_circle (large_normal init)", [run(s, args.epochs, None) for s in args.seeds])
    report("same net, torch's default init", [run(s, args.epochs, "default") for s in args.seeds])


if __name__ == "__main__":
    main()
