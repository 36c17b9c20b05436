"""Thin REST routes of the 2-D lab: races (one job per value of a setting) and the loss surface."""

from fastapi import APIRouter, Depends

from nnplay.api.routes import ERRORS, job_out, service
from nnplay.api.schemas import RaceOut, RaceRunOut, SurfaceOut
from nnplay.jobs import JobService
from nnplay.jobs.store import RaceRow
from nnplay.spec.race import RaceSpec
from nnplay.spec.errors import SpecError
from nnplay.spec.network import JobSpec
from nnplay.spec.surface import SurfaceSpec
from nnplay.train.check import check_job
from nnplay.train.surface import run_surface

router = APIRouter(prefix="/api")


def race_out(svc: JobService, race: RaceRow) -> RaceOut:
    jobs = {row.id: row for row in (svc.store.get_job(j) for j in race.job_ids) if row is not None}
    runs = [RaceRunOut(value=v, job=(out := job_out(svc, jobs[j])), params=run_params(svc, out.spec))
            for v, j in zip(race.values, race.job_ids) if j in jobs]
    return RaceOut(id=race.id, name=race.name, field=race.field, values=race.values, created_at=race.created_at,
                   runs=runs)


def run_params(svc: JobService, spec: JobSpec) -> int | None:
    """Trainable parameters of a run's network on its data set (None when the data set is gone)."""
    try:
        return check_job(spec.dataset, spec.network, spec.training, svc.settings).total_params
    except SpecError:
        return None


@router.post("/races", response_model=RaceOut, status_code=201, responses={400: ERRORS[400], 422: ERRORS[422]})
def create_race(body: RaceSpec, svc: JobService = Depends(service)):
    """Start one job per value of ``field`` on the ``base`` spec, all with its seed: the runs share
    initial weights and batch order and differ only in that setting. Each is an ordinary job tagged
    with the race's id (``race_id``)."""
    return race_out(svc, svc.create_race(body))


@router.get("/races", response_model=list[RaceOut])
def list_races(svc: JobService = Depends(service)):
    return [race_out(svc, race) for race in svc.store.list_races()]


@router.get("/races/{race_id}", response_model=RaceOut, responses={404: ERRORS[404]})
def get_race(race_id: str, svc: JobService = Depends(service)):
    return race_out(svc, svc.get_race(race_id))


@router.post("/surface", response_model=SurfaceOut, responses={400: ERRORS[400], 422: ERRORS[422]})
def loss_surface(body: SurfaceSpec):
    """Paths of SGD, momentum, RMSprop, Adam and AdamW (torch.optim) from one start point on a classic
    test function, and the function over its domain for the contour. The page animates the steps."""
    return run_surface(body)
