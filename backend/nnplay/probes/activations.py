"""Activation functions explained: each pointwise activation's curve and derivative, and per activation
layer the share of its units in saturation on a fixed probe batch.

Curves (:func:`activation_curve`) are the layer's own torch module evaluated over ``CURVE_RANGE`` and
differentiated by autograd, so what is drawn is what the network computes (``leaky_relu``'s
``negative_slope`` included). The course's closed forms (``FORMULAS``: ``σ' = σ(1 - σ)``,
``tanh' = 1 - tanh²``, ...) are written next to them; a test holds autograd's derivative equal to each
closed form.

Saturation (:func:`saturation`): a unit ``u`` of an activation layer is *saturated* on an example when
``|f'(z_u)| < SATURATION_FRACTION * max|f'|``, ``z_u`` its pre-activation (the layer's input) and the
maximum taken over the real line (``σ'`` peaks at 1/4, ``tanh'`` and ``relu'`` at 1, ``gelu'`` at about
1.129). With the fraction 0.05 a sigmoid unit saturates for ``|z| > 4.37`` (``σ' < 0.0125``), a tanh
unit for ``|z| > 2.30`` (``tanh' < 0.05``), a relu unit for ``z <= 0`` (``relu' = 0``). Two shares per
layer: ``saturated``, over (example, unit) pairs; ``dead``, over units, of those saturated on every
probe example (for relu: dead units, zero for all probe examples; no gradient flows back through them).
Units are every entry of the layer's output per example (features, or channel x row x col).
"""

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from nnplay.nn.builder import BUILDERS
from nnplay.probes.arrays import array_payload
from nnplay.probes.budget import activation_curves_bytes, saturation_bytes
from nnplay.spec.layers import in_family

SATURATION_FRACTION = 0.05  # |f'| below this fraction of max|f'| counts as saturated
CURVE_RANGE = (-6.0, 6.0)  # input range of the drawn curves (pre-activation units)
CURVE_POINTS = 121  # points of each drawn curve (a step of 0.1)
PEAK_GRID = torch.linspace(-10.0, 10.0, 20001, dtype=torch.float64)  # where max|f'| is searched (step 0.001)
PROBE_EXAMPLES = 128  # the fixed probe batch: the first test examples (all of them when fewer)


@dataclass(frozen=True)
class Formula:
    """The course's formulas of one activation: ``value`` f(x) and ``derivative`` f'(x) as text, and
    ``closed_form(x, f(x), module)`` computing f'(x) from them (checked against autograd in a test)."""

    value: str
    derivative: str
    closed_form: Callable[[torch.Tensor, torch.Tensor, nn.Module], torch.Tensor]


def _normal_pdf(x: torch.Tensor) -> torch.Tensor:
    return torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


# One entry per pointwise activation layer type (LAYER_FAMILIES["pointwise_activation"]; a test holds
# the two equal). Sources: sigmoid and tanh derivatives as the course writes them; GELU: Hendrycks &
# Gimpel (2016), f = x Φ(x), f' = Φ(x) + x φ(x) (torch's exact, erf form).
FORMULAS: dict[str, Formula] = {
    "sigmoid": Formula("σ(x) = 1 / (1 + e^(−x))", "σ'(x) = σ(x)·(1 − σ(x))",
                       lambda x, y, m: y * (1 - y)),
    "tanh": Formula("tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))", "tanh'(x) = 1 − tanh²(x)",
                    lambda x, y, m: 1 - y * y),
    "relu": Formula("relu(x) = max(0, x)", "relu'(x) = 1 if x > 0, else 0",
                    lambda x, y, m: (x > 0).to(x.dtype)),
    "leaky_relu": Formula("f(x) = x if x > 0, else α·x", "f'(x) = 1 if x > 0, else α",
                          lambda x, y, m: torch.where(x > 0, 1.0, m.negative_slope).to(x.dtype)),
    "gelu": Formula("gelu(x) = x·Φ(x)", "gelu'(x) = Φ(x) + x·φ(x)",
                    lambda x, y, m: _normal_cdf(x) + x * _normal_pdf(x)),
}


def activation_layers(types: list[str]) -> list[int]:
    """Indices of the pointwise activation layers (relu, leaky_relu, sigmoid, tanh, gelu) of a
    layer-type list; softmax (not one value in, one out) is left out."""
    return [i for i, t in enumerate(types) if in_family(t, "pointwise_activation")]


