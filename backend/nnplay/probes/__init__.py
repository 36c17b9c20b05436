"""What we look at: forward hooks and recomputation; every probe returns plain lists and numbers.

``PROBES`` maps every layer type to the probe that watches it, or ``None`` for "no probe"; a test holds
it complete against the spec's layer types. ``neuron_maps`` watches the hidden units (a linear layer
and its activation) of networks on 2-D input, over the decision boundary's grid.
"""

from nnplay.probes.attention import attention_maps
from nnplay.probes.feature_maps import feature_maps
from nnplay.probes.gates import recompute

PROBES: dict[str, str | None] = {
    "linear": "neuron_maps",
    "conv2d": "feature_maps",
    "maxpool2d": "feature_maps",
    "avgpool2d": "feature_maps",
    "flatten": None,
    "dropout": None,
    "batchnorm1d": None,
    "batchnorm2d": None,
    "relu": "neuron_maps",
    "leaky_relu": "neuron_maps",
    "sigmoid": "neuron_maps",
    "tanh": "neuron_maps",
    "gelu": "neuron_maps",
    "softmax": "neuron_maps",
    "positional_encoding": None,
    "self_attention": "attention",
    "transformer_encoder": "attention",
    "sequence_pool": None,
    "embedding": None,
    "rnn": "gates",
    "lstm": "gates",
    "gru": "gates",
}

__all__ = ["PROBES", "attention_maps", "feature_maps", "recompute"]
