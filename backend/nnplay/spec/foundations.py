"""What the foundations labs ask for: Bayesian vs frequentist linear regression, clustering step by step,
density estimation. Pydantic models only; every size that costs time (points, basis functions, k,
iterations, grid) has a bound, so a request is refused with a 422 naming the field before any work."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nnplay.spec.data import NAME_PATTERN

Basis = Literal["polynomial", "rbf"]
ClusterSet = Literal["blobs", "moons", "circle", "xor", "gaussian", "spiral"]
ClusterMethod = Literal["kmeans", "gmm"]

MAX_TRAIN_POINTS = 500
MAX_CLUSTER_POINTS = 1000
MAX_K = 8
MAX_ITERATIONS = 100


class _Lab(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class BayesRegressionSpec(_Lab):
    """A linear model ``y = w . phi(x) + eps``, ``eps ~ N(0, noise_std^2)``, with the prior
    ``w ~ N(0, prior_std^2 I)``, fitted three ways on the first ``n`` points of a seeded pool.

    - ``dataset``: ``sine`` (1-D, x in [-3, 3]; ``basis`` and its size apply), ``plane`` (2-D, features
      ``[1, x1, x2]``; ``basis`` is ignored) or the name of an uploaded regression CSV (inputs and target
      standardised; one input: ``basis`` applies; more: ``[1, x]``). The name is checked where the
      uploads are known (``nnplay.train.bayes_linear.problem``).
    - ``n``: training points, 1..500 (at most the set's training part); growing ``n`` with the same
      ``seed`` adds points to the same set.
    - ``noise``: standard deviation of the noise sine and plane are generated with (target units), 0.01..2.
    - ``noise_std``: the noise the model assumes, 0.01..5; ``null`` means the true ``noise``.
    - ``prior_std``: the prior's standard deviation on every weight (bias included), 0.001..1000; ridge's
      ``alpha = noise_std^2 / prior_std^2``.
    - ``degree``: polynomial degree (features ``1, u, .., u^degree`` with ``u = x / 3`` in [-1, 1]);
      ``centres``: RBF count (plus a bias), Gaussian bumps of width ``width`` (x units) on an even grid.
    - ``samples``: weight vectors drawn from the posterior (lines to draw), 0..20.
    """

    dataset: str = Field("sine", pattern=NAME_PATTERN)
    n: int = Field(10, ge=1, le=MAX_TRAIN_POINTS)
    noise: float = Field(0.2, ge=0.01, le=2.0)
    noise_std: float | None = Field(None, ge=0.01, le=5.0)
    prior_std: float = Field(1.0, ge=0.001, le=1000.0)
    basis: Basis = "polynomial"
    degree: int = Field(5, ge=1, le=15)
    centres: int = Field(9, ge=2, le=30)
    width: float = Field(0.7, ge=0.05, le=10.0)
    samples: int = Field(5, ge=0, le=20)
    seed: int = Field(0, ge=0, le=2 ** 31 - 1)


class ClusterSpec(_Lab):
    """k-means (Lloyd's iterations from a k-means++ start) and a Gaussian mixture fitted by EM from the
    same k-means++ centres, every iteration kept.

    - ``dataset``: ``blobs`` (4 Gaussian blobs of unequal spread), ``moons`` (two half circles), or a
      toy classification set whose labels are hidden (``circle``, ``xor``, ``gaussian``, ``spiral``).
    - ``n_points``: 10..1000; ``noise`` as for the toy sets (standard deviation, data units).
    - ``k``: clusters / components, 1..8 (never more than the 10 or more points).
    - ``max_iter``: iterations of each method, 1..100; k-means stops early when no assignment changes,
      EM when the mean log-likelihood gains less than ``tol`` nats per point.
    - ``selection``: also fit k = 1..8 (scikit-learn) for the inertia and BIC curves.
    """

    dataset: ClusterSet = "blobs"
    n_points: int = Field(300, ge=10, le=MAX_CLUSTER_POINTS)
    noise: float = Field(0.1, ge=0.0, le=1.0)
    k: int = Field(4, ge=1, le=MAX_K)
    max_iter: int = Field(30, ge=1, le=MAX_ITERATIONS)
    tol: float = Field(1e-4, ge=0.0, le=1.0)
    seed: int = Field(0, ge=0, le=2 ** 31 - 1)
    selection: bool = True



class DensitySpec(_Lab):
    """A Gaussian mixture (``components``, full covariances, EM by scikit-learn) and a Gaussian kernel
    density estimate (``bandwidth`` in data units, isotropic) fitted on the training part of a 2-D set
    and scored on the held-out part (``test_fraction``), in nats per point.

    - ``dataset``, ``n_points``, ``noise``, ``seed``: as for clustering.
    - ``grid``: contour resolution per axis, 20..100.
    """

    dataset: ClusterSet = "moons"
    n_points: int = Field(400, ge=20, le=MAX_CLUSTER_POINTS)
    noise: float = Field(0.1, ge=0.0, le=1.0)
    test_fraction: float = Field(0.3, ge=0.1, le=0.5)
    components: int = Field(4, ge=1, le=MAX_K)
    bandwidth: float = Field(0.2, ge=0.005, le=5.0)
    grid: int = Field(60, ge=20, le=100)
    seed: int = Field(0, ge=0, le=2 ** 31 - 1)

