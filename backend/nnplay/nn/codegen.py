"""Renders a job's network as a standalone Python file that rebuilds it with plain PyTorch.

The file needs only ``torch`` (no nnplay): a ``class Net(nn.Module)`` whose ``self.layers`` is an
``nn.Sequential`` in which module ``i`` is ``network.layers[i]``, built with the same constructor
arguments as :func:`nnplay.nn.builder.build_network` (in-sizes inferred from the shapes), and a
``load(path)`` helper for the model file that ``GET /api/jobs/{id}/model`` serves.

Weights: that model file's ``state_dict`` has the keys of the builder's Sequential (``"0.weight"``,
``"1.running_mean"``, ...), so it loads into ``Net().layers``; ``Net``'s own keys carry a ``layers.``
prefix. ``load(path)`` does the former.

Every layer type of :data:`nnplay.spec.layers.LAYER_TYPES` has exactly one renderer here; a test holds
the registry complete and checks each rendered module against the builder's. Pure: no I/O.
"""

import inspect
from collections.abc import Callable, Sequence

from nnplay.nn import attention, recurrent
from nnplay.spec.layers import RECURRENT_TYPES, Shape
from nnplay.spec.network import JobSpec, NetworkSpec, bind_vocab, infer_shapes

Renderer = Callable[[dict], str]


def _call(constructor: str) -> Renderer:
    """A renderer writing ``constructor(k=v, ...)`` with the layer's resolved arguments as literals."""
    return lambda kwargs: f"{constructor}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def _fixed(expression: str) -> Renderer:
    """A renderer for a module the builder makes without spec arguments (e.g. flatten)."""
    return lambda _kwargs: expression


RENDERERS: dict[str, Renderer] = {
    "linear": _call("nn.Linear"),
    "conv2d": _call("nn.Conv2d"),
    "maxpool2d": _call("nn.MaxPool2d"),
    "avgpool2d": _call("nn.AvgPool2d"),
    "flatten": _fixed("nn.Flatten(start_dim=1)"),
    "dropout": _call("nn.Dropout"),
    "batchnorm1d": _call("nn.BatchNorm1d"),
    "batchnorm2d": _call("nn.BatchNorm2d"),
    "local_response_norm": _call("nn.LocalResponseNorm"),
    "relu": _call("nn.ReLU"),
    "leaky_relu": _call("nn.LeakyReLU"),
    "sigmoid": _call("nn.Sigmoid"),
    "tanh": _call("nn.Tanh"),
    "gelu": _call("nn.GELU"),
    "softmax": _fixed("nn.Softmax(dim=-1)"),
    "positional_encoding": _call("PositionalEncoding"),
    "self_attention": _call("SelfAttention"),
    "cross_attention": _call("CrossAttention"),
    "transformer_encoder": _call("TransformerEncoder"),
    "sequence_pool": _call("SequencePool"),
    "embedding": _call("nn.Embedding"),
    "rnn": _call("SequenceRNN"),
    "lstm": _call("SequenceLSTM"),
    "gru": _call("SequenceGRU"),
}
RECURRENT_CLASSES = {"rnn": recurrent.SequenceRNN, "lstm": recurrent.SequenceLSTM, "gru": recurrent.SequenceGRU}


def class_sources(network: NetworkSpec) -> str:
    """Source of the nnplay module classes the generated file needs (the batch-first recurrent
    wrappers of ``nnplay.nn.recurrent``, which need only torch); empty when it needs none."""
    used = [t for t in RECURRENT_TYPES if any(layer.type == t for layer in network.layers)]
    if not used:
        return ""
    parts = [inspect.getsource(recurrent.last_state), inspect.getsource(recurrent.ReturnSequences)]
    parts += [inspect.getsource(RECURRENT_CLASSES[t]) for t in used]
    return "\n\n" + "\n\n".join(parts) + "\n"

ATTENTION_CORE = (attention.causal_mask, attention.split_heads, attention.merge_heads, attention.project,
                  attention.AttentionScore, attention.masked_scores, attention.masked_softmax, attention.run_attention)
SUPPORT: dict[str, tuple] = {
    "positional_encoding": (attention.PositionalEncoding,),
    "self_attention": (*ATTENTION_CORE, attention.SelfAttention),
    "cross_attention": (*ATTENTION_CORE, attention.CrossAttention),
    "transformer_encoder": (attention.causal_mask, attention.TransformerEncoder),
    "sequence_pool": (attention.SequencePool,),
}
"""Layer types built from nnplay's own module classes (``nnplay.nn.attention``, torch only): their
source is copied into the generated file."""


def support_code(network: NetworkSpec, masked: bool) -> str:
    """Source of the helper functions and classes the network's layers (and the padding mask) need."""
    needed: list = []
    for layer in network.layers:
        needed += [obj for obj in SUPPORT.get(layer.type, ()) if obj not in needed]
    if masked:
        needed.append(attention.MaskedSequential)
    return "".join(f"\n\n{inspect.getsource(obj)}" for obj in needed)

