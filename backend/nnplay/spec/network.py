"""NetworkSpec and JobSpec, and shape inference over the layer list.

Shape inference walks the layers with the data set's example shape (batch dimension excluded) and
raises :class:`~nnplay.spec.errors.ShapeError` at the first layer that cannot take what reaches it,
with its index, the field at fault, the incoming shape and what was expected.
"""

import unicodedata
from math import prod
from typing import Annotated, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import ShapeError, SpecError
from nnplay.spec.layers import ATTENTION_TYPES, LAYER_FAMILIES, RECURRENT_TYPES, LayerShapeError, LayerSpec, Shape, fmt
from nnplay.spec.training import TrainingSpec
from nnplay.spec.word2vec import Word2VecSpec


def no_control_characters(value: str) -> str:
    """``value`` unchanged; ValueError naming the first control character (Unicode category Cc: NUL,
    newline, tab, escape, DEL, C1 codes): a name is shown in lists and written into exported code."""
    for i, ch in enumerate(value):
        if unicodedata.category(ch) == "Cc":
            raise ValueError(f"a name cannot hold control characters: {ch!r} at position {i}")
    return value


# the schema states the rule as a pattern (clients and fuzzers see it); the validator gives the message
Name = Annotated[str, Field(max_length=200, json_schema_extra={"pattern": "^[^\x00-\x1f\x7f-\x9f]*$"}),
                 AfterValidator(no_control_characters)]
"""A job or race name: up to 200 characters, none of them a control character."""


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

    name: Name | None = None
    dataset: DatasetSpec
    network: AnyNetwork
    training: TrainingSpec = Field(default_factory=TrainingSpec)


class LayerSummary(BaseModel):
    """One row of the summary table; ``output_shape`` excludes the batch dimension."""

    index: int
    type: str
    output_shape: list[int]
    params: int
    arithmetic: str | None = Field(None, description="conv/pool layers: the output-size formula "
                                   "floor((n + 2p - k)/s) + 1 with this layer's numbers")


class NetworkSummary(BaseModel):
    """The summary table of a network on a data set, with totals and warnings."""

    input_shape: list[int]
    output_shape: list[int]
    layers: list[LayerSummary]
    total_params: int
    warnings: list[str] = []
    panels: list[str] = Field([], description="What the job will stream, one name per probe "
                              "(nnplay.probes.registry): the page shows these panels")
    messages: dict[str, int] = Field({}, description="Estimated bytes of the largest websocket message of each "
                                     "probe type the job streams (after any window), against max_message_kb.")


def bind_vocab(network: NetworkSpec, vocab_size: int | None) -> NetworkSpec:
    """The network with a leading ``embedding``'s ``num_embeddings`` set to ``vocab_size`` when it was
    left out (text data); unchanged otherwise."""
    first = network.layers[0]
    if vocab_size is None or first.type != "embedding" or first.num_embeddings is not None:
        return network
    layers = [first.model_copy(update={"num_embeddings": vocab_size}), *network.layers[1:]]
    return network.model_copy(update={"layers": layers})


def _check_tokens(index: int, layer, tokens: bool, vocab_size: int | None) -> None:
    """Token ids (text data) must meet an embedding, and an embedding nothing else."""
    if tokens and not layer.takes_tokens:
        raise ShapeError(index, None, f"layer {index} ({layer.type}): the data set gives int64 token ids (T,); "
                         "start the network with an embedding layer that turns them into vectors")
    if layer.takes_tokens and not tokens:
        raise ShapeError(index, None, f"layer {index} ({layer.type}) takes token ids from a text data set, "
                         "but receives real-valued input; use it first on a text data set, or remove it")
    if layer.takes_tokens and layer.num_embeddings is not None and layer.num_embeddings != vocab_size:
        raise ShapeError(index, "num_embeddings", f"layer {index} ({layer.type}): num_embeddings is "
                         f"{layer.num_embeddings} but the vocabulary has {vocab_size} tokens; leave it out to infer it")


