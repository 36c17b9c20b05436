"""Turning tensors into valid-JSON payloads: shape, dimension names, value range, data.

Two encodings, both base64 text of the tensor's entries in row-major (C) order:

- ``"float32"`` (:func:`array_payload`): IEEE-754 single precision, little-endian, 4 bytes an entry.
  Exact: a decoded entry is the probe's float32 value bit for bit (NaN and +-Infinity included; they
  are bytes, so the JSON stays valid).
- ``"uint8"`` (:func:`quantized_payload`): 8-bit codes, entry ``≈ vmin + code * (vmax - vmin) / 255``,
  for maps drawn only as colours.

``vmin``/``vmax`` span the finite entries (``None`` when there are none). :func:`payload_tensor` decodes
either; ``frontend/js/views/arrays.js`` does the same in the page.
"""

import base64
import math

import numpy as np
import torch

FLOAT32_LE = np.dtype("<f4")


def finite_or_none(value: float) -> float | None:
    """A float, or ``None`` for NaN and +-Infinity (they are not valid JSON)."""
    value = float(value)
    return value if math.isfinite(value) else None


def array_payload(t: torch.Tensor, dims: list[str]) -> dict:
    """``{"shape", "dims", "vmin", "vmax", "encoding": "float32", "data"}`` for a tensor of any shape:
    ``data`` is base64 of its float32 entries, row-major, little-endian (4 bytes an entry, about 5.3
    characters of text). Non-finite entries travel as their float32 bit patterns; ``vmin``/``vmax`` are
    over the finite entries (``None`` if there are none)."""
    t = t.detach().float().cpu().contiguous()
    lo, hi, _ = _finite_range(t)
    raw = t.numpy().astype(FLOAT32_LE, copy=False).tobytes()  # row-major, little-endian
    return {"shape": list(t.shape), "dims": dims, "vmin": lo, "vmax": hi, "encoding": "float32",
            "data": base64.b64encode(raw).decode("ascii")}


def encoded_chars(numel: int, encoding: str = "float32") -> int:
    """Length of the base64 text of ``numel`` entries: 4 characters per 3 bytes, padded."""
    size = numel * (4 if encoding == "float32" else 1)
    return 4 * math.ceil(size / 3)


def _finite_range(t: torch.Tensor) -> tuple[float | None, float | None, bool]:
    """``(min, max, all_finite)`` over the finite entries of a float tensor (``None`` for min and max
    if there are none). One pass when all are finite: the min or max of a tensor holding a NaN or
    +-inf is not finite."""
    if not t.numel():
        return None, None, True
    lo, hi = (v.item() for v in torch.aminmax(t))
    if math.isfinite(lo) and math.isfinite(hi):
        return lo, hi, True
    finite = t[torch.isfinite(t)]
    return (finite.min().item(), finite.max().item(), False) if finite.numel() else (None, None, False)


def quantized_payload(t: torch.Tensor, dims: list[str]) -> dict:
    """``{"shape", "dims", "vmin", "vmax", "encoding": "uint8", "data"}``: the tensor's entries in
    row-major order as 8-bit codes, base64 text; entry ``≈ vmin + code * (vmax - vmin) / 255`` (error
    at most half a step). For maps drawn as colours: a quarter of :func:`array_payload`'s bytes.
    Non-finite entries get code 0 (vmin/vmax are over the finite ones, ``None`` if there are none).
    """
    t = t.detach().float().cpu()
    lo, hi, all_finite = _finite_range(t)
    base = lo if lo is not None else 0.0
    span = (hi - lo) if lo is not None and hi > lo else 1.0
    if not all_finite:
        t = t.nan_to_num(nan=base, posinf=base, neginf=base)
    codes = (t - base).mul_(255 / span).round_().clamp_(0, 255).to(torch.uint8)  # same shape as t
    return {"shape": list(t.shape), "dims": dims, "vmin": lo, "vmax": hi, "encoding": "uint8",
            "data": base64.b64encode(codes.numpy().tobytes()).decode("ascii")}


def class_payload(ids: torch.Tensor, dims: list[str]) -> dict:
    """Class ids (an integer tensor of any shape) as a payload. Up to 256 distinct ids apart
    (``max - min <= 255``): :func:`quantized_payload`'s 8-bit codes, from which rounding the decoded
    value gives the id back exactly (the error is at most ``(max - min) / 510 < 0.5``). Wider ranges:
    :func:`array_payload` of the ids (float32 holds every id below 2**24 exactly)."""
    ids = ids.detach().cpu()
    lo, hi = (int(ids.min()), int(ids.max())) if ids.numel() else (0, 0)
    if hi - lo > 255:
        return array_payload(ids, dims)
    return quantized_payload(ids.float(), dims)


def payload_tensor(payload: dict) -> torch.Tensor:
    """A payload back as a float32 tensor of its ``shape``, from either encoding: ``float32`` bytes as
    they were sent, ``uint8`` codes as ``vmin + code * (vmax - vmin) / 255``. For clients reading
    messages (and tests). Raises ``ValueError`` for an unknown ``encoding`` or a byte count that does
    not match ``shape``."""
    raw = base64.b64decode(payload["data"])
    encoding = payload.get("encoding")
    if encoding == "float32":
        values = torch.from_numpy(np.frombuffer(raw, dtype=FLOAT32_LE).astype(np.float32))
    elif encoding == "uint8":
        codes = torch.frombuffer(bytearray(raw), dtype=torch.uint8) if raw else torch.zeros(0, dtype=torch.uint8)
        lo = payload["vmin"] if payload["vmin"] is not None else 0.0
        step = ((payload["vmax"] if payload["vmax"] is not None else lo) - lo) / 255
        values = lo + codes.float() * step
    else:
        raise ValueError(f"unknown array encoding {encoding!r}")
    if values.numel() != math.prod(payload["shape"]):
        raise ValueError(f"{values.numel()} entries do not fill shape {payload['shape']}")
    return values.reshape(payload["shape"])
