"""LSTM, GRU and RNN internals recomputed from the layer's own weights, step by step.

Training uses torch's fused kernels, which expose only the outputs; this module replays the documented
equations of ``torch.nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` (gate order i, f, g, o and r, z, n as torch
stores them in ``weight_ih_l{k}``) for every stacked layer and direction:

- LSTM: ``i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)``, ``f``, ``o`` likewise, ``g = tanh(...)``,
  ``c_t = f * c_(t-1) + i * g``, ``h_t = o * tanh(c_t)``;
- GRU: ``r = sigmoid(...)``, ``z = sigmoid(...)``, ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``,
  ``h_t = (1 - z) * n + z * h_(t-1)``;
- RNN: ``h_t = tanh or relu(W_ih x + b_ih + W_hh h + b_hh)``.

Stacked layers read the previous layer's outputs (both directions concatenated); dropout between
layers is off, as in eval mode. Initial states are zero. A test holds the recomputed ``h_t`` (and
``c_t``) equal to torch's own to 1e-5 for every layer and direction.
"""

import torch
from torch import nn

GATE_NAMES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n"), "rnn": ()}
STATE_NAMES = {"lstm": ("c", "h"), "gru": ("h",), "rnn": ("h",)}


def cell_kind(module: nn.RNNBase) -> str:
    """``lstm``, ``gru`` or ``rnn`` for a torch recurrent module."""
    return {"LSTM": "lstm", "GRU": "gru"}.get(module.mode, "rnn")


def _weights(module: nn.RNNBase, layer: int, reverse: bool) -> tuple:
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    get = lambda name: getattr(module, name + suffix, None)  # noqa: E731 (None when bias=False)
    return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")


def _affine(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    return x @ w.T + (b if b is not None else 0.0)


def _run_direction(module: nn.RNNBase, kind: str, x: torch.Tensor, layer: int, reverse: bool) -> dict:
    """One layer and direction over ``x`` ``(N, T, F)``: every gate and state ``(N, T, H)``, in time order,
    and ``h_steps``, the list of the T tensors ``h_t`` ``(N, H)`` that the recurrence itself used (under
    autograd, their gradients are the total derivatives dL/dh_t)."""
    w_ih, w_hh, b_ih, b_hh = _weights(module, layer, reverse)
    n, steps, hidden = x.shape[0], x.shape[1], module.hidden_size
    h = c = x.new_zeros(n, hidden)
    pre = _affine(x, w_ih, b_ih)  # (N, T, G*H): the input part of every gate at once
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    record: dict[str, list] = {name: [None] * steps for name in GATE_NAMES[kind] + STATE_NAMES[kind]}
    for t in order:
        rec = _affine(h, w_hh, b_hh)  # (N, G*H): the recurrent part of every gate
        if kind == "lstm":
            i, f, g, o = (pre[:, t] + rec).chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            values = {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}
        elif kind == "gru":
            x_r, x_z, x_n = pre[:, t].chunk(3, dim=1)
            h_r, h_z, h_n = rec.chunk(3, dim=1)
            r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
            new = torch.tanh(x_n + r * h_n)
            h = (1 - z) * new + z * h
            values = {"r": r, "z": z, "n": new, "h": h}
        else:
            act = torch.relu if module.nonlinearity == "relu" else torch.tanh
            h = act(pre[:, t] + rec)
            values = {"h": h}
        for name, value in values.items():
            record[name][t] = value
    return {"values": {name: torch.stack(steps_, dim=1) for name, steps_ in record.items()},  # each (N, T, H)
            "h_steps": record["h"]}


def recompute(module: nn.RNNBase, x: torch.Tensor) -> list[dict]:
    """Gates and states of every layer and direction of ``module`` for inputs ``x`` ``(N, T, F)``
    (batch first, as nnplay builds them). Differentiable: call it under ``torch.no_grad()`` to only look.

    Returns one entry per (layer, direction), layer-major: ``{"layer", "direction" ("forward" |
    "backward"), "values": {name: (N, T, H)}, "h_steps": [h_t (N, H)] * T}`` with names i, f, g, o, c, h
    (LSTM), r, z, n, h (GRU) or h (RNN). The last layer's ``h`` of both directions, concatenated, is the
    module's output.
    """
    kind, out, inputs = cell_kind(module), [], x.float()
    directions = 2 if module.bidirectional else 1
    for layer in range(module.num_layers):
        runs = [_run_direction(module, kind, inputs, layer, reverse=bool(d)) for d in range(directions)]
        out += [{"layer": layer, "direction": ("forward", "backward")[d], **run} for d, run in enumerate(runs)]
        inputs = torch.cat([run["values"]["h"] for run in runs], dim=2)  # (N, T, D*H)
    return out


def unrolled_output(module: nn.RNNBase, entries: list[dict], return_sequences: bool) -> torch.Tensor:
    """The module's output rebuilt from ``recompute``'s entries: ``(N, T, D*H)``, or the last states
    ``(N, D*H)`` (forward direction after step T, backward after step 1), as ``nn.recurrent`` returns."""
    top = entries[-(2 if module.bidirectional else 1):]
    if return_sequences:
        return torch.cat([e["values"]["h"] for e in top], dim=2)
    ends = [top[0]["h_steps"][-1]] + ([top[1]["h_steps"][0]] if len(top) == 2 else [])
    return torch.cat(ends, dim=1)  # (N, D*H)
