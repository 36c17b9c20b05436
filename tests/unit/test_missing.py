"""Missing values: removal completely at random (seeded) and imputation from the training part only."""

import numpy as np
import pytest
import torch

from nnplay.data import dataset_info, load
from nnplay.data.missing import fill_values, impute, remove_at_random
from nnplay.spec import DatasetSpec, JobSpec
from nnplay.train import train

NAN = np.nan


def test_removal_is_seeded_and_about_the_fraction():
    x = np.ones((1000, 4))
    a, removed = remove_at_random(x, 0.3, seed=5)
    b, _ = remove_at_random(x, 0.3, seed=5)
    c, _ = remove_at_random(x, 0.3, seed=6)
    assert removed == int(np.isnan(a).sum()) and np.array_equal(np.isnan(a), np.isnan(b))
    assert not np.array_equal(np.isnan(a), np.isnan(c))
    assert abs(removed / 4000 - 0.3) < 0.03  # Binomial(4000, 0.3): sd 0.007
    assert remove_at_random(x, 0.0, 5)[1] == 0 and x.sum() == 4000  # the input is not modified


def test_imputation_by_hand():
    x_train = np.array([[1.0, NAN], [3.0, 4.0], [NAN, 8.0]])
    x_test = np.array([[NAN, NAN], [5.0, 2.0]])
    assert fill_values(x_train, "mean").tolist() == [2.0, 6.0]  # (1+3)/2, (4+8)/2: training rows only
    tr, te, m_tr, m_te = impute(x_train, x_test, "mean")
    assert tr.tolist() == [[1, 6], [3, 4], [2, 8]] and te.tolist() == [[2, 6], [5, 2]]
    assert m_tr.tolist() == [[0, 1], [0, 0], [1, 0]] and m_te.tolist() == [[1, 1], [0, 0]]
    tr, te, _, _ = impute(x_train, x_test, "zero")
    assert tr.tolist() == [[1, 0], [3, 4], [0, 8]] and te.tolist() == [[0, 0], [5, 2]]
    assert fill_values(np.array([[NAN], [NAN]]), "mean").tolist() == [0.0]  # never observed: 0


def test_load_reports_removed_values_and_fills_with_training_means():
    spec = DatasetSpec(name="iris", missing_fraction=0.25, seed=2)
    split = load(spec)
    assert split.total_values == 600 and split.removed == split.missing
    mask = np.isnan(remove_at_random(np.ones((150, 4)), 0.25, 2)[0])
    assert split.missing == int(mask.sum())
    # mean imputation keeps the training mean, so a filled cell standardises to exactly 0
    full = load(DatasetSpec(name="iris", seed=2))
    zeros_tr = int((split.x_train.abs() < 1e-6).sum()) - int((full.x_train.abs() < 1e-6).sum())
    zeros_te = int((split.x_test.abs() < 1e-6).sum()) - int((full.x_test.abs() < 1e-6).sum())
    assert zeros_tr + zeros_te == split.missing


def test_indicator_doubles_the_features_and_marks_missing_cells():
    spec = DatasetSpec(name="wine", missing_fraction=0.2, impute="mean_with_indicator")
    split = load(spec)
    assert dataset_info(spec).input_shape == (26,) and split.x_train.shape[1] == 26
    values, flags = split.x_train[:, :13], split.x_train[:, 13:]
    assert set(flags.unique().tolist()) == {0.0, 1.0}
    assert torch.all(values[flags == 1].abs() < 1e-5)  # each flagged cell holds the (standardised) mean
    assert int(flags.sum() + split.x_test[:, 13:].sum()) == split.missing
    digits = DatasetSpec(name="digits", missing_fraction=0.1, impute="mean_with_indicator")
    assert dataset_info(digits).input_shape == (2, 8, 8) and load(digits).x_test.shape[1:] == (2, 8, 8)


def test_training_with_missing_values_streams_data_info():
    events = []
    spec = JobSpec.model_validate({
        "dataset": {"name": "gaussian", "n_samples": 200, "missing_fraction": 0.3, "impute": "mean_with_indicator"},
        "network": {"layers": [{"type": "linear", "out_features": 8}, {"type": "relu"},
                               {"type": "linear", "out_features": 2}]},
        "training": {"epochs": 3, "lr": 0.05, "probe_every": 10}})
    result = train(spec, events.append)
    info = next(e for e in events if e["type"] == "data_info")
    assert info["total_values"] == 400 and info["missing"] == info["removed"] > 80
    assert info["missing_fraction"] == pytest.approx(info["missing"] / 400) and info["input_shape"] == [4]
    assert any(e["type"] == "decision_boundary" for e in events)  # the grid gets indicator inputs of 0
    assert result.status == "completed" and result.final["test_accuracy"] > 0.6
