"""What a loss-surface run asks for: a classic 2-D test function, a start point, the optimizers."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

SurfaceFunction = Literal["rosenbrock", "beale", "saddle"]
SurfaceOptimizer = Literal["sgd", "momentum", "rmsprop", "adam", "adamw"]

# (x range, y range) drawn and allowed for the start point, per function
DOMAINS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "rosenbrock": ((-2.0, 2.0), (-1.0, 3.0)),
    "beale": ((-4.5, 4.5), (-4.5, 4.5)),
    "saddle": ((-2.0, 2.0), (-2.0, 2.0)),
}


class SurfaceSpec(BaseModel):
    """Optimizer paths on a test function, all from ``start`` with the same ``lr`` for ``steps`` steps.

    - ``function``: ``rosenbrock`` (Rosenbrock 1960, minimum 0 at (1, 1)), ``beale`` (Beale 1958,
      minimum 0 at (3, 0.5)) or ``saddle`` (x^2 - y^2, a saddle point at (0, 0), unbounded below).
    - ``start``: ``[x, y]`` inside the function's drawn domain (``DOMAINS``).
    - ``optimizers``: from ``sgd``, ``momentum`` (SGD with ``momentum``), ``rmsprop``, ``adam``,
      ``adamw`` (with ``weight_decay``); torch.optim's own with its defaults otherwise.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    function: SurfaceFunction = "rosenbrock"
    start: list[float] = Field([-1.5, 2.0], min_length=2, max_length=2)
    lr: float = Field(0.01, gt=0.0, le=10.0)
    steps: int = Field(200, ge=1, le=2000)
    optimizers: list[SurfaceOptimizer] = Field(["sgd", "momentum", "rmsprop", "adam", "adamw"], min_length=1,
                                               max_length=5)
    momentum: float = Field(0.9, ge=0.0, lt=1.0)
    weight_decay: float = Field(0.01, ge=0.0, le=10.0)

    @field_validator("start")
    @classmethod
    def _start_in_domain(cls, start: list[float], info: ValidationInfo) -> list[float]:
        function = info.data.get("function")
        if function is None:  # the function itself was refused
            return start
        (x0, x1), (y0, y1) = DOMAINS[function]
        x, y = start
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            raise ValueError(f"start ({x}, {y}) is outside the {function} domain: x in [{x0}, {x1}], "
                             f"y in [{y0}, {y1}]")
        return start

    @field_validator("optimizers")
    @classmethod
    def _distinct(cls, names: list[str]) -> list[str]:
        if len(set(names)) != len(names):
            raise ValueError("optimizers must be distinct")
        return names