def derivative(module: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """``f'(z)`` elementwise for a pointwise activation ``module``, by autograd: the gradient of
    ``sum(f(z))`` with respect to ``z`` (any shape; the result has ``z``'s shape and dtype). At a kink
    (relu at 0) it is torch's own choice (0)."""
    with torch.enable_grad():
        z = z.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(module(z).sum(), z)
    return grad


def peak_derivative(module: nn.Module) -> float:
    """``max |f'(x)|`` of ``module`` over ``PEAK_GRID`` (-10..10, step 0.001), float64: 0.25 for
    sigmoid, 1 for tanh/relu/leaky_relu, about 1.1289 for gelu."""
    return float(derivative(module, PEAK_GRID).abs().max())


def activation_curve(layer_type: str, module: nn.Module) -> dict:
    """The curve of one activation: ``x`` ``(X,)`` over ``CURVE_RANGE``, ``value`` f(x) ``(X,)`` and
    ``derivative`` f'(x) ``(X,)`` (autograd, float64 computed, float32 sent), ``peak`` max|f'|, the
    saturation ``threshold`` (``SATURATION_FRACTION * peak``) and the course's formulas."""
    x = torch.linspace(*CURVE_RANGE, CURVE_POINTS, dtype=torch.float64)  # (X,)
    formula = FORMULAS[layer_type]
    peak = peak_derivative(module)
    with torch.no_grad():
        y = module(x)  # (X,)
    return {"type": layer_type, "formula": formula.value, "derivative_formula": formula.derivative,
            "peak": peak, "threshold": SATURATION_FRACTION * peak, "x": array_payload(x, ["x"]),
            "value": array_payload(y, ["x"]), "derivative": array_payload(derivative(module, x), ["x"])}


def capture_inputs(model: nn.Module, indices: list[int], x: torch.Tensor) -> dict[int, torch.Tensor]:
    """The inputs (pre-activations) of modules ``model[i]`` for ``i`` in ``indices`` during one forward
    pass of ``x`` ``(N, ...)`` in eval mode under no_grad (the mode is restored after), by forward
    pre-hooks: ``{i: (N, ...)}``, detached."""
    captured: dict[int, torch.Tensor] = {}
    hooks = [model[i].register_forward_pre_hook(lambda m, args, i=i: captured.__setitem__(i, args[0].detach()))
             for i in indices]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    finally:
        model.train(was_training)
        for hook in hooks:
            hook.remove()
    return captured


def layer_saturation(module: nn.Module, z: torch.Tensor, threshold: float) -> tuple[float, float]:
    """``(saturated, dead)`` of one activation layer from its pre-activations ``z`` ``(N, ...)``:
    ``saturated`` the share of the N x U (example, unit) pairs with ``|f'(z)| < threshold``, ``dead`` the
    share of the U units (every entry past the batch axis) below it on all N examples."""
    low = derivative(module, z.float()).abs().flatten(1) < threshold  # (N, U)
    return float(low.float().mean()), float(low.all(dim=0).float().mean())


def saturation(model: nn.Module, types: list[str], x: torch.Tensor, thresholds: dict[str, float]) -> list[dict]:
    """Per pointwise activation layer of ``model`` (``types`` its layer types), for the probe batch
    ``x`` ``(N, ...)``: ``{"index", "type", "units", "saturated", "dead"}`` (shares in 0..1, see
    :func:`layer_saturation`); ``thresholds``: layer type -> |f'| threshold (:func:`activation_curve`'s)."""
    indices = activation_layers(types)
    inputs = capture_inputs(model, indices, x)
    out = []
    for i in indices:
        saturated, dead = layer_saturation(model[i], inputs[i], thresholds[types[i]])
        out.append({"index": i, "type": types[i], "units": int(inputs[i][0].numel()),
                    "saturated": saturated, "dead": dead})
    return out


def activation_curves(layers) -> list[dict]:
    """One curve per pointwise activation type in ``layers`` (layer specs), in order of first use, each
    from a module built as the builder builds the type's first layer (its own ``negative_slope``)."""
    first = {}
    for i in activation_layers([layer.type for layer in layers]):
        first.setdefault(layers[i].type, layers[i])
    return [activation_curve(t, BUILDERS[t](**layer.resolved(()))) for t, layer in first.items()]


class ActivationsProbe:
    """The ``activations`` panel's probe (its registry entry names this class; ``nnplay.train.probing``
    builds it for a job that selects the panel): the curves once, the saturation at every probe step."""

    def __init__(self, spec, split, device: torch.device, max_message_kb: float = 1024.0):
        """``spec``: the JobSpec; ``split``: its data (``nnplay.data.registry.Split``); the probe batch
        is the first ``PROBE_EXAMPLES`` test examples ``(N, ...)`` on ``device``. (``max_message_kb``: its
        messages are small whatever the limit.)"""
        self.types = [layer.type for layer in spec.network.layers]
        self.curves = activation_curves(spec.network.layers)
        self.x_probe = split.x_test[:PROBE_EXAMPLES].to(device)  # (N, ...) the fixed probe batch

    def start_events(self) -> list[dict]:
        """The ``activation_curves`` message, sent once before training."""
        return [{"type": "activation_curves", "step": 0, "fraction": SATURATION_FRACTION, "curves": self.curves}]

    def events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        """Each activation layer's saturated and dead shares on the probe batch (:func:`saturation`)."""
        thresholds = {c["type"]: c["threshold"] for c in self.curves}
        return [{"type": "saturation", "step": step, "epoch": epoch, "examples": len(self.x_probe),
                 "fraction": SATURATION_FRACTION, "layers": saturation(model, self.types, self.x_probe, thresholds)}]

    @staticmethod
    def message_sizes(layers, info=None, max_message_kb: float = 1024.0) -> dict[str, int]:
        """Estimated bytes of the probe's two messages for ``layers`` (layer specs; ``info`` and the
        limit do not change them); none without a pointwise activation layer."""
        types = [layer.type for layer in layers]
        indices = activation_layers(types)
        if not indices:
            return {}
        used = dict.fromkeys(types[i] for i in indices)
        formulas = [(FORMULAS[t].value, FORMULAS[t].derivative) for t in used]
        return {"activation_curves": activation_curves_bytes(formulas, CURVE_POINTS),
                "saturation": saturation_bytes(len(indices))}
