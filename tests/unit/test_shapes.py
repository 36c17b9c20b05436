"""Shape inference and parameter counts against a real forward pass of the built torch network."""

import pytest
import torch
from torch import nn

from nnplay.data import load
from nnplay.nn import BUILDERS, build_network
from nnplay.probes import PROBES
from nnplay.spec import LAYER_TYPES, NetworkSpec
from nnplay.spec.network import infer_shapes, network_kind
from nnplay.spec.presets import LENET, PRESETS

NETWORKS = [
    ((1, 8, 8), LENET),
    ((3, 17, 13), [{"type": "conv2d", "out_channels": 5, "kernel_size": 4, "stride": 2, "padding": 1},
                   {"type": "batchnorm2d"}, {"type": "leaky_relu", "negative_slope": 0.2},
                   {"type": "avgpool2d", "kernel_size": 3, "stride": 2, "padding": 1},
                   {"type": "conv2d", "out_channels": 7, "kernel_size": 2, "padding": "same"}, {"type": "gelu"},
                   {"type": "maxpool2d", "kernel_size": 2}, {"type": "flatten"}, {"type": "dropout", "p": 0.3},
                   {"type": "linear", "out_features": 9, "bias": False}, {"type": "batchnorm1d"},
                   {"type": "sigmoid"}, {"type": "linear", "out_features": 4}, {"type": "tanh"},
                   {"type": "softmax"}]),
    ((30,), [{"type": "linear", "out_features": 16}, {"type": "relu"}, {"type": "linear", "out_features": 2}]),
    ((1, 8, 8), [{"type": "conv2d", "out_channels": 3, "kernel_size": 8, "padding": "valid"}, {"type": "flatten"}]),
]


@pytest.mark.parametrize("input_shape,layers", NETWORKS)
def test_inferred_shapes_match_a_real_forward_pass(input_shape, layers):
    spec = NetworkSpec(layers=layers)
    rows = infer_shapes(spec, input_shape)
    model = build_network(spec, input_shape).eval()
    x = torch.randn(3, *input_shape)  # (N, ...)
    for row, module in zip(rows, model):
        x = module(x)
        assert list(x.shape[1:]) == row.output_shape, (row.index, row.type)
        assert sum(p.numel() for p in module.parameters()) == row.params


def test_presets_build_and_run():
    """Every layer-network preset runs a forward pass on two test examples of its own data set, with the
    inferred shape (word2vec presets run in tests/unit/test_word2vec.py)."""
    for preset in PRESETS:
        spec = preset["spec"]
        if network_kind(spec.network) == "word2vec":
            continue
        split = load(spec.dataset)
        shape = split.info.input_shape
        out = build_network(spec.network, shape)(split.x_test[:2])
        assert list(out.shape[1:]) == infer_shapes(spec.network, shape)[-1].output_shape, preset["id"]


def test_every_layer_type_has_builder_and_probe_entry():
    assert set(BUILDERS) == set(LAYER_TYPES)
    assert set(PROBES) == set(LAYER_TYPES)
    for layer_type in LAYER_TYPES:
        assert PROBES[layer_type] in (None, "feature_maps", "attention")


def test_builder_uses_torch_modules():
    model = build_network(NetworkSpec(layers=LENET), (1, 8, 8))
    assert isinstance(model[0], nn.Conv2d) and model[0].padding == "same" and model[0].in_channels == 1
    assert isinstance(model[7], nn.Linear) and model[7].in_features == 64
