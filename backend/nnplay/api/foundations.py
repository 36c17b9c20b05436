"""Thin REST routes of the foundations labs: small computations that answer at once, every iteration
included (Bayesian vs frequentist regression, clustering step by step, density estimation)."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from nnplay.api.routes import ERRORS
from nnplay.spec.foundations import BayesRegressionSpec, ClusterSpec, DensitySpec
from nnplay.train.bayes_linear import run_bayes_regression
from nnplay.train.clustering import run_clustering
from nnplay.train.density import run_density

router = APIRouter(prefix="/api")
BAD_INPUT = {422: ERRORS[422]}


class MleOut(BaseModel):
    weights: list[float] = Field(description="Least-squares weights (D,), numpy.linalg.lstsq (minimum norm)")
    rank: int = Field(description="Rank of the design matrix; below D the MLE is not unique")
    underdetermined: bool
    curve: list[float] = Field(description="Prediction at each grid input")
    test_rmse: float = Field(description="Root mean squared error on the held-out points (target units)")


class MapOut(BaseModel):
    weights: list[float] = Field(description="Ridge weights (D,), alpha = noise_std^2 / prior_std^2")
    curve: list[float]
    test_rmse: float


class PosteriorOut(BaseModel):
    mean: list[float] = Field(description="Posterior mean of the weights (D,); equals the MAP")
    cov: list[list[float]] = Field(description="Posterior covariance (D, D)")
    std: list[float] = Field(description="Posterior standard deviation of each weight (D,)")
    curve: list[float] = Field(description="Predictive mean at each grid input")
    epistemic_std: list[float] = Field(description="sqrt(phi^T S phi): the weights' uncertainty alone")
    predictive_std: list[float] = Field(description="Predictive standard deviation, noise included")
    sample_weights: list[list[float]] = Field(description="(samples, D) weight vectors drawn from the posterior")
    samples: list[list[float]] = Field(description="(samples, G) their predictions at the grid inputs")
    test_rmse: float
    test_nll: float = Field(description="Mean negative log predictive density of the held-out points, nats")
    log_evidence: float = Field(description="log p(y | noise_std, prior_std), nats")


class BandOut(BaseModel):
    n: int
    band: float = Field(description="Mean half-width of the 95% predictive band over the data's range")
    epistemic_band: float = Field(description="The same for the weights' part alone")
    rmse_mle: float
    rmse_posterior: float


class HeldOutOut(BaseModel):
    y: list[float] = Field(description="(M,) held-out targets")
    mean: list[float] = Field(description="(M,) predictive mean at each held-out input")
    std: list[float] = Field(description="(M,) predictive standard deviation, noise included")


class BayesRegressionOut(BaseModel):
    """MLE, MAP and the Gaussian posterior of one linear model, side by side."""

    dataset: str
    basis: str | None = Field(description="The basis of a one-input set; null for [1, x] features")
    inputs: list[str] = Field(description="Names of the input columns")
    features: list[str]
    n: int = Field(description="Training points used (the spec's n, at most n_available)")
    n_available: int
    noise: float
    noise_std: float
    prior_std: float
    alpha: float
    y_scaled: bool = Field(description="True when the targets were standardised (uploaded sets)")
    train: dict[str, list] = Field(description="x (n, d) and y (n,) of the training points")
    grid: dict[str, list[float]] = Field(description="x (G,) for one input; x1, x2 (G,) for plane (values "
                                                     "row-major, row = x2); empty for wider uploaded tables")
    truth: list[float] | None = Field(description="The noise-free target at each grid input (built-in sets)")
    true_weights: list[float] | None
    mle: MleOut
    map: MapOut
    posterior: PosteriorOut
    held_out: HeldOutOut
    z95: float
    n_test: int
    band_by_n: list[BandOut]


@router.post("/bayes/regression", response_model=BayesRegressionOut, responses=BAD_INPUT)
def bayes_regression(body: BayesRegressionSpec, request: Request):
    """Least squares (MLE), ridge (MAP) and the full Gaussian posterior of a linear model on ``sine``,
    ``plane`` or an uploaded regression CSV, with its 95% predictive band, posterior samples and the band
    against n. 422 at ``dataset`` for a name that is none of these."""
    return run_bayes_regression(body, request.app.state.settings.data_dir)


class ArrayOut(BaseModel):
    """An array as base64 bytes (nnplay.probes.arrays): float32, or uint8 codes for class ids."""

    shape: list[int]
    dims: list[str]
    vmin: float | None
    vmax: float | None
    encoding: str
    data: str


class KMeansOut(BaseModel):
    iterations: int = Field(description="Updates made; there are iterations + 1 frames (frame 0 = the start)")
    centres: list[list[list[float]]] = Field(description="(frames, k, 2) centres, data units")
    inertia: list[float] = Field(description="(frames,) sum of squared distances to the assigned centre; never increases")
    labels: ArrayOut = Field(description="(frames, points) assigned cluster of each point")
    ari: float = Field(description="Adjusted Rand index of the last assignment against the generating groups")


class GmmOut(BaseModel):
    iterations: int = Field(description="M-steps made; iterations + 1 frames (frame 0 = the start)")
    weights: list[list[float]] = Field(description="(frames, k) mixing weights")
    means: list[list[list[float]]] = Field(description="(frames, k, 2)")
    covariances: list[list[list[list[float]]]] = Field(description="(frames, k, 2, 2)")
    loglik: list[float] = Field(description="(frames,) mean log-likelihood per point, nats; never decreases")
    responsibilities: ArrayOut = Field(description="(frames, points, k) p(component | point): the latent "
                                                   "component's posterior")
    ari: float


class SelectionOut(BaseModel):
    k: list[int]
    inertia: list[float] = Field(description="scikit-learn KMeans inertia for each k")
    bic: list[float] = Field(description="scikit-learn GaussianMixture BIC for each k (lower is better)")


class ClusteringOut(BaseModel):
    """Every iteration of k-means and of EM from one k-means++ start, and the choice of k."""

    dataset: str
    k: int
    points: list[list[float]] = Field(description="(N, 2) data units")
    groups: list[int] = Field(description="(N,) the generating group of each point, never given to the methods")
    start: list[list[float]] = Field(description="(k, 2) k-means++ centres, the start of both methods")
    em_start: dict[str, list]
    kmeans: KMeansOut
    gmm: GmmOut
    selection: SelectionOut | None


@router.post("/clustering", response_model=ClusteringOut, responses=BAD_INPUT)
def clustering(body: ClusterSpec):
    """k-means and a Gaussian mixture (EM) on a 2-D set from the same k-means++ start, every iteration
    kept for scrubbing, with inertia and BIC over k = 1..8."""
    return run_clustering(body)


class GridOut(BaseModel):
    x: list[float] = Field(description="(G,) data units")
    y: list[float] = Field(description="(G,) data units; density rows follow y")


class MixtureDensityOut(BaseModel):
    components: int
    weights: list[float]
    means: list[list[float]] = Field(description="(k, 2)")
    covariances: list[list[list[float]]] = Field(description="(k, 2, 2)")
    train_ll: float = Field(description="Mean log-likelihood of the training points, nats/point")
    test_ll: float = Field(description="Mean log-likelihood of the held-out points, nats/point")
    density: list[list[float]] = Field(description="(G, G) density per squared data unit, row i = y[i]")


class KdeOut(BaseModel):
    bandwidth: float = Field(description="Kernel standard deviation, data units")
    train_ll: float
    test_ll: float
    density: list[list[float]]


class BandwidthSweepOut(BaseModel):
    h: list[float]
    train_ll: list[float]
    test_ll: list[float]
    best: float = Field(description="The swept bandwidth with the best held-out log-likelihood")
    scott: float = Field(description="Scott's rule of thumb for this training set")


class ComponentSweepOut(BaseModel):
    k: list[int]
    train_ll: list[float]
    test_ll: list[float]


class DensityOut(BaseModel):
    """A Gaussian mixture and a kernel density estimate on one 2-D set, scored on held-out points."""

    dataset: str
    train: list[list[float]]
    test: list[list[float]]
    grid: GridOut
    gmm: MixtureDensityOut
    kde: KdeOut
    bandwidths: BandwidthSweepOut
    components: ComponentSweepOut


@router.post("/density", response_model=DensityOut, responses=BAD_INPUT)
def density(body: DensitySpec):
    """A Gaussian mixture and a Gaussian KDE fitted on the training part of a 2-D set: their densities
    over a grid and held-out log-likelihoods (nats per point), with sweeps over bandwidth and components."""
    return run_density(body)
