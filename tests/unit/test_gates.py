"""Gate recomputation against torch's own fused nn.LSTM / nn.GRU / nn.RNN (the oracle), for every
layer and direction of 2-layer bidirectional nets."""

import pytest
import torch
from torch import nn

from nnplay.probes.gates import GATE_NAMES, recompute


def single_layer_copy(module: nn.RNNBase, layer: int) -> nn.RNNBase:
    """A 1-layer torch module of the same kind holding ``module``'s layer ``layer`` weights (both directions)."""
    extra = {"nonlinearity": module.nonlinearity} if isinstance(module, nn.RNN) else {}
    in_size = module.input_size if layer == 0 else module.hidden_size * 2
    copy = type(module)(in_size, module.hidden_size, batch_first=True, bidirectional=True, **extra)
    with torch.no_grad():
        for name, _ in copy.named_parameters():
            getattr(copy, name).copy_(getattr(module, name.replace("_l0", f"_l{layer}")))
    return copy.eval()


@pytest.mark.parametrize("cls,extra", [(nn.LSTM, {}), (nn.GRU, {}), (nn.RNN, {"nonlinearity": "tanh"}),
                                       (nn.RNN, {"nonlinearity": "relu"})])
def test_recomputed_states_equal_torch_for_every_layer_and_direction(cls, extra):
    torch.manual_seed(0)
    module = cls(5, 6, num_layers=2, bidirectional=True, batch_first=True, **extra).eval()
    x = torch.randn(3, 9, 5)  # (N, T, F)
    with torch.no_grad():
        entries = recompute(module, x)
    assert [(e["layer"], e["direction"]) for e in entries] == [(0, "forward"), (0, "backward"),
                                                               (1, "forward"), (1, "backward")]
    inputs = x
    for layer in range(2):
        out, state = single_layer_copy(module, layer)(inputs)  # out (N, T, 2H)
        fwd, bwd = entries[2 * layer]["values"], entries[2 * layer + 1]["values"]
        torch.testing.assert_close(fwd["h"], out[..., :6], atol=1e-5, rtol=0)
        torch.testing.assert_close(bwd["h"], out[..., 6:], atol=1e-5, rtol=0)
        if cls is nn.LSTM:  # c_t: torch gives the final cell state of each direction
            c_n = state[1]  # (2, N, H)
            torch.testing.assert_close(fwd["c"][:, -1], c_n[0], atol=1e-5, rtol=0)
            torch.testing.assert_close(bwd["c"][:, 0], c_n[1], atol=1e-5, rtol=0)
        inputs = out
    full, _ = module(x)
    torch.testing.assert_close(torch.cat([entries[2]["values"]["h"], entries[3]["values"]["h"]], 2), full,
                               atol=1e-5, rtol=0)


def test_lstm_cell_states_step_by_step_and_gate_ranges():
    """c_t at every step against torch run one step at a time (its state carried by hand)."""
    torch.manual_seed(1)
    module = nn.LSTM(4, 3, batch_first=True).eval()
    x = torch.randn(2, 6, 4)
    with torch.no_grad():
        (entry,) = recompute(module, x)
    state = None
    for t in range(6):
        _, state = module(x[:, t:t + 1], state)
        torch.testing.assert_close(entry["values"]["c"][:, t], state[1][0], atol=1e-5, rtol=0)
        torch.testing.assert_close(entry["values"]["h"][:, t], state[0][0], atol=1e-5, rtol=0)
    for name in ("i", "f", "o"):
        assert 0 <= entry["values"][name].min() and entry["values"][name].max() <= 1
    assert set(entry["values"]) == set(GATE_NAMES["lstm"]) | {"c", "h"}
