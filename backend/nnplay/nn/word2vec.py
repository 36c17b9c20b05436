"""Word2vec in torch: vocabulary, subsampling, dynamic windows, the noise sampler and the model.

Follows Mikolov et al. 2013 and the reference C implementation (word2vec.c), as gensim does:

- the vocabulary keeps words seen at least ``min_count`` times, most frequent first (ties
  alphabetical); other words are removed from the stream before windows are taken;
- subsampling keeps a word of count ``c`` (corpus of ``n`` kept tokens, threshold ``t``) with
  probability ``(sqrt(c / (t n)) + 1) (t n) / c``, capped at 1 (word2vec.c, gensim's ``sample``);
- each centre word draws its window ``b`` uniformly from ``1..window`` (word2vec.c's ``b = rand % window``),
  so near words are seen more often than far ones;
- negative sampling draws noise words from the unigram distribution raised to 0.75, through a
  cumulative table searched by bisection (gensim's ``cum_table``); a noise word equal to a positive
  context of the same centre in the batch is redrawn.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

NOISE_POWER = 0.75
MAX_REDRAWS = 20


@dataclass(frozen=True)
class Vocab:
    """Words most frequent first; ``counts[i]`` is how often ``words[i]`` occurs in the corpus."""

    words: tuple[str, ...]
    counts: np.ndarray  # (V,) int64

    @classmethod
    def build(cls, tokens, min_count: int) -> "Vocab":
        """The words of ``tokens`` seen at least ``min_count`` times, by count (desc) then alphabetically."""
        uniq, counts = np.unique(np.asarray(tokens, dtype=object).astype(str), return_counts=True)
        keep = counts >= min_count
        uniq, counts = uniq[keep], counts[keep]
        order = np.lexsort((uniq, -counts))
        return cls(tuple(uniq[order].tolist()), counts[order].astype(np.int64))

    def __len__(self) -> int:
        return len(self.words)

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def encode(self, tokens) -> np.ndarray:
        """Ids ``(n,)`` int64 of the tokens in the vocabulary, in order; other tokens are dropped."""
        index = self.index
        ids = np.fromiter((index.get(t, -1) for t in tokens), dtype=np.int64, count=len(tokens))
        return ids[ids >= 0]


def keep_probabilities(counts: np.ndarray, threshold: float) -> torch.Tensor:
    """Per-word probability ``(V,)`` of keeping an occurrence (word2vec.c's subsampling); 1 when t = 0."""
    c = torch.as_tensor(counts, dtype=torch.float64)
    if threshold <= 0:
        return torch.ones_like(c)
    tn = threshold * c.sum()
    return ((c / tn).sqrt() + 1).mul(tn / c).clamp(max=1.0)


def subsample(ids: torch.Tensor, keep: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """The ids ``(n,)`` left after dropping each occurrence with probability ``1 - keep[id]``."""
    return ids[torch.rand(len(ids), generator=gen, dtype=torch.float64) < keep[ids]]


def noise_distribution(counts: np.ndarray, power: float = NOISE_POWER) -> torch.Tensor:
    """The noise distribution ``(V,)``: ``count^power / sum(count^power)`` (Mikolov et al. 2013b)."""
    p = torch.as_tensor(counts, dtype=torch.float64) ** power
    return p / p.sum()


class NoiseSampler:
    """Draws noise words from a distribution ``(V,)`` by bisection in its cumulative table."""

    def __init__(self, probs: torch.Tensor):
        self.cum = probs.cumsum(0)
        self.cum[-1] = 1.0
        self.vocab_size = len(probs)

    def draw(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """``n`` word ids ``(n,)`` int64, independent draws."""
        u = torch.rand(n, generator=gen, dtype=torch.float64)
        return torch.searchsorted(self.cum, u, right=True).clamp_(max=self.vocab_size - 1)

    def negatives(self, centers: torch.Tensor, positives: torch.Tensor, k: int, gen: torch.Generator) -> torch.Tensor:
        """Noise words ``(B, k)`` for a batch of ``(centers, positives)`` pairs ``(B,)`` each.

        A draw that forms, with its row's centre, a pair that is positive somewhere in the batch is
        redrawn (up to ``MAX_REDRAWS`` rounds; then such a draw is replaced by a word that is not
        positive for that centre, found among fresh draws), so no pair is both positive and negative.
        """
        vocab = self.vocab_size
        pos_keys = torch.unique(centers * vocab + positives)  # (P,) sorted
        neg = self.draw(len(centers) * k, gen).view(-1, k)  # (B, k)
        for _ in range(MAX_REDRAWS):
            bad = torch.isin(centers[:, None] * vocab + neg, pos_keys)  # (B, k)
            if not bad.any():
                return neg
            neg[bad] = self.draw(int(bad.sum()), gen)
        return _fix_collisions(neg, centers, pos_keys, vocab)


def _fix_collisions(neg: torch.Tensor, centers: torch.Tensor, pos_keys: torch.Tensor, vocab: int) -> torch.Tensor:
    """Replace each remaining collision by the next word id (mod V) that is not positive for that centre."""
    bad = torch.isin(centers[:, None] * vocab + neg, pos_keys)
    for row, col in bad.nonzero().tolist():
        word = int(neg[row, col])
        while int(centers[row]) * vocab + word in pos_keys:
            word = (word + 1) % vocab
        neg[row, col] = word
    return neg


def window_sizes(n: int, window: int, gen: torch.Generator) -> torch.Tensor:
    """The reduced window ``(n,)`` of each centre word, uniform in ``1..window``."""
    return torch.randint(1, window + 1, (n,), generator=gen)


def skipgram_pairs(ids: torch.Tensor, window: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """All (centre, context) pairs ``(P,)``, ``(P,)`` of a token stream ``(n,)`` with dynamic windows,
    shuffled."""
    n, b = len(ids), window_sizes(len(ids), window, gen)
    centers, contexts = [], []
    for j in range(1, min(window, n - 1) + 1):
        fwd = b[: n - j] >= j  # centre i, context i + j
        bwd = b[j:] >= j  # centre i + j, context i
        centers += [ids[: n - j][fwd], ids[j:][bwd]]
        contexts += [ids[j:][fwd], ids[: n - j][bwd]]
    centers, contexts = torch.cat(centers), torch.cat(contexts)
    order = torch.randperm(len(centers), generator=gen)
    return centers[order], contexts[order]


def cbow_examples(ids: torch.Tensor, window: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """CBOW examples: centre words ``(n,)`` and their context ids ``(n, 2 window)``, ``-1`` where a
    position is outside the centre's dynamic window or the stream; shuffled. Centres without any
    context (a one-word stream) are dropped."""
    n, b = len(ids), window_sizes(len(ids), window, gen)
    pos = torch.arange(n)
    offsets = torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)])  # (2W,)
    where = pos[:, None] + offsets[None, :]  # (n, 2W)
    valid = (offsets.abs()[None, :] <= b[:, None]) & (where >= 0) & (where < n)
    contexts = torch.where(valid, ids[where.clamp(0, n - 1)], torch.full_like(where, -1))
    has = valid.any(dim=1)
    order = torch.randperm(int(has.sum()), generator=gen)
    return ids[has][order], contexts[has][order]


class Word2Vec(nn.Module):
    """Input embeddings ``in_embed`` ``(V, D)`` and output weights ``out_embed`` ``(V, D)``.

    Initialised as word2vec.c: inputs uniform in ``[-0.5/D, 0.5/D)``, outputs zero.
    ``forward`` returns the mean loss of a batch in nats.
    """

    def __init__(self, vocab_size: int, dim: int, model: str, negatives: int):
        super().__init__()
        self.model, self.negatives = model, negatives
        self.in_embed = nn.Embedding(vocab_size, dim)
        self.out_embed = nn.Embedding(vocab_size, dim)
        with torch.no_grad():
            self.in_embed.weight.uniform_(-0.5 / dim, 0.5 / dim)
            self.out_embed.weight.zero_()

    def hidden(self, inputs: torch.Tensor) -> torch.Tensor:
        """The hidden layer ``(B, D)``: the centre's row (skip-gram, ``inputs`` ``(B,)``) or the mean of
        the context rows (CBOW, ``inputs`` ``(B, 2W)`` with ``-1`` padding)."""
        if self.model == "skipgram":
            return self.in_embed(inputs)
        mask = (inputs >= 0).unsqueeze(-1).float()  # (B, 2W, 1)
        rows = self.in_embed(inputs.clamp(min=0)) * mask  # (B, 2W, D)
        return rows.sum(1) / mask.sum(1).clamp(min=1)

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        """Mean loss over the batch: full softmax cross-entropy over V words when ``noise`` is None,
        else the negative-sampling loss ``-log s(u_t . h) - sum_k log s(-u_k . h)`` with ``noise``
        ``(B, K)``."""
        h = self.hidden(inputs)  # (B, D)
        if noise is None:
            return F.cross_entropy(h @ self.out_embed.weight.T, targets)  # logits (B, V)
        pos = (h * self.out_embed(targets)).sum(-1)  # (B,)
        neg = torch.bmm(self.out_embed(noise), h.unsqueeze(-1)).squeeze(-1)  # (B, K)
        return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()
