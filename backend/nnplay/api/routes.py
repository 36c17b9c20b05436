"""Thin REST routes: parse, call the job service, return a model."""

from fastapi import APIRouter, Depends, Query, Request, Response

from nnplay import __version__
from nnplay.api.schemas import (ErrorOut, Health, JobOut, LayerTypeOut, MetricsOut, PresetOut,
                                ValidateRequest)
from nnplay.jobs import JobService
from nnplay.jobs.store import JobRow
from nnplay.probes import PROBES
from nnplay.probes.registry import job_panels
from nnplay.spec.data import DatasetSpec
from nnplay.spec.layers import LAYER_FAMILIES, LAYER_MODELS
from nnplay.spec.network import JobSpec, NetworkSummary
from nnplay.spec.presets import PRESETS
from nnplay.spec.training import LiveSettings
from nnplay.train.check import check_job

router = APIRouter(prefix="/api")
ERRORS = {400: {"description": "The body could not be read as JSON text", "model": ErrorOut},
          404: {"description": "No job with this id", "model": ErrorOut},
          409: {"model": ErrorOut}, 422: {"description": "Invalid input"}}


def service(request: Request) -> JobService:
    return request.app.state.service


def job_out(svc: JobService, row: JobRow) -> JobOut:
    out = JobOut.model_validate({**{c: getattr(row, c) for c in JobOut.model_fields if hasattr(row, c)},
                                 "queue_position": svc.queue_position(row), "step": svc.current_step(row)})
    out.panels = job_panels(out.spec.network, out.spec.dataset, svc.settings.data_dir,
                            out.spec.training.active is not None)
    return out


@router.get("/health", response_model=Health)
def health(svc: JobService = Depends(service)):
    ready = getattr(svc.executor, "ready", lambda: True)()
    where = {k: v for k, v in svc.executor.describe().items() if k != "executor"}
    return Health(status="ok", version=__version__, device=svc.executor.device, executor=svc.settings.executor,
                  workers_ready=ready, running_jobs=sum(r.state == "running" for r in svc.live_runs()), **where)


@router.get("/presets", response_model=list[PresetOut])
def presets():
    return PRESETS


@router.get("/layers", response_model=list[LayerTypeOut])
def layers():
    """The layer catalogue: each type's fields (JSON schema), what it does, and its probe."""
    return [LayerTypeOut(type=t, description=(m.__doc__ or "").strip(), probe=PROBES[t],
                         json_schema=m.model_json_schema(),
                         families=[name for name, members in LAYER_FAMILIES.items() if t in members])
            for m in LAYER_MODELS for t in [m.model_fields["type"].annotation.__args__[0]]]


@router.post("/networks/validate", response_model=NetworkSummary,
             responses={400: ERRORS[400], 422: ERRORS[422]})
def validate_network(body: ValidateRequest, request: Request):
    """Shape inference before training: per-layer output shape and parameters, totals, warnings."""
    return check_job(body.dataset, body.network, body.training, request.app.state.settings)


@router.post("/jobs", response_model=JobOut, status_code=201,
             responses={400: ERRORS[400], 422: ERRORS[422]})
def create_job(spec: JobSpec, paused: bool = Query(False, description="Start paused: the job waits before its "
                                                   "first optimizer step (status `paused` at step 0) until `step` "
                                                   "or `resume`, so a single step can be watched from the start"),
               svc: JobService = Depends(service)):
    return job_out(svc, svc.create(spec, paused=paused))


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(svc: JobService = Depends(service)):
    return [job_out(svc, row) for row in svc.list_jobs()]


@router.get("/jobs/{job_id}", response_model=JobOut, responses={404: ERRORS[404]})
def get_job(job_id: str, svc: JobService = Depends(service)):
    return job_out(svc, svc.get(job_id))


@router.get("/jobs/{job_id}/metrics", response_model=MetricsOut, responses={404: ERRORS[404]})
def job_metrics(job_id: str, svc: JobService = Depends(service),
                max_points: int | None = Query(None, ge=10, le=100_000, description="Downsample the step "
                                               "metrics to about this many: first, last, min and max "
                                               "train_loss per bucket (epoch metrics are all kept)")):
    return MetricsOut(job_id=job_id, metrics=svc.metrics(job_id, max_points))


@router.post("/jobs/{job_id}/stop", response_model=JobOut,
             responses={404: ERRORS[404], 409: {**ERRORS[409], "description": "The job has already ended"}})
async def stop_job(job_id: str, svc: JobService = Depends(service)):
    return job_out(svc, await svc.stop(job_id))


@router.post("/jobs/{job_id}/resume", response_model=JobOut,
             responses={404: ERRORS[404],
                        409: {**ERRORS[409], "description": "The job is not paused, interrupted or stopped"}})
async def resume_job(job_id: str, svc: JobService = Depends(service)):
    """Continue a paused job from the step it waits at (answers once it trains again), or an
    interrupted or stopped job from its last checkpoint (epoch end or stop)."""
    return job_out(svc, await svc.resume(job_id))


LIVE_409 = {**ERRORS[409], "description": "The job is not queued, running or paused"}


@router.post("/jobs/{job_id}/pause", response_model=JobOut, responses={404: ERRORS[404], 409: LIVE_409})
async def pause_job(job_id: str, svc: JobService = Depends(service)):
    """Pause a running job between two optimizer steps; answers once it waits (status `paused`), after
    which no messages arrive until `step`, `resume` or `stop`. A queued job pauses before its first step."""
    return job_out(svc, await svc.pause(job_id))


@router.post("/jobs/{job_id}/step", response_model=JobOut,
             responses={404: ERRORS[404], 409: {**ERRORS[409], "description": "The job is not paused"}})
async def step_job(job_id: str, svc: JobService = Depends(service)):
    """Run exactly one optimizer step of a paused job; answers once its `metrics`, `gradients` and
    probe messages are out. The job stays paused."""
    return job_out(svc, await svc.step(job_id))


@router.post("/jobs/{job_id}/reset", response_model=JobOut, status_code=201,
             responses={404: ERRORS[404], 409: {**ERRORS[409], "description": "Too many stored jobs"}})
async def reset_job(job_id: str, svc: JobService = Depends(service)):
    """Start the job again from step 0 as a NEW job (same spec and seed: same initial weights and
    batches; paused if this one was) and stop this one if it still runs. This one keeps its history;
    its `detail` names the new job, which is returned."""
    return job_out(svc, await svc.reset(job_id))


@router.patch("/jobs/{job_id}/settings", response_model=JobOut,
              responses={400: ERRORS[400], 404: ERRORS[404], 409: LIVE_409, 422: ERRORS[422]})
def change_settings(job_id: str, body: LiveSettings, svc: JobService = Depends(service)):
    """Change settings of a queued, running or paused job without restarting it, e.g. `{"lr": 0.01}`:
    they apply from the next optimizer step (the streamed `lr` shows it) and a `settings` message
    records the step. With an `lr_schedule`, later decays multiply the new lr; a word2vec job's linear
    decay goes on from the new lr to the end of the run (its `grad_clip` cannot be set: 422).
    `{"max_steps_per_s": null}` ends slow motion: the rest of the run goes at full speed."""
    return job_out(svc, svc.change_settings(job_id, body))


@router.delete("/jobs/{job_id}", status_code=204, responses={404: ERRORS[404]})
async def delete_job(job_id: str, svc: JobService = Depends(service)):
    """Delete a job and its history; a running or queued job is stopped first."""
    await svc.delete(job_id)
    return Response(status_code=204)
