"""Clustering step by step: k-means (Lloyd 1982) and a Gaussian mixture fitted by EM (Dempster, Laird &
Rubin 1977), both from one k-means++ start (Arthur & Vassilvitskii 2007, scikit-learn's
``kmeans_plusplus``), every iteration kept. The iterations are written here, so each can be shown;
scikit-learn's ``KMeans`` and ``GaussianMixture`` started from the same state reach the same result
(tests/api/test_clustering.py). Model selection over k = 1..8 uses scikit-learn itself.

Points ``X`` are float64 ``(N, 2)`` in data units; ``k`` clusters/components. The k-means objective is
the inertia (sum of squared distances to the assigned centre, data units squared); the mixture's is the
mean log-likelihood per point (nats). The mixture's component of each point is a latent variable: never
observed, only inferred (the responsibilities are its posterior).
"""

import numpy as np
import torch
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from nnplay.data.points import point_set
from nnplay.probes.arrays import array_payload, class_payload
from nnplay.spec.foundations import MAX_K, ClusterSpec

REG_COVAR = 1e-6  # added to each covariance's diagonal, as scikit-learn's GaussianMixture(reg_covar=1e-6)


def plus_plus(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-means++ initial centres ``(k, 2)``: scikit-learn's ``kmeans_plusplus`` with ``random_state=seed``."""
    centres, _ = kmeans_plusplus(x, k, random_state=seed)
    return centres


def assign(x: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, float]:
    """Each point's nearest centre ``(N,)`` and the inertia (sum of squared distances to it)."""
    d2 = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)  # (N, k)
    labels = d2.argmin(axis=1)
    return labels, float(d2[np.arange(len(x)), labels].sum())


