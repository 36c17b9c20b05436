"""Websocket message sizes before and after exact float32 arrays (issue 12, point 8), side by side in one run.

Each preset below trains for ``--steps`` optimizer steps with its probes; the last message of each probe
type it streams is encoded twice: as sent now (arrays as base64 of float32, ``nnplay.protocol.encode``)
and as sent before (the same arrays as nested decimal lists rounded to the places each probe used:
attention and gates 3, neuron weights and regression predictions 4, feature maps 5, reconstructions 3;
non-finite entries null), both compact JSON. Also prints validation's estimate for the type
(``NetworkSummary.messages``) and the time to encode each form.

Usage: PYTHONPATH=backend .venv/bin/python benchmarks/messages.py [--steps 20]
"""

import argparse
import json
import math
import tempfile
import time

from nnplay.probes.arrays import payload_tensor
from nnplay.protocol import encode
from nnplay.settings import Settings
from nnplay.spec.presets import PRESETS
from nnplay.train import train
from nnplay.train.check import check_job

CASES = [("attention_reverse", {}), ("transformer_shakespeare", {}), ("transformer_authors", {}),
         ("char_lstm_shakespeare", {}), ("lstm_sunspots", {}), ("lenet_digits", {}), ("mlp_spiral", {}),
         ("autoencoder_digits", {})]
OLD_DECIMALS = {"attention": 3, "gates": 3, "neuron_maps": 4, "decision_boundary": 4, "feature_maps": 5,
                "reconstructions": 3}


def legacy(value, decimals: int):
    """A message with every float32 array payload turned back into the old rounded decimal lists."""
    if isinstance(value, list):
        return [legacy(v, decimals) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("encoding") == "float32":
        nested = payload_tensor(value).double().round(decimals=decimals).tolist()
        rest = {k: v for k, v in value.items() if k not in ("encoding", "data")}
        return {**rest, "data": _nulls(nested)}
    return {k: legacy(v, decimals) for k, v in value.items()}


def _nulls(data):
    if isinstance(data, list):
        return [_nulls(d) for d in data]
    return data if math.isfinite(data) else None


def last_messages(spec, steps: int) -> dict[str, dict]:
    """The last event of each probe type of a run stopped after ``steps`` steps (probes every 10 steps)."""
    spec = spec.model_copy(deep=True)
    spec.training.epochs, spec.training.probe_every = 1, 10
    last: dict[str, dict] = {}
    calls = [0]  # should_stop is polled once after each step

    def stop() -> bool:
        calls[0] += 1
        return calls[0] >= steps

    train(spec, lambda event: last.__setitem__(event["type"], event), should_stop=stop)
    return {k: v for k, v in last.items() if k in OLD_DECIMALS}


def timed(fn, repeats: int = 5) -> tuple[str, float]:
    start = time.perf_counter()
    for _ in range(repeats):
        out = fn()
    return out, (time.perf_counter() - start) / repeats * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    settings = Settings(data_dir=tempfile.mkdtemp())
    print(f"{'preset':24} {'message':18} {'before':>11} {'after':>11} {'after/before':>12} {'estimate':>11} "
          f"{'enc ms before':>13} {'after':>7}")
    for pid, _ in CASES:
        spec = next(p["spec"] for p in PRESETS if p["id"] == pid)
        estimates = check_job(spec.dataset, spec.network, spec.training, settings).messages
        for kind, event in last_messages(spec, args.steps).items():
            old = legacy(event, OLD_DECIMALS[kind])
            before, ms_before = timed(lambda: json.dumps({"v": 1, "job_id": "0" * 32, "seq": 1, **old},
                                                         separators=(",", ":"), ensure_ascii=False, allow_nan=False))
            after, ms_after = timed(lambda: encode("0" * 32, 1, event))
            b, a = len(before.encode()), len(after.encode())
            print(f"{pid:24} {kind:18} {b:>11,} {a:>11,} {a / b:>12.2f} {estimates.get(kind, 0):>11,} "
                  f"{ms_before:>13.2f} {ms_after:>7.2f}")


if __name__ == "__main__":
    main()
