"""NetworkSpec and JobSpec, and shape inference over the layer list.

Shape inference walks the layers with the data set's example shape (batch dimension excluded) and
raises :class:`~nnplay.spec.errors.ShapeError` at the first layer that cannot take what reaches it,
with its index, the field at fault, the incoming shape and what was expected.
"""

from math import prod
from typing import Annotated, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import ShapeError, SpecError
from nnplay.spec.layers import LayerShapeError, LayerSpec, Shape, fmt
from nnplay.spec.training import TrainingSpec
from nnplay.spec.word2vec import Word2VecSpec


class NetworkSpec(BaseModel):
    """An ordered list of layers applied one after the other (a ``torch.nn.Sequential``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    layers: list[LayerSpec] = Field(min_length=1, max_length=200)


NETWORK_KINDS = ("layers", "word2vec")


def network_kind(value) -> str:
    """``"word2vec"`` for ``{"type": "word2vec", ...}``, else ``"layers"`` (a layer list)."""
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "word2vec" if kind == "word2vec" else "layers"


AnyNetwork = Annotated[Union[Annotated[NetworkSpec, Tag("layers")], Annotated[Word2VecSpec, Tag("word2vec")]],
                       Discriminator(network_kind)]


class JobSpec(BaseModel):
    """Everything a training job needs: ``{"name"?, "dataset", "network", "training"}``.

    ``network`` is a layer list (``{"layers": [...]}``) or a word2vec model (``{"type": "word2vec", ...}``,
    see :mod:`nnplay.spec.word2vec`), which trains on a word corpus.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    name: str | None = Field(None, max_length=200)
    dataset: DatasetSpec
    network: AnyNetwork
    training: TrainingSpec = Field(default_factory=TrainingSpec)


class LayerSummary(BaseModel):
    """One row of the summary table; ``output_shape`` excludes the batch dimension."""

    index: int
    type: str
    output_shape: list[int]
    params: int


class NetworkSummary(BaseModel):
    """The summary table of a network on a data set, with totals and warnings."""

    input_shape: list[int]
    output_shape: list[int]
    layers: list[LayerSummary]
    total_params: int
    warnings: list[str] = []


def infer_shapes(network: NetworkSpec, input_shape: Shape) -> list[LayerSummary]:
    """Output shape and parameter count of every layer for one example shaped ``input_shape``.

    Raises ShapeError(index, field, message) at the first layer that refuses its input.
    """
    rows, shape = [], tuple(input_shape)
    for index, layer in enumerate(network.layers):
        try:
            out = layer.output_shape(shape)
        except LayerShapeError as err:
            raise ShapeError(index, err.field, f"layer {index} ({layer.type}): {err.message}") from None
        rows.append(LayerSummary(index=index, type=layer.type, output_shape=list(out),
                                 params=layer.param_count(shape)))
        shape = out
    return rows


def check_output(network: NetworkSpec, out_shape: Shape, n_classes: int, loss: str,
                 task: str = "classification") -> None:
    """Refuse a final shape the loss cannot compare with the targets.

    Classification: ``cross_entropy`` needs ``(n_classes,)`` logits; ``mse`` compares with one-hot
    targets ``(n_classes,)``; ``bce_with_logits`` takes one logit for a 2-class set or ``(n_classes,)``.
    Regression: the network ends with ``(1,)`` (the predicted target) and the loss is ``mse``.
    """
    last = len(network.layers) - 1
    want_n = 1 if task == "regression" else n_classes
    if len(out_shape) != 1:
        kind = "a regression network" if task == "regression" else "a classifier"
        raise ShapeError(last, None, f"the network ends with shape {fmt(out_shape)}; {kind} must end "
                         f"with ({want_n},): add a flatten and a linear layer with out_features {want_n}")
    if task == "regression":
        if loss != "mse":
            raise SpecError(("training", "loss"), f"regression needs loss 'mse' (squared error); '{loss}' "
                            "compares class scores with class labels")
        allowed, what = {1}, "one target value; regression needs 1 output"
    else:
        allowed = {n_classes} | ({1} if loss == "bce_with_logits" and n_classes == 2 else set())
        what = f"{n_classes} classes; loss '{loss}' needs {' or '.join(str(a) for a in sorted(allowed))} outputs"
    if out_shape[0] not in allowed:
        field = "out_features" if network.layers[last].type == "linear" else None
        raise ShapeError(last, field, f"the network outputs {out_shape[0]} values but the data set has {what}")


def check_reconstruction(network: NetworkSpec, out_shape: Shape, in_shape: Shape) -> None:
    """Refuse a final shape that cannot be compared with the input (``dataset.target`` ``"input"``):
    the output must hold as many values as one example (``(64,)`` or ``(1, 8, 8)`` for digits)."""
    if prod(out_shape) != prod(in_shape):
        last = len(network.layers) - 1
        field = "out_features" if network.layers[last].type == "linear" else None
        raise ShapeError(last, field, f"the network outputs {fmt(out_shape)} but reconstructs its input "
                         f"{fmt(in_shape)}: end with a linear layer with out_features {prod(in_shape)}")


def network_warnings(network: NetworkSpec, loss: str) -> list[str]:
    """Advice that does not stop training, e.g. a softmax before ``cross_entropy``."""
    warnings, last = [], network.layers[-1].type
    if last == "softmax" and loss == "cross_entropy":
        warnings.append("the last layer is softmax and cross_entropy applies log-softmax itself: softmax is "
                        "applied twice, which slows learning; remove the softmax layer")
    if last in ("sigmoid", "softmax") and loss == "bce_with_logits":
        warnings.append(f"bce_with_logits applies a sigmoid itself; the final {last} squashes twice")
    if last in ("relu", "sigmoid", "softmax", "tanh") and loss == "mse":  # (also bounds a regression output)
        warnings.append(f"the final {last} limits the outputs' range; one-hot targets may still be reachable")
    warnings += causal_pool_warnings(network)
    if not any(layer.type in ("linear", "conv2d") for layer in network.layers):
        warnings.append("the network has no trainable layer (linear or conv2d)")
    return warnings


def causal_pool_warnings(network: NetworkSpec) -> list[str]:
    """A ``first`` (CLS) pooling after causal attention: position 0 then sees only itself."""
    out, causal_at = [], None
    for index, layer in enumerate(network.layers):
        if layer.type in ("self_attention", "transformer_encoder") and layer.causal:
            causal_at = index
        if layer.type == "sequence_pool" and layer.mode == "first" and causal_at is not None:
            out.append(f"layers[{index}].mode: 'first' (CLS) pooling after the causal attention of layer "
                       f"{causal_at}: with a causal mask position 0 attends only to itself, so the pooled vector "
                       "sees the first token alone; use mode 'mean' or 'last', or causal false")
    return out


def summarize(network: NetworkSpec, input_shape: Shape, n_classes: int, loss: str,
              task: str = "classification", target: str = "label") -> NetworkSummary:
    """Full check of a network on a data set: shapes, final shape against the loss and task (``target``
    ``"label"``) or against the input (``"input"``, reconstruction), and warnings."""
    rows = infer_shapes(network, input_shape)
    out = tuple(rows[-1].output_shape)
    if target == "input":
        check_reconstruction(network, out, tuple(input_shape))
    else:
        check_output(network, out, n_classes, loss, task)
    return NetworkSummary(
        input_shape=list(input_shape), output_shape=list(out), layers=rows,
        total_params=sum(r.params for r in rows), warnings=network_warnings(network, loss),
    )
