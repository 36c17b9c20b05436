"""The standalone-code generator: one renderer per layer type, each writing the module the builder
builds; the generated file rebuilds a network that computes what nnplay's does."""

import pytest
import torch
from torch import nn

from nnplay.nn import BUILDERS, build_network
from nnplay.nn import recurrent
from nnplay.nn.attention import SEQUENCE_MODULES
from nnplay.nn.codegen import RENDERERS, render_code
from nnplay.spec import LAYER_TYPES, JobSpec
from nnplay.spec.layers import LAYER_MODELS

IMAGE, VECTOR, SEQUENCE = (2, 8, 8), (7,), (6, 8)
EXAMPLES = [  # (layer, one example's input shape)
    ({"type": "linear", "out_features": 5, "bias": False}, VECTOR),
    ({"type": "conv2d", "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 1}, IMAGE),
    ({"type": "conv2d", "out_channels": 3, "kernel_size": 5, "padding": "same"}, IMAGE),
    ({"type": "maxpool2d", "kernel_size": 2, "stride": 1, "padding": 1}, IMAGE),
    ({"type": "avgpool2d", "kernel_size": 3}, IMAGE),
    ({"type": "flatten"}, IMAGE),
    ({"type": "dropout", "p": 0.25}, VECTOR),
    ({"type": "batchnorm1d"}, VECTOR),
    ({"type": "batchnorm2d"}, IMAGE),
    ({"type": "local_response_norm", "size": 3, "k": 1.5}, IMAGE),
    ({"type": "relu"}, VECTOR),
    ({"type": "leaky_relu", "negative_slope": 0.2}, VECTOR),
    ({"type": "sigmoid"}, VECTOR),
    ({"type": "tanh"}, VECTOR),
    ({"type": "gelu"}, VECTOR),
    ({"type": "softmax"}, VECTOR),
    ({"type": "embedding", "embedding_dim": 6, "num_embeddings": 11}, (9,)),
    ({"type": "rnn", "hidden_size": 5, "nonlinearity": "relu", "return_sequences": True}, SEQUENCE),
    ({"type": "lstm", "hidden_size": 5, "num_layers": 2, "bidirectional": True, "dropout": 0.1}, SEQUENCE),
    ({"type": "gru", "hidden_size": 4, "return_sequences": True}, SEQUENCE),
    ({"type": "positional_encoding", "kind": "learned", "max_len": 10}, SEQUENCE),
    ({"type": "self_attention", "num_heads": 2, "causal": True, "dropout": 0.1}, SEQUENCE),
    ({"type": "self_attention", "num_heads": 2, "score": "cosine"}, SEQUENCE),
    ({"type": "cross_attention", "source_len": 4, "num_heads": 2, "score": "additive"}, SEQUENCE),
    ({"type": "transformer_encoder", "num_layers": 2, "num_heads": 4, "norm_first": True, "activation": "gelu"}, SEQUENCE),
    ({"type": "sequence_pool", "mode": "last"}, SEQUENCE),
]
SEQUENCE_NET = [  # on sequences (6, 8)
    {"type": "positional_encoding", "max_len": 6}, {"type": "self_attention", "num_heads": 2},
    {"type": "transformer_encoder", "num_layers": 2, "num_heads": 2, "causal": True},
    {"type": "sequence_pool", "mode": "mean"}, {"type": "linear", "out_features": 10},
]
ALL_TYPES_NET = [
    {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": "same"}, {"type": "batchnorm2d"},
    {"type": "leaky_relu", "negative_slope": 0.1}, {"type": "maxpool2d", "kernel_size": 2},
    {"type": "avgpool2d", "kernel_size": 2}, {"type": "local_response_norm"}, {"type": "flatten"},
    {"type": "linear", "out_features": 12},
    {"type": "batchnorm1d"}, {"type": "dropout", "p": 0.4}, {"type": "gelu"}, {"type": "linear", "out_features": 8},
    {"type": "sigmoid"}, {"type": "tanh"}, {"type": "relu"}, {"type": "linear", "out_features": 10},
    {"type": "softmax"},
]

TOKEN_NET = [  # on text: token ids (T,) in, per-step logits out
    {"type": "embedding", "embedding_dim": 8}, {"type": "gru", "hidden_size": 6, "return_sequences": True},
    {"type": "lstm", "hidden_size": 5, "num_layers": 2, "bidirectional": True, "return_sequences": True},
    {"type": "rnn", "hidden_size": 4, "nonlinearity": "tanh", "return_sequences": True},
    {"type": "linear", "out_features": 10},
]


def cross_net(score: str) -> list[dict]:
    """An encoder-decoder net on token ids (12,): 7 source tokens, 5 target-side ones."""
    return [{"type": "embedding", "embedding_dim": 8}, {"type": "positional_encoding", "max_len": 12},
            {"type": "self_attention", "num_heads": 2, "causal": True, "score": score},
            {"type": "cross_attention", "source_len": 7, "num_heads": 2, "score": score},
            {"type": "linear", "out_features": 10}]


def layer_model(spec: dict):
    return next(m for m in LAYER_MODELS if m.model_fields["type"].annotation.__args__[0] == spec["type"])(**spec)


def spec_for(layers: list[dict], name: str = "all types") -> JobSpec:
    return JobSpec.model_validate({"name": name, "dataset": {"name": "digits"}, "network": {"layers": layers}})


def exec_file(text: str) -> dict:
    namespace: dict = {"__name__": "generated"}
    exec(compile(text, "generated.py", "exec"), namespace)
    return namespace


def test_every_layer_type_has_one_renderer_and_an_example():
    assert set(RENDERERS) == set(LAYER_TYPES)
    assert {layer["type"] for layer, _ in EXAMPLES} == set(LAYER_TYPES)
    assert {layer["type"] for layer in ALL_TYPES_NET + SEQUENCE_NET + TOKEN_NET + cross_net("dot")} == set(LAYER_TYPES)


@pytest.mark.parametrize("layer,in_shape", EXAMPLES, ids=lambda v: v["type"] if isinstance(v, dict) else "")
def test_renderer_writes_the_module_the_builder_builds(layer, in_shape):
    model = layer_model(layer)
    kwargs = model.resolved(in_shape)
    namespace = {"nn": nn, **vars(recurrent), **{cls.__name__: cls for cls in SEQUENCE_MODULES}}
    rendered = eval(RENDERERS[layer["type"]](kwargs), namespace)  # noqa: S307 (our own generated text)
    built = BUILDERS[layer["type"]](**kwargs)
    assert type(rendered) is type(built) and repr(rendered) == repr(built)


def test_generated_net_matches_the_builder_on_every_layer_type():
    spec = spec_for(ALL_TYPES_NET)
    ref = build_network(spec.network, (1, 8, 8))
    with torch.no_grad():  # non-trivial batch-norm statistics, so eval mode is really exercised
        for module in ref:
            if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                module.running_mean.uniform_(-1, 1)
                module.running_var.uniform_(0.5, 2)
    ns = exec_file(render_code(spec, (1, 8, 8), title="all types", classes=[str(i) for i in range(10)]))
    net = ns["Net"]()
    assert list(net.state_dict()) == [f"layers.{k}" for k in ref.state_dict()]
    net.layers.load_state_dict(ref.state_dict())
    x = torch.randn(16, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(net.eval()(x), ref.eval()(x), atol=0, rtol=0)
    assert ns["INPUT_SHAPE"] == (1, 8, 8)


def test_generated_file_documents_shapes_and_survives_a_hostile_name():
    name = 'a """quoted""" name \\ with\nnewline'
    text = render_code(spec_for(ALL_TYPES_NET), (1, 8, 8), title=name, classes=["0", "1"], version="9.9")
    ns = exec_file(text)  # still valid Python
    doc = ns["__doc__"]
    assert doc.startswith('a """quoted""" name \\ with newline: an nnplay network')
    assert "(N, 1, 8, 8)" in doc and "(N, 10)" in doc and "probabilities" in doc and "nnplay 9.9" in doc
    assert "(N, 1, 8, 8) -> (N, 10)" in ns["Net"].__doc__
    assert "# 4 avgpool2d -> (4, 2, 2)" in text


@pytest.mark.parametrize("pad_id", [None, 0])
def test_generated_sequence_net_matches_the_builder_with_its_padding_mask(pad_id):
    spec = spec_for(SEQUENCE_NET)
    ref = build_network(spec.network, (6, 8), pad_id=pad_id).eval()
    ns = exec_file(render_code(spec, (6, 8), title="attention", pad_id=pad_id))
    net = ns["Net"]().eval()
    assert list(net.state_dict()) == [f"layers.{k}" for k in ref.state_dict()]
    net.layers.load_state_dict(ref.state_dict())
    x = torch.randn(4, 6, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(net(x), ref(x), atol=0, rtol=0)
    assert type(net.layers).__name__ == ("Sequential" if pad_id is None else "MaskedSequential")
def test_generated_sequence_net_matches_the_builder_on_token_input():
    spec = JobSpec.model_validate({"name": "char model", "dataset": {"name": "copy"},
                                   "network": {"layers": TOKEN_NET}})
    ref = build_network(spec.network, (12,), vocab_size=10).eval()
    text = render_code(spec, (12,), title="char model", vocab_size=10)
    ns = exec_file(text)
    assert "class SequenceLSTM(ReturnSequences, nn.LSTM)" in text and "int64 token ids" in ns["__doc__"]
    net = ns["Net"]()
    net.layers.load_state_dict(ref.state_dict())
    x = torch.randint(0, 10, (4, 12), generator=torch.Generator().manual_seed(0))  # (N, T) token ids
    with torch.no_grad():
        torch.testing.assert_close(net.eval()(x), ref(x), atol=0, rtol=0)
    assert ns["INPUT_DTYPE"] is torch.int64 and net(x).shape == (4, 12, 10)


@pytest.mark.parametrize("score", ["scaled_dot", "dot", "cosine", "additive"])
def test_generated_attention_net_matches_the_builder_for_every_score(score):
    spec = JobSpec.model_validate({"name": f"{score} net", "dataset": {"name": "dates"},
                                   "network": {"layers": cross_net(score)}})
    ref = build_network(spec.network, (12,), vocab_size=10, pad_id=0).eval()
    ns = exec_file(render_code(spec, (12,), title=f"{score} net", vocab_size=10, pad_id=0))
    net = ns["Net"]().eval()
    assert list(net.state_dict()) == [f"layers.{k}" for k in ref.state_dict()]
    net.layers.load_state_dict(ref.state_dict())
    x = torch.randint(1, 10, (4, 12), generator=torch.Generator().manual_seed(0))  # (N, T) token ids
    x[:2, 5:7] = 0  # source padding
    with torch.no_grad():
        torch.testing.assert_close(net(x), ref(x), atol=0, rtol=0)
    assert net(x).shape == (4, 5, 10)