def _check_chain(index: int, layer, previous, shape: Shape) -> None:
    """A recurrent layer right after one that returns only its last step: the fix is on the previous one."""
    if layer.type in RECURRENT_TYPES and previous is not None and previous.type in RECURRENT_TYPES \
            and not previous.return_sequences and len(shape) == 1:
        raise ShapeError(index - 1, "return_sequences", f"layer {index - 1} ({previous.type}) has return_sequences "
                         f"false and outputs {fmt(shape)}, one vector per example, but layer {index} ({layer.type}) "
                         "needs a sequence (time, features); set return_sequences true on layer "
                         f"{index - 1}")


def infer_shapes(network: NetworkSpec, input_shape: Shape, vocab_size: int | None = None) -> list[LayerSummary]:
    """Output shape and parameter count of every layer for one example shaped ``input_shape``.

    ``vocab_size`` is given for text data (int64 token ids ``(T,)``), None for real-valued input.
    Raises ShapeError(index, field, message) at the first layer that refuses its input.
    """
    network = bind_vocab(network, vocab_size)
    rows, shape = [], tuple(input_shape)
    for index, layer in enumerate(network.layers):
        _check_tokens(index, layer, index == 0 and vocab_size is not None, vocab_size)
        _check_chain(index, layer, network.layers[index - 1] if index else None, shape)
        try:
            out = layer.output_shape(shape)
        except LayerShapeError as err:
            raise ShapeError(index, err.field, f"layer {index} ({layer.type}): {err.message}") from None
        rows.append(LayerSummary(index=index, type=layer.type, output_shape=list(out),
                                 params=layer.param_count(shape), arithmetic=layer.arithmetic(shape)))
        shape = out
    return rows


def check_output(network: NetworkSpec, out_shape: Shape, n_classes: int, loss: str,
                 task: str = "classification", target_shape: Shape = ()) -> None:
    """Refuse a final shape the loss cannot compare with the targets.

    Classification: ``cross_entropy`` needs ``(n_classes,)`` logits; ``mse`` compares with one-hot
    targets ``(n_classes,)``; ``bce_with_logits`` takes one logit for a 2-class set or ``(n_classes,)``.
    Regression: the network ends with ``(1,)`` (the predicted target) and the loss is ``mse``; a
    sequence set's ``target_shape`` ``(horizon,)`` asks for that output instead. Per-step class ids
    ``(N, T)`` (``target_shape`` ``(T,)``, language modelling): logits ``(T, n_classes)`` and
    ``cross_entropy``, averaged over every step. Raises ShapeError, or SpecError at ``training.loss``.
    """
    if task == "regression" and target_shape:
        return _check_values(network, out_shape, target_shape, loss)
    if target_shape:
        return _check_steps(network, out_shape, target_shape[0], n_classes, loss)
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


def _check_values(network: NetworkSpec, out_shape: Shape, target_shape: Shape, loss: str) -> None:
    last = len(network.layers) - 1
    if loss != "mse":
        raise SpecError(("training", "loss"), f"the data set's targets are real values {fmt(target_shape)}; "
                        f"use loss 'mse' (not '{loss}')")
    if tuple(out_shape) != tuple(target_shape):
        field = "out_features" if network.layers[last].type == "linear" and len(out_shape) == 1 else None
        raise ShapeError(last, field, f"the network ends with {fmt(out_shape)} but the targets are "
                         f"{fmt(target_shape)} values; end with a recurrent layer with return_sequences false "
                         f"and a linear layer with out_features {target_shape[-1]}")


