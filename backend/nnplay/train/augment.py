"""Data augmentation of image training batches (``training.augment``, :class:`nnplay.spec.training.AugmentSpec`).

Each epoch draws one move per training example from the loop's batch-order generator, right after the
epoch's shuffle (``draw_moves``); each batch applies its examples' moves (``apply_moves``). A checkpoint
keeps that generator's state at the start of the epoch, so a resumed run redraws the same moves and
continues exactly; a run without ``augment`` draws nothing and is unchanged.

The move is one affine resampling (``torch.nn.functional.affine_grid`` / ``grid_sample``, bilinear,
``padding_mode="border"``): a rotation about the image centre and a whole-pixel translation. Without
rotation, bilinear sampling at whole-pixel offsets lands on pixel centres, so the result is the image
shifted by ``(dy, dx)`` pixels with the border rows/columns repeated (to float rounding, about 1e-6).
"""

import math

import torch
import torch.nn.functional as F

from nnplay.spec.training import AugmentSpec


def draw_moves(n: int, augment: AugmentSpec, gen: torch.Generator) -> torch.Tensor:
    """``(n, 3)`` float32 moves, one row ``(dx, dy, angle)`` per training example: ``dx``, ``dy`` whole
    pixels uniform in ``[-shift, shift]`` (positive: right, down), ``angle`` radians uniform in
    ``[-rotate, rotate]`` degrees (positive: clockwise on screen, row 0 at the top); drawn from ``gen``."""
    shifts = torch.randint(-augment.shift, augment.shift + 1, (n, 2), generator=gen).float()  # (n, 2)
    angles = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(augment.rotate)  # (n,)
    return torch.cat([shifts, angles[:, None]], dim=1)  # (n, 3)


def apply_moves(x: torch.Tensor, moves: torch.Tensor) -> torch.Tensor:
    """Images ``x`` ``(N, C, H, W)`` moved by ``moves`` ``(N, 3)`` (``draw_moves``): output pixel ``p``
    (pixel coordinates about the centre) takes the input at ``R(-angle) p - (dx, dy)``, so content moves
    right by ``dx``, down by ``dy`` and turns by ``angle``; outside pixels repeat the border. Returns a new
    ``(N, C, H, W)`` tensor; differentiable, on ``x``'s device."""
    n, _, h, w = x.shape
    moves = moves.to(device=x.device, dtype=x.dtype)
    dx, dy, angle = moves[:, 0], moves[:, 1], moves[:, 2]  # (N,) each
    cos, sin = torch.cos(angle), torch.sin(angle)
    # affine_grid maps output to input in normalised coordinates (x / (W/2), y / (H/2)): the pixel-space
    # rotation R(-angle) becomes [[c, s*H/W], [-s*W/H, c]], a shift of d pixels -2d/W (or -2d/H)
    theta = torch.stack([torch.stack([cos, sin * h / w, -2 * dx / w], dim=1),
                         torch.stack([-sin * w / h, cos, -2 * dy / h], dim=1)], dim=1)  # (N, 2, 3)
    grid = F.affine_grid(theta, [n, x.shape[1], h, w], align_corners=False)  # (N, H, W, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
