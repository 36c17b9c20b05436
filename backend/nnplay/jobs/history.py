"""Downsampling a long metric history for drawing: the first and the last point, and in each of
``max_points / 2`` equal buckets of steps the lowest and the highest ``train_loss`` (min/max
decimation, as oscilloscopes and plotting libraries do it), so a spike is never lost. A non-finite
loss (``None``) counts as a spike. Epoch metrics are always kept (at most ``max_epochs``)."""

import json
from math import inf

STEP_TYPES = ("metrics", "gradients")


def keep_indices(values: list[float | None], max_points: int) -> list[int]:
    """Indices to keep of a series of ``values``: all when there are at most ``max_points``, else the
    first, the last and each bucket's min and max (``None`` first)."""
    n = len(values)
    if n <= max_points:
        return list(range(n))
    buckets = max(1, max_points // 2)
    keep = {0, n - 1}
    for b in range(buckets):
        idx = range(b * n // buckets, (b + 1) * n // buckets)
        if idx:
            keep.add(min(idx, key=lambda i: -inf if values[i] is None else values[i]))
            keep.add(max(idx, key=lambda i: inf if values[i] is None else values[i]))
    return sorted(keep)


def downsample_metrics(metrics: list[dict], max_points: int) -> list[dict]:
    """``metrics`` messages (in order) with the step-scope ones reduced to about ``max_points``."""
    steps = [m for m in metrics if m.get("scope") == "step"]
    kept = {id(steps[i]) for i in keep_indices([m.get("train_loss") for m in steps], max_points)}
    return [m for m in metrics if m.get("scope") != "step" or id(m) in kept]


def skipped_seqs(texts: list[str], max_points: int) -> set[int]:
    """Of a job's stored ``metrics`` and ``gradients`` texts, the ``seq`` of those a downsampled replay
    leaves out: step metrics past ``max_points`` and the gradients of the steps left out."""
    messages = [json.loads(t) for t in texts]
    metrics = [m for m in messages if m["type"] == "metrics"]
    kept = downsample_metrics(metrics, max_points)
    if len(kept) == len(metrics):
        return set()
    kept_steps = {m["step"] for m in kept if m.get("scope") == "step"}
    kept_seqs = {m["seq"] for m in kept}
    return {m["seq"] for m in messages if (m["type"] == "metrics" and m["seq"] not in kept_seqs)
            or (m["type"] == "gradients" and m["step"] not in kept_steps)}
