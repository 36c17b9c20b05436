"""Reading active-learning runs (``nnplay.train.active``) back: test accuracy against the number of labels
for several strategies over the same seeds, and one run's pool, labels and boundary.

A comparison is one replicate set (``nnplay.spec.replicate``: a race over ``training.seed``) per strategy,
each run an ordinary job; runs with the same seed start from the same labelled points and weights. The
curves come from the runs' stored ``active_round`` messages (every round, never thinned).
"""

import json

from nnplay.jobs.service import JobConflict, JobService
from nnplay.jobs.store import RaceRow


def run_rounds(svc: JobService, job_id: str) -> list[dict]:
    """The job's ``active_round`` messages so far, in order (pending ones flushed first)."""
    run = svc.runs.get(job_id)
    if run is not None:
        run.flush()
    return [json.loads(t) for t in svc.store.messages(job_id, types=("active_round",))]


def strategy_of(svc: JobService, race: RaceRow) -> str:
    """The strategy of a replicate set of active runs; JobConflict for another kind of race."""
    if race.field != "training.seed":
        raise JobConflict(f"'{race.id}' is a race over {race.field}, not a replicate set over training.seed")
    row = next((r for r in (svc.store.get_job(j) for j in race.job_ids) if r is not None), None)
    active = (row.spec.get("training") or {}).get("active") if row else None
    if not active:
        raise JobConflict(f"'{race.id}' is not a set of active-learning runs (its spec has no training.active)")
    return active["strategy"]


def mean_curve(runs: list[dict]) -> dict:
    """Mean test accuracy over the runs at each number of labels every run has reached:
    ``{"n_labels": (R,), "test_accuracy": (R,), "runs": R}``; rounds a run has not finished are left out."""
    common = min((len(r["n_labels"]) for r in runs), default=0)
    accs = [[r["test_accuracy"][i] for r in runs] for i in range(common)]
    ok = [i for i in range(common) if all(a is not None for a in accs[i])]
    return {"n_labels": [runs[0]["n_labels"][i] for i in ok],
            "test_accuracy": [sum(accs[i]) / len(runs) for i in ok], "runs": len(runs)}


def set_curves(svc: JobService, race_id: str) -> dict:
    """One set's runs: ``seed``, ``job_id``, ``status``, ``n_labels`` and ``test_accuracy`` per round so far,
    and their mean curve. Raises JobNotFound for an unknown set, JobConflict for one that is not active runs."""
    race = svc.get_race(race_id)
    strategy = strategy_of(svc, race)
    runs = []
    for seed, job_id in zip(race.values, race.job_ids):
        row = svc.store.get_job(job_id)
        if row is None:
            continue
        rounds = run_rounds(svc, job_id)
        runs.append({"seed": int(seed), "job_id": job_id, "status": row.status,
                     "n_labels": [m["n_labels"] for m in rounds], "test_accuracy": [m["test_accuracy"] for m in rounds],
                     "test_loss": [m["test_loss"] for m in rounds]})
    return {"race_id": race.id, "strategy": strategy, "runs": runs, "mean": mean_curve(runs)}


def run_view(svc: JobService, job_id: str) -> dict:
    """What one run's map draws: its ``data_points`` (the pool is ``train``), its latest
    ``decision_boundary`` and ``active_round`` messages (None until made). JobNotFound for an unknown job;
    JobConflict for a job that is not an active-learning run."""
    row = svc.get(job_id)
    if not (row.spec.get("training") or {}).get("active"):
        raise JobConflict(f"job {job_id} is not an active-learning run (its spec has no training.active)")
    run = svc.runs.get(job_id)
    if run is not None:
        run.flush()
    latest = {kind: svc.store.latest_message(job_id, kind) for kind in ("data_points", "decision_boundary", "active_round")}
    return {"job_id": job_id, "status": row.status, **{k: json.loads(v) if v else None for k, v in latest.items()}}
