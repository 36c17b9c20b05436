"""Attention layers and the attention probe: the recomputed probabilities against torch's own
modules (their outputs and their ``need_weights`` per-head weights), masks, shapes and bad input."""

import pytest
import torch
from pydantic import ValidationError

from nnplay.nn import build_network
from nnplay.nn.attention import SelfAttention, TransformerEncoder, causal_mask
from nnplay.probes.arrays import payload_tensor
from nnplay.probes.attention import attend, attention_maps, attention_probs, block_probs, layer_payload
from nnplay.spec import NetworkSpec, ShapeError, summarize
from nnplay.spec.network import infer_shapes

N, T, E, HEADS = 3, 7, 12, 4
LENGTHS = torch.tensor([7, 4, 1])  # real tokens per example; the rest is padding (right-padded)


def padding_mask() -> torch.Tensor:
    return torch.arange(T)[None, :] >= LENGTHS[:, None]  # (N, T), True at padding


def inputs(seed: int = 0) -> torch.Tensor:
    return torch.randn(N, T, E, generator=torch.Generator().manual_seed(seed))


def check_probs(p: torch.Tensor, causal: bool, mask: torch.Tensor | None) -> None:
    torch.testing.assert_close(p.sum(-1), torch.ones(p.shape[:-1]), atol=1e-5, rtol=0)
    if causal:
        assert (p.masked_select(causal_mask(T)) == 0).all()  # exactly 0 above the diagonal
    if mask is not None:
        assert (p.masked_select(mask[:, None, None, :].expand_as(p)) == 0).all()  # padded keys: exactly 0


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_self_attention_probs_reproduce_the_module_output(causal, masked):
    torch.manual_seed(1)
    module = SelfAttention(E, HEADS, causal=causal).eval()
    x, mask = inputs(), padding_mask() if masked else None
    with torch.no_grad():
        probs = attention_probs(module.attn, x, causal, mask)  # (N, heads, T, T)
        own = module(x, key_padding_mask=mask)  # torch's fused path
        _, torch_weights = module.attn(x, x, x, key_padding_mask=mask, need_weights=True, average_attn_weights=False,
                                       attn_mask=causal_mask(T) if causal else None)
    assert probs.shape == (N, HEADS, T, T)
    torch.testing.assert_close(attend(module.attn, x, probs), own, atol=1e-5, rtol=0)
    torch.testing.assert_close(probs, torch_weights, atol=1e-5, rtol=0)
    check_probs(probs, causal, mask)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_transformer_blocks_probs_reproduce_each_blocks_attention(norm_first, causal):
    torch.manual_seed(2)
    enc = TransformerEncoder(E, HEADS, 2, 24, dropout=0.1, norm_first=norm_first, causal=causal).eval()
    x, mask = inputs(3), padding_mask()
    with torch.no_grad():
        probs = block_probs(enc, x, mask)
        h, cm = x, causal_mask(T) if causal else None
        for layer, p in zip(enc.layers, probs):
            a_in = layer.norm1(h) if norm_first else h
            own, _ = layer.self_attn(a_in, a_in, a_in, attn_mask=cm, key_padding_mask=mask, need_weights=False)
            torch.testing.assert_close(attend(layer.self_attn, a_in, p), own, atol=1e-5, rtol=0)
            check_probs(p, causal, mask)
            h = layer(h, src_mask=cm, src_key_padding_mask=mask, is_causal=causal)
        torch.testing.assert_close(h, enc(x, key_padding_mask=mask), atol=1e-5, rtol=0)
    assert len(probs) == 2


NET = [{"type": "positional_encoding", "kind": "learned", "max_len": 16},
       {"type": "self_attention", "num_heads": 2, "causal": True},
       {"type": "transformer_encoder", "num_layers": 2, "num_heads": 4, "dim_feedforward": 32},
       {"type": "sequence_pool", "mode": "mean"}, {"type": "linear", "out_features": 3}]


class Embed(torch.nn.Module):
    """Token ids (N, T) -> (N, T, E), standing in for the embedding layer."""

    def __init__(self):
        super().__init__()
        self.table = torch.nn.Embedding(10, E)

    def forward(self, ids):
        return self.table(ids)


