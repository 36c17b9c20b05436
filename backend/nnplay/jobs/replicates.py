"""Comparing two replicate sets (nnplay.spec.replicate) seed by seed: a paired t-test and a Wilcoxon
signed-rank test on a test metric, with the mean difference and its 95% t-interval.

The pairs are the seeds both sets ran; the difference of pair i is ``d_i = b_i - a_i`` (set b minus set a).
Paired t-test (Student 1908): ``t = mean(d) / (sd(d) / sqrt(n))`` on ``n - 1`` degrees of freedom,
``scipy.stats.ttest_rel(b, a)``; its 95% interval is ``mean(d) +- t_{0.975, n-1} sd(d) / sqrt(n)``.
Wilcoxon (1945) signed-rank test: the ranks of ``|d_i|`` summed by sign, ``scipy.stats.wilcoxon(d)``
(zero differences dropped, Wilcoxon's convention; exact null distribution for small n without ties,
normal approximation otherwise). Neither assumes more than independent pairs; the t-test also assumes
the differences are roughly normal, the Wilcoxon test only that they are symmetric about their median.
"""

import math

import numpy as np
from scipy import stats

from nnplay.jobs.service import JobConflict, JobService
from nnplay.jobs.store import RaceRow
from nnplay.protocol import TERMINAL

ALPHA = 0.05
METRICS = {"test_accuracy": "test accuracy", "test_loss": "final test loss"}


def finite(x: float) -> float | None:
    """``x`` as a float, or None when it is NaN or infinite (valid JSON only)."""
    return float(x) if math.isfinite(x) else None


