"""The attention tasks' data: reverse and sort targets, and the Shakespeare-vs-Milton lines."""

import numpy as np

from nnplay.data.corpora import read_corpus
from nnplay.data.tasks import AUTHORS, AUTHORS_VOCAB, CLS, PAD, author_lines, authors_split, digit_task, pad_id


def test_reverse_and_sort_targets():
    x, y = digit_task("reverse", 50, 9, seed=3)
    assert x.shape == y.shape == (50, 9) and x.dtype == np.int64
    assert (y == x[:, ::-1]).all() and 0 <= x.min() and x.max() <= 9
    x2, y2 = digit_task("sort", 50, 9, seed=3)
    assert (x2 == x).all()  # same seed, same digits
    assert (np.diff(y2, axis=1) >= 0).all() and (np.sort(x2, axis=1) == y2).all()


def test_author_lines_are_real_verse_lines_of_each_author():
    for author in AUTHORS:
        lines = author_lines(author)
        text = read_corpus(author.lower())
        assert len(lines) > 10_000 and len(set(lines)) == len(lines)
        assert all(len(line) >= 20 and line == line.strip() and line in text for line in lines[:500])
    assert "To be, or not to be,--that is the question:--" in author_lines("Shakespeare")
    assert "Of Mans First Disobedience, and the Fruit" in author_lines("Milton")


def test_authors_split_is_balanced_padded_and_disjoint():
    parts = authors_split(1000, 48, 0.2, seed=0)
    x_tr, x_te, y_tr, y_te = parts["x_train"], parts["x_test"], parts["y_train"], parts["y_test"]
    assert x_tr.shape == (800, 48) and x_te.shape == (200, 48) and y_te.mean() == 0.5
    assert (x_tr[:, 0] == AUTHORS_VOCAB.index(CLS)).all()
    assert pad_id(parts["vocab"]) == AUTHORS_VOCAB.index(PAD) == 0
    decode = lambda row: "".join(AUTHORS_VOCAB[i] for i in row[1:] if i != 0)  # noqa: E731
    train_lines = {decode(r) for r in x_tr}
    assert not train_lines & {decode(r) for r in x_te}  # no line in both parts
    some = decode(x_te[0])
    assert some in read_corpus(AUTHORS[y_te[0]].lower())
