"""Request and response models of the REST API (OpenAPI at /docs)."""

from pydantic import BaseModel, ConfigDict, Field

from nnplay.protocol import FinalMetrics, Status
from nnplay.spec.data import DatasetSpec
from nnplay.spec.network import AnyNetwork, JobSpec
from nnplay.spec.training import TrainingSpec


class ValidateRequest(BaseModel):
    """A network to check on a data set; ``training`` (optional) lets the loss be checked too.
    A whole job spec (with its ``name``) is accepted as it is."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200, description="Ignored: a whole job spec may be sent")
    dataset: DatasetSpec
    network: AnyNetwork
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
