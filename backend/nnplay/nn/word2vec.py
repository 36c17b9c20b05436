"""Word2vec in torch: vocabulary, subsampling, dynamic windows, the noise sampler and the model.

Follows Mikolov et al. 2013 and the reference C implementation (word2vec.c), as gensim does:

- the vocabulary keeps words seen at least ``min_count`` times, most frequent first (ties
  alphabetical); other words are removed from the stream before windows are taken;
- subsampling keeps a word of count ``c`` (corpus of ``n`` kept tokens, threshold ``t``) with
  probability ``(sqrt(c / (t n)) + 1) (t n) / c``, capped at 1 (word2vec.c, gensim's ``sample``);
- each centre word draws its window ``b`` uniformly from ``1..window`` (word2vec.c's ``b = rand % window``),
  so near words are seen more often than far ones;
- negative sampling draws noise words from the unigram distribution raised to 0.75, through a
  cumulative table searched by bisection (gensim's ``cum_table``); a noise word equal to its own
  example's target is skipped (it adds nothing to the loss or the gradient), as word2vec.c's
  ``if (target == word) continue`` and gensim do.

Training with negative sampling does not go through autograd: ``row_grads`` computes the gradient of
the batch's summed loss in closed form as updates of the rows the batch touches. Plain SGD (word2vec.c's
and gensim's rule) applies them in place with ``index_add_`` (``sgd_row_step``), building no gradient
tensor; other optimizers get them as sparse row gradients ``(V, D)`` (``negative_sampling_grads``) and
step as with any other gradient. ``benchmarks/word2vec.py`` measures it against gensim; ``forward`` is
the same loss for autograd (the tests' oracle).
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

NOISE_POWER = 0.75


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
    """Draws noise words from a distribution ``(V,)`` in O(1) a draw by Walker's alias method (Vose's
    construction; Walker, "An efficient method for generating discrete random variables with general
    distributions", ACM TOMS 1977): a uniform column ``i`` and a uniform ``u``; the draw is ``i`` when
    ``u < keep[i]``, else ``alias[i]``. Exact up to float32 rounding of ``keep`` and ``u`` (a word's
    probability is off by at most 2^-23 / V per column it occupies; gensim's ``cum_table`` rounds to
    2^-31), several times faster than bisection on one CPU thread."""

    def __init__(self, probs: torch.Tensor):
        self.vocab_size = len(probs)
        keep, self.alias = alias_table(probs.double().numpy())
        self.keep = keep.float()  # float32 draws: 2^-24 resolution, far below any sampling error here

    def draw(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """``n`` word ids ``(n,)`` int64, independent draws."""
        column = torch.randint(0, self.vocab_size, (n,), generator=gen)
        u = torch.rand(n, generator=gen)
        keep, alias = self.keep.index_select(0, column), self.alias.index_select(0, column)  # faster than [column]
        return torch.where(u < keep, column, alias)

    def negatives(self, n: int, k: int, gen: torch.Generator) -> torch.Tensor:
        """Noise words ``(n, k)`` for ``n`` examples (a draw equal to the example's target is skipped
        by the loss, see ``noise_mask``)."""
        return self.draw(n * k, gen).view(n, k)


def alias_table(probs: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Vose's alias table of a distribution ``(V,)``: ``keep`` ``(V,)`` float64 and ``alias`` ``(V,)``
    int64, so that column ``i`` gives ``i`` with probability ``keep[i]`` and ``alias[i]`` otherwise."""
    v = len(probs)
    scaled = probs / probs.sum() * v
    keep, alias = np.ones(v), np.arange(v)
    small = [i for i in range(v) if scaled[i] < 1.0]
    large = [i for i in range(v) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        keep[s], alias[s] = scaled[s], g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    return torch.from_numpy(keep), torch.from_numpy(alias)  # leftovers keep themselves (rounding)


def noise_mask(targets: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """``(B, K)`` float: 0 where a noise word equals its example's target ``(B,)`` (word2vec.c skips
    it), else 1."""
    return noise.ne(targets.unsqueeze(1)).float()


def window_sizes(n: int, window: int, gen: torch.Generator) -> torch.Tensor:
    """The reduced window ``(n,)`` of each centre word, uniform in ``1..window``."""
    return torch.randint(1, window + 1, (n,), generator=gen)


def context_windows(ids: torch.Tensor, window: int, gen: torch.Generator) -> torch.Tensor:
    """The context ids ``(n, 2 window)`` of each position of a token stream ``(n,)``, offsets
    ``-window..-1, 1..window`` in order, ``-1`` where an offset is outside the position's dynamic window
    (``window_sizes``) or the stream. Built from strided views of the padded stream, without gathers."""
    n, b = len(ids), window_sizes(len(ids), window, gen)
    pad = ids.new_full((window,), -1)
    windows = torch.cat([pad, ids, pad]).unfold(0, 2 * window + 1, 1)  # (n, 2W+1) view, centre in column W
    contexts = torch.cat([windows[:, :window], windows[:, window + 1:]], 1)  # (n, 2W)
    distance = torch.cat([torch.arange(window, 0, -1), torch.arange(1, window + 1)])  # (2W,) |offset|
    return contexts.masked_fill_(distance.unsqueeze(0) > b.unsqueeze(1), -1)


def skipgram_pairs(ids: torch.Tensor, window: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """All (centre, context) pairs ``(P,)``, ``(P,)`` of a token stream ``(n,)`` with dynamic windows,
    shuffled."""
    contexts = context_windows(ids, window, gen)  # (n, 2W)
    valid = contexts >= 0
    centers = ids.unsqueeze(1).expand_as(contexts).masked_select(valid)  # (P,)
    contexts = contexts.masked_select(valid)  # (P,)
    order = torch.randperm(len(centers), generator=gen)
    return centers.index_select(0, order), contexts.index_select(0, order)  # index_select: 4x ids[order]


def cbow_examples(ids: torch.Tensor, window: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """CBOW examples: centre words ``(n,)`` and their context ids ``(n, 2 window)``, ``-1`` where a
    position is outside the centre's dynamic window or the stream; shuffled. Centres without any
    context (a one-word stream) are dropped."""
    contexts = context_windows(ids, window, gen)  # (n, 2W)
    has = (contexts >= 0).any(dim=1)  # all but a one-word stream's centre
    if not bool(has.all()):
        ids, contexts = ids[has], contexts[has]
    order = torch.randperm(len(ids), generator=gen)
    return ids.index_select(0, order), contexts.index_select(0, order)


class Word2Vec(nn.Module):
    """Input embeddings ``in_embed`` ``(V, D)`` and output weights ``out_embed`` ``(V, D)``.

    Initialised as gensim 4 does (``gensim.models.keyedvectors.prep_vectors``): inputs uniform in
    ``[-1/D, 1/D)``, outputs zero. word2vec.c draws the inputs from half that range; with it, CBOW at
    lr 0.05 scored 0.75 of gensim's analogy accuracy, with gensim's 0.94 (``benchmarks/word2vec.py``,
    Shakespeare, mean of 10 seeds).
    ``forward`` returns the mean loss of a batch in nats.
    """

    def __init__(self, vocab_size: int, dim: int, model: str, negatives: int):
        super().__init__()
        self.model, self.negatives = model, negatives
        self.in_embed = nn.Embedding(vocab_size, dim)
        self.out_embed = nn.Embedding(vocab_size, dim)
        with torch.no_grad():
            self.in_embed.weight.uniform_(-1.0 / dim, 1.0 / dim)
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
        return -(F.logsigmoid(pos) + (F.logsigmoid(-neg) * noise_mask(targets, noise)).sum(-1)).mean()


def _context_rows(inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """CBOW inputs ``(B, 2W)`` (-1 padded): the mask of context words ``(B, 2W)``, each example's
    number of them ``(B,)`` (at least 1), the valid ids ``(M,)`` in row-major order and the example
    ``(M,)`` each belongs to."""
    valid = inputs >= 0  # (B, 2W)
    positions = valid.reshape(-1).nonzero().squeeze(1)  # (M,) flat positions of the context words
    rows = inputs.reshape(-1).index_select(0, positions)  # (M,); index_select: faster than inputs[valid]
    return valid, valid.sum(1).clamp(min=1), rows, positions.div(inputs.shape[1], rounding_mode="floor")


@dataclass(frozen=True)
class RowGrads:
    """A batch's negative-sampling loss and its gradients as row updates: row ``in_rows[i]`` of
    ``in_embed.weight`` gets ``in_values[i]``, row ``out_rows[j]`` of ``out_embed.weight`` gets
    ``out_values[j]``; a word that occurs several times gets the sum."""

    loss: float  # the batch's summed loss, nats
    in_rows: torch.Tensor  # (M,) int64: the centres (skip-gram, M = B) or the context words (CBOW)
    in_values: torch.Tensor  # (M, D)
    out_rows: torch.Tensor  # (B (K+1),) int64: each example's target, then its K noise words
    out_values: torch.Tensor  # (B (K+1), D)


def _hidden_rows(model: Word2Vec, w_in: torch.Tensor, inputs: torch.Tensor):
    """The hidden layer ``(B, D)`` without autograd, and a function of its gradient ``(B, D)`` giving
    the input rows ``(M,)`` and their values ``(M, D)`` (CBOW: each context word gets its example's whole
    gradient, word2vec.c's ``neu1e``, undivided)."""
    if model.model == "skipgram":
        return w_in.index_select(0, inputs), lambda grad_h: (inputs, grad_h)  # (B, D)
    valid, count, rows, example = _context_rows(inputs)
    weights = valid.to(w_in.dtype) / count.unsqueeze(1)  # (B, 2W): 1/c on context words, 0 on padding
    h = F.embedding_bag(inputs.clamp(min=0), w_in, per_sample_weights=weights, mode="sum")  # (B, D) mean
    return h, lambda grad_h: (rows, grad_h.index_select(0, example))  # (M, D): each row its example's


def row_grads(model: Word2Vec, inputs: torch.Tensor, targets: torch.Tensor, noise: torch.Tensor,
              scale: float = 1.0) -> RowGrads:
    """The batch's summed negative-sampling loss (nats) and ``scale`` times its gradients as row
    updates (``RowGrads``), computed in closed form without autograd.

    With ``z_j = s_j u_j . h`` (``s_0 = +1`` for the target, ``-1`` for the noise words, ``m_j`` the
    noise mask), ``L = -sum_j m_j log sigmoid(z_j)`` and ``dL/d(u_j . h) = s_j m_j (sigmoid(z_j) - 1)``
    (Mikolov et al. 2013b; word2vec.c's ``g``, negated): the output rows get ``G_j h`` and the hidden
    layer ``e = sum_j G_j u_j``. Skip-gram: the centre's row gets ``e``; this equals autograd of
    ``forward(...) * B``. CBOW (``h`` the mean of the context rows): every context word's row gets the
    whole ``e``, not the mean's gradient ``e / c`` (``c`` context words), as word2vec.c's CBOW and
    gensim's ``cbow_mean=1`` update (gensim divides only for a summed hidden layer): the input rows
    step ``c`` times further than the exact gradient would take them, which is what makes CBOW learn
    at word2vec's learning rates. ``inputs``: centres ``(B,)`` (skip-gram) or contexts ``(B, 2W)``
    (CBOW); ``targets`` ``(B,)``; ``noise`` ``(B, K)``. ``scale`` multiplies the gradients (``-lr``
    for an SGD step) on the ``(B, K+1)`` coefficients, before the row-sized products.
    """
    w_in, w_out = model.in_embed.weight.detach(), model.out_embed.weight.detach()
    n, k1 = len(targets), noise.shape[1] + 1
    h, input_rows = _hidden_rows(model, w_in, inputs)  # (B, D)
    words = torch.cat([targets.unsqueeze(1), noise], 1)  # (B, K+1)
    u = w_out.index_select(0, words.view(-1)).view(n, k1, -1)  # (B, K+1, D), reused for grad_u below
    sign = torch.full((k1,), -1.0, dtype=h.dtype, device=h.device)
    sign[0] = 1.0
    # (B, 1, D) @ (B, D, K+1): on CPU twice as fast as (u * h).sum(-1), 8x as fast as (K+1, D) @ (D, 1)
    z = torch.bmm(h.unsqueeze(1), u.transpose(1, 2)).view(n, k1).mul_(sign)  # (B, K+1)
    skip = words.eq(targets.unsqueeze(1))  # (B, K+1): word2vec.c skips a noise word equal to the target
    skip[:, 0] = False
    loss = -F.logsigmoid(z).masked_fill_(skip, 0.0).sum().item()
    g = torch.sigmoid(z).sub_(1).mul_(sign * scale).masked_fill_(skip, 0.0)  # (B, K+1) scale dL/d(u . h)
    grad_h = F.embedding_bag(words, w_out, per_sample_weights=g, mode="sum")  # (B, D) sum_j G_j u_j, fused
    grad_u = torch.mul(g.unsqueeze(-1), h.unsqueeze(1), out=u).view(n * k1, -1)  # (B (K+1), D), in u's memory
    in_rows, in_values = input_rows(grad_h)
    return RowGrads(loss, in_rows, in_values, words.view(-1), grad_u)


def negative_sampling_grads(model: Word2Vec, inputs: torch.Tensor, targets: torch.Tensor,
                            noise: torch.Tensor) -> tuple[float, torch.Tensor, torch.Tensor]:
    """The batch's summed negative-sampling loss (nats) and its gradients with respect to
    ``in_embed.weight`` and ``out_embed.weight``, as uncoalesced sparse COO tensors ``(V, D)`` (one
    row per word occurrence in the batch; duplicates add up): ``row_grads`` (see there for the
    formulas and CBOW's word2vec.c update) as tensors an optimizer steps with."""
    r = row_grads(model, inputs, targets, noise)
    size = model.in_embed.weight.shape
    return (r.loss, torch.sparse_coo_tensor(r.in_rows.unsqueeze(0), r.in_values, size, check_invariants=False),
            torch.sparse_coo_tensor(r.out_rows.unsqueeze(0), r.out_values, size, check_invariants=False))


@torch.no_grad()
def sgd_row_step(model: Word2Vec, inputs: torch.Tensor, targets: torch.Tensor, noise: torch.Tensor,
                 lr: float) -> float:
    """One plain SGD step on the batch's summed negative-sampling loss, applied in place to the rows it
    touches (``index_add_``; a word seen several times gets the sum), as word2vec.c and gensim update
    (without their pair-by-pair order): the same step as ``torch.optim.SGD`` (no momentum, no weight
    decay) on ``negative_sampling_grads``, without building gradient tensors or an optimizer pass.
    Returns the batch's mean loss per example (nats) before the step. Shapes as ``row_grads``."""
    r = row_grads(model, inputs, targets, noise, scale=-lr)
    model.out_embed.weight.index_add_(0, r.out_rows, r.out_values)
    model.in_embed.weight.index_add_(0, r.in_rows, r.in_values)
    return r.loss / len(targets)
