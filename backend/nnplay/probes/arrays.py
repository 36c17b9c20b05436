"""Turning tensors into valid-JSON payloads: shape, dimension names, value range, data."""

import base64
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


def quantized_payload(t: torch.Tensor, dims: list[str]) -> dict:
    """``{"shape", "dims", "vmin", "vmax", "encoding": "uint8", "data"}``: the tensor's entries in
    row-major order as 8-bit codes, base64 text; entry ``≈ vmin + code * (vmax - vmin) / 255`` (error
    at most half a step). For maps drawn as colours: 4x smaller than decimal text and ~100x faster to
    make. Non-finite entries get code 0 (vmin/vmax are over the finite ones, ``None`` if there are none).
    """
    t = t.detach().float().cpu()
    finite = t if bool(torch.isfinite(t).all()) else t[torch.isfinite(t)]
    lo, hi = (finite.min().item(), finite.max().item()) if finite.numel() else (None, None)
    span = (hi - lo) if lo is not None and hi > lo else 1.0
    base = lo if lo is not None else 0.0
    codes = ((t if finite is t else t.nan_to_num(nan=base, posinf=base, neginf=base)) - base) / span * 255
    codes = codes.round().clamp(0, 255).to(torch.uint8)  # same shape as t
    return {"shape": list(t.shape), "dims": dims, "vmin": lo, "vmax": hi, "encoding": "uint8",
            "data": base64.b64encode(codes.numpy().tobytes()).decode("ascii")}
