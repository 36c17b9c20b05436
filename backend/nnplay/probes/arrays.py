"""Turning tensors into valid-JSON payloads: shape, dimension names, value range, data."""

import math

import torch


def finite_or_none(value: float) -> float | None:
    """A float, or ``None`` for NaN and +-Infinity (they are not valid JSON)."""
    value = float(value)
    return value if math.isfinite(value) else None


def array_payload(t: torch.Tensor, dims: list[str], decimals: int = 5) -> dict:
    """``{"shape", "dims", "vmin", "vmax", "data"}`` for a tensor; non-finite entries become ``None``."""
    t = t.detach().float().cpu()
    mask = torch.isfinite(t)
    all_finite = bool(mask.all())
    finite = t if all_finite else t[mask]
    data = t.double().round(decimals=decimals).tolist()  # float64 first: 0.48, not 0.47999998927
    return {
        "shape": list(t.shape),
        "dims": dims,
        "vmin": finite.min().item() if finite.numel() else None,
        "vmax": finite.max().item() if finite.numel() else None,
        "data": data if all_finite else _nan_to_none(data),
    }


def _nan_to_none(data):
    if isinstance(data, list):
        return [_nan_to_none(d) for d in data]
    return None if not math.isfinite(data) else data
