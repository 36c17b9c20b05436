"""Request and response models of the REST API (OpenAPI at /docs)."""

from pydantic import BaseModel, ConfigDict, Field

from nnplay.protocol import FinalMetrics, Status
from nnplay.spec.data import DatasetSpec
from nnplay.spec.network import JobSpec, NetworkSpec
from nnplay.spec.training import TrainingSpec


class ValidateRequest(BaseModel):
    """A network to check on a data set; ``training`` (optional) lets the loss be checked too.
    A whole job spec (with its ``name``) is accepted as it is."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200, description="Ignored: a whole job spec may be sent")
    dataset: DatasetSpec
    network: NetworkSpec
    training: TrainingSpec | None = None


class ErrorOut(BaseModel):
    """A refusal that is not about a field: a missing job, a conflict, a body that is not JSON."""

    detail: str


class JobOut(BaseModel):
    id: str
    name: str | None
    status: Status
    spec: JobSpec
    created_at: str
    started_at: str | None
    finished_at: str | None
    detail: str | None
    final: FinalMetrics | None = Field(description="Metrics of the last finished epoch (latest, while running)")
    last_seq: int
    queue_position: int | None = Field(None, description="1 = next to start; null unless queued")
    race_id: str | None = Field(None, description="The race this job runs in (POST /api/races), else null")


class RaceRunOut(BaseModel):
    value: str | int | float = Field(description="The raced setting's value in this run")
    job: JobOut


class RaceOut(BaseModel):
    """A race: one job per value of ``field``, same seed (same initial weights and batch order)."""

    id: str
    name: str | None
    field: str
    values: list[str | int | float]
    created_at: str
    runs: list[RaceRunOut] = Field(description="In the order of values; a deleted job is left out")


class MetricsOut(BaseModel):
    job_id: str
    metrics: list[dict] = Field(description="Every `metrics` message of the job, in `seq` order")


class DatasetOut(BaseModel):
    name: str
    title: str
    task: str
    kind: str
    input_shape: list[int]
    classes: list[str]
    n_samples: int
    source: str
    params: list[str]


class PresetOut(BaseModel):
    id: str
    title: str
    description: str
    spec: JobSpec


class LayerTypeOut(BaseModel):
    type: str
    description: str
    probe: str | None
    json_schema: dict


class Health(BaseModel):
    status: str
    version: str
    device: str
    running_jobs: int


class SurfaceGrid(BaseModel):
    x: list[float]
    y: list[float]
    z: list[list[float]] = Field(description="f(x[j], y[i]) at row i, column j")
    vmin: float
    vmax: float


class SurfacePath(BaseModel):
    optimizer: str
    label: str
    x: list[float] = Field(description="The start, then the point after each step")
    y: list[float]
    loss: list[float] = Field(description="f at each point")
    diverged: bool = Field(description="True when the path left the domain by > 1e6 or became non-finite")


class SurfaceOut(BaseModel):
    """Optimizer paths on a 2-D test function, with the function over its domain."""

    function: str
    domain: tuple[tuple[float, float], tuple[float, float]]
    minimum: tuple[float, float] | None
    start: list[float]
    lr: float
    steps: int
    grid: SurfaceGrid
    paths: list[SurfacePath]
