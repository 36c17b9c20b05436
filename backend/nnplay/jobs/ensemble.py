"""The uncertainty of a neural network on 2-D data: a replicate set (nnplay.spec.replicate) read as a
deep ensemble of k members (Lakshminarayanan et al. 2017), each member's class probabilities over a grid.

With member probabilities ``p_m(y | x)`` (m = 1..k), the ensemble predicts their mean ``pbar(y | x)``.
Disagreement: the standard deviation of ``p_m`` over members, and the mutual information between the
prediction and the member, ``I = H[pbar] - mean_m H[p_m]`` (nats; >= 0 by Jensen's inequality): the part of
the predictive entropy ``H[pbar]`` that comes from members disagreeing (epistemic), as opposed to each
member being unsure itself (``mean_m H[p_m]``, aleatoric). Houlsby et al. 2011 (BALD), Depeweg et al. 2018.
"""

import numpy as np
import torch

from nnplay.data import load
from nnplay.jobs.compare import _finished
from nnplay.jobs.service import JobConflict, JobService
from nnplay.nn import build_network
from nnplay.probes.arrays import array_payload
from nnplay.probes.decision_boundary import decision_boundary, grid_axes
from nnplay.protocol import TERMINAL
from nnplay.spec.network import JobSpec

GRID = ["row", "col"]


def entropy(p: np.ndarray, axis: int) -> np.ndarray:
    """Shannon entropy in nats of probabilities ``p`` along ``axis`` (0 log 0 = 0)."""
    return -(p * np.log(np.where(p > 0, p, 1.0))).sum(axis=axis)


def uncertainty(members: np.ndarray) -> dict[str, np.ndarray]:
    """From member probabilities ``(k, K, G2, G1)``: ``mean`` and ``std`` (ddof 0) over members
    ``(K, G2, G1)``; ``entropy`` H[pbar], ``expected_entropy`` mean_m H[p_m] and ``mutual_info`` their
    difference, each ``(G2, G1)`` in nats (the difference clipped at 0 against rounding)."""
    mean = members.mean(axis=0)
    total, expected = entropy(mean, axis=0), entropy(members, axis=1).mean(axis=0)
    return {"mean": mean, "std": members.std(axis=0), "entropy": total, "expected_entropy": expected,
            "mutual_info": np.clip(total - expected, 0.0, None)}


@torch.no_grad()
def member_probabilities(spec: JobSpec, weights: list[dict], split, resolution: int) -> tuple[np.ndarray, tuple]:
    """Each member's class probabilities ``(k, K, G2, G1)`` over a grid spanning the training points in
    the model's (standardised) input units, and the axes ``(x1 (G1,), x2 (G2,))``."""
    x1, x2 = grid_axes(split.x_train[:, :2], resolution)
    n_inputs = split.info.input_shape[0]
    out = []
    for state in weights:
        model = build_network(spec.network, split.info.input_shape)
        model.load_state_dict(state)
        out.append(decision_boundary(model, x1, x2, n_inputs).numpy())  # (K, G2, G1)
    return np.stack(out), (x1, x2)


def ensemble_members(svc: JobService, race_id: str) -> tuple[JobSpec, list, list[dict]]:
    """The set's first spec, its completed runs ``[(seed, row)]`` and their weights. Raises JobNotFound
    for an unknown set; JobConflict for a race that is not a replicate set, a run still going, or fewer
    than 2 completed runs with weights."""
    race = svc.get_race(race_id)
    if race.field != "training.seed":
        raise JobConflict(f"'{race.id}' is a race over {race.field}, not a replicate set over training.seed")
    rows = [(seed, svc.store.get_job(j)) for seed, j in zip(race.values, race.job_ids)]
    rows = [(seed, row) for seed, row in rows if row is not None]
    going = [(seed, row.status) for seed, row in rows if row.status not in TERMINAL]
    if going:
        raise JobConflict(f"run seed={going[0][0]} is still {going[0][1]}: draw the ensemble once every run has ended")
    done = [(seed, row) for seed, row in rows if row.status == "completed"]
    if len(done) < 2:
        raise JobConflict(f"only {len(done)} run(s) of the set completed; an ensemble needs at least 2")
    return JobSpec.model_validate(done[0][1].spec), done, [_finished(svc, row) for _, row in done]


def ensemble_grid(svc: JobService, race_id: str, resolution: int) -> dict:
    """The ensemble of set ``race_id`` over a ``resolution`` x ``resolution`` grid (an EnsembleOut as a
    dict). JobConflict besides ensemble_members' reasons: data that is not a 2-D classification set."""
    spec, done, weights = ensemble_members(svc, race_id)
    split = load(spec.dataset, svc.settings.data_dir)
    if split.info.kind != "toy2d" or split.info.task != "classification":
        raise JobConflict(f"'{spec.dataset.name}' is not a 2-D classification set: the ensemble is drawn over "
                          "the plane of two inputs (circle, xor, gaussian, spiral)")
    members, (x1, x2) = member_probabilities(spec, weights, split, resolution)
    u = uncertainty(members)
    y = split.y_test.numpy()
    test = np.stack([member_test_probs(spec, w, split) for w in weights])  # (k, N, K)
    return {"dataset": spec.dataset.name, "classes": list(split.info.classes), "seeds": [int(s) for s, _ in done],
            "job_ids": [row.id for _, row in done], "x1": x1.tolist(), "x2": x2.tolist(),
            "train_x": split.x_train[:, :2].tolist(), "train_y": split.y_train.tolist(),
            "members": array_payload(torch.from_numpy(members), ["member", "class", *GRID]),
            **{k: array_payload(torch.from_numpy(v), ["class", *GRID] if v.ndim == 3 else GRID) for k, v in u.items()},
            "member_accuracy": [float((t.argmax(1) == y).mean()) for t in test],
            "ensemble_accuracy": float((test.mean(0).argmax(1) == y).mean())}


@torch.no_grad()
def member_test_probs(spec: JobSpec, state: dict, split) -> np.ndarray:
    """One member's class probabilities ``(N, K)`` on the test points (eval mode)."""
    model = build_network(spec.network, split.info.input_shape)
    model.load_state_dict(state)
    model.eval()
    logits = model(split.x_test)  # (N, K) or (N, 1)
    if logits.shape[1] == 1:
        p1 = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p1, p1], dim=1).numpy()
    return torch.softmax(logits, dim=1).numpy()
