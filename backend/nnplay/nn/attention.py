"""Sequence modules for attention networks: positional encoding, self-attention (with a choice of
similarity score), encoder-decoder cross attention, transformer encoder blocks and sequence pooling,
all batch-first ``(N, T, E)``.

The classes import only ``math``, ``torch`` and ``torch.nn``: the code export (``nnplay.nn.codegen``)
copies their source into the standalone file. Modules with ``takes_padding_mask = True`` accept a
``key_padding_mask`` ``(N, T)`` (True at padding positions); :class:`MaskedSequential` hands it to them.
Training goes through ``torch.nn.MultiheadAttention`` / ``torch.nn.TransformerEncoderLayer``, which
use ``torch.nn.functional.scaled_dot_product_attention`` when no weights are asked for; the other
scores (``dot``, ``cosine``, ``additive``) compute the three stages written out (:func:`attention_stages`).
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


SCORES = ("scaled_dot", "dot", "cosine", "additive")


def split_heads(t: torch.Tensor, num_heads: int) -> torch.Tensor:
    """``(N, T, E) -> (N, heads, T, E / heads)``."""
    n, steps, e = t.shape
    return t.view(n, steps, num_heads, e // num_heads).transpose(1, 2)


def merge_heads(t: torch.Tensor) -> torch.Tensor:
    """``(N, heads, T, d) -> (N, T, heads * d)``."""
    n, _, steps, _ = t.shape
    return t.transpose(1, 2).reshape(n, steps, -1)


def project(mha: nn.MultiheadAttention, query: torch.Tensor, source: torch.Tensor):
    """Queries of ``query`` ``(N, Tq, E)``, keys and values of ``source`` ``(N, Tk, E)``, each
    ``(N, heads, T, E / heads)``, with the module's own ``in_proj_weight`` / ``in_proj_bias`` (the rows
    for W_Q, W_K, W_V in that order, as ``torch.nn.MultiheadAttention`` stores them)."""
    w, b = mha.in_proj_weight.chunk(3), (None,) * 3 if mha.in_proj_bias is None else mha.in_proj_bias.chunk(3)
    q = torch.nn.functional.linear(query, w[0], b[0])  # (N, Tq, E)
    k = torch.nn.functional.linear(source, w[1], b[1])  # (N, Tk, E)
    v = torch.nn.functional.linear(source, w[2], b[2])  # (N, Tk, E)
    return tuple(split_heads(t, mha.num_heads) for t in (q, k, v))


class AttentionScore(nn.Module):
    """The similarity of each query with each key, ``(N, h, Tq, d), (N, h, Tk, d) -> (N, h, Tq, Tk)``,
    before the softmax; ``d`` is the head width.

    - ``scaled_dot``: ``q.k / sqrt(d)`` (Vaswani et al. 2017, eq. 1). No parameters.
    - ``dot``: ``q.k`` (Luong et al. 2015, "dot"). No parameters; with wide heads the scores grow like
      ``sqrt(d)`` and the softmax saturates, which is why Vaswani et al. scale.
    - ``cosine``: ``g_h * cos(q, k)`` with a learned scale ``g_h = exp(log_scale_h)`` per head, capped at
      ``MAX_SCALE`` (100, as Swin v2 bounds its temperature tau >= 0.01). A cosine lies in [-1, 1], so without a scale the weights of any two keys
      differ by at most a factor e^2: no peaked softmax. A fixed scale would have to be guessed per task;
      a learned one (as in query-key normalisation, Henry et al. 2020, and Swin v2, Liu et al. 2022) lets
      each head choose how sharp it is. It starts at ``sqrt(d)``: for unit-variance projections
      ``q.k / sqrt(d)`` is about ``sqrt(d) * cos``, so at initialisation cosine behaves like scaled_dot.
    - ``additive``: ``v_h^T tanh(q + k)`` (Bahdanau et al. 2015, eq. 6, ``v^T tanh(W s + U h)``): the
      queries and keys are already the linear maps ``W_Q x`` and ``W_K x`` of the layer, so a head needs
      only its vector ``v_h`` ``(d,)``. Memory ``N * h * Tq * Tk * d`` floats (the tanh of every pair).
    """

    MAX_SCALE = 100.0

    def __init__(self, kind: str, num_heads: int, head_dim: int):
        super().__init__()
        self.kind, self.head_dim = kind, head_dim
        if kind == "cosine":
            self.log_scale = nn.Parameter(torch.full((num_heads,), 0.5 * math.log(head_dim)))
        elif kind == "additive":
            self.v = nn.Parameter(torch.randn(num_heads, head_dim) / math.sqrt(head_dim))

    def forward(self, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        if self.kind == "cosine":
            cos = nn.functional.normalize(q, dim=-1) @ nn.functional.normalize(k, dim=-1).transpose(-2, -1)
            return cos * self.log_scale.exp().clamp(max=self.MAX_SCALE)[:, None, None]  # (N, h, Tq, Tk)
        if self.kind == "additive":
            pairs = torch.tanh(q[:, :, :, None, :] + k[:, :, None, :, :])  # (N, h, Tq, Tk, d)
            return torch.einsum("nhqkd,hd->nhqk", pairs, self.v)
        dots = q @ k.transpose(-2, -1)  # (N, h, Tq, Tk)
        return dots / math.sqrt(self.head_dim) if self.kind == "scaled_dot" else dots

    def extra_repr(self) -> str:
        return f"kind={self.kind!r}"


def masked_scores(scores: torch.Tensor, attn_mask: torch.Tensor | None = None,
                  key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """``scores`` ``(N, h, Tq, Tk)`` with ``-inf`` where ``attn_mask`` ``(Tq, Tk)`` or ``key_padding_mask``
    ``(N, Tk)`` is True (a hidden key)."""
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask, float("-inf"))
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    return scores


def masked_softmax(scores: torch.Tensor, attn_mask: torch.Tensor | None = None,
                   key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """``softmax`` over the keys of ``scores`` ``(N, h, Tq, Tk)``; ``attn_mask`` ``(Tq, Tk)`` and
    ``key_padding_mask`` ``(N, Tk)`` are True where a key is hidden (its weight is exactly 0)."""
    return torch.softmax(masked_scores(scores, attn_mask, key_padding_mask), dim=-1)


def attention_stages(mha: nn.MultiheadAttention, score: AttentionScore, query: torch.Tensor, source: torch.Tensor,
                     attn_mask: torch.Tensor | None = None, key_padding_mask: torch.Tensor | None = None) -> dict:
    """The three stages of attention for ``query`` ``(N, Tq, E)`` over ``source`` ``(N, Tk, E)``, from the
    module's own weights: ``q``, ``k``, ``v`` ``(N, h, T, d)``; ``scores`` ``(N, h, Tq, Tk)`` (similarity,
    ``-inf`` at hidden keys);
    ``probs`` (softmax over the keys); ``context`` ``(N, h, Tq, d)`` (``probs @ v``, the weighted sum of
    the values); ``out`` ``(N, Tq, E)`` (heads concatenated, ``out_proj``). No dropout."""
    q, k, v = project(mha, query, source)
    scores = masked_scores(score(q, k), attn_mask, key_padding_mask)
    probs = torch.softmax(scores, dim=-1)
    context = probs @ v  # (N, h, Tq, d)
    return {"q": q, "k": k, "v": v, "scores": scores, "probs": probs, "context": context,
            "out": mha.out_proj(merge_heads(context))}


def run_attention(mha: nn.MultiheadAttention, score: AttentionScore, query: torch.Tensor, source: torch.Tensor,
                  attn_mask: torch.Tensor | None = None, key_padding_mask: torch.Tensor | None = None,
                  is_causal: bool = False) -> torch.Tensor:
    """Attention output ``(N, Tq, E)``: torch's fused module for ``scaled_dot``; the stages written out
    (with dropout on the weights while training, as torch does) for the other scores."""
    if score.kind == "scaled_dot":
        out, _ = mha(query, source, source, key_padding_mask=key_padding_mask, attn_mask=attn_mask,
                     need_weights=False, is_causal=is_causal)
        return out
    q, k, v = project(mha, query, source)
    probs = masked_softmax(score(q, k), attn_mask, key_padding_mask)  # (N, h, Tq, Tk)
    probs = nn.functional.dropout(probs, mha.dropout, mha.training)
    return mha.out_proj(merge_heads(probs @ v))


class SelfAttention(nn.Module):
    """Multi-head self-attention ``(N, T, E) -> (N, T, E)`` with the projections of
    ``torch.nn.MultiheadAttention`` and the similarity ``score`` (:class:`AttentionScore`);
    ``scaled_dot`` runs torch's own fused attention."""

    takes_padding_mask = True

    def __init__(self, embed_dim: int, num_heads: int, causal: bool = False, dropout: float = 0.0,
                 bias: bool = True, score: str = "scaled_dot"):
        super().__init__()
        self.causal = causal
        self.attn = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, bias=bias, batch_first=True)
        self.score = AttentionScore(score, num_heads, embed_dim // num_heads)

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        mask = causal_mask(x.shape[1], x.device) if self.causal else None  # (T, T)
        return run_attention(self.attn, self.score, x, x, mask, key_padding_mask, is_causal=self.causal)

    def extra_repr(self) -> str:
        return f"causal={self.causal}"


class CrossAttention(nn.Module):
    """Encoder-decoder attention (Bahdanau et al. 2015; Luong et al. 2015) over one sequence holding the
    source, then the target side: ``(N, S + T, E) -> (N, T, E)``, ``S = source_len``.

    The source ``x[:, :S]`` is read by a bidirectional GRU (``E / 2`` units each way): the memory
    ``(N, S, E)``, the encoder states h_j. The target side ``x[:, S:]`` (the target shifted right: teacher
    forcing) is read by a GRU of ``E`` units that starts from the encoder's last states: the decoder
    states s_t ``(N, T, E)``, each seeing the target tokens before t only. Every s_t is a query over the
    memory (keys and values), with the similarity ``score``; the output is Luong's attentional state
    ``tanh(W_c [context_t; s_t])`` (eq. 5). Padding keys of the source are masked.
    """

    takes_padding_mask = True

    def __init__(self, embed_dim: int, num_heads: int, source_len: int, score: str = "scaled_dot",
                 dropout: float = 0.0):
        super().__init__()
        self.source_len = source_len
        self.encoder = nn.GRU(embed_dim, embed_dim // 2, batch_first=True, bidirectional=True)
        self.decoder = nn.GRU(embed_dim, embed_dim, batch_first=True)
        self.attn = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, batch_first=True)
        self.score = AttentionScore(score, num_heads, embed_dim // num_heads)
        self.combine = nn.Linear(2 * embed_dim, embed_dim)

    def read(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None):
        """``(memory (N, S, E), states (N, T, E), source padding mask (N, S) or None)`` of ``x`` ``(N, S + T, E)``."""
        memory, last = self.encoder(x[:, :self.source_len])  # (N, S, E), (2, N, E / 2)
        h0 = torch.cat([last[0], last[1]], dim=-1)[None]  # (1, N, E): both directions' last states
        states, _ = self.decoder(x[:, self.source_len:], h0.contiguous())  # (N, T, E)
        mask = None if key_padding_mask is None else key_padding_mask[:, :self.source_len]
        return memory, states, mask

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        memory, states, mask = self.read(x, key_padding_mask)
        context = run_attention(self.attn, self.score, states, memory, key_padding_mask=mask)  # (N, T, E)
        return torch.tanh(self.combine(torch.cat([context, states], dim=-1)))

    def extra_repr(self) -> str:
        return f"source_len={self.source_len}"


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


SEQUENCE_MODULES = (PositionalEncoding, SelfAttention, CrossAttention, TransformerEncoder, SequencePool, MaskedSequential)
