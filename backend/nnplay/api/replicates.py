"""Thin REST routes of hypothesis testing over replicates: a replicate set is a race over
``training.seed`` (one ordinary job per seed, with its stream), and two sets are compared seed by seed."""

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from nnplay.api.foundations import ArrayOut
from nnplay.api.lab import race_out
from nnplay.api.routes import ERRORS, service
from nnplay.api.schemas import RaceOut
from nnplay.jobs import JobService
from nnplay.jobs.ensemble import ensemble_grid
from nnplay.jobs.replicates import compare_replicates
from nnplay.spec.replicate import ReplicateSpec, replicate_race

router = APIRouter(prefix="/api")
RACE_ID = {"min_length": 1, "max_length": 128, "pattern": r"^[\w-]+$"}


class GroupOut(BaseModel):
    race_id: str
    name: str | None
    values: list[float] = Field(description="(n_pairs,) the metric of each paired run, in the order of `seeds`")
    mean: float


class TTestOut(BaseModel):
    t: float | None = Field(description="mean(d) / (sd(d) / sqrt(n)); null when every difference is equal")
    df: int = Field(description="n_pairs - 1")
    p_value: float | None = Field(description="Two-sided, scipy.stats.ttest_rel(b, a)")


class WilcoxonOut(BaseModel):
    statistic: float | None = Field(description="The smaller signed-rank sum; null when every difference is 0")
    p_value: float | None = Field(description="Two-sided, scipy.stats.wilcoxon(d), zero differences dropped")
    nonzero: int = Field(description="Pairs with a non-zero difference (the ones the test ranks)")


class LeftOutOut(BaseModel):
    seed: int
    a_status: str
    b_status: str


class ReplicateCompareOut(BaseModel):
    """Two replicate sets paired by seed: d_i = b_i - a_i, a paired t-test and a Wilcoxon signed-rank test."""

    metric: str
    seeds: list[int] = Field(description="The seeds paired, ascending")
    left_out: list[LeftOutOut] = Field(description="Seeds run by both sets but left out: a run did not complete")
    n_pairs: int
    a: GroupOut
    b: GroupOut
    differences: list[float] = Field(description="(n_pairs,) b - a for each seed")
    mean_difference: float
    sd_difference: float = Field(description="Sample standard deviation of the differences (ddof 1)")
    ci95: list[float] = Field(description="[low, high]: mean_difference +- t_{0.975, n-1} sd / sqrt(n)")
    t_test: TTestOut
    wilcoxon: WilcoxonOut
    conclusion: str
    meaning: str = Field(description="What the p-value does and does not say")


@router.post("/replicates", response_model=RaceOut, status_code=201,
             responses={400: ERRORS[400], 409: ERRORS[409], 422: ERRORS[422]})
def create_replicates(body: ReplicateSpec, svc: JobService = Depends(service)):
    """Run ``base`` over ``n`` training seeds (``first_seed`` ...): one ordinary job per seed, stored as a
    race over ``training.seed`` (GET /api/races/{id} follows it; each job streams as usual)."""
    return race_out(svc, svc.create_race(replicate_race(body)))


@router.get("/replicates/compare", response_model=ReplicateCompareOut,
            responses={404: ERRORS[404], 409: {**ERRORS[409], "description": "A run has not ended, the sets use "
                       "different data, a set is not a replicate set, or fewer than 2 pairs completed"}})
def compare(a: str = Query(description="Replicate set a (a race id)", **RACE_ID),
            b: str = Query(description="Replicate set b (a race id)", **RACE_ID),
            metric: Literal["test_accuracy", "test_loss"] = Query("test_accuracy", description="What is compared"),
            svc: JobService = Depends(service)):
    """Pair the two sets' runs by seed and test ``b - a`` on ``metric``: mean difference, 95% t-interval,
    paired t-test and Wilcoxon signed-rank p-values, a conclusion and what the p-value means."""
    return compare_replicates(svc, a, b, metric)


class EnsembleOut(BaseModel):
    """A replicate set read as an ensemble: each member's class probabilities over a grid, their mean and
    disagreement. Grid arrays are (..., G2, G1): row i is x2[i], column j is x1[j]."""

    dataset: str
    classes: list[str]
    seeds: list[int] = Field(description="The members' training seeds (completed runs only)")
    job_ids: list[str]
    x1: list[float] = Field(description="(G1,) first input, standardised units (as the model sees it)")
    x2: list[float] = Field(description="(G2,) second input, standardised units")
    train_x: list[list[float]] = Field(description="(N, 2) training points, standardised units")
    train_y: list[int] = Field(description="(N,) their classes")
    members: ArrayOut = Field(description="(k, K, G2, G1) p_m(class | x) of each member")
    mean: ArrayOut = Field(description="(K, G2, G1) the ensemble's probability: the mean over members")
    std: ArrayOut = Field(description="(K, G2, G1) standard deviation over members (ddof 0)")
    entropy: ArrayOut = Field(description="(G2, G1) H[mean], nats: total predictive uncertainty")
    expected_entropy: ArrayOut = Field(description="(G2, G1) mean over members of H[p_m], nats: each member's own doubt")
    mutual_info: ArrayOut = Field(description="(G2, G1) entropy - expected_entropy, nats >= 0: the members' disagreement")
    member_accuracy: list[float] = Field(description="Each member's test accuracy (fraction)")
    ensemble_accuracy: float = Field(description="Test accuracy of the mean probability's argmax")


@router.get("/replicates/{race_id}/ensemble", response_model=EnsembleOut,
            responses={404: ERRORS[404], 409: {**ERRORS[409], "description": "Not a replicate set, a run has not "
                       "ended, fewer than 2 completed, or the data is not a 2-D classification set"}})
def ensemble(race_id: str, resolution: int = Query(40, ge=10, le=50, description="Grid points per axis"),
             svc: JobService = Depends(service)):
    """The set's completed runs as an ensemble over the plane of a 2-D classification set: where the members
    agree and where they do not (mutual information), next to the mean probability."""
    return ensemble_grid(svc, race_id, resolution)
