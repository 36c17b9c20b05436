"""Probe cost on a 2-D set: the spiral MLP preset trained with its probes (decision boundary and
neuron heatmaps, from one forward pass over the 64x64 grid), the same with the decision boundary only
(max_units=0), and the same run with probes effectively off (probe_every larger than the run), side by
side in one process, interleaved. Two default cadences are measured: the preset's own (probe_every=50,
what the page's "MLP on spiral" runs) and the spec's default for a spec that names none
(TrainingSpec's probe_every=20). Every event is encoded to its websocket JSON text
in both runs (as a job does in its worker), so serialising the frames is part of their cost.
Prints seconds, frames, bytes per frame, the probe share of training time and the ratio (issue
target: probes cost at most 10% at the default cadence).

Usage: PYTHONPATH=backend .venv/bin/python benchmarks/probes.py [--epochs 100] [--repeats 3] [--units 16] [--resolution 32]
"""

import argparse

import torch

from nnplay.protocol import encode
from nnplay.spec.presets import PRESETS
from nnplay.spec.training import TrainingSpec
from nnplay.train import train

DEFAULT_CADENCE = TrainingSpec().probe_every


PRESET = next(p["spec"] for p in PRESETS if p["id"] == "mlp_spiral")


def run(probe_every: int, epochs: int, units: int, resolution: int) -> tuple[float, dict]:
    spec = PRESET.model_copy(deep=True)
    spec.training.epochs, spec.training.probe_every = epochs, probe_every
    sizes: dict[str, list[int]] = {}

    def emit(event: dict) -> None:
        text = encode("bench", 1, event)
        sizes.setdefault(event["type"], []).append(len(text))

    result = train(spec, emit, max_units=units, unit_resolution=resolution)
    return result.seconds, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--units", type=int, default=16, help="max_neuron_units")
    parser.add_argument("--resolution", type=int, default=32, help="neuron_map_resolution")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"MLP on spiral (2x32 tanh), {args.epochs} epochs, best of {args.repeats}, torch threads 1, "
          f"events encoded to JSON")
    for label, cadence in (("preset's cadence", PRESET.training.probe_every), ("spec default", DEFAULT_CADENCE)):
        measure(label, cadence, args)


def measure(label: str, cadence: int, args) -> None:
    """Interleaved runs with probes, boundary only and probes off at ``cadence``; prints the shares."""
    with_probes, boundary_only, without = [], [], []
    for _ in range(args.repeats):
        seconds, sizes = run(cadence, args.epochs, args.units, args.resolution)
        with_probes.append(seconds)
        boundary_only.append(run(cadence, args.epochs, 0, args.resolution)[0])
        without.append(run(10**9, args.epochs, args.units, args.resolution)[0])
    w, b, wo = min(with_probes), min(boundary_only), min(without)
    db, nm = sizes["decision_boundary"], sizes["neuron_maps"]
    print(f"\n{label}: probes every {cadence} steps")
    print(f"  with probes     : {w:7.3f} s  ({len(db)} decision-boundary frames of 64x64, "
          f"{sum(db) / len(db) / 1e3:.0f} kB; {len(nm)} neuron-map frames of {args.units} units/layer at "
          f"{args.resolution}x{args.resolution}, {sum(nm) / len(nm) / 1e3:.0f} kB)")
    print(f"  boundary only   : {b:7.3f} s  (max_units 0: no neuron maps)")
    print(f"  probes off      : {wo:7.3f} s")
    print(f"  probe share     : {(w - wo) / w:7.1%}   (target <= 10%): boundary {(b - wo) / w:.1%}, "
          f"neuron maps {(w - b) / w:.1%}; {(w - wo) / len(db) * 1e3:.2f} ms a frame")
    print(f"  ratio with/off  : {w / wo:7.3f}")

if __name__ == "__main__":
    main()
