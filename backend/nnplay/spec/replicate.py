"""A replicate set: one job spec run over ``n`` training seeds, as a race over ``training.seed``.

Each run is an ordinary job (its own stream and metrics) tagged with the set's race id, so the races
store, routes and streams serve replicates too. Only ``training.seed`` changes between runs: the initial
weights, the batch order and dropout masks vary; the data set and its train/test split (``dataset.seed``)
stay fixed, so every run is scored on the same test examples. Two sets with the same seeds pair up seed by
seed (a paired design: run i of each set starts from the same weights when the networks have the same
parameter shapes), which is what the paired t-test and the Wilcoxon signed-rank test compare
(nnplay.jobs.replicates).
"""

from pydantic import BaseModel, ConfigDict, Field

from nnplay.spec.network import JobSpec, Name
from nnplay.spec.race import RaceSpec

MIN_SEEDS = 2
MAX_SEEDS = 20
MAX_SEED = 2**31 - 1


class ReplicateSpec(BaseModel):
    """``base``: the job spec replicated (its own ``training.seed`` is replaced); ``n``: how many runs
    (2-20, each one job); ``first_seed``: run i gets ``training.seed = first_seed + i``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    name: Name | None = None
    base: JobSpec
    n: int = Field(5, ge=MIN_SEEDS, le=MAX_SEEDS, description="Runs in the set, one per seed (2-20)")
    first_seed: int = Field(0, ge=0, le=MAX_SEED - MAX_SEEDS, description="Seed of the first run")


def seeds(spec: ReplicateSpec) -> list[int]:
    """The training seeds of the set's runs, in order: ``first_seed .. first_seed + n - 1``."""
    return list(range(spec.first_seed, spec.first_seed + spec.n))


def replicate_race(spec: ReplicateSpec) -> RaceSpec:
    """The set as a race over ``training.seed`` (values = the seeds). Built without RaceSpec's own checks,
    whose field list and 8-value cap are for settings a person races; ``spec`` is already validated and
    ``race_specs`` validates each run's JobSpec."""
    title = spec.name or spec.base.name or f"{spec.base.dataset.name} replicates"
    return RaceSpec.model_construct(name=title, base=spec.base, field="training.seed", values=seeds(spec))
