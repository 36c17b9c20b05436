"""What we look at: forward hooks and recomputation; every probe returns plain lists and numbers.

``PROBES`` maps every layer type to the probe that watches it, or ``None`` for "no probe", derived from
the probe registry (``nnplay.probes.registry``, which also selects a job's probes); a test holds it
complete against the spec's layer types. ``neuron_maps`` watches the hidden units (a linear layer
and its activation) of networks on 2-D input, over the decision boundary's grid.
"""

from nnplay.probes.attention import attention_maps
from nnplay.probes.feature_maps import feature_maps
from nnplay.probes.gates import recompute
from nnplay.probes.registry import LAYER_PROBES

PROBES: dict[str, str | None] = LAYER_PROBES

__all__ = ["PROBES", "attention_maps", "feature_maps", "recompute"]