def test_probe_over_a_masked_network_sends_each_layer_and_block_without_padding():
    torch.manual_seed(3)
    body = build_network(NetworkSpec(layers=NET), (T, E), pad_id=0)
    model = type(body)(Embed(), *body, pad_id=0).train()
    types = ["embedding"] + [layer["type"] for layer in NET]
    ids = torch.tensor([[5, 3, 9, 2, 0, 0, 0]])  # 4 tokens then padding
    layers, out = attention_maps(model, types, ids)
    assert model.training and out.shape == (1, 3)
    assert [(e["index"], e["block"], e["type"]) for e in layers] == [
        (2, 0, "self_attention"), (3, 0, "transformer_encoder"), (3, 1, "transformer_encoder")]
    for entry in layers:
        assert (entry["probs"][0, :, :, 4:] == 0).all()
        payload = layer_payload(entry, 4)
        assert payload["shape"][1:] == [4, 4] and payload["dims"] == ["head", "query", "key"]
        assert (payload["vmin"], payload["vmax"]) == (0.0, 1.0)
        sums = payload_tensor(payload).double().sum(-1)  # (heads, L): float32 on the wire
        assert (sums - 1).abs().max() < 1e-6
    assert layers[0]["probs"].shape == (1, 2, T, T) and layers[1]["probs"].shape == (1, 4, T, T)
    # padding does not change what the real tokens see: the same sequence without padding
    short_layers, _ = attention_maps(model, types, ids[:, :4])
    torch.testing.assert_close(short_layers[2]["probs"], layers[2]["probs"][:, :, :4, :4], atol=1e-5, rtol=0)


def test_masked_sequence_pool_ignores_padding():
    torch.manual_seed(4)
    model = build_network(NetworkSpec(layers=[{"type": "sequence_pool", "mode": "mean"}]), (T, E), pad_id=0)
    last = build_network(NetworkSpec(layers=[{"type": "sequence_pool", "mode": "last"}]), (T, E), pad_id=0)
    x = inputs()
    mask = padding_mask()
    pooled = model[0](x, key_padding_mask=mask)
    for n, length in enumerate(LENGTHS.tolist()):
        torch.testing.assert_close(pooled[n], x[n, :length].mean(0))
        torch.testing.assert_close(last[0](x, key_padding_mask=mask)[n], x[n, length - 1])


SEQ = (T, E)


def shape_error(layers, shape=SEQ) -> ShapeError:
    with pytest.raises(ShapeError) as info:
        infer_shapes(NetworkSpec(layers=layers), shape)
    return info.value


def test_heads_not_dividing_the_width_names_both_values():
    err = shape_error([{"type": "self_attention", "num_heads": 5}])
    assert err.loc == ("network", "layers", 0, "num_heads")
    assert "embed_dim 12" in err.message and "num_heads 5" in err.message
    err = shape_error([{"type": "transformer_encoder", "num_heads": 5, "d_model": 12}])
    assert err.loc == ("network", "layers", 0, "num_heads") and "d_model 12" in err.message


def test_num_heads_zero_is_refused_at_its_field():
    with pytest.raises(ValidationError) as info:
        NetworkSpec.model_validate({"layers": [{"type": "self_attention", "num_heads": 0}]})
    assert info.value.errors()[0]["loc"] == ("layers", 0, "self_attention", "num_heads")


@pytest.mark.parametrize("layer_type", ["self_attention", "transformer_encoder", "sequence_pool", "positional_encoding"])
@pytest.mark.parametrize("shape", [(1, 8, 8), (30,)])
def test_sequence_layers_refuse_non_sequence_input(layer_type, shape):
    err = shape_error([{"type": "flatten"}, {"type": layer_type}] if len(shape) == 3 else [{"type": layer_type}], shape)
    assert "expects a sequence shaped (time, features)" in err.message and "embedding" in err.message


def test_sequence_longer_than_max_len_is_refused():
    err = shape_error([{"type": "positional_encoding", "max_len": 5}])
    assert err.loc == ("network", "layers", 0, "max_len") and "7 time steps" in err.message


def test_declared_width_must_match_the_incoming_features():
    err = shape_error([{"type": "self_attention", "embed_dim": 16, "num_heads": 4}])
    assert err.loc == ("network", "layers", 0, "embed_dim") and "12 features" in err.message


def test_causal_attention_before_cls_pooling_warns_but_is_accepted():
    layers = [{"type": "transformer_encoder", "causal": True}, {"type": "sequence_pool", "mode": "first"},
              {"type": "linear", "out_features": 2}]
    summary = summarize(NetworkSpec(layers=layers), SEQ, 2, "cross_entropy")
    assert any("layers[1].mode" in w and "causal" in w for w in summary.warnings)
    layers[0]["causal"] = False
    assert not summarize(NetworkSpec(layers=layers), SEQ, 2, "cross_entropy").warnings
