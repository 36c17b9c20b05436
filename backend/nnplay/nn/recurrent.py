"""Batch-first recurrent layers that fit in an ``nn.Sequential``: torch's fused nn.RNN / nn.LSTM / nn.GRU
returning one tensor instead of ``(output, state)``.

Input ``(N, T, input_size)``; output ``(N, T, D*hidden_size)`` with ``return_sequences``, else
``(N, D*hidden_size)``: the final hidden state of the last stacked layer, forward direction then
backward (D = 2 when bidirectional), i.e. torch's ``h_n[-D:]``. Parameter names are torch's own
(``weight_ih_l0``, ``weight_hh_l0_reverse`` ...), so a state dict loads into a plain nn.LSTM too.

This file needs only torch: the code export copies these classes into the generated file.
"""

import torch
from torch import nn


def last_state(h_n: torch.Tensor, directions: int) -> torch.Tensor:
    """``h_n`` ``(num_layers*D, N, H)`` -> the last layer's final states ``(N, D*H)``."""
    return h_n[-directions:].transpose(0, 1).reshape(h_n.shape[1], -1)  # (N, D*H)


class ReturnSequences:
    """Mixin for a torch recurrent module: batch first, and one output tensor, every step or the last."""

    def __init__(self, *args, return_sequences: bool = True, **kwargs):
        super().__init__(*args, batch_first=True, **kwargs)
        self.return_sequences = return_sequences

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, T, F) -> (N, T, D*H) or (N, D*H)
        out, state = super().forward(x)
        if self.return_sequences:
            return out
        h_n = state[0] if isinstance(state, tuple) else state  # an LSTM's state is (h_n, c_n)
        return last_state(h_n, 2 if self.bidirectional else 1)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, return_sequences={self.return_sequences}"


class SequenceRNN(ReturnSequences, nn.RNN):
    """nn.RNN (Elman), batch first, returning every step or the last one (``return_sequences``)."""


class SequenceLSTM(ReturnSequences, nn.LSTM):
    """nn.LSTM, batch first, returning every step or the last one (``return_sequences``)."""


class SequenceGRU(ReturnSequences, nn.GRU):
    """nn.GRU, batch first, returning every step or the last one (``return_sequences``)."""
