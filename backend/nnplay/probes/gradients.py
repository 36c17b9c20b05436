"""Per-layer gradient norms: how much of the loss's gradient reaches each layer."""

import math

import torch
from torch import nn


def trainable_layers(model: nn.Sequential) -> list[int]:
    """Indices of the layers that own parameters (linear, conv2d, batchnorm ...)."""
    return [i for i, module in enumerate(model) if any(True for _ in module.parameters())]


class GradNorms:
    """The L2 norms of a model's gradients after backward, from one fused ``torch._foreach_norm`` call:
    the global norm over ``params`` (what ``torch.nn.utils.clip_grad_norm_`` measures) and, when asked,
    each listed layer's norm (its weights and bias together, over those of its parameters in
    ``params``). A parameter without a gradient yet counts 0. The squares are summed in float64, so a
    float32 norm near its largest value does not overflow in the sum."""

    def __init__(self, model: nn.Sequential, indices: list[int], params: list[torch.Tensor]):
        self.params = params
        where = {id(p): j for j, p in enumerate(params)}
        self.layers = [[where[id(p)] for p in model[i].parameters() if id(p) in where] for i in indices]

    @torch.no_grad()
    def measure(self, per_layer: bool) -> tuple[list[float], float]:
        """``(layer_norms, total)``; ``layer_norms`` is empty unless ``per_layer``. ``inf``/``nan`` where
        a gradient overflows."""
        grads = [p.grad for p in self.params]
        have = [j for j, g in enumerate(grads) if g is not None]
        squares = [0.0] * len(grads)
        if have:
            for j, norm in zip(have, torch.stack(torch._foreach_norm([grads[j] for j in have])).tolist()):
                squares[j] = norm * norm
        layers = [math.sqrt(sum(squares[j] for j in layer)) for layer in self.layers] if per_layer else []
        return layers, math.sqrt(sum(squares))

