"""Request and response models of the REST API (OpenAPI at /docs)."""

from pydantic import BaseModel, ConfigDict, Field

from nnplay.protocol import FinalMetrics, Status
from nnplay.spec.data import DatasetSpec
from nnplay.spec.network import AnyNetwork, JobSpec, Name
from nnplay.spec.training import TrainingSpec


class ValidateRequest(BaseModel):
    """A network to check on a data set; ``training`` (optional) lets the loss be checked too.
    A whole job spec (with its ``name``) is accepted as it is."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(None, description="Ignored: a whole job spec may be sent")
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
    step: int | None = Field(None, description="Progress: the last optimizer step a live job reported (of epochs x "
                             "batches per epoch, see its `data_info`); for an ended job its step count at its last "
                             "finished epoch (`final.steps`; null if none finished)")
    race_id: str | None = Field(None, description="The race this job runs in (POST /api/races), else null")
    panels: list[str] = Field([], description="What the job streams, one name per probe "
                              "(nnplay.probes.registry), as in its validation summary")
    placement: dict | None = Field(None, description="Where its latest run trained: `executor`, `node` (host "
                                   "name, or Ray node id), `pid`; Ray also `address`, `host`. Null before it starts")


class RaceRunOut(BaseModel):
    value: str | int | float = Field(description="The raced setting's value in this run")
    job: JobOut
    params: int | None = Field(None, description="The run's trainable parameters (null when its data set "
                               "is gone): a deep-vs-fat race compares networks of about equal size")


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
    """A data set: ``task`` classification or regression (then ``classes`` is empty); ``input_shape``
    excludes the batch dimension; ``params`` are the spec fields it takes besides the split's."""

    name: str
    title: str
    task: str
    kind: str = Field(description="image, tabular, toy1d, toy2d, sequence or text")
    input_shape: list[int]
    classes: list[str]
    n_samples: int
    source: str
    params: list[str] = Field(description="The DatasetSpec options this data set takes")
    target_shape: list[int] = Field([], description="One example's target: [] a class id, [h] values, "
                                    "[T] one class id per step")
    vocab: list[str] = Field([], description="Token of each id, for text data (id 0 first)")
    vocab_size: int | None = Field(None, description="Number of token ids for text data, else null")
    uploaded: bool = Field(False, description="An uploaded CSV (deletable), not a built-in set")
    features: list[str] = Field([], description="Feature names of an uploaded set (one-hot columns as col=value)")
    n_missing: int = Field(0, description="Empty cells among the features of an uploaded set")


class ComparedJob(BaseModel):
    """One job's side of a comparison."""

    id: str
    name: str | None
    status: Status
    accuracy: float = Field(description="Fraction of the test set classified correctly by the job's latest weights")
    correct: int


class CompareOut(BaseModel):
    """McNemar's exact test on two classifiers' predictions for the same test examples."""

    a: ComparedJob
    b: ComparedJob
    n_test: int
    both_correct: int
    both_wrong: int
    b_count: int = Field(description="Discordant: examples job a gets right and job b wrong")
    c_count: int = Field(description="Discordant: examples job a gets wrong and job b right")
    p_value: float = Field(ge=0.0, le=1.0, description="Two-sided exact binomial test of b_count against "
                           "Binomial(b_count + c_count, 1/2); 1 when there is no discordant example")
    test: str
    conclusion: str


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
    families: list[str] = Field(default_factory=list, description="The layer families (LAYER_FAMILIES) the type "
                                "belongs to, e.g. 'activation', 'affine'")


class NodeOut(BaseModel):
    """A machine jobs train on: this server's host, or a Ray node (its id)."""

    node: str
    alive: bool
    cpus: float = Field(description="CPUs the node has (a Ray node: the CPUs it offers Ray)")
    jobs: int | None = Field(description="Jobs of this server training there now (null: not counted)")


class Health(BaseModel):
    status: str
    version: str
    device: str
    executor: str = Field(description="Where jobs train (NNPLAY_EXECUTOR): `process` (a worker process per "
                          "job), `thread` or `ray` (a Ray actor per job)")
    workers_ready: bool = Field(description="The warm workers are up (false for the first seconds after "
                                            "start while the fork server imports torch; jobs wait meanwhile)")
    running_jobs: int
    free_cpus: float | None = Field(None, description="Ray: CPUs free in the cluster now; null otherwise")
    nodes: list[NodeOut] = Field([], description="The machines jobs train on")


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
    momentum: float  # of the ``momentum`` path (SGD with momentum)
    weight_decay: float  # of the ``adamw`` path (decoupled decay per step: lr * weight_decay * p)
    grid: SurfaceGrid
    paths: list[SurfacePath]