def _check_steps(network: NetworkSpec, out_shape: Shape, steps: int, n_classes: int, loss: str) -> None:
    last = len(network.layers) - 1
    if loss != "cross_entropy":
        raise SpecError(("training", "loss"), f"the targets are one class id per step ({steps} steps, "
                        f"{n_classes} classes); use loss 'cross_entropy' (not '{loss}')")
    cross = next((i for i, layer in enumerate(network.layers) if layer.type == "cross_attention"), None)
    if cross is not None and len(out_shape) == 2 and out_shape[0] != steps:
        source = network.layers[cross].source_len + out_shape[0] - steps
        raise ShapeError(cross, "source_len", f"layer {cross} (cross_attention) leaves {out_shape[0]} target steps "
                         f"but the data set's targets have {steps}: its examples hold {source} source tokens, "
                         f"so set source_len to {source}")
    if tuple(out_shape) != (steps, n_classes):
        field = "out_features" if network.layers[last].type == "linear" and len(out_shape) == 2 else None
        raise ShapeError(last, field, f"the network ends with {fmt(out_shape)} but needs per-step logits "
                         f"({steps}, {n_classes}): keep return_sequences true on the last recurrent layer and "
                         f"end with a linear layer with out_features {n_classes}")


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
    warnings += causal_pool_warnings(network) + cross_attention_warnings(network)
    if not any(layer.type in TRAINABLE for layer in network.layers):
        warnings.append("the network has no trainable layer (linear, conv2d, embedding, recurrent or attention)")
    for index, layer in enumerate(network.layers):
        if layer.type in RECURRENT_TYPES and layer.dropout > 0 and layer.num_layers == 1:
            warnings.append(f"layer {index} ({layer.type}): dropout acts between stacked layers only; with "
                            "num_layers 1 it does nothing (add a dropout layer after it instead)")
    return warnings


TRAINABLE = LAYER_FAMILIES["trainable"]


def causal_pool_warnings(network: NetworkSpec) -> list[str]:
    """A ``first`` (CLS) pooling after causal attention: position 0 then sees only itself."""
    out, causal_at = [], None
    for index, layer in enumerate(network.layers):
        if layer.type in ATTENTION_TYPES and layer.causal:
            causal_at = index
        if layer.type == "sequence_pool" and layer.mode == "first" and causal_at is not None:
            out.append(f"layers[{index}].mode: 'first' (CLS) pooling after the causal attention of layer "
                       f"{causal_at}: with a causal mask position 0 attends only to itself, so the pooled vector "
                       "sees the first token alone; use mode 'mean' or 'last', or causal false")
    return out


MIXING = ("rnn", "lstm", "gru", "self_attention", "transformer_encoder")


def cross_attention_warnings(network: NetworkSpec) -> list[str]:
    """A layer that mixes time steps before a ``cross_attention``: it reads source and target side as one
    sequence, so a target position can see target tokens after it (the answer) unless it is causal."""
    types = [layer.type for layer in network.layers]
    if "cross_attention" not in types:
        return []
    cross = types.index("cross_attention")
    return [f"layers[{i}]: {t} before the cross_attention of layer {cross} reads the source and the target side "
            "as one sequence (non-causal layers let a target position see the target tokens after it); keep the "
            "layers before cross_attention per-token (embedding, positional_encoding)"
            for i, t in enumerate(types[:cross]) if t in MIXING]


def summarize(network: NetworkSpec, input_shape: Shape, n_classes: int, loss: str,
              task: str = "classification", *, target_shape: Shape = (),
              vocab_size: int | None = None, target: str = "label") -> NetworkSummary:
    """Full check of a network on a data set: shapes, final shape against the loss, and warnings.

    ``task``, ``target_shape`` and ``vocab_size`` describe the data set (see ``check_output`` and
    ``infer_shapes``); the defaults are a classifier on real-valued input. ``target`` ``"input"``
    checks the final shape against the input instead (reconstruction, an autoencoder).
    """
    rows = infer_shapes(network, input_shape, vocab_size)
    out = tuple(rows[-1].output_shape)
    if target == "input":
        check_reconstruction(network, out, tuple(input_shape))
    else:
        check_output(network, out, n_classes, loss, task, target_shape)
    return NetworkSummary(
        input_shape=list(input_shape), output_shape=list(out), layers=rows,
        total_params=sum(r.params for r in rows), warnings=network_warnings(network, loss),
    )
