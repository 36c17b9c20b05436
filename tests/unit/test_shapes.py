"""Shape inference and parameter counts against a real forward pass of the built torch network."""

import pytest
import torch
from torch import nn

from nnplay.data import load
from nnplay.data import dataset_info
from nnplay.nn import BUILDERS, build_network
from nnplay.settings import Settings
from nnplay.train.check import check_job
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
    ((11, 3), [{"type": "lstm", "hidden_size": 5, "num_layers": 2, "bidirectional": True, "return_sequences": True},
               {"type": "gru", "hidden_size": 4, "return_sequences": True}, {"type": "linear", "out_features": 2},
               {"type": "rnn", "hidden_size": 3, "nonlinearity": "relu", "bidirectional": True},
               {"type": "linear", "out_features": 1}]),
    ((7, 2), [{"type": "gru", "hidden_size": 6, "num_layers": 3, "dropout": 0.2}, {"type": "linear", "out_features": 3}]),
    ((9, 12), [{"type": "self_attention", "num_heads": 3, "score": "cosine"},
               {"type": "self_attention", "num_heads": 2, "score": "additive", "bias": False},
               {"type": "self_attention", "num_heads": 4, "score": "dot"},
               {"type": "cross_attention", "source_len": 5, "num_heads": 3, "score": "additive"},
               {"type": "cross_attention", "source_len": 2, "num_heads": 2, "score": "cosine"},
               {"type": "linear", "out_features": 3}]),
]

TEXT_NETWORKS = [
    ((13,), 17, [{"type": "embedding", "embedding_dim": 4}, {"type": "lstm", "hidden_size": 6, "return_sequences": True},
                 {"type": "linear", "out_features": 17}]),
    ((13,), 5, [{"type": "embedding", "embedding_dim": 3, "num_embeddings": 5},
                {"type": "rnn", "hidden_size": 4, "bidirectional": True}, {"type": "linear", "out_features": 2}]),
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


@pytest.mark.parametrize("input_shape,vocab,layers", TEXT_NETWORKS)
def test_inferred_shapes_on_token_ids_match_a_real_forward_pass(input_shape, vocab, layers):
    spec = NetworkSpec(layers=layers)
    rows = infer_shapes(spec, input_shape, vocab)
    model = build_network(spec, input_shape, vocab).eval()
    x = torch.randint(0, vocab, (3, *input_shape))  # (N, T) int64 token ids
    for row, module in zip(rows, model):
        x = module(x)
        assert list(x.shape[1:]) == row.output_shape, (row.index, row.type)
        assert sum(p.numel() for p in module.parameters()) == row.params
    assert model[0].num_embeddings == vocab


def test_presets_build_and_run():
    """Every layer-network preset runs a forward pass on two test examples of its own data set, with the
    inferred shape (word2vec presets run in tests/unit/test_word2vec.py)."""
    for preset in PRESETS:
        spec = preset["spec"]
        if network_kind(spec.network) == "word2vec":
            continue
        split = load(spec.dataset)
        info = split.info
        summary = check_job(spec.dataset, spec.network, spec.training, Settings())
        out = build_network(spec.network, info.input_shape, info.vocab_size)(split.x_test[:2])
        assert list(out.shape[1:]) == summary.output_shape, preset["id"]


def test_every_layer_type_has_builder_and_probe_entry():
    assert set(BUILDERS) == set(LAYER_TYPES)
    assert set(PROBES) == set(LAYER_TYPES)


def _probed(layers: list[dict], dataset: dict) -> dict[str, set[int]]:
    """Message type -> indices of the layers the run's first probe messages describe."""
    from nnplay.spec import JobSpec
    from nnplay.train import train
    events: list[dict] = []
    spec = JobSpec.model_validate({"dataset": dataset, "network": {"layers": layers},
                                   "training": {"epochs": 1, "batch_size": 32}})
    train(spec, events.append, should_stop=lambda: True)  # the step-0 probes, then stop
    out: dict[str, set[int]] = {}
    for e in events:
        for layer in e.get("layers", []) if isinstance(e.get("layers"), list) else []:
            if isinstance(layer, dict) and "index" in layer:
                out.setdefault(e["type"], set()).add(layer["index"])
    return out


@pytest.mark.parametrize("layers, dataset", [
    ([{"type": "conv2d", "out_channels": 2, "kernel_size": 3}, {"type": "maxpool2d", "kernel_size": 2},
      {"type": "avgpool2d", "kernel_size": 1}, {"type": "dropout"}, {"type": "flatten"},
      {"type": "linear", "out_features": 10}], {"name": "digits"}),
    ([{"type": "linear", "out_features": 4}, {"type": "relu"}, {"type": "linear", "out_features": 4},
      {"type": "leaky_relu"}, {"type": "linear", "out_features": 4}, {"type": "sigmoid"},
      {"type": "linear", "out_features": 4}, {"type": "tanh"}, {"type": "batchnorm1d"}, {"type": "linear", "out_features": 4},
      {"type": "gelu"}, {"type": "linear", "out_features": 2}], {"name": "xor"}),
])
def test_the_catalogue_probe_column_is_what_a_run_streams(layers, dataset):
    """/api/layers serves PROBES: each hidden conv/pool layer and activation it says is watched is in
    the stream's messages of that type; a layer it marks None is in none of them. (A linear layer's
    units are drawn at the activation that follows it.)"""
    probed = _probed(layers, dataset)
    for i, layer in enumerate(layers):
        kind = PROBES[layer["type"]]
        if kind is None:
            assert all(i not in indices for indices in probed.values()), (i, layer, probed)
        elif layer["type"] != "linear":
            assert i in probed.get(kind, set()), (i, layer, probed)


def test_builder_uses_torch_modules():
    model = build_network(NetworkSpec(layers=LENET), (1, 8, 8))
    assert isinstance(model[0], nn.Conv2d) and model[0].padding == "same" and model[0].in_channels == 1
    assert isinstance(model[7], nn.Linear) and model[7].in_features == 64
