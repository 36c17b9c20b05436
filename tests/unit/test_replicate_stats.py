"""The paired tests of two replicate sets against scipy.stats.ttest_rel, scipy.stats.wilcoxon and the
t-interval computed by hand: mean(d) +- t_{0.975, n-1} * sd(d) / sqrt(n)."""

import math

import numpy as np
import pytest
from scipy import stats

from nnplay.jobs.replicates import conclusion, paired_tests
from nnplay.spec.replicate import ReplicateSpec, replicate_race
from nnplay.spec.race import race_specs
from tests.conftest import job_spec


def hand_interval(d: np.ndarray) -> tuple[float, float]:
    n = len(d)
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


@pytest.mark.parametrize("seed, n", [(0, 2), (1, 5), (2, 12), (3, 20)])
def test_paired_tests_match_scipy_and_the_hand_interval(seed, n):
    rng = np.random.default_rng(seed)
    a = rng.integers(60, 95, n) / 100  # accuracies on a 100-example test set
    b = np.clip(a + rng.integers(-6, 9, n) / 100, 0, 1)
    if np.all(b - a == (b - a)[0]):
        b[0] += 0.01
    out = paired_tests(a, b)
    d = np.round(b - a, 12)
    ref = stats.ttest_rel(b, a)
    assert out["t_test"]["t"] == pytest.approx(ref.statistic, rel=1e-9)
    assert out["t_test"]["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert out["t_test"]["df"] == n - 1
    assert out["ci95"] == pytest.approx(hand_interval(list(b - a)), rel=1e-9, abs=1e-12)
    assert out["mean_difference"] == pytest.approx(np.mean(b - a), abs=1e-12)
    w = stats.wilcoxon(d)
    assert out["wilcoxon"]["statistic"] == w.statistic and out["wilcoxon"]["p_value"] == pytest.approx(w.pvalue, rel=1e-12)
    assert out["wilcoxon"]["nonzero"] == int(np.count_nonzero(d))
    lo, hi = out["ci95"]
    assert (lo > 0 or hi < 0) == (out["t_test"]["p_value"] < 0.05)  # the interval and the test agree


def test_a_clear_shift_is_significant_and_the_interval_excludes_zero():
    a = np.array([0.80, 0.82, 0.79, 0.81, 0.83, 0.80, 0.78, 0.82])
    b = a + np.array([0.05, 0.04, 0.06, 0.05, 0.03, 0.07, 0.05, 0.04])
    out = paired_tests(a, b)
    assert out["ci95"][0] > 0 and out["t_test"]["p_value"] < 1e-4
    assert out["wilcoxon"]["p_value"] == pytest.approx(2 / 2**8)  # every sign positive: exact 2 * (1/2)^8
    assert "unlikely under no difference" in conclusion(out, "test_accuracy", 8)


def test_equal_differences_leave_the_tests_undefined_not_nan():
    out = paired_tests(np.array([0.5, 0.6, 0.7]), np.array([0.5, 0.6, 0.7]))
    assert out["t_test"]["p_value"] is None and out["wilcoxon"]["p_value"] is None and out["ci95"] == [0.0, 0.0]
    assert "the same test accuracy" in conclusion(out, "test_accuracy", 3)
    out = paired_tests(np.array([0.5, 0.6]), np.array([0.6, 0.7]))
    assert out["t_test"]["t"] is None and out["ci95"] == pytest.approx([0.1, 0.1])
    assert out["wilcoxon"]["p_value"] == pytest.approx(stats.wilcoxon([0.1, 0.1]).pvalue)


def test_a_replicate_set_is_a_race_over_the_training_seed():
    spec = ReplicateSpec.model_validate({"name": "adam", "base": job_spec(), "n": 4, "first_seed": 10})
    runs = race_specs(replicate_race(spec))
    assert [r.training.seed for r in runs] == [10, 11, 12, 13]
    assert {r.dataset.seed for r in runs} == {0}  # the split stays: every run is scored on the same test set
    assert runs[0].name == "adam · training.seed = 10"