def update(x: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """New centres ``(k, 2)``: the mean of each cluster's points; an empty cluster keeps its centre."""
    out = centres.copy()
    for j in range(len(centres)):
        members = x[labels == j]
        if len(members):
            out[j] = members.mean(axis=0)
    return out


def kmeans_steps(x: np.ndarray, centres: np.ndarray, max_iter: int) -> list[dict]:
    """Lloyd's iterations from ``centres``: frame t holds the centres after t updates, the assignment
    they make and its inertia. Stops when an update changes no assignment (the next frame would repeat
    this one) or after ``max_iter`` updates: at most ``max_iter + 1`` frames; inertia never increases."""
    labels, inertia = assign(x, centres)
    frames = [{"centres": centres, "labels": labels, "inertia": inertia}]
    for _ in range(max_iter):
        centres = update(x, labels, centres)
        new_labels, inertia = assign(x, centres)
        frames.append({"centres": centres, "labels": new_labels, "inertia": inertia})
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return frames


def em_start(x: np.ndarray, centres: np.ndarray) -> dict:
    """The mixture's start: means at the k-means++ centres, equal weights, every covariance the circle
    ``v I`` with ``v`` = the data's mean per-coordinate variance / k (about one cluster's share)."""
    k = len(centres)
    v = float(x.var(axis=0).mean()) / k
    return {"weights": np.full(k, 1.0 / k), "means": centres.copy(), "covs": np.stack([np.eye(2) * v] * k)}


def e_step(x: np.ndarray, params: dict) -> tuple[np.ndarray, float]:
    """Responsibilities ``p(component j | x_i)`` ``(N, k)`` and the mean log-likelihood per point (nats)."""
    log_joint = np.column_stack([np.log(w) + multivariate_normal(m, c).logpdf(x)
                                 for w, m, c in zip(params["weights"], params["means"], params["covs"])])  # (N, k)
    log_px = logsumexp(log_joint, axis=1)  # (N,)
    return np.exp(log_joint - log_px[:, None]), float(log_px.mean())


def m_step(x: np.ndarray, resp: np.ndarray) -> dict:
    """Weights ``(k,)``, means ``(k, 2)`` and covariances ``(k, 2, 2)`` (+ ``REG_COVAR`` I) that maximise
    the expected complete-data log-likelihood under ``resp`` (Bishop 2006, eq. 9.24-9.26)."""
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps  # (k,), as scikit-learn
    means = resp.T @ x / nk[:, None]  # (k, 2)
    covs = np.stack([(resp[:, j, None] * (x - means[j])).T @ (x - means[j]) / nk[j] + REG_COVAR * np.eye(2)
                     for j in range(len(nk))])  # (k, 2, 2)
    return {"weights": nk / len(x), "means": means, "covs": covs}


def em_steps(x: np.ndarray, params: dict, max_iter: int, tol: float) -> list[dict]:
    """EM from ``params``: frame t holds the parameters after t M-steps, their responsibilities and mean
    log-likelihood. Like scikit-learn's loop, it stops after the M-step whose E-step gained less than
    ``tol`` nats per point over the previous one, or after ``max_iter`` M-steps; the log-likelihood
    never decreases."""
    frames, previous = [], -np.inf
    for _ in range(max_iter):
        resp, ll = e_step(x, params)
        frames.append({**params, "resp": resp, "loglik": ll})
        params = m_step(x, resp)
        if abs(ll - previous) < tol:
            break
        previous = ll
    resp, ll = e_step(x, params)
    frames.append({**params, "resp": resp, "loglik": ll})
    return frames


def selection(x: np.ndarray, seed: int) -> dict:
    """For k = 1..``MAX_K`` (at most N): scikit-learn's KMeans inertia (k-means++, 4 starts) and
    GaussianMixture BIC (full covariances, k-means start), lower is better for both."""
    ks = list(range(1, min(MAX_K, len(x)) + 1))
    inertia = [float(KMeans(k, n_init=4, random_state=seed).fit(x).inertia_) for k in ks]
    bic = [float(GaussianMixture(k, random_state=seed).fit(x).bic(x)) for k in ks]
    return {"k": ks, "inertia": inertia, "bic": bic}


def kmeans_out(x: np.ndarray, groups: np.ndarray, frames: list[dict]) -> dict:
    """k-means frames for the wire: centres and inertia as numbers, labels as a ``(frame, point)`` payload."""
    labels = np.stack([f["labels"] for f in frames])  # (T, N)
    return {"iterations": len(frames) - 1, "centres": [f["centres"].tolist() for f in frames],
            "inertia": [f["inertia"] for f in frames],
            "labels": class_payload(torch_of(labels), ["iteration", "point"]),
            "ari": float(adjusted_rand_score(groups, frames[-1]["labels"]))}


def gmm_out(x: np.ndarray, groups: np.ndarray, frames: list[dict]) -> dict:
    """EM frames for the wire: weights, means, covariances and log-likelihood as numbers, the
    responsibilities as a float32 ``(frame, point, component)`` payload."""
    resp = np.stack([f["resp"] for f in frames])  # (T, N, k)
    return {"iterations": len(frames) - 1, "weights": [f["weights"].tolist() for f in frames],
            "means": [f["means"].tolist() for f in frames], "covariances": [f["covs"].tolist() for f in frames],
            "loglik": [f["loglik"] for f in frames],
            "responsibilities": array_payload(torch_of(resp), ["iteration", "point", "component"]),
            "ari": float(adjusted_rand_score(groups, frames[-1]["resp"].argmax(axis=1)))}


def torch_of(a: np.ndarray) -> torch.Tensor:
    """The array as a torch tensor (the payload encoders take tensors)."""
    return torch.from_numpy(np.ascontiguousarray(a))


def run_clustering(spec: ClusterSpec) -> dict:
    """What ``POST /api/clustering`` answers: the points, the shared k-means++ start, every k-means and
    EM iteration, and (``selection``) inertia and BIC over k. Runs with one BLAS/OpenMP thread: these
    arrays are small, and scikit-learn's thread pools cost seconds on a busy machine (measured 7.5 s
    against 0.25 s for the selection on 300 points with 2 loaded cores)."""
    with threadpool_limits(1):
        return _clustering(spec)


def _clustering(spec: ClusterSpec) -> dict:
    x, groups = point_set(spec.dataset, spec.n_points, spec.noise, spec.seed)
    start = plus_plus(x, spec.k, spec.seed)
    em0 = em_start(x, start)
    return {"dataset": spec.dataset, "k": spec.k, "points": x.tolist(), "groups": groups.tolist(),
            "start": start.tolist(), "em_start": {"weights": em0["weights"].tolist(), "means": em0["means"].tolist(),
                                                  "covariances": em0["covs"].tolist()},
            "kmeans": kmeans_out(x, groups, kmeans_steps(x, start, spec.max_iter)),
            "gmm": gmm_out(x, groups, em_steps(x, em0, spec.max_iter, spec.tol)),
            "selection": selection(x, spec.seed) if spec.selection else None}
