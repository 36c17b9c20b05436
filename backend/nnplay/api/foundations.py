"""Thin REST routes of the foundations labs: small computations that answer at once, every iteration
included (Bayesian vs frequentist regression, clustering step by step, density estimation)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from nnplay.api.routes import ERRORS
from nnplay.spec.foundations import BayesRegressionSpec, ClusterSpec, DensitySpec
from nnplay.train.bayes_linear import run_bayes_regression

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


class BayesRegressionOut(BaseModel):
    """MLE, MAP and the Gaussian posterior of one linear model, side by side."""

    dataset: str
    basis: str | None
    features: list[str]
    n: int
    noise: float
    noise_std: float
    prior_std: float
    alpha: float
    train: dict[str, list] = Field(description="x (n, d) and y (n,) of the training points")
    grid: dict[str, list[float]] = Field(description="x (G,) for sine; x1, x2 (G,) for plane (values row-major, "
                                                     "row = x2)")
    truth: list[float] = Field(description="The noise-free target at each grid input")
    true_weights: list[float] | None
    mle: MleOut
    map: MapOut
    posterior: PosteriorOut
    z95: float
    n_test: int
    band_by_n: list[BandOut]


@router.post("/bayes/regression", response_model=BayesRegressionOut, responses=BAD_INPUT)
def bayes_regression(body: BayesRegressionSpec):
    """Least squares (MLE), ridge (MAP) and the full Gaussian posterior of a linear model on ``sine`` or
    ``plane``, with its 95% predictive band, posterior samples and the band against n."""
    return run_bayes_regression(body)
