"""What we look at: forward hooks and recomputation; every probe returns plain lists and numbers.

``PROBES`` maps every layer type to the probe that watches it, or ``None`` for "no probe"; a test holds
it complete against the spec's layer types.
"""

from nnplay.probes.attention import attention_maps
from nnplay.probes.feature_maps import feature_maps
from nnplay.probes.gates import recompute

PROBES: dict[str, str | None] = {
    "linear": None,
    "conv2d": "feature_maps",
    "maxpool2d": "feature_maps",
    "avgpool2d": "feature_maps",
    "flatten": None,
    "dropout": None,
    "batchnorm1d": None,
    "batchnorm2d": None,
    "relu": None,
    "leaky_relu": None,
    "sigmoid": None,
    "tanh": None,
    "gelu": None,
    "softmax": None,
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
