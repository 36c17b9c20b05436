"""Probe cost per preset at three cadences, side by side in one process: the time budget a spec without
``probe_every`` now gets (``nnplay.train.cadence``: at most ``--fps`` snapshots a second, at most
``--share`` of the run's time), the old spec default of every 20 steps, and the preset's own old
cadence. Every event is encoded to its websocket JSON text (as a job does in its worker), so
serialising the frames is part of their cost.

The probe share is measured directly: the run's own count of the seconds spent taking snapshots
(``TrainResult.probe_seconds``) over its wall time. Issue target: <= 5% at the default, on every preset
(spiral, LeNet, an LSTM, a transformer, word2vec). Each preset is cut to ``--steps`` optimizer steps
(its first epochs) so a row takes seconds.

Usage: PYTHONPATH=backend .venv/bin/python benchmarks/probes.py [--steps 600] [--repeats 2] [--fps 10] [--share 0.04]
"""

import argparse
import math

import torch

from nnplay.data import load
from nnplay.protocol import encode
from nnplay.spec.network import network_kind
from nnplay.spec.presets import PRESETS
from nnplay.train import train

# the presets' cadences before the time budget (git history of spec/presets.py), and the old default
OLD_PRESET_CADENCE = {"mlp_spiral": 50, "lenet5_mnist": 25, "lstm_sunspots": 30, "char_lstm_shakespeare": 40,
                      "transformer_sort": 10, "attention_reverse": 45, "skipgram_shakespeare": 50}
OLD_DEFAULT = 20


def spec_for(preset_id: str, steps: int, probe_every: int | None):
    """The preset with at most ``steps`` optimizer steps (whole epochs, at least one) and ``probe_every``."""
    spec = next(p["spec"] for p in PRESETS if p["id"] == preset_id).model_copy(deep=True)
    t = spec.training
    if network_kind(spec.network) != "word2vec":
        n_train = len(load(spec.dataset).y_train)
        per_epoch = 1 if t.batch_size == "full" else math.ceil(n_train / min(t.batch_size, n_train))
        t.epochs = max(1, min(t.epochs, steps // per_epoch))
    else:
        t.epochs = 1
    t.probe_every = probe_every
    return spec


def run(spec, fps: float, share: float):
    frames = []

    def emit(event: dict) -> None:
        text = encode("bench", 1, event)
        if event["type"] not in ("metrics", "gradients", "status", "settings", "data_info"):
            frames.append(len(text))

    result = train(spec, emit, probe_fps=fps, probe_share=share)
    return result, frames


def measure(preset_id: str, args) -> None:
    cadences = [("budget", None), (f"every {OLD_DEFAULT}", OLD_DEFAULT),
                (f"preset's old {OLD_PRESET_CADENCE[preset_id]}", OLD_PRESET_CADENCE[preset_id])]
    best: dict[str, tuple] = {}
    run(spec_for(preset_id, 1, None), args.fps, args.share)  # warm-up: data loaded and cached, lazy inits done
    for _ in range(args.repeats):  # interleaved: a burst of load hits every cadence alike
        for label, every in cadences:
            result, frames = run(spec_for(preset_id, args.steps, every), args.fps, args.share)
            share = result.probe_seconds / result.seconds
            if label not in best or share < best[label][0]:
                best[label] = (share, result, frames)
    steps = best["budget"][1].final.get("steps", "?")
    print(f"\n{preset_id} ({steps} steps)")
    for label, _ in cadences:
        share, result, frames = best[label]
        print(f"  {label:<22}: {share:6.1%} of {result.seconds:6.2f} s in probes, {result.probe_snapshots:4d} "
              f"snapshots ({result.probe_snapshots / result.seconds:5.1f}/s), "
              f"{sum(frames) / max(1, len(frames)) / 1e3:6.1f} kB a frame message")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--fps", type=float, default=10.0, help="probe_fps (NNPLAY_PROBE_FPS)")
    parser.add_argument("--share", type=float, default=0.04, help="probe_share (NNPLAY_PROBE_SHARE)")
    parser.add_argument("--presets", default=",".join(OLD_PRESET_CADENCE))
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"probe share of wall time, best of {args.repeats}, torch threads 1, budget {args.fps:g}/s and "
          f"{args.share:.0%}")
    for preset_id in args.presets.split(","):
        measure(preset_id, args)


if __name__ == "__main__":
    main()
