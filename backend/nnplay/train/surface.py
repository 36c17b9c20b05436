"""Optimizer paths on classic 2-D test functions, stepped by torch.optim itself.

Functions: Rosenbrock, "An automatic method for finding the greatest or least value of a function"
(1960), f = (1 - x)^2 + 100 (y - x^2)^2; Beale (1958), f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 +
(2.625 - x + xy^3)^2; the saddle f = x^2 - y^2. Coordinates and values are unitless.
"""

import math
from collections.abc import Callable

import torch

from nnplay.spec.surface import DOMAINS, SurfaceSpec

FUNCTIONS: dict[str, Callable] = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    "saddle": lambda x, y: x ** 2 - y ** 2,
}
MINIMA = {"rosenbrock": (1.0, 1.0), "beale": (3.0, 0.5), "saddle": None}
LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}


def make_optimizer(name: str, params: list[torch.Tensor], spec: SurfaceSpec) -> torch.optim.Optimizer:
    """torch.optim's optimizer for a path: ``momentum`` is SGD with ``spec.momentum``; ``adamw`` decays
    the weights by ``spec.weight_decay``; the rest use torch's defaults."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=spec.lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=spec.lr, momentum=spec.momentum)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=spec.lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=spec.lr)
    return torch.optim.AdamW(params, lr=spec.lr, weight_decay=spec.weight_decay)


def path(spec: SurfaceSpec, name: str) -> dict:
    """``{"optimizer", "label", "x", "y", "loss", "diverged"}``: the start and the point after each
    step (``steps + 1`` entries, float64). The path ends early, ``diverged`` true, at the first
    non-finite value or one more than 1e6 outside the domain."""
    f = FUNCTIONS[spec.function]
    p = torch.tensor(spec.start, dtype=torch.float64, requires_grad=True)  # (2,)
    opt = make_optimizer(name, [p], spec)
    xs, ys, losses = [spec.start[0]], [spec.start[1]], [float(f(*p.detach()))]
    for _ in range(spec.steps):
        opt.zero_grad()
        f(p[0], p[1]).backward()
        opt.step()
        x, y = p.detach().tolist()
        value = float(f(x, y))
        if not all(math.isfinite(v) and abs(v) < 1e6 for v in (x, y)) or not math.isfinite(value):
            return {"optimizer": name, "label": LABELS[name], "x": xs, "y": ys, "loss": losses, "diverged": True}
        xs.append(x)
        ys.append(y)
        losses.append(value)
    return {"optimizer": name, "label": LABELS[name], "x": xs, "y": ys, "loss": losses, "diverged": False}


def surface_grid(function: str, resolution: int = 120) -> dict:
    """The function over its domain: axes ``x`` ``(G,)``, ``y`` ``(G,)`` and values ``z`` ``(G, G)``
    (row i = y[i]), with the value range."""
    (x0, x1), (y0, y1) = DOMAINS[function]
    x, y = torch.linspace(x0, x1, resolution, dtype=torch.float64), torch.linspace(y0, y1, resolution, dtype=torch.float64)
    gy, gx = torch.meshgrid(y, x, indexing="ij")  # (G, G) each
    z = FUNCTIONS[function](gx, gy)  # (G, G)
    return {"x": x.round(decimals=4).tolist(), "y": y.round(decimals=4).tolist(),
            "z": z.round(decimals=4).tolist(), "vmin": float(z.min()), "vmax": float(z.max())}


def run_surface(spec: SurfaceSpec) -> dict:
    """The grid and every optimizer's path: what ``POST /api/surface`` answers (with the momentum and
    weight decay the paths used, so the page can name them)."""
    return {"function": spec.function, "domain": DOMAINS[spec.function], "minimum": MINIMA[spec.function],
            "start": list(spec.start), "lr": spec.lr, "steps": spec.steps, "momentum": spec.momentum,
            "weight_decay": spec.weight_decay, "grid": surface_grid(spec.function),
            "paths": [path(spec, name) for name in spec.optimizers]}
