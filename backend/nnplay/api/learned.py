"""Learned parameters where they teach: a linear regression's weights beside least squares.

``GET /api/jobs/{id}/linear_fit``  for a regression network that is one linear layer (flatten aside)
                                   on feature data (toy 2-D or tabular): the learned ``w``, ``b`` from the
                                   job's latest checkpoint, converted to data units, beside the
                                   least-squares solution on the job's own training split
                                   (nnplay.probes.linear_fit), with the training mse of each.
"""

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from nnplay.api.export import latest_weights
from nnplay.api.routes import ERRORS, service
from nnplay.data import dataset_info
from nnplay.data.registry import train_features
from nnplay.jobs import JobConflict, JobService
from nnplay.jobs.store import JobRow
from nnplay.probes.linear_fit import least_squares, mse, to_data_units
from nnplay.spec.network import JobSpec, network_kind

router = APIRouter(prefix="/api")
NOT_LINEAR = {409: {"description": "Not a linear regression on features, or no checkpoint yet"}}


class LineOut(BaseModel):
    weights: list[float]
    bias: float
    train_mse: float


class LinearFitOut(BaseModel):
    job_id: str
    step: int
    features: list[str]
    learned: LineOut
    least_squares: LineOut


def check_linear_regression(row: JobRow, svc: JobService) -> JobSpec:
    """The job's spec if it is one linear layer with one output on regression features; JobConflict else."""
    spec = JobSpec.model_validate(row.spec)
    layers = [] if network_kind(spec.network) == "word2vec" else spec.network.layers
    linear = [layer for layer in layers if layer.type == "linear"]
    info = dataset_info(spec.dataset, svc.settings.data_dir)
    if (info.task != "regression" or info.kind not in ("toy2d", "tabular") or len(linear) != 1
            or linear[0].out_features != 1 or any(layer.type not in ("linear", "flatten") for layer in layers)
            or spec.dataset.impute == "mean_with_indicator"):
        raise JobConflict(f"job {row.id} is not a linear regression (one linear layer with one output on "
                          "regression features): it has no line to compare with least squares")
    return spec


def linear_fit(svc: JobService, row: JobRow) -> LinearFitOut:
    spec = check_linear_regression(row, svc)
    state = latest_weights(svc, row)
    weights = {k: v for k, v in state["model"].items() if k.endswith("weight")}
    (key, weight), = weights.items()  # (1, F), standardised input
    bias = float(state["model"][key[: -len("weight")] + "bias"].reshape(-1)[0])
    x, y, mean, std = train_features(spec.dataset, svc.settings.data_dir)
    learned, best = to_data_units(weight.double().numpy(), bias, mean, std), least_squares(x, y)
    info = dataset_info(spec.dataset, svc.settings.data_dir)
    names = list(info.features) or [f"x{i + 1}" for i in range(x.shape[1])]
    line = lambda fit: LineOut(weights=fit.weights, bias=fit.bias, train_mse=mse(fit, x, y))  # noqa: E731
    return LinearFitOut(job_id=row.id, step=int(state["step"]), features=names, learned=line(learned),
                        least_squares=line(best))


@router.get("/jobs/{job_id}/linear_fit", response_model=LinearFitOut, responses={404: ERRORS[404], **NOT_LINEAR})
def get_linear_fit(job_id: str, svc: JobService = Depends(service)):
    """A linear regression's learned weights and bias in data units beside the least-squares solution."""
    return linear_fit(svc, svc.get(job_id))



