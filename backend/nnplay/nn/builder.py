"""Builds a ``torch.nn.Sequential`` from a NetworkSpec, inferring in-sizes from the shapes.

Every layer type of :data:`nnplay.spec.layers.LAYER_TYPES` has exactly one builder here; a test holds
the registry complete. Each builder takes the layer's resolved constructor arguments.
"""

from collections.abc import Callable

import torch
from torch import nn

from nnplay.nn.attention import (CrossAttention, MaskedSequential, PositionalEncoding, SelfAttention, SequencePool,
                                 TransformerEncoder)
from nnplay.nn.recurrent import SequenceGRU, SequenceLSTM, SequenceRNN
from nnplay.spec.layers import Shape
from nnplay.spec.network import NetworkSpec, bind_vocab

BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "linear": nn.Linear,
    "conv2d": nn.Conv2d,
    "maxpool2d": nn.MaxPool2d,
    "avgpool2d": nn.AvgPool2d,
    "flatten": lambda: nn.Flatten(start_dim=1),
    "dropout": nn.Dropout,
    "batchnorm1d": nn.BatchNorm1d,
    "batchnorm2d": nn.BatchNorm2d,
    "local_response_norm": nn.LocalResponseNorm,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "softmax": lambda: nn.Softmax(dim=-1),
    "positional_encoding": PositionalEncoding,
    "self_attention": SelfAttention,
    "cross_attention": CrossAttention,
    "transformer_encoder": TransformerEncoder,
    "sequence_pool": SequencePool,
    "embedding": nn.Embedding,
    "rnn": SequenceRNN,
    "lstm": SequenceLSTM,
    "gru": SequenceGRU,
}


def build_network(network: NetworkSpec, input_shape: Shape, vocab_size: int | None = None,
                  pad_id: int | None = None) -> nn.Sequential:
    """A Sequential taking ``(N, *input_shape)``; module ``i`` is ``network.layers[i]``.

    ``vocab_size`` (text data) fills a leading embedding's ``num_embeddings``. ``pad_id``: the padding
    token id of a text data set; when given, the result is a
    :class:`~nnplay.nn.attention.MaskedSequential` that masks those positions in attention and pooling.
    Assumes the spec passed shape inference (``nnplay.spec.network.infer_shapes``).
    """
    network = bind_vocab(network, vocab_size)
    modules, shape = [], tuple(input_shape)
    for layer in network.layers:
        module = BUILDERS[layer.type](**layer.resolved(shape))
        init_weights(module, getattr(layer, "init", "default"))
        modules.append(module)
        shape = layer.output_shape(shape)
    return nn.Sequential(*modules) if pad_id is None else MaskedSequential(*modules, pad_id=pad_id)


def init_weights(module: nn.Module, scheme: str) -> None:
    """Re-initialise a linear/conv2d module's weights by ``scheme`` (see ``nnplay.spec.layers.Init``);
    biases start at 0. ``default`` keeps torch's own initialisation."""
    if scheme == "default":
        return
    with torch.no_grad():
        if scheme == "xavier_uniform":
            nn.init.xavier_uniform_(module.weight)
        elif scheme == "kaiming_normal":
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        elif scheme == "normal":
            nn.init.normal_(module.weight, 0.0, 0.01)
        elif scheme == "large_normal":
            nn.init.normal_(module.weight, 0.0, 1.0)
        else:
            nn.init.zeros_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