def t_test(d: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict:
    """Paired t-test of ``b`` against ``a`` (both ``(n,)``, n >= 2) and the 95% t-interval of mean(d).
    When every difference is the same, sd(d) = 0 and t is undefined: statistic and p-value are None and
    the interval shrinks to the mean."""
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if sd == 0.0:
        return {"t": None, "df": len(d) - 1, "p_value": None, "ci95": [mean, mean], "sd": 0.0}
    res = stats.ttest_rel(b, a)
    ci = res.confidence_interval(1 - ALPHA)
    return {"t": finite(res.statistic), "df": int(res.df), "p_value": finite(res.pvalue),
            "ci95": [float(ci.low), float(ci.high)], "sd": sd}


def wilcoxon_test(d: np.ndarray) -> dict:
    """Wilcoxon signed-rank test of ``d`` (``(n,)``) against a median of 0, scipy's defaults (two-sided,
    zeros dropped, exact or normal approximation as scipy chooses). ``statistic``: the smaller of the
    positive and negative rank sums; statistic and p-value are None when every difference is 0."""
    nonzero = int(np.count_nonzero(d))
    if nonzero == 0:
        return {"statistic": None, "p_value": None, "nonzero": 0}
    res = stats.wilcoxon(d)
    return {"statistic": float(res.statistic), "p_value": finite(res.pvalue), "nonzero": nonzero}


def paired_tests(a: np.ndarray, b: np.ndarray) -> dict:
    """Both tests on paired values ``a``, ``b`` (``(n,)``, n >= 2): differences ``d = b - a`` (rounded to
    12 decimals), their mean
    and standard deviation (ddof 1), the t-test with its 95% interval, and the Wilcoxon test."""
    d = np.round(b - a, 12)  # accuracies are fractions k/N: equal differences must tie exactly for the ranks
    t = t_test(d, a, b)
    return {"differences": d.tolist(), "mean_difference": float(d.mean()), "sd_difference": t.pop("sd"),
            "ci95": t.pop("ci95"), "t_test": t, "wilcoxon": wilcoxon_test(d)}


def group_values(svc: JobService, race: RaceRow, metric: str) -> dict[int, tuple[float | None, str]]:
    """``seed -> (metric of the run's last finished epoch or None, status)`` for a replicate set.
    Raises JobConflict naming the run that has not ended."""
    out = {}
    for seed, job_id in zip(race.values, race.job_ids):
        row = svc.store.get_job(job_id)
        if row is None:
            continue
        if row.status not in TERMINAL:
            raise JobConflict(f"run seed={seed} of '{race.name}' is still {row.status}: compare once every run has ended")
        value = (row.final or {}).get(metric) if row.status == "completed" else None
        out[int(seed)] = (value if value is not None and math.isfinite(value) else None, row.status)
    return out


def compare_replicates(svc: JobService, a_id: str, b_id: str, metric: str) -> dict:
    """Pair the runs of sets ``a_id`` and ``b_id`` by seed and test them on ``metric`` (a key of
    METRICS). Pairs where either run did not complete, or has no finite value, are left out and listed.
    Raises JobNotFound for an unknown set; JobConflict for a run still going, for sets on different
    data or splits, or when fewer than 2 pairs remain."""
    race_a, race_b = svc.get_race(a_id), svc.get_race(b_id)
    for race in (race_a, race_b):
        if race.field != "training.seed":
            raise JobConflict(f"'{race.id}' is a race over {race.field}, not a replicate set over training.seed")
    check_same_data(svc, race_a, race_b)
    va, vb = group_values(svc, race_a, metric), group_values(svc, race_b, metric)
    common = sorted(set(va) & set(vb))
    kept = [s for s in common if va[s][0] is not None and vb[s][0] is not None]
    left_out = [{"seed": s, "a_status": va[s][1], "b_status": vb[s][1]} for s in common if s not in kept]
    if len(kept) < 2:
        raise JobConflict(f"only {len(kept)} seed(s) have a {METRICS[metric]} in both sets; a paired test needs at "
                          "least 2 (runs that failed, diverged or were stopped are left out)")
    a, b = np.array([va[s][0] for s in kept]), np.array([vb[s][0] for s in kept])
    result = paired_tests(a, b)
    return {"metric": metric, "seeds": kept, "left_out": left_out, "n_pairs": len(kept),
            "a": {"race_id": race_a.id, "name": race_a.name, "values": a.tolist(), "mean": float(a.mean())},
            "b": {"race_id": race_b.id, "name": race_b.name, "values": b.tolist(), "mean": float(b.mean())},
            **result, "conclusion": conclusion(result, metric, len(kept)), "meaning": MEANING}


def check_same_data(svc: JobService, race_a: RaceRow, race_b: RaceRow) -> None:
    """JobConflict unless both sets train on the same data set and split: a pair must be scored on the
    same test examples."""
    first = [svc.store.get_job(race.job_ids[0]) for race in (race_a, race_b)]
    if any(row is None for row in first):
        return  # a deleted first run: group_values leaves it out and the pairs speak for themselves
    data_a, data_b = (row.spec["dataset"] for row in first)
    if data_a != data_b:
        raise JobConflict("the two sets train on different data or splits (their `dataset` specs differ): "
                          "pairs must be scored on the same test examples")


MEANING = ("The p-value is the probability, if the two settings had the same average result over seeds, of a "
           "mean difference at least as far from 0 as this one. It is not the probability that the settings are "
           "equal or that one is better, and it says nothing of how large the difference is (read the interval "
           "for that); it speaks for these seeds, this data set and this test split only.")


def conclusion(result: dict, metric: str, n: int) -> str:
    """One sentence on the t-test and the interval at the 5% level."""
    name, mean, (lo, hi) = METRICS[metric], result["mean_difference"], result["ci95"]
    p = result["t_test"]["p_value"]
    if p is None:
        same = "every pair has the same" if mean == 0 else f"every pair differs by exactly {mean:+.4g} in"
        return f"Over {n} seeds {same} {name}: the t-test is undefined (the differences do not vary)."
    verdict = "is unlikely under no difference (p < 0.05)" if p < ALPHA else "is compatible with no difference (p ≥ 0.05)"
    return (f"Over {n} paired seeds, b - a in {name} averages {mean:+.4g} (95% CI {lo:+.4g} to {hi:+.4g}), which "
            f"{verdict} by the paired t-test (p = {p:.3g}).")
