"""The dates data set and the encoder-decoder preset trained for real: the data and its alignment by
hand, and over three training seeds the translation is learned and its cross attention finds the year
(median of the seeds against loose bars; chance is about 0.27 for the year). Budget: about 3 x 10 s on
one CPU."""

import statistics

import pytest
import torch

from nnplay.data import load
from nnplay.data.dates import SOURCE_LEN, VOCAB, alignment, draw, encode, written
from nnplay.probes.cross_attention import cross_attention_maps
from nnplay.spec.presets import PRESETS
from nnplay.train import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # see tests/conftest.py


def test_written_forms_and_encoding_by_hand():
    import datetime as dt

    day = dt.date(2026, 12, 6)
    assert [written(day, f) for f in range(4)] == ["6 december 2026", "december 6, 2026", "6 dec 2026", "dec 6, 2026"]
    x, y = encode([("6 dec 2026", "2026-12-06")])
    text = lambda ids: [VOCAB[i] for i in ids]  # noqa: E731
    assert text(x[0, :10]) == list("6 dec 2026") and set(text(x[0, 10:SOURCE_LEN])) == {"<pad>"}
    assert text(x[0, SOURCE_LEN:]) == ["<bos>", *"2026-12-0"] and "".join(text(y[0])) == "2026-12-06"
    assert draw(50, 3) == draw(50, 3) and draw(50, 3) != draw(50, 4)
    assert all(len(s) <= SOURCE_LEN and t[4] == t[7] == "-" for s, t in draw(2000, 0))


def test_alignment_names_the_year_month_and_day_positions():
    assert alignment("december 16, 2026") == [[13], [14], [15], [16], [], list(range(8)), list(range(8)), [],
                                              [9], [10]]
    assert alignment("6 dec 2026") == [[6], [7], [8], [9], [], [2, 3, 4], [2, 3, 4], [], [0], [0]]


def test_dates_preset_learns_and_its_cross_attention_finds_the_year():
    base = next(p["spec"] for p in PRESETS if p["id"] == "attention_dates")
    split = load(base.dataset)
    sources = ["".join(VOCAB[i] for i in row[:SOURCE_LEN].tolist() if i != 0) for row in split.x_test]
    accuracy, year = [], []
    for seed in range(3):
        spec = base.model_copy(deep=True)
        spec.training = spec.training.model_copy(update={"seed": seed, "epochs": 3, "probe_every": 100_000})
        result = train(spec, lambda _e: None, split=split)
        assert result.status == "completed"
        accuracy.append(result.final["test_accuracy"])
        (entry,), _ = cross_attention_maps(result.model, [layer.type for layer in spec.network.layers], split.x_test)
        top = entry["stages"]["probs"][:, 0].argmax(-1)  # (N, 10) the most-weighted source position
        hits = [int(top[n, t]) in alignment(src)[t] for n, src in enumerate(sources) for t in range(4)]
        year.append(sum(hits) / len(hits))
    assert statistics.median(accuracy) >= 0.9, accuracy
    assert statistics.median(year) >= 0.6, year
