"""A race: runs of one base spec that differ in one setting, started together to compare them.

Every run keeps the base's ``training.seed`` and data set, so runs whose networks have the same
parameter shapes start from identical weights and, with the same ``batch_size``, see the same batches
in the same order; only the raced setting differs.
"""

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nnplay.spec.errors import SpecError
from nnplay.spec.layers import LAYER_FAMILIES
from nnplay.spec.network import JobSpec, Name

ACTIVATIONS = LAYER_FAMILIES["pointwise_activation"]
RaceField = Literal["training.optimizer", "training.batch_size", "training.loss", "training.lr",
                    "training.momentum", "training.weight_decay", "activation", "hidden"]
HIDDEN = re.compile(r"^([1-8])x([1-9][0-9]{0,3})$")  # "<depth>x<width>": 1-8 hidden layers of 1-9999 units


class RaceSpec(BaseModel):
    """``field``: the setting raced, a path in the job spec, ``activation`` (every activation
    layer of the network takes the value: one of relu, leaky_relu, sigmoid, tanh, gelu), or ``hidden``
    (deep vs fat: the MLP's hidden layers become ``"<depth>x<width>"``, e.g. ``"1x64"`` or ``"4x16"``:
    depth linear layers of width units, each followed by the base's first activation; the layers before
    the first linear, e.g. flatten, and the output layer are kept; each run's job reports its parameters).
    ``values``: 2 to 8 distinct values, one run each, in this order."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    name: Name | None = None
    base: JobSpec
    field: RaceField
    values: list[str | int | float] = Field(min_length=2, max_length=8)


def label(value) -> str:
    """A value as the legend names it."""
    return str(value)


def race_specs(race: RaceSpec) -> list[JobSpec]:
    """One validated JobSpec per value, named ``<race name> · <field> = <value>``.

    Raises SpecError at ``values[i]`` for a value the field does not take (pydantic's reason), and
    at ``values`` for repeated values or an ``activation`` race on a network without activations.
    """
    if len({(type(v).__name__, v) for v in race.values}) != len(race.values):
        raise SpecError(("values",), "the values must be distinct")
    base = race.base.model_dump(mode="json")
    title = race.name or race.base.name or f"{race.base.dataset.name} race"
    return [_one(race, base, i, value, title) for i, value in enumerate(race.values)]


def _one(race: RaceSpec, base: dict, i: int, value, title: str) -> JobSpec:
    spec = {**base, "name": f"{title} · {race.field} = {label(value)}"[:200]}
    if race.field == "activation":
        spec["network"] = {**base["network"], "layers": _with_activation(base["network"].get("layers") or [], value, i)}
    elif race.field == "hidden":
        spec["network"] = {**base["network"], "layers": with_hidden(base["network"].get("layers") or [], value, i)}
    else:
        section, key = race.field.split(".")
        spec[section] = {**base[section], key: value}
    try:
        return JobSpec.model_validate(spec)
    except ValidationError as err:
        first = err.errors()[0]
        raise SpecError(("values", i), f"{race.field} = {value!r}: {first['msg']}") from None


def _with_activation(layers: list[dict], value, i: int) -> list[dict]:
    if value not in ACTIVATIONS:
        raise SpecError(("values", i), f"activation {value!r}: expected one of {', '.join(ACTIVATIONS)}")
    if not any(layer["type"] in ACTIVATIONS for layer in layers):
        raise SpecError(("values",), "the base network has no activation layer to race")
    return [{"type": value} if layer["type"] in ACTIVATIONS else layer for layer in layers]


def with_hidden(layers: list[dict], value, i: int) -> list[dict]:
    """``layers`` (an MLP) with its hidden part replaced by ``value`` = ``"<depth>x<width>"`` linear layers,
    each followed by the first activation of the base (relu when it has none). Raises SpecError at
    ``values[i]`` for a value not of that form, at ``values`` for a network without a linear output layer."""
    match = HIDDEN.match(value) if isinstance(value, str) else None
    if match is None:
        raise SpecError(("values", i), f"hidden {value!r}: expected '<depth>x<width>', e.g. '1x64' or '4x16' "
                        "(1-8 hidden layers of 1-9999 units)")
    linear = [k for k, layer in enumerate(layers) if layer["type"] == "linear"]
    if not linear:
        raise SpecError(("values",), "the base network has no linear layers: the hidden race reshapes an MLP")
    act = next((layer for layer in layers[linear[0]:] if layer["type"] in ACTIVATIONS), {"type": "relu"})
    depth, width = int(match.group(1)), int(match.group(2))
    hidden = [block for _ in range(depth) for block in ({"type": "linear", "out_features": width}, dict(act))]
    return [*layers[:linear[0]], *hidden, layers[linear[-1]], *layers[linear[-1] + 1:]]
