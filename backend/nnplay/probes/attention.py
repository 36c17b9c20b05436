"""Attention probabilities of every self-attention layer and head, recomputed from the weights.

A self_attention layer with another ``score`` than ``scaled_dot`` has its scores from its own
:class:`~nnplay.nn.attention.AttentionScore` (``dot``, ``cosine``, ``additive``) in place of eq. 1's.

Training runs torch's fused scaled-dot-product attention, which does not return its weights. The
probe recomputes them as in Vaswani et al. (2017), eq. 1: ``P = softmax(Q K^T / sqrt(d_k))`` per head,
with ``Q, K, V`` from the module's own ``in_proj_weight`` / ``in_proj_bias`` and the same causal and
key-padding masks (masked scores are ``-inf``, so their weights are exactly 0). ``P V``, heads
concatenated and passed through ``out_proj``, is the module's own output (a test holds it to 1e-5).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from nnplay.nn.attention import AttentionScore, SelfAttention, attention_stages, causal_mask
from nnplay.probes.arrays import array_payload
from nnplay.spec.layers import ATTENTION_TYPES

ATTENTION_DIMS = ["head", "query", "key"]


def _heads(t: torch.Tensor, num_heads: int) -> torch.Tensor:
    """``(N, T, E) -> (N, heads, T, E / heads)``."""
    n, steps, e = t.shape
    return t.view(n, steps, num_heads, e // num_heads).transpose(1, 2)


def qkv(mha: nn.MultiheadAttention, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Queries, keys and values ``(N, heads, T, d_k)`` of ``x`` ``(N, T, E)`` from the module's weights."""
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)  # (N, T, E) each
    return tuple(_heads(t, mha.num_heads) for t in (q, k, v))


def attention_probs(mha: nn.MultiheadAttention, x: torch.Tensor, causal: bool = False,
                    key_padding_mask: torch.Tensor | None = None, score: AttentionScore | None = None) -> torch.Tensor:
    """``softmax(Q K^T / sqrt(d_k))`` ``(N, heads, T, T)`` (rows = queries) for ``x`` ``(N, T, E)``, or
    ``softmax(score(Q, K))`` with a layer's own :class:`~nnplay.nn.attention.AttentionScore` ``score``.

    ``key_padding_mask`` ``(N, T)`` is True at padding keys; those keys and, with ``causal``, keys
    after the query get weight exactly 0. Every row keeps at least one key (position 0 with causal).
    """
    q, k, _ = qkv(mha, x)
    scores = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) if score is None
              else score(q, k))  # (N, heads, T, T)
    if causal:
        scores = scores.masked_fill(causal_mask(x.shape[1], x.device), float("-inf"))
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    return torch.softmax(scores, dim=-1)


