"""Thin REST routes of hypothesis testing over replicates: a replicate set is a race over
``training.seed`` (one ordinary job per seed, with its stream), and two sets are compared seed by seed."""

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from nnplay.api.lab import race_out
from nnplay.api.routes import ERRORS, service
from nnplay.api.schemas import RaceOut
from nnplay.jobs import JobService
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
