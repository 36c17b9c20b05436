"""Sequence modules for attention networks: positional encoding, self-attention, transformer encoder
blocks and sequence pooling, all batch-first ``(N, T, E)``.

The classes import only ``math``, ``torch`` and ``torch.nn``: the code export (``nnplay.nn.codegen``)
copies their source into the standalone file. Modules with ``takes_padding_mask = True`` accept a
``key_padding_mask`` ``(N, T)`` (True at padding positions); :class:`MaskedSequential` hands it to them.
Training goes through ``torch.nn.MultiheadAttention`` / ``torch.nn.TransformerEncoderLayer``, which
use ``torch.nn.functional.scaled_dot_product_attention`` when no weights are asked for.
"""

import math

import torch
from torch import nn


def causal_mask(t: int, device=None) -> torch.Tensor:
    """``(T, T)`` bool, True above the diagonal: query t may not attend to keys after t."""
    return torch.ones(t, t, dtype=torch.bool, device=device).triu(1)


class PositionalEncoding(nn.Module):
    """``x + PE[:T]`` for ``x`` ``(N, T, d_model)``; sinusoidal (Vaswani et al., 2017) or learned."""

    def __init__(self, d_model: int, max_len: int, kind: str = "sinusoidal"):
        super().__init__()
        self.kind, self.max_len = kind, max_len
        if kind == "learned":
            self.weight = nn.Parameter(torch.randn(max_len, d_model))  # N(0, 1), as nn.Embedding
        else:
            t = torch.arange(max_len, dtype=torch.float32)[:, None]  # (max_len, 1)
            freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, d_model)
            pe[:, 0::2] = torch.sin(t * freq)  # (max_len, d_model / 2)
            pe[:, 1::2] = torch.cos(t * freq)
            self.register_buffer("weight", pe, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.weight[: x.shape[1]]  # (N, T, E) + (T, E)

    def extra_repr(self) -> str:
        return f"d_model={self.weight.shape[1]}, max_len={self.max_len}, kind={self.kind!r}"


class SelfAttention(nn.Module):
    """Multi-head self-attention ``(N, T, E) -> (N, T, E)`` with ``torch.nn.MultiheadAttention``."""

    takes_padding_mask = True

    def __init__(self, embed_dim: int, num_heads: int, causal: bool = False, dropout: float = 0.0,
                 bias: bool = True):
        super().__init__()
        self.causal = causal
        self.attn = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, bias=bias, batch_first=True)

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        mask = causal_mask(x.shape[1], x.device) if self.causal else None  # (T, T)
        out, _ = self.attn(x, x, x, key_padding_mask=key_padding_mask, attn_mask=mask, need_weights=False,
                           is_causal=self.causal)
        return out

    def extra_repr(self) -> str:
        return f"causal={self.causal}"


class TransformerEncoder(nn.Module):
    """``num_layers`` independently initialised ``torch.nn.TransformerEncoderLayer`` blocks,
    ``(N, T, d_model) -> (N, T, d_model)``, optionally causal."""

    takes_padding_mask = True

    def __init__(self, d_model: int, num_heads: int, num_layers: int, dim_feedforward: int,
                 dropout: float = 0.1, activation: str = "relu", norm_first: bool = False, causal: bool = False):
        super().__init__()
        self.causal = causal
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, num_heads, dim_feedforward, dropout, activation=activation,
                                       batch_first=True, norm_first=norm_first)
            for _ in range(num_layers))

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        mask = causal_mask(x.shape[1], x.device) if self.causal else None  # (T, T)
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=key_padding_mask, is_causal=self.causal)
        return x

    def extra_repr(self) -> str:
        return f"causal={self.causal}"


class SequencePool(nn.Module):
    """``(N, T, E) -> (N, E)``: mean over non-padding positions, the first vector, or the last
    non-padding one."""

    takes_padding_mask = True

    def __init__(self, mode: str = "mean"):
        super().__init__()
        self.mode = mode

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        if self.mode == "first":
            return x[:, 0]
        keep = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device) if key_padding_mask is None \
            else ~key_padding_mask  # (N, T)
        if self.mode == "mean":
            w = keep.to(x.dtype)[:, :, None]  # (N, T, 1)
            return (x * w).sum(1) / w.sum(1).clamp_min(1.0)
        last = keep.long().cumsum(1).argmax(1)  # (N,) index of the last kept position
        return x[torch.arange(x.shape[0], device=x.device), last]

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}"


class MaskedSequential(nn.Sequential):
    """A Sequential over token ids ``(N, T)`` whose padding positions (``pad_id``) are masked: modules
    with ``takes_padding_mask`` receive ``key_padding_mask`` ``(N, T)``, True at padding."""

    def __init__(self, *modules: nn.Module, pad_id: int | None = None):
        super().__init__(*modules)
        self.pad_id = pad_id

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mask = None if self.pad_id is None or x.is_floating_point() else x == self.pad_id  # (N, T)
        for module in self:
            x = module(x, key_padding_mask=mask) if getattr(module, "takes_padding_mask", False) else module(x)
        return x


SEQUENCE_MODULES = (PositionalEncoding, SelfAttention, TransformerEncoder, SequencePool, MaskedSequential)
