"""Cross attention of every ``cross_attention`` layer for the probe example, and its three stages.

For each such layer (``nnplay.nn.attention.CrossAttention``) the probe takes the layer's input from a
forward pre-hook, re-reads it with the layer's own encoder and decoder GRUs (``read``) and recomputes,
from the layer's own ``in_proj`` weights and score (``nnplay.nn.attention.attention_stages``), per head:
the scores before the softmax ``(heads, T, S)``, the softmax weights ``(heads, T, S)`` (rows = target
positions, the queries; columns = source tokens, the keys), the values ``(heads, S, d)`` and their
weighted sums, the contexts ``(heads, T, d)``. ``out_proj`` of the contexts is the layer's own attention
output (a test holds it to 1e-5). Source padding is masked as the layer masks it, and left out.
"""

import torch
from torch import nn

from nnplay.nn.attention import attention_stages
from nnplay.probes.arrays import array_payload

CROSS_DIMS = ["head", "query", "key"]
VALUE_DIMS = ["head", "key", "dim"]
CONTEXT_DIMS = ["head", "query", "dim"]


def layer_stages(module: nn.Module, x: torch.Tensor, key_padding_mask: torch.Tensor | None) -> dict:
    """The stages (:func:`nnplay.nn.attention.attention_stages`) of a CrossAttention for its input
    ``x`` ``(N, S + T, E)``, with ``memory`` ``(N, S, E)`` and ``states`` ``(N, T, E)``."""
    memory, states, mask = module.read(x, key_padding_mask)
    stages = attention_stages(module.attn, module.score, states, memory, key_padding_mask=mask)
    return {**stages, "memory": memory, "states": states}


def cross_attention_maps(model: nn.Sequential, layer_types: list[str], x: torch.Tensor) -> tuple[list[dict], torch.Tensor]:
    """Run ``x`` (probe token ids ``(N, S + T)``) through ``model`` in eval mode under no_grad; returns one
    entry per cross_attention layer (``index``, ``score``, ``source_len``, ``stages``) and the model's
    output. Restores the model's mode."""
    watched = [i for i, t in enumerate(layer_types) if t == "cross_attention"]
    pad_id = getattr(model, "pad_id", None)
    mask = None if pad_id is None else x == pad_id  # (N, S + T)
    inputs: dict[int, torch.Tensor] = {}
    hooks = [model[i].register_forward_pre_hook(_capture(inputs, i)) for i in watched]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            output = model(x)
            layers = [{"index": i, "score": model[i].score.kind, "source_len": model[i].source_len,
                       "stages": layer_stages(model[i], inputs[i], mask)} for i in watched]
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    return layers, output


def _capture(store: dict, index: int):
    def hook(_module, args):
        store[index] = args[0].detach()
    return hook


def layer_payload(entry: dict, keys: int) -> dict:
    """The first example's stages as JSON arrays: ``probs`` (the entry's own array, 0-1 scale), ``scores``
    ``(heads, T, keys)`` (their own range), ``values`` ``(heads, keys, d)`` and ``context`` ``(heads, T, d)``
    (one shared range, so a context sits on its values' scale); ``keys`` the source tokens shown (the
    padding after them has weight 0)."""
    s = entry["stages"]
    values, context = s["v"][0, :, :keys], s["context"][0]  # (h, S', d), (h, T, d)
    top = float(torch.cat([values.flatten(), context.flatten()]).abs().max().clamp_min(1e-12))
    return {"index": entry["index"], "type": "cross_attention", "score": entry["score"],
            "heads_total": int(s["probs"].shape[1]),
            **array_payload(s["probs"][0, :, :, :keys], CROSS_DIMS), "vmin": 0.0, "vmax": 1.0,
            "scores": array_payload(s["scores"][0, :, :, :keys], CROSS_DIMS),
            "values": {**array_payload(values, VALUE_DIMS), "vmin": -top, "vmax": top},
            "context": {**array_payload(context, CONTEXT_DIMS), "vmin": -top, "vmax": top}}
