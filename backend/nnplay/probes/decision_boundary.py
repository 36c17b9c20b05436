"""The model's output over a 2-D grid spanning the data: the decision boundary of a classifier."""

import torch
from torch import nn

GRID_DIMS = ["row", "col"]


def grid_axes(points: torch.Tensor, resolution: int, margin: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """Axes ``x1`` ``(G,)`` and ``x2`` ``(G,)`` covering ``points`` ``(N, 2)`` plus ``margin`` of the
    range on each side, in the model's (standardised) input units."""
    lo, hi = points.min(0).values, points.max(0).values  # (2,), (2,)
    pad = (hi - lo) * margin
    lo, hi = lo - pad, hi + pad
    return (torch.linspace(float(lo[0]), float(hi[0]), resolution),
            torch.linspace(float(lo[1]), float(hi[1]), resolution))


def grid_points(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """The grid's points ``(G2*G1, 2)`` row by row: point ``i * G1 + j`` is ``(x1[j], x2[i])``."""
    g2, g1 = torch.meshgrid(x2, x1, indexing="ij")  # (G2, G1) each
    return torch.stack([g1.reshape(-1), g2.reshape(-1)], dim=1)  # (G2*G1, 2)


def grid_probabilities(logits: torch.Tensor, g2: int, g1: int) -> torch.Tensor:
    """Class probabilities ``(K, G2, G1)`` from the grid's logits ``(G2*G1, K)``; a single logit gives
    K = 2 (p(class 0) = 1 - sigmoid)."""
    if logits.shape[1] == 1:
        p1 = torch.sigmoid(logits[:, 0])
        probs = torch.stack([1 - p1, p1], dim=1)
    else:
        probs = torch.softmax(logits, dim=1)
    return probs.T.reshape(-1, g2, g1)  # (K, G2, G1)


@torch.no_grad()
def decision_boundary(model: nn.Module, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """Class probabilities over the grid, ``(K, G2, G1)``: entry ``[k, i, j]`` is p(class k) at
    ``(x1[j], x2[i])`` (rows follow x2, columns x1, as a heatmap draws them). Eval mode, restored after.
    A single-logit model gives K = 2 (p(class 0) = 1 - sigmoid)."""
    was_training = model.training
    model.eval()
    try:
        param = next(model.parameters(), None)
        grid = grid_points(x1, x2).to(param.device if param is not None else "cpu")
        logits = model(grid).float().cpu()  # (G2*G1, K)
    finally:
        model.train(was_training)
    return grid_probabilities(logits, len(x2), len(x1))
