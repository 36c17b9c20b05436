"""Hidden units of an MLP over the 2-D input plane: each unit's activation at every grid point.

One forward pass over the grid (the decision boundary's) with forward hooks on the modules that end
each hidden block, so the logits and every hidden unit's map come from the same pass. A *hidden
block* runs from a ``linear`` layer to the layer before the next ``linear``; its units are the outputs
of its last activation (``relu``, ``tanh``, ...), or of the linear itself when the block has none.
"""

import torch
from torch import nn

from nnplay.probes.arrays import array_payload
from nnplay.spec.layers import LAYER_FAMILIES, in_family

ACTIVATIONS = frozenset(LAYER_FAMILIES["activation"])
UNIT_DIMS = ["unit", "row", "col"]
WEIGHT_DIMS = ["out", "in"]


def hidden_blocks(types: list[str]) -> list[tuple[int, int]]:
    """``(linear index, unit index)`` per hidden block of a layer-type list; ``unit index`` is the
    layer whose output is the block's units. The last linear (the output layer) has no block."""
    linears = [i for i, t in enumerate(types) if in_family(t, "dense")]
    blocks = []
    for start, end in zip(linears, linears[1:]):
        acts = [i for i in range(start + 1, end) if types[i] in ACTIVATIONS]
        blocks.append((start, acts[-1] if acts else start))
    return blocks


# Modules whose output does not depend on train/eval mode: a network of only these is probed
# without switching modes (two walks over the modules a frame, ~0.2 ms on a small MLP).
MODE_FREE = (nn.Linear, nn.Identity, nn.Flatten, nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.Softmax)


@torch.inference_mode()
def grid_forward(model: nn.Sequential, grid: torch.Tensor, capture: list[int]) -> tuple[torch.Tensor, dict]:
    """Logits ``(P, K)`` of ``grid`` ``(P, 2)`` and the outputs ``(P, U_i)`` of modules ``capture``,
    from one forward pass in eval mode (restored after). The modules run in order, as
    ``nn.Sequential.forward`` runs them. Tensors come back float32 on the CPU."""
    switch = model.training and not all(isinstance(m, MODE_FREE) for m in model)  # dropout, batch norm
    if switch:
        model.eval()
    try:
        param = next(model.parameters(), None)
        x = grid.to(param.device if param is not None else "cpu")
        captured: dict[int, torch.Tensor] = {}
        for i, module in enumerate(model):
            x = module(x)  # (P, width of layer i)
            if i in capture:
                captured[i] = x
    finally:
        if switch:
            model.train()
    return x.float().cpu(), {i: t.float().cpu() for i, t in captured.items()}


def thumbnail_index(size: int, resolution: int) -> torch.Tensor:
    """Indices ``(R,)`` of ``min(size, resolution)`` evenly spread points of a grid axis of ``size``."""
    return torch.linspace(0, size - 1, min(size, resolution)).round().long()


def thumbnail_points(g1: int, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """Flat indices ``(R2*R1,)`` into a row-major grid of width ``g1`` of the points at ``rows`` x ``cols``."""
    return (rows[:, None] * g1 + cols[None, :]).reshape(-1)  # (R2*R1,)


def unit_maps(outputs: torch.Tensor, points: torch.Tensor, r2: int, r1: int, max_units: int) -> torch.Tensor:
    """``outputs`` ``(G2*G1, U)`` of a grid as maps ``(min(U, max_units), R2, R1)`` at the grid's
    ``points`` (from :func:`thumbnail_points`; row = x2, col = x1, as the boundary)."""
    return outputs[points, :max_units].T.reshape(-1, r2, r1)  # (U', R2, R1)


def layer_weights(model: nn.Sequential, linears: list[int], shown: list[int]) -> list[dict]:
    """Each linear layer's weight ``(out, in)`` cut to the units drawn: ``shown[j]`` units of its
    output and ``shown[j - 1]`` of its input (``shown[-1]`` counts the inputs); vmin/vmax per layer."""
    out = []
    for j, index in enumerate(linears):
        w = model[index].weight.detach()[:shown[j], :shown[j - 1] if j else None]  # (out, in)
        out.append({"index": index, **array_payload(w, WEIGHT_DIMS)})
    return out
