"""Convolution and pooling written out: every output value as the sum of products torch computes.

The outputs come from ``torch.nn.functional.conv2d`` / ``max_pool2d`` / ``avg_pool2d`` in float64; the
terms of each value are read from the zero-padded input and the filter, so the written sum is checked
against torch, not the other way round. Pure: no I/O. See ``nnplay.spec.conv`` for the request.
"""

import torch
import torch.nn.functional as F

from nnplay.spec.conv import (MAX_TERMS, ConvCell, ConvExplainOut, ConvExplainSpec, ConvTerm, PoolCell, PoolOut,
                              PoolSpec, SizeFormula, out_size)
from nnplay.spec.errors import SpecError


def number(v: float) -> str:
    """A value as the course writes it: ``4``, ``-0.5``, ``0.1235`` (4 significant digits)."""
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e9 else f"{v:.4g}"


def factor(v: float) -> str:
    """A factor of a product: negatives in parentheses, ``(-4)``."""
    return f"({number(v)})" if v < 0 else number(v)


def sizes(h: int, w: int, kh: int, kw: int, stride: int, padding: int) -> list[SizeFormula]:
    """The output-size formula for height and width with their numbers."""
    out = []
    for axis, n, k in (("height", h, kh), ("width", w, kw)):
        o = out_size(n, k, stride, padding)
        out.append(SizeFormula(axis=axis, n=n, p=padding, k=k, s=stride, out=o,
                               text=f"⌊({n} + 2·{padding} − {k})/{stride}⌋ + 1 = {o}"))
    return out


def conv_cell(padded: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, output: torch.Tensor,
              at: tuple[int, int, int], stride: int) -> ConvCell:
    """Output value ``at`` = (filter k, row i, col j): ``padded`` ``(C, Hp, Wp)``, ``weight`` ``(K, C, kh, kw)``,
    ``bias`` ``(K,)``, ``output`` ``(K, H_out, W_out)`` from torch."""
    k, i, j = at
    _, c, kh, kw = weight.shape
    r0, c0 = i * stride, j * stride
    terms = [ConvTerm(channel=ch, row=r0 + a, col=c0 + b, x=float(padded[ch, r0 + a, c0 + b]),
                      w=float(weight[k, ch, a, b]))
             for ch in range(c) for a in range(kh) for b in range(kw)]
    value = float(output[k, i, j])
    products = " + ".join(f"{factor(t.x)}·{factor(t.w)}" for t in terms)
    text = f"{products} + {factor(float(bias[k]))} (bias b{k}) = {number(value)}"
    return ConvCell(filter=k, row=i, col=j, window_row=r0, window_col=c0, terms=terms, bias=float(bias[k]),
                    value=value, text=text)


def pool(maps: torch.Tensor, spec: PoolSpec) -> PoolOut:
    """Pool ``maps`` ``(C, H, W)`` with torch and explain every pooled value."""
    k, s = spec.kernel_size, spec.stride or spec.kernel_size
    fn = F.max_pool2d if spec.kind == "max" else F.avg_pool2d
    out = fn(maps[None], kernel_size=k, stride=s)[0]  # (C, H_out, W_out)
    cells = []
    for ch, i, j in ((ch, i, j) for ch in range(out.shape[0]) for i in range(out.shape[1])
                     for j in range(out.shape[2])):
        window = maps[ch, i * s:i * s + k, j * s:j * s + k]  # (k, k)
        flat = int(torch.argmax(window))
        argmax = (flat // k, flat % k) if spec.kind == "max" else None
        listed = ", ".join(number(float(v)) for v in window.flatten())
        name = "max" if spec.kind == "max" else "mean"
        cells.append(PoolCell(channel=ch, row=i, col=j, window_row=i * s, window_col=j * s, values=window.tolist(),
                              value=float(out[ch, i, j]), argmax=argmax,
                              text=f"{name}({listed}) = {number(float(out[ch, i, j]))}"))
    return PoolOut(kind=spec.kind, kernel_size=k, stride=s, output=out.tolist(),
                   sizes=sizes(maps.shape[1], maps.shape[2], k, k, s, 0), cells=cells)


def explain(spec: ConvExplainSpec) -> ConvExplainOut:
    """Compute ``spec``'s convolution (and pooling) with torch and write every asked-for value out.

    Raises SpecError at ``cell`` when every cell is asked for and that would exceed ``MAX_TERMS`` products.
    """
    x = torch.tensor(spec.input, dtype=torch.float64)  # (C, H, W)
    p = spec.padding
    padded = F.pad(x, (p, p, p, p))  # (C, H + 2p, W + 2p)
    output, cells, formulas, maps = None, [], [], x
    if spec.filters is not None:
        weight = torch.tensor(spec.filters, dtype=torch.float64)  # (K, C, kh, kw)
        bias = torch.tensor(spec.bias, dtype=torch.float64) if spec.bias else torch.zeros(len(weight),
                                                                                          dtype=torch.float64)
        maps = F.conv2d(x[None], weight, bias, stride=spec.stride, padding=p)[0]  # (K, H_out, W_out)
        output = maps.tolist()
        formulas = sizes(x.shape[1], x.shape[2], weight.shape[2], weight.shape[3], spec.stride, p)
        cells = [conv_cell(padded, weight, bias, maps, at, spec.stride) for at in _cells(spec, maps, weight)]
    pooled = pool(maps, spec.pool) if spec.pool else None
    return ConvExplainOut(input_shape=list(x.shape), padded=padded.tolist(), stride=spec.stride, padding=p,
                          output=output, sizes=formulas, cells=cells, pool=pooled)


def _cells(spec: ConvExplainSpec, maps: torch.Tensor, weight: torch.Tensor) -> list[tuple[int, int, int]]:
    """The cells to explain: the one asked for, or all of them within ``MAX_TERMS`` products."""
    if spec.cell is not None:
        return [tuple(spec.cell)]
    k, h, w = maps.shape
    terms = maps.numel() * weight[0].numel()
    if terms > MAX_TERMS:
        raise SpecError(("cell",), f"explaining all {k}x{h}x{w} output values writes out {terms} products, "
                        f"more than {MAX_TERMS}: ask for one value with cell [filter, row, col]")
    return [(a, i, j) for a in range(k) for i in range(h) for j in range(w)]
