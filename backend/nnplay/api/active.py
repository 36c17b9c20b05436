"""Thin REST routes of active learning: the strategies' curves (test accuracy against labels, over the
seeds of one replicate set per strategy) and one run's pool, labels and boundary. The runs themselves are
ordinary jobs started with ``POST /api/replicates`` (a base spec with ``training.active``)."""

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from nnplay.api.routes import ERRORS, service
from nnplay.jobs import JobService
from nnplay.jobs.active import run_view, set_curves
from nnplay.spec.active import STRATEGIES
from nnplay.spec.errors import SpecError

router = APIRouter(prefix="/api")
NOT_ACTIVE = {**ERRORS[409], "description": "Not a replicate set (or job) of active-learning runs"}


class RunCurveOut(BaseModel):
    seed: int
    job_id: str
    status: str
    n_labels: list[int] = Field(description="(R,) labels each finished round trained on")
    test_accuracy: list[float | None] = Field(description="(R,) test accuracy (fraction) after each round")
    test_loss: list[float | None] = Field(description="(R,) mean test loss after each round, nats")


class MeanCurveOut(BaseModel):
    n_labels: list[int] = Field(description="Label counts every run of the set has reached")
    test_accuracy: list[float] = Field(description="Mean test accuracy over the runs at each")
    runs: int


class SetCurvesOut(BaseModel):
    race_id: str
    strategy: str
    runs: list[RunCurveOut]
    mean: MeanCurveOut


class ActiveCurvesOut(BaseModel):
    sets: list[SetCurvesOut]


class ActiveRunOut(BaseModel):
    """The stored messages that draw one run: data_points (the pool is its ``train`` part), the latest
    decision_boundary and the latest active_round (null until made); as the stream sends them."""

    job_id: str
    status: str
    data_points: dict | None
    decision_boundary: dict | None
    active_round: dict | None


@router.get("/active/curves", response_model=ActiveCurvesOut, responses={404: ERRORS[404], 409: NOT_ACTIVE})
def curves(race: list[str] = Query(description="Replicate sets (race ids), one per strategy, 1-3"),
           svc: JobService = Depends(service)):
    """Test accuracy against the number of labels for each set's runs so far, and each set's mean."""
    if not 1 <= len(race) <= len(STRATEGIES):
        raise SpecError(("race",), f"give 1 to {len(STRATEGIES)} replicate sets (one per strategy), not {len(race)}")
    return {"sets": [set_curves(svc, race_id) for race_id in race]}


@router.get("/active/runs/{job_id}", response_model=ActiveRunOut, responses={404: ERRORS[404], 409: NOT_ACTIVE})
def run(job_id: str, svc: JobService = Depends(service)):
    """One active-learning run's pool, labelled points, latest queries and boundary."""
    return run_view(svc, job_id)
