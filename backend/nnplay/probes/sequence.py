"""What a recurrent network does with a probe batch: its gates and states, and its gradients through time.

One unrolled pass (``nnplay.probes.gates.recompute``) replaces each recurrent module's fused kernel, in
eval mode, so every hidden state ``h_t`` is a node of the graph; ``torch.autograd.grad`` then gives the
total derivative dL/dh_t (through the recurrence and the output) without touching the parameters'
gradients. The first example of the batch is the probe sequence whose gates are shown.
"""

import torch
from torch import nn

from nnplay.nn.recurrent import ReturnSequences
from nnplay.probes.arrays import array_payload, finite_or_none
from nnplay.probes.gates import GATE_NAMES, cell_kind, recompute, unrolled_output

SIGMOID_GATES = {"i", "f", "o", "r", "z"}
LABELS = {"i": "input gate i", "f": "forget gate f", "g": "cell candidate g", "o": "output gate o",
          "c": "cell state c_t", "h": "hidden state h_t", "r": "reset gate r", "z": "update gate z",
          "n": "new gate n"}
UNIT_TIME = ["unit", "time"]


def recurrent_indices(model: nn.Sequential) -> list[int]:
    """Indices of the recurrent modules (rnn, lstm, gru) in ``model``."""
    return [i for i, module in enumerate(model) if isinstance(module, ReturnSequences)]


def unrolled_pass(model: nn.Sequential, x: torch.Tensor) -> tuple[torch.Tensor, dict[int, list[dict]]]:
    """``model(x)`` with every recurrent module unrolled step by step (same values as the fused
    kernels); returns the output and, per recurrent module index, ``recompute``'s entries."""
    entries: dict[int, list[dict]] = {}
    for index, module in enumerate(model):
        if isinstance(module, ReturnSequences):
            entries[index] = recompute(module, x)
            x = unrolled_output(module, entries[index], module.return_sequences)
        else:
            x = module(x)
    return x, entries


def probe_sequences(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor, loss, max_units: int,
                    max_steps: int | None = None) -> dict:
    """Gates of ``x[0]`` and ||dL/dh_t|| over the batch ``x`` ``(B, T, ...)``, targets ``y``.

    ``loss(output, y)`` is the training loss. Eval mode (dropout off), restored after. Returns
    ``{"layers": [GateLayer dicts], "time_gradients": [TimeGradientLayer dicts]}``; gate arrays are
    ``(unit, time)``, the first ``max_units`` units and the first ``max_steps`` steps (None: all).
    """
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            out, entries = unrolled_pass(model, x)
            top = {i: e[-(2 if model[i].bidirectional else 1):] for i, e in entries.items()}
            steps = [h for i in top for entry in top[i] for h in entry["h_steps"]]
            grads = torch.autograd.grad(loss(out, y), steps, allow_unused=True)
    finally:
        model.train(was_training)
    grads = iter(grads)
    time_gradients = [_time_norms(i, model[i], top[i], grads) for i in top]
    layers = [_gate_layer(i, model[i], entry, max_units, max_steps) for i, group in entries.items() for entry in group]
    return {"layers": layers, "time_gradients": time_gradients}


def _time_norms(index: int, module: nn.Module, top: list[dict], grads) -> dict:
    """||dL/dh_t|| per step: both directions' gradients ``(B, H)`` at step t, one L2 norm."""
    steps = len(top[0]["h_steps"])
    squares = torch.zeros(steps)
    for _entry in top:
        for t in range(steps):
            g = next(grads)
            squares[t] += 0.0 if g is None else float(g.double().square().sum())
    return {"index": index, "type": cell_kind(module), "norms": [finite_or_none(v) for v in squares.sqrt().tolist()]}


def _gate_layer(index: int, module: nn.Module, entry: dict, max_units: int, max_steps: int | None = None) -> dict:
    kind = cell_kind(module)
    names = GATE_NAMES[kind] + (("c", "h") if kind == "lstm" else ("h",))
    arrays = [_gate_array(name, entry["values"][name][0, :max_steps, :max_units].detach()) for name in names]
    return {"index": index, "type": kind, "layer": entry["layer"], "direction": entry["direction"],
            "units_total": module.hidden_size, "arrays": arrays}


def _gate_array(name: str, values: torch.Tensor) -> dict:
    """``values`` ``(T, H)`` of the probe sequence -> a ``(unit, time)`` payload with its display scale."""
    payload = array_payload(values.T, UNIT_TIME)  # (H, T)
    if name in SIGMOID_GATES:
        return {**payload, "name": name, "label": LABELS[name], "scale": "sequential", "limit": 1.0}
    limit = 1.0 if name in ("g", "n") else max(1.0, float(values.abs().max()))  # tanh h <= 1; relu h, c_t unbounded
    return {**payload, "name": name, "label": LABELS[name], "scale": "diverging", "limit": round(limit, 3)}
