"""What word vectors show: cosine neighbours, analogies, a 2-D projection aligned between frames, and
the analogy benchmark that ships with gensim.

- ``neighbors``: the words with the highest cosine similarity to a word (the word itself excluded).
- ``analogy``: ``a - b + c`` over unit vectors (3CosAdd, Mikolov et al. 2013; gensim's
  ``most_similar(positive=[a, c], negative=[b])``), the query words excluded.
- ``project_2d``: PCA to 2-D, then rotated/reflected onto the previous frame by orthogonal Procrustes
  (Schoenemann 1966): the orthogonal ``R`` minimising ``||X R - Y_prev||_F`` is ``U V^T`` for the SVD
  ``X^T Y_prev = U S V^T``; so points move smoothly instead of flipping sign or spinning.
- ``neighbour_overlap``: how far two embeddings of the same corpus agree: the mean share of the ``k``
  cosine neighbours they have in common, over the most frequent words (a model against gensim's).
- ``analogy_accuracy``: the questions of ``questions-words.txt`` (Mikolov et al. 2013) whose four
  words are all in the vocabulary, answered by 3CosAdd; as gensim's ``evaluate_word_analogies``.
"""

import difflib
from pathlib import Path

import torch
from torch.nn import functional as F


def unit_rows(vectors: torch.Tensor) -> torch.Tensor:
    """Rows ``(V, D)`` scaled to unit L2 norm (a zero row stays zero)."""
    return F.normalize(vectors.float(), dim=1)


def neighbors(unit: torch.Tensor, words: list[str], word_id: int, k: int = 10) -> list[dict]:
    """The ``k`` words closest to ``words[word_id]`` by cosine: ``[{"word", "similarity"}]``."""
    sims = unit @ unit[word_id]  # (V,)
    sims[word_id] = -float("inf")
    return _top(sims, words, k)


def analogy(unit: torch.Tensor, words: list[str], a: int, b: int, c: int, k: int = 5) -> list[dict]:
    """The ``k`` words closest to ``a - b + c`` (unit vectors), excluding a, b and c."""
    target = F.normalize(unit[a] - unit[b] + unit[c], dim=0)
    sims = unit @ target  # (V,)
    sims[[a, b, c]] = -float("inf")
    return _top(sims, words, k)


def _top(sims: torch.Tensor, words: list[str], k: int) -> list[dict]:
    values, ids = sims.topk(min(k, len(words) - 1))
    return [{"word": words[i], "similarity": round(float(v), 4)} for v, i in zip(values.tolist(), ids.tolist())]


def neighbour_overlap(words_a: list[str], vectors_a: torch.Tensor, words_b: list[str], vectors_b: torch.Tensor,
                      n_words: int = 100, k: int = 10) -> float:
    """Mean share (0-1) of the ``k`` cosine neighbours that two embeddings ``(V_a, D_a)``, ``(V_b, D_b)``
    agree on, over the first ``n_words`` of ``words_a`` (most frequent first) that are in both
    vocabularies; neighbours are taken among the words the two share."""
    index_b = {w: i for i, w in enumerate(words_b)}
    common = [i for i, w in enumerate(words_a) if w in index_b]
    ua = unit_rows(vectors_a[torch.tensor(common)])  # (C, D_a), same words in the same order as ub
    ub = unit_rows(vectors_b[torch.tensor([index_b[words_a[i]] for i in common])])  # (C, D_b)
    rows = torch.arange(min(n_words, len(common)))
    near_a = (ua[rows] @ ua.T).index_put_((rows, rows), torch.tensor(-2.0)).topk(k).indices  # (n, k)
    near_b = (ub[rows] @ ub.T).index_put_((rows, rows), torch.tensor(-2.0)).topk(k).indices
    shared = (near_a.unsqueeze(2) == near_b.unsqueeze(1)).any(2).sum(1)  # (n,)
    return float(shared.float().mean() / k)


def close_spellings(word: str, words: list[str], n: int = 5) -> list[str]:
    """Vocabulary words spelled like ``word`` (difflib's ratio >= 0.6), best first."""
    return difflib.get_close_matches(word, words, n=n, cutoff=0.6)


def project_2d(vectors: torch.Tensor, previous: torch.Tensor | None = None) -> torch.Tensor:
    """PCA of ``vectors`` ``(N, D)`` to ``(N, 2)``, aligned to ``previous`` ``(N, 2)`` when given.

    Without a previous frame, each axis's sign is fixed so that its largest-magnitude coordinate is
    positive. With one, the frame is rotated/reflected (orthogonal Procrustes) onto it.
    """
    x = vectors.double() - vectors.double().mean(0)
    _, _, vh = torch.linalg.svd(x, full_matrices=False)  # vh (min(N, D), D)
    coords = x @ vh[:2].T  # (N, 2)
    if previous is None:
        signs = coords.gather(0, coords.abs().argmax(0, keepdim=True)).sign()  # (1, 2)
        return coords * torch.where(signs == 0, 1.0, signs)
    u, _, vt = torch.linalg.svd(coords.T @ previous.double())  # (2, 2) each
    return coords @ (u @ vt)


def read_questions(path: str | Path) -> list[tuple[str, str, str, str, str]]:
    """``(section, a, b, c, d)`` of each question in a questions-words file (``: section`` headers)."""
    out, section = [], ""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            a, b, c, d = line.lower().split()
            out.append((section, a, b, c, d))
    return out


def analogy_accuracy(vectors: torch.Tensor, words: list[str], questions) -> tuple[float, int]:
    """Fraction of the in-vocabulary questions ``a : b :: c : d`` whose top 3CosAdd answer to
    ``b - a + c`` is ``d``, and how many questions were in the vocabulary."""
    index = {w: i for i, w in enumerate(words)}
    qs = [(index[a], index[b], index[c], index[d]) for _, a, b, c, d in questions
          if a in index and b in index and c in index and d in index]
    if not qs:
        return 0.0, 0
    unit = unit_rows(vectors)
    q = torch.tensor(qs)  # (Q, 4)
    target = F.normalize(unit[q[:, 1]] - unit[q[:, 0]] + unit[q[:, 2]], dim=1)  # (Q, D)
    sims = target @ unit.T  # (Q, V)
    sims.scatter_(1, q[:, :3], -float("inf"))
    return float((sims.argmax(1) == q[:, 3]).float().mean()), len(qs)
