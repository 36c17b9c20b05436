"""Feature maps of conv and pooling layers for one probe image, captured with forward hooks."""

import torch
from torch import nn

from nnplay.probes.arrays import array_payload
from nnplay.spec.layers import in_family

IMAGE_DIMS = ["channel", "row", "col"]


def feature_maps(model: nn.Sequential, layer_types: list[str], probe_x: torch.Tensor,
                 max_channels: int) -> dict:
    """Run ``probe_x`` ``(1, C, H, W)`` through ``model`` in eval mode under no_grad.

    Returns ``{"layers": [...], "probabilities": [...]}`` where each layer entry is the output
    ``(C, H, W)`` of a conv2d/maxpool2d/avgpool2d module (first ``max_channels`` channels) with its
    index, type, total channel count, dimension names and value range. Restores the model's mode.
    """
    watched = [i for i, t in enumerate(layer_types) if in_family(t, "feature_map")]
    captured: dict[int, torch.Tensor] = {}
    hooks = [model[i].register_forward_hook(_capture(captured, i)) for i in watched]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            logits = model(probe_x)  # (1, K)
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    layers = [_layer_entry(i, layer_types[i], captured[i][0], max_channels) for i in watched]
    return {"layers": layers, "logits": logits[0].float().cpu()}


def _capture(store: dict, index: int):
    def hook(_module, _inputs, output):
        store[index] = output.detach()
    return hook


def _layer_entry(index: int, layer_type: str, maps: torch.Tensor, max_channels: int) -> dict:
    """``maps`` is ``(C, H, W)``; at most ``max_channels`` channels are sent."""
    entry = array_payload(maps[:max_channels], IMAGE_DIMS)
    return {"index": index, "type": layer_type, "channels_total": int(maps.shape[0]), **entry}
