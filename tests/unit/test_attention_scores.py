"""The similarity scores of attention (scaled_dot, dot, cosine, additive) and cross attention: the
probabilities and outputs recomputed by hand here, from each layer's own weights, against the layers'
own attention weights and outputs (to 1e-5); scaled_dot against torch's MultiheadAttention and
F.scaled_dot_product_attention."""

import math

import pytest
import torch
import torch.nn.functional as F

from nnplay.nn.attention import SCORES, CrossAttention, SelfAttention, attention_stages, causal_mask
from nnplay.probes.attention import attention_probs, block_probs
from nnplay.probes.cross_attention import cross_attention_maps
from nnplay.spec import ShapeError, summarize
from nnplay.spec import NetworkSpec

N, T, E, HEADS = 3, 7, 12, 3
D = E // HEADS
LENGTHS = torch.tensor([7, 4, 2])


def padding_mask(steps: int = T) -> torch.Tensor:
    return torch.arange(steps)[None, :] >= LENGTHS[:, None]  # (N, T), True at padding


def inputs(steps: int = T, seed: int = 0) -> torch.Tensor:
    return torch.randn(N, steps, E, generator=torch.Generator().manual_seed(seed))


def hand_scores(kind: str, score_module, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Scores (N, h, Tq, Tk) written out with explicit loops over heads, queries and keys."""
    n, h, tq, d = q.shape
    out = torch.empty(n, h, tq, k.shape[2])
    for head in range(h):
        for i in range(tq):
            for j in range(k.shape[2]):
                a, b = q[:, head, i], k[:, head, j]  # (N, d)
                if kind == "scaled_dot":
                    s = (a * b).sum(-1) / math.sqrt(d)
                elif kind == "dot":
                    s = (a * b).sum(-1)
                elif kind == "cosine":
                    g = min(math.exp(float(score_module.log_scale[head])), 100.0)
                    s = g * (a * b).sum(-1) / (a.norm(dim=-1) * b.norm(dim=-1))
                else:  # additive: v_h . tanh(q_i + k_j)
                    s = (torch.tanh(a + b) * score_module.v[head]).sum(-1)
                out[:, head, i, j] = s
    return out


def hand_attention(module, kind, query_in, source_in, attn_mask=None, key_mask=None):
    """(probs (N, h, Tq, Tk), attention output (N, Tq, E)) from the module's weights by hand."""
    w, b = module.attn.in_proj_weight, module.attn.in_proj_bias
    q = (query_in @ w[:E].T + b[:E]).view(N, -1, HEADS, D).transpose(1, 2)
    k = (source_in @ w[E:2 * E].T + b[E:2 * E]).view(N, -1, HEADS, D).transpose(1, 2)
    v = (source_in @ w[2 * E:].T + b[2 * E:]).view(N, -1, HEADS, D).transpose(1, 2)
    s = hand_scores(kind, module.score, q, k)
    hidden = torch.zeros_like(s, dtype=torch.bool)
    if attn_mask is not None:
        hidden |= attn_mask
    if key_mask is not None:
        hidden |= key_mask[:, None, None, :]
    e = torch.exp(s - s.masked_fill(hidden, -1e30).amax(-1, keepdim=True)).masked_fill(hidden, 0.0)
    p = e / e.sum(-1, keepdim=True)
    ctx = (p @ v).transpose(1, 2).reshape(N, -1, E)
    return p, ctx @ module.attn.out_proj.weight.T + module.attn.out_proj.bias


def trained_like(module):
    """Move the score's parameters off their initial values (a cosine scale of 1 is not the only case)."""
    with torch.no_grad():
        if hasattr(module.score, "log_scale"):
            module.score.log_scale.copy_(torch.tensor([0.3, 1.7, 5.0]))  # the last is past the cap of 100
    return module


@pytest.mark.parametrize("kind", SCORES)
@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_weights_by_hand_equal_the_layers_own(kind, causal):
    torch.manual_seed(3)
    module = trained_like(SelfAttention(E, HEADS, causal=causal, score=kind)).eval()
    x, mask = inputs(), padding_mask()
    cm = causal_mask(T) if causal else None
    with torch.no_grad():
        own = attention_stages(module.attn, module.score, x, x, cm, mask)  # the layer's own stages
        out = module(x, key_padding_mask=mask)  # the layer's forward (fused for scaled_dot)
        probed = block_probs(module, x, mask)[0]  # what the probe streams
        p, hand_out = hand_attention(module, kind, x, x, cm, mask)
    torch.testing.assert_close(own["probs"], p, atol=1e-5, rtol=0)
    torch.testing.assert_close(probed, p, atol=1e-5, rtol=0)
    torch.testing.assert_close(out, hand_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(own["out"], out, atol=1e-5, rtol=0)
    assert (p.masked_select(mask[:, None, None, :].expand_as(p)) == 0).all()


def test_scaled_dot_is_torchs_multihead_attention_and_sdpa():
    torch.manual_seed(4)
    module = SelfAttention(E, HEADS).eval()
    x, mask = inputs(seed=1), padding_mask()
    with torch.no_grad():
        own = attention_stages(module.attn, module.score, x, x, key_padding_mask=mask)
        _, weights = module.attn(x, x, x, key_padding_mask=mask, need_weights=True, average_attn_weights=False)
        q, k, v = own["q"], own["k"], own["v"]
        sdpa = F.scaled_dot_product_attention(q, k, v, attn_mask=~mask[:, None, None, :])  # True = attend
    torch.testing.assert_close(own["probs"], weights, atol=1e-5, rtol=0)
    torch.testing.assert_close(own["context"], sdpa, atol=1e-5, rtol=0)
    torch.testing.assert_close(attention_probs(module.attn, x, False, mask), weights, atol=1e-5, rtol=0)


def test_scores_differ_and_cosine_scale_is_capped():
    torch.manual_seed(5)
    x = inputs(seed=2)
    probs = {}
    for kind in SCORES:
        torch.manual_seed(5)  # the same projections for every score
        module = trained_like(SelfAttention(E, HEADS, score=kind)).eval()
        with torch.no_grad():
            probs[kind] = attention_stages(module.attn, module.score, x, x)["probs"]
            if kind == "cosine":
                scores = attention_stages(module.attn, module.score, x, x)["scores"]
                assert scores[:, 2].abs().max() <= 100.0 + 1e-4  # exp(5) = 148 is capped at 100
    assert not torch.allclose(probs["dot"], probs["scaled_dot"])
    assert not torch.allclose(probs["cosine"], probs["additive"])
    # dot is scaled_dot with scores sqrt(d) times larger: the same ordering of keys, sharper rows
    assert torch.equal(probs["dot"].argmax(-1), probs["scaled_dot"].argmax(-1))


@pytest.mark.parametrize("kind", SCORES)
def test_cross_attention_weights_by_hand_equal_the_layers_own(kind):
    torch.manual_seed(6)
    source_len = 5
    module = trained_like(CrossAttention(E, HEADS, source_len, score=kind)).eval()
    x = inputs(steps=source_len + 4, seed=3)  # (N, S + T, E)
    mask = torch.zeros(N, source_len + 4, dtype=torch.bool)
    mask[1, 3:source_len] = True  # source padding of example 1
    with torch.no_grad():
        memory, states, source_mask = module.read(x, mask)
        p, attended = hand_attention(module, kind, states, memory, key_mask=source_mask)
        hand_out = torch.tanh(torch.cat([attended, states], -1) @ module.combine.weight.T + module.combine.bias)
        out = module(x, key_padding_mask=mask)
        own = attention_stages(module.attn, module.score, states, memory, key_padding_mask=source_mask)
    assert out.shape == (N, 4, E) and p.shape == (N, HEADS, 4, source_len)
    torch.testing.assert_close(own["probs"], p, atol=1e-5, rtol=0)
    torch.testing.assert_close(out, hand_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(own["context"].sum(-1), (p @ own["v"]).sum(-1), atol=1e-5, rtol=0)
    assert (p[1, :, :, 3:] == 0).all()


def test_cross_attention_decoder_sees_no_later_target_token():
    """Changing the target-side token at position t changes no output before t (teacher forcing is safe)."""
    torch.manual_seed(7)
    module = CrossAttention(E, HEADS, 5, score="additive").eval()
    x = inputs(steps=9, seed=4)
    y = x.clone()
    y[:, 7] += 1.0  # target-side position 2
    with torch.no_grad():
        a, b = module(x), module(y)
    torch.testing.assert_close(a[:, :2], b[:, :2], atol=0, rtol=0)
    assert not torch.allclose(a[:, 2], b[:, 2])


def test_probe_stages_match_the_model_on_the_dates_layout():
    from nnplay.nn import build_network
    from nnplay.spec.network import JobSpec

    spec = JobSpec.model_validate({"dataset": {"name": "dates"}, "network": {"layers": [
        {"type": "embedding", "embedding_dim": 16}, {"type": "positional_encoding", "max_len": 28},
        {"type": "cross_attention", "source_len": 18, "num_heads": 2, "score": "cosine"},
        {"type": "linear", "out_features": 41}]}})
    model = build_network(spec.network, (28,), vocab_size=41, pad_id=0)
    x = torch.randint(1, 41, (2, 28), generator=torch.Generator().manual_seed(0))
    x[:, 15:18] = 0
    layers, output = cross_attention_maps(model, [layer.type for layer in spec.network.layers], x)
    stages = layers[0]["stages"]
    assert output.shape == (2, 10, 41) and stages["probs"].shape == (2, 2, 10, 18)
    assert (stages["probs"][:, :, :, 15:] == 0).all()
    torch.testing.assert_close(stages["probs"].sum(-1), torch.ones(2, 2, 10), atol=1e-5, rtol=0)
    assert model.training  # the probe restores the mode


def test_source_len_mismatch_names_the_field_and_the_value():
    layers = [{"type": "embedding", "embedding_dim": 16},
              {"type": "cross_attention", "source_len": 16}, {"type": "linear", "out_features": 41}]
    with pytest.raises(ShapeError) as err:
        summarize(NetworkSpec.model_validate({"layers": layers}), (28,), 41, "cross_entropy",
                  "sequence_labelling", target_shape=(10,), vocab_size=41)
    assert err.value.index == 1 and err.value.field == "source_len" and "set source_len to 18" in str(err.value)


def test_odd_width_and_unknown_score_are_refused_at_their_fields():
    from pydantic import ValidationError

    with pytest.raises(ShapeError) as err:
        summarize(NetworkSpec.model_validate({"layers": [
            {"type": "embedding", "embedding_dim": 15}, {"type": "cross_attention", "source_len": 18},
            {"type": "linear", "out_features": 41}]}), (28,), 41, "cross_entropy", "sequence_labelling",
            target_shape=(10,), vocab_size=41)
    assert err.value.field == "embed_dim"
    with pytest.raises(ValidationError) as bad:
        NetworkSpec.model_validate({"layers": [{"type": "self_attention", "score": "euclid"}]})
    assert "score" in str(bad.value)


@pytest.mark.parametrize("kind", SCORES)
def test_self_attention_stages_in_the_message_agree_with_its_weights(kind):
    from nnplay.nn import build_network
    from nnplay.probes.arrays import payload_tensor
    from nnplay.probes.attention import attention_maps, layer_payload

    spec = NetworkSpec.model_validate({"layers": [
        {"type": "embedding", "embedding_dim": 12}, {"type": "self_attention", "num_heads": 3, "causal": True,
                                                     "score": kind},
        {"type": "transformer_encoder", "num_heads": 2}, {"type": "linear", "out_features": 5}]})
    torch.manual_seed(8)
    model = build_network(spec, (6,), vocab_size=5)
    x = torch.randint(0, 5, (1, 6), generator=torch.Generator().manual_seed(1))
    entries, _ = attention_maps(model, [layer.type for layer in spec.layers], x)
    payload = layer_payload(entries[0], 6)
    probs, scores = payload_tensor(payload), payload_tensor(payload["scores"])  # (3, 6, 6)
    values, context = payload_tensor(payload["values"]), payload_tensor(payload["context"])  # (3, 6, 4)
    torch.testing.assert_close(torch.softmax(scores, -1), probs, atol=1e-5, rtol=0)
    torch.testing.assert_close(probs @ values, context, atol=1e-5, rtol=0)
    assert torch.isneginf(scores.masked_select(causal_mask(6))).all()  # hidden keys: -inf before the softmax
    assert payload["score"] == kind and "scores" not in layer_payload(entries[1], 6)  # transformer block: weights only
