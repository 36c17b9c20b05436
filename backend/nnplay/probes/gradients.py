"""Per-layer gradient norms: how much of the loss's gradient reaches each layer."""

import torch
from torch import nn


def trainable_layers(model: nn.Sequential) -> list[int]:
    """Indices of the layers that own parameters (linear, conv2d, batchnorm ...)."""
    return [i for i, module in enumerate(model) if any(True for _ in module.parameters())]


@torch.no_grad()
def layer_grad_norms(model: nn.Sequential, indices: list[int]) -> list[float]:
    """L2 norm of each listed layer's whole gradient (weights and bias together), after backward.

    A layer without a gradient yet counts 0. Uses ``torch._foreach_norm`` (one fused call).
    """
    grads = [[p.grad for p in model[i].parameters() if p.grad is not None] for i in indices]
    flat = [g for layer in grads for g in layer]
    squares = iter(torch.stack(torch._foreach_norm(flat)).square().tolist() if flat else [])  # (P,)
    return [sum(next(squares) for _ in layer) ** 0.5 for layer in grads]
