"""Comparing two finished classifiers on the same test set with McNemar's exact test.

McNemar (1947): of the test examples on which exactly one of two classifiers is right, ``b`` are won by
the first and ``c`` by the second. If both are equally accurate, ``b ~ Binomial(b + c, 1/2)``; the exact
two-sided p-value is ``scipy.stats.binomtest(b, b + c, 0.5).pvalue`` (Dietterich 1998 recommends this
test for comparing two classifiers trained once).
"""

import numpy as np
import torch
from scipy.stats import binomtest

from nnplay.data import dataset_info, load
from nnplay.jobs.service import JobConflict, JobService
from nnplay.jobs.store import JobRow
from nnplay.nn import build_network
from nnplay.protocol import TERMINAL
from nnplay.spec.data import GENERATED
from nnplay.spec.network import JobSpec
from nnplay.train.optim import predict

EVAL_CHUNK = 1024
SPLIT_FIELDS = ("name", "test_fraction", "seed")
GENERATED_FIELDS = ("n_samples", "noise")


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> dict:
    """Counts and exact p-value from two boolean vectors ``(N,)`` (True = example classified correctly)."""
    b = int((correct_a & ~correct_b).sum())
    c = int((~correct_a & correct_b).sum())
    p = float(binomtest(b, b + c, 0.5).pvalue) if b + c else 1.0
    return {"b_count": b, "c_count": c, "p_value": min(1.0, p),
            "both_correct": int((correct_a & correct_b).sum()), "both_wrong": int((~correct_a & ~correct_b).sum())}


def conclusion(name_a: str, name_b: str, b: int, c: int, p: float, alpha: float = 0.05) -> str:
    """One sentence on what the p-value means."""
    if b + c == 0:
        return ("The two models are right and wrong on exactly the same test examples, so the test has nothing "
                "to weigh: no evidence that either is more accurate (p = 1).")
    better = name_a if b > c else name_b
    examples = f"{b + c} test example{'s' if b + c != 1 else ''}"
    if p < alpha:
        return (f"The difference is significant at the {alpha:.0%} level (p = {p:.3g}): of the {examples} "
                f"where exactly one model is right, {better} wins {max(b, c)}, which would be unlikely "
                "if both were equally accurate.")
    return (f"No significant difference at the {alpha:.0%} level (p = {p:.3g}): the {examples} where "
            f"exactly one model is right split {b} to {c}, which is consistent with equally accurate models.")


def same_test_set(a: JobSpec, b: JobSpec) -> list[str]:
    """The dataset fields that make the two jobs' test sets differ (empty when they are the same)."""
    fields = SPLIT_FIELDS + (GENERATED_FIELDS if a.dataset.name in GENERATED else ())
    return [f for f in fields if getattr(a.dataset, f) != getattr(b.dataset, f)]


@torch.no_grad()
def test_correct(spec: JobSpec, weights: dict, data_dir) -> tuple[np.ndarray, np.ndarray]:
    """Whether each test example ``(N,)`` is classified correctly by the network with ``weights``
    (eval mode), and the test labels ``(N,)``."""
    split = load(spec.dataset, data_dir)
    model = build_network(spec.network, split.info.input_shape)
    model.load_state_dict(weights)
    model.eval()
    preds = torch.cat([predict(model(split.x_test[i:i + EVAL_CHUNK])) for i in range(0, len(split.x_test), EVAL_CHUNK)])
    return (preds == split.y_test).numpy(), split.y_test.numpy()


def _finished(svc: JobService, row: JobRow) -> dict:
    """The job's latest weights; JobConflict unless it has ended with a checkpoint."""
    if row.status not in TERMINAL or row.id in svc.runs:
        raise JobConflict(f"job {row.id} is {row.status}; compare jobs that have finished")
    state = svc.checkpoints.load(row.id)
    if state is None:
        raise JobConflict(f"job {row.id} ({row.status}) has no saved weights: it ended before its first epoch")
    return state["model"]


def compare_jobs(svc: JobService, id_a: str, id_b: str) -> dict:
    """McNemar's test of jobs ``id_a`` and ``id_b`` on their shared test set (a CompareOut as a dict).

    Raises JobNotFound for an unknown id and JobConflict when a job has not finished, is a regression,
    or the two test sets differ (naming the fields).
    """
    rows = [svc.get(id_a), svc.get(id_b)]
    specs = [JobSpec.model_validate(r.spec) for r in rows]
    diff = same_test_set(*specs)
    if diff:
        vals = "; ".join(f"{f}: {getattr(specs[0].dataset, f)!r} vs {getattr(specs[1].dataset, f)!r}" for f in diff)
        raise JobConflict(f"the two jobs were tested on different test sets ({vals}); McNemar's test pairs "
                          "the predictions of both models on the same examples")
    weights = [_finished(svc, r) for r in rows]
    try:
        if dataset_info(specs[0].dataset, svc.settings.data_dir).task != "classification":
            raise JobConflict("these are regression jobs: accuracy and McNemar's test apply to classifiers")
        results = [test_correct(s, w, svc.settings.data_dir) for s, w in zip(specs, weights)]
    except ValueError as err:  # e.g. the uploaded data set was deleted since
        raise JobConflict(f"cannot rebuild the jobs' test predictions: {err}") from None
    if not np.array_equal(results[0][1], results[1][1]):
        raise JobConflict("the two jobs' test labels differ (was the uploaded data set replaced?)")
    return _report(rows, [r[0] for r in results])


def _report(rows: list[JobRow], correct: list[np.ndarray]) -> dict:
    stats = mcnemar(*correct)
    names = [r.name or r.id[:8] for r in rows]
    parts = [{"id": r.id, "name": r.name, "status": r.status, "accuracy": float(c.mean()), "correct": int(c.sum())}
             for r, c in zip(rows, correct)]
    return {"a": parts[0], "b": parts[1], "n_test": len(correct[0]), **stats,
            "test": "McNemar's exact test: two-sided binomial test of b_count against Binomial(b_count + "
                    "c_count, 1/2) (scipy.stats.binomtest)",
            "conclusion": conclusion(f"'{names[0]}'", f"'{names[1]}'", stats["b_count"], stats["c_count"],
                                     stats["p_value"])}