def attend(mha: nn.MultiheadAttention, x: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
    """The attention output ``(N, T, E)``: ``out_proj(concat_heads(probs @ V))``."""
    _, _, v = qkv(mha, x)
    heads = probs @ v  # (N, heads, T, d_k)
    n, _, steps, _ = heads.shape
    return mha.out_proj(heads.transpose(1, 2).reshape(n, steps, -1))  # (N, T, E)


def block_probs(module: nn.Module, x: torch.Tensor, key_padding_mask: torch.Tensor | None) -> list[torch.Tensor]:
    """Probabilities ``(N, heads, T, T)`` of each attention inside ``module`` for its input ``x``:
    one for a SelfAttention, one per block of a TransformerEncoder (the input of block j is the output
    of block j-1; pre-norm blocks attend over ``norm1(x)``)."""
    if isinstance(module, SelfAttention):
        return [attention_probs(module.attn, x, module.causal, key_padding_mask, module.score)]
    out, mask = [], causal_mask(x.shape[1], x.device) if module.causal else None
    for layer in module.layers:
        h = layer.norm1(x) if layer.norm_first else x
        out.append(attention_probs(layer.self_attn, h, module.causal, key_padding_mask))
        x = layer(x, src_mask=mask, src_key_padding_mask=key_padding_mask, is_causal=module.causal)
    return out


def attention_maps(model: nn.Sequential, layer_types: list[str], x: torch.Tensor) -> tuple[list[dict], torch.Tensor]:
    """Run ``x`` (probe sequences, ``(N, T)`` token ids) through ``model`` in eval mode under no_grad.

    Padding keys are masked as the model masks them (``MaskedSequential.pad_id``). Returns ``(layers, output)``: one entry per attention (``index`` in ``network.layers``, ``block``
    inside a transformer_encoder, ``type``, ``causal`` and the probabilities ``(N, heads, T, T)`` as a
    tensor under ``"probs"``), and the model's output for ``x``. Restores the model's mode.
    """
    watched = [i for i, t in enumerate(layer_types) if t in ATTENTION_TYPES]
    pad_id = getattr(model, "pad_id", None)
    key_padding_mask = None if pad_id is None else x == pad_id  # (1, T)
    inputs: dict[int, torch.Tensor] = {}
    hooks = [model[i].register_forward_pre_hook(_capture(inputs, i)) for i in watched]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            output = model(x)
            layers = [entry for i in watched for entry in _entries(model[i], i, layer_types[i], inputs[i], key_padding_mask)]
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    return layers, output


def _entries(module: nn.Module, index: int, layer_type: str, x: torch.Tensor, key_padding_mask) -> list[dict]:
    """The probe entries of one attention layer: a self_attention's with its three stages
    (:func:`~nnplay.nn.attention.attention_stages`: ``scores``, ``v``, ``context``), one per block of a
    transformer_encoder with the probabilities alone."""
    base = {"index": index, "type": layer_type, "causal": module.causal}
    if isinstance(module, SelfAttention):
        mask = causal_mask(x.shape[1], x.device) if module.causal else None
        stages = attention_stages(module.attn, module.score, x, x, mask, key_padding_mask)
        return [{**base, "block": 0, "probs": stages["probs"], "score": module.score.kind, "stages": stages}]
    return [{**base, "block": j, "probs": p, "score": "scaled_dot", "stages": None}
            for j, p in enumerate(block_probs(module, x, key_padding_mask))]


def _capture(store: dict, index: int):
    def hook(_module, args):
        store[index] = args[0].detach()
    return hook


def layer_payload(entry: dict, length: int, heads: int | None = None) -> dict:
    """A layer entry's first example as JSON: probabilities ``(heads, L, L)`` of its first ``heads``
    heads (all: None) and first ``length`` positions as float32, on the 0-1 scale; ``heads_total``
    counts the layer's heads. A row sums to 1 to float32 precision when ``length`` covers every key
    (a window of the first tokens cuts the later keys off)."""
    probs = entry["probs"][0, :heads, :length, :length]  # (heads, L, L)
    payload = array_payload(probs, ATTENTION_DIMS)
    out = {"index": entry["index"], "block": entry["block"], "type": entry["type"], "causal": entry["causal"],
           "score": entry["score"], "heads_total": int(entry["probs"].shape[1]), **payload, "vmin": 0.0, "vmax": 1.0}
    return {**out, **stage_payloads(entry["stages"], length, heads)} if entry.get("stages") else out


def stage_payloads(stages: dict, length: int, heads: int | None) -> dict:
    """A self_attention's stages for the first example, first ``heads`` heads and ``length`` positions:
    ``scores`` ``(heads, L, L)`` before the softmax (masked ones ``-inf``: bytes, not JSON numbers),
    ``values`` ``(heads, L, d)`` and ``context`` ``(heads, L, d)`` (the weighted sums over all keys), the
    last two on one symmetric range."""
    values, context = stages["v"][0, :heads, :length], stages["context"][0, :heads, :length]
    top = float(torch.cat([values.flatten(), context.flatten()]).abs().max().clamp_min(1e-12))
    return {"scores": array_payload(stages["scores"][0, :heads, :length, :length], ATTENTION_DIMS),
            "values": {**array_payload(values, ["head", "key", "dim"]), "vmin": -top, "vmax": top},
            "context": {**array_payload(context, ["head", "query", "dim"]), "vmin": -top, "vmax": top}}