OUTPUT_NOTES = {
    "cross_entropy": "logits (trained with cross_entropy; softmax turns them into class probabilities)",
    "mse": "outputs trained with mse (against one-hot targets for classes, the values themselves for forecasts)",
    "bce_with_logits": "logits (trained with bce_with_logits; sigmoid turns them into probabilities)",
}


def shape_text(shape: Shape) -> str:
    """``(1, 8, 8)`` -> ``"(N, 1, 8, 8)"``: the shape of a batch of examples shaped ``shape``."""
    return "(" + ", ".join(["N", *(str(s) for s in shape)]) + ")"


def module_lines(network: NetworkSpec, input_shape: Shape, vocab_size: int | None = None) -> list[str]:
    """One ``nn.X(...),  # i type -> (shape)`` line per layer, as in the builder's Sequential.

    ``vocab_size`` (text data) fills a leading embedding's ``num_embeddings``. Assumes the spec passed
    shape inference (``infer_shapes`` raises ShapeError otherwise).
    """
    network = bind_vocab(network, vocab_size)
    rows, shape, lines = infer_shapes(network, input_shape, vocab_size), tuple(input_shape), []
    for layer, row in zip(network.layers, rows):
        expression = RENDERERS[layer.type](layer.resolved(shape))
        lines.append(f"{expression},  # {row.index} {layer.type} -> {tuple(row.output_shape)}")
        shape = tuple(row.output_shape)
    return lines


def _doc_safe(text: str) -> str:
    """Text that cannot end or break a triple-quoted docstring: one line, quotes and backslashes escaped."""
    return " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')


def _output_note(spec: JobSpec) -> str:
    if spec.network.layers[-1].type == "softmax":
        return "probabilities (the network ends with softmax)"
    return OUTPUT_NOTES.get(spec.training.loss, "scores")


def _classes_line(classes: Sequence[str]) -> str:
    names = ", ".join(str(c) for c in classes)
    return f"\nClasses, in output order: {_doc_safe(names)}." if names else ""


def render_code(spec: JobSpec, input_shape: Shape, *, title: str = "", classes: Sequence[str] = (),
                version: str = "", vocab_size: int | None = None, pad_id: int | None = None) -> str:
    """The standalone ``.py`` file rebuilding ``spec.network`` for inputs ``(N, *input_shape)``.

    ``title`` (e.g. the job name) heads the docstring; ``classes`` names the outputs; ``version`` is
    nnplay's; ``vocab_size`` is given for text data (int64 token ids in); ``pad_id`` is the padding
    token id of a text data set (masked as the builder does). Raises ShapeError if the network cannot
    take ``input_shape``.
    """
    out_shape = tuple(infer_shapes(spec.network, input_shape, vocab_size)[-1].output_shape)
    lines = module_lines(spec.network, input_shape, vocab_size) + ([f"pad_id={pad_id!r},"] if pad_id is not None else [])
    layers = "\n".join(f"            {line}" for line in lines)
    tokens = vocab_size is not None
    return TEMPLATE.format(
        title=_doc_safe(title or "nnplay network"), version=version or "?", dataset=spec.dataset.name,
        input=shape_text(input_shape), output=shape_text(out_shape), input_shape=tuple(input_shape),
        note=_output_note(spec), classes=_classes_line(classes), layers=layers,
        support=support_code(spec.network, pad_id is not None),
        container="nn.Sequential" if pad_id is None else "MaskedSequential",
        dtype="torch.int64" if tokens else "torch.float32", input_kind=_input_kind(tokens),
        class_sources=class_sources(spec.network),
    )


def _input_kind(tokens: bool) -> str:
    if tokens:
        return "int64 token ids"
    return "float32"


TEMPLATE = '''"""{title}: an nnplay network rebuilt with plain PyTorch (generated by nnplay {version}).

Input: {input_kind} {input}, data set "{dataset}" (real values are standardised as nnplay does, with
the mean and standard deviation of the training part of the split).
Output: {output}, {note}.{classes}

Weights: the job's model file (GET /api/jobs/{{id}}/model) is a dict {{"state_dict", "spec",
"nnplay_version"}}. Its state_dict has the keys of the Sequential alone ("0.weight", "0.bias", ...),
so it loads into ``Net().layers``; ``load(path)`` does that. Needs only torch.
"""

import math

import torch
from torch import nn

INPUT_SHAPE = {input_shape}  # one example; a batch is (N, *INPUT_SHAPE)
INPUT_DTYPE = {dtype}
{support}
{class_sources}

class Net(nn.Module):
    """Module i of ``self.layers`` is layer i of the job spec: {input} -> {output}."""

    def __init__(self):
        super().__init__()
        self.layers = {container}(
{layers}
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """{input} -> {output}."""
        return self.layers(x)


def load(path: str) -> Net:
    """A Net with the weights of an nnplay model file, in eval mode (dropout off, batch norm frozen)."""
    net = Net()
    state = torch.load(path, map_location="cpu", weights_only=True)
    net.layers.load_state_dict(state["state_dict"])
    return net.eval()


if __name__ == "__main__":
    import sys

    net = load(sys.argv[1]) if len(sys.argv) > 1 else Net().eval()
    with torch.no_grad():
        print(net(torch.zeros(2, *INPUT_SHAPE, dtype=INPUT_DTYPE)).shape)
'''
