"""The model's output over a grid spanning the data: the decision boundary of a classifier, or the
prediction curve (1-D input) or surface (2-D input) of a regression model."""

import torch
from torch import nn

GRID_DIMS = ["row", "col"]
CURVE_DIMS = ["x1"]


def grid_axes(points: torch.Tensor, resolution: int, margin: float = 0.1) -> tuple[torch.Tensor, ...]:
    """One axis ``(G,)`` per input column of ``points`` ``(N, D)`` (D = 1 or 2), covering the points plus
    ``margin`` of the range on each side, in the model's (standardised) input units."""
    lo, hi = points.min(0).values, points.max(0).values  # (D,), (D,)
    pad = (hi - lo) * margin
    lo, hi = lo - pad, hi + pad
    return tuple(torch.linspace(float(lo[d]), float(hi[d]), resolution) for d in range(points.shape[1]))


def grid_points(x1: torch.Tensor, x2: torch.Tensor | None = None, n_inputs: int | None = None) -> torch.Tensor:
    """The grid's model inputs ``(M, max(D, n_inputs))``: row-major over ``(x2, x1)`` (point
    ``i * G1 + j`` is ``(x1[j], x2[i])``, M = G2*G1), or ``x1`` alone (M = G1) when ``x2`` is None.
    Inputs past the grid's 1 or 2 columns (``n_inputs``, e.g. the missing-value indicators) are 0."""
    if x2 is None:
        grid = x1[:, None]  # (G1, 1)
    else:
        g2, g1 = torch.meshgrid(x2, x1, indexing="ij")  # (G2, G1) each
        grid = torch.stack([g1.reshape(-1), g2.reshape(-1)], dim=1)  # (G2*G1, 2)
    if n_inputs and n_inputs > grid.shape[1]:
        grid = torch.cat([grid, grid.new_zeros(len(grid), n_inputs - grid.shape[1])], dim=1)  # (M, n_inputs)
    return grid


def grid_probabilities(logits: torch.Tensor, g2: int, g1: int) -> torch.Tensor:
    """Class probabilities ``(K, G2, G1)`` from the grid's logits ``(G2*G1, K)``; a single logit gives
    K = 2 (p(class 0) = 1 - sigmoid)."""
    if logits.shape[1] == 1:
        p1 = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p1, p1]).reshape(2, g2, g1)
    return torch.softmax(logits.T, dim=0).reshape(-1, g2, g1)  # (K, G2, G1); over dim 0: 5x faster for small K


@torch.no_grad()
def grid_outputs(model: nn.Module, x1: torch.Tensor, x2: torch.Tensor | None = None,
                 n_inputs: int | None = None) -> torch.Tensor:
    """The model's raw outputs ``(G2*G1, K)`` over the grid (row-major: x2 slow, x1 fast), or ``(G1, K)``
    over ``x1`` alone when ``x2`` is None (see :func:`grid_points`). Eval mode, restored after."""
    grid = grid_points(x1, x2, n_inputs)
    was_training = model.training
    model.eval()
    try:
        param = next(model.parameters(), None)
        return model(grid.to(param.device if param is not None else "cpu")).float().cpu()
    finally:
        model.train(was_training)


def decision_boundary(model: nn.Module, x1: torch.Tensor, x2: torch.Tensor, n_inputs: int | None = None) -> torch.Tensor:
    """Class probabilities over the grid, ``(K, G2, G1)``: entry ``[k, i, j]`` is p(class k) at
    ``(x1[j], x2[i])`` (rows follow x2, columns x1, as a heatmap draws them). Eval mode, restored after.
    A single-logit model gives K = 2 (p(class 0) = 1 - sigmoid)."""
    logits = grid_outputs(model, x1, x2, n_inputs)  # (G2*G1, K)
    return grid_probabilities(logits, len(x2), len(x1))  # (K, G2, G1)


def regression_prediction(model: nn.Module, x1: torch.Tensor, x2: torch.Tensor | None = None,
                          n_inputs: int | None = None) -> torch.Tensor:
    """A regression model's prediction (target units) over the grid: ``(G2, G1)`` (rows follow x2) for
    2-D input, ``(G1,)`` along ``x1`` for 1-D input."""
    return prediction_values(grid_outputs(model, x1, x2, n_inputs), x1, x2)


def prediction_values(outputs: torch.Tensor, x1: torch.Tensor, x2: torch.Tensor | None) -> torch.Tensor:
    """A regression model's grid outputs ``(M, 1)`` as ``(G2, G1)`` (2-D input) or ``(G1,)`` (1-D)."""
    out = outputs[:, 0]  # (M,)
    return out if x2 is None else out.reshape(len(x2), len(x1))  # (G2, G1)
