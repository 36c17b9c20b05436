"""Limits and paths, read from environment variables prefixed ``NNPLAY_``.

Example: ``NNPLAY_MAX_PARAMS=2000000 nnplay serve``.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Server settings; every field maps to ``NNPLAY_<FIELD>`` (case-insensitive)."""

    model_config = SettingsConfigDict(env_prefix="NNPLAY_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Folder for the SQLite database and run files.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: sqlite:///<data_dir>/nnplay.db"
    )
    host: str = Field("127.0.0.1", description="Address `nnplay serve` binds to.")
    port: int = Field(8000, ge=1, le=65535)
    max_params: int = Field(5_000_000, ge=1, description="Most trainable parameters a network may have.")
    max_epochs: int = Field(500, ge=1, description="Most epochs a job may ask for.")
    max_concurrent_jobs: int = Field(2, ge=1, le=64, description="Jobs training at once (one worker "
                                     "process each); others queue.")
    executor: Literal["process", "thread", "ray"] = Field("process", description="Where jobs train: "
                                                          "`process`, a warm worker process each (isolated, "
                                                          "memory-limited); `thread`, threads in the server (no "
                                                          "isolation); `ray`, a Ray actor each, on a Ray cluster "
                                                          "(the `ray` extra).")
    ray_address: str | None = Field(None, description="With executor `ray`: the cluster to join (`auto`: the "
                                    "one this machine belongs to; `ray://host:10001`: a remote head's client "
                                    "port); unset: start a local Ray inside the server.")
    ray_connect_timeout_s: float = Field(120, ge=1, le=3600, description="With executor `ray` and a `ray://` "
                                         "address: seconds the server keeps retrying to connect while the "
                                         "cluster's head starts (Ray Client gives up after about 30 s a try).")
    job_cpus: int = Field(1, ge=1, le=256, description="With executor `ray`: CPUs each job reserves on its node "
                          "(also its torch threads).")
    ray_warm_actors: int = Field(2, ge=0, le=256, description="With executor `ray`: actors kept alive after "
                                 "their job (each holding job_cpus), so the next jobs start without Ray's worker "
                                 "start-up and torch's import.")
    ray_object_store_mb: int | None = Field(None, ge=80, description="With executor `ray` and no ray_address: "
                                            "the local Ray's object store, in MiB (default: Ray's, 30% of memory).")
    max_job_memory_mb: int = Field(2048, ge=256, description="Memory limit of each job's worker process, "
                                   "in MiB (resident size and data segment; torch itself takes ~400).")
    worker_niceness: int = Field(0, ge=0, le=19, description="With executor `process`: the nice value added "
                                 "to each worker process (0-19; as Ray's workers run at 15), so the server's own "
                                 "requests and streams go first when the cores are busy; 0: the server's.")
    probe_fps: float = Field(10.0, gt=0, le=1000, description="Most probe snapshots (decision boundary, "
                             "feature maps, gates ...) a second of training, for a spec with no "
                             "training.probe_every: what a page can draw.")
    probe_share: float = Field(0.04, gt=0, le=1, description="Most share of a run's wall time its probes "
                               "take, for a spec with no training.probe_every (a snapshot that took c "
                               "seconds waits c*(1-share)/share seconds of training); the last snapshot "
                               "comes on top, hence 4% for runs whose probes stay under 5%.")
    max_feature_map_channels: int = Field(16, ge=1, le=256, description="Channels sent per conv/pool layer.")
    max_neuron_units: int = Field(16, ge=0, le=128, description="Hidden units per layer whose heatmaps "
                                  "(neuron_maps) are sent, on 2-D data; the first ones; 0 sends none.")
    neuron_map_resolution: int = Field(32, ge=4, le=64, description="Points per axis of each hidden "
                                       "unit's heatmap (sampled from the 64x64 decision-boundary grid).")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto picks CUDA when present.")
    torch_threads: int | None = Field(None, ge=1, description="torch.set_num_threads; default: cores // max_concurrent_jobs.")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body accepted, in bytes.")
    max_upload_bytes: int = Field(20_000_000, ge=1024, description="Largest CSV upload (POST /api/datasets), "
                                  "in bytes (default 20 MB).")
    max_datasets_mb: float = Field(2048.0, gt=0, description="Quota of every uploaded data set together, "
                                   "stored (CSV tables as float32, texts as UTF-8), in MiB; an upload past it "
                                   "is refused with 413 before its matrix is built.")
    max_activation_mb: float = Field(2048.0, gt=0, description="Largest estimated activation memory of one "
                                     "training step (forward values kept for backward), in MiB.")
    max_message_kb: float = Field(1024.0, ge=16, le=65536, description="Largest probe message (one "
                                  "websocket message: attention, gates, feature maps...), in KiB of JSON. "
                                  "Validation estimates each message type from the inferred shapes; attention "
                                  "and gates past it are sent as a window (the first tokens / heads / steps, "
                                  "said in the message), any other type is refused with 422.")
    max_clients_per_job: int = Field(32, ge=1, description="Websocket clients watching one job at once.")
    stream_send_timeout_s: float = Field(30.0, gt=0, le=600, description="A websocket client that leaves one "
                                         "message unsent this long (it stopped reading) is closed with 1013.")
    max_stored_jobs: int = Field(1000, ge=1, description="Jobs kept in the database.")
    prune_finished_jobs: bool = Field(False, description="At max_stored_jobs, delete the oldest finished "
                                      "jobs instead of refusing new ones.")
    api_token: str | None = Field(None, min_length=8, description="When set, every /api route (but "
                                  "/api/health) and the websocket require it as a bearer token.")
    allow_unauthenticated: bool = Field(False, description="Serve on a non-loopback address without "
                                        "an api_token.")
    cors_origins: list[str] = Field([], description='Origins allowed by CORS, e.g. ["https://x.org"]; '
                                    "they may also send state-changing requests (POST, PATCH, DELETE).")
    allowed_hosts: list[str] = Field(["localhost", "127.0.0.1", "::1"], description="Names the Host header "
                                     "may carry (the address served on is added); others answer 400, which "
                                     'stops DNS rebinding. e.g. ["nnplay.lab.example", "*.lab.example"]; '
                                     '["*"] turns the check off.')

    @field_validator("api_token", mode="before")
    @classmethod
    def _strip_token(cls, value):
        """Surrounding whitespace is dropped; unset or empty means no token; a blank one is refused."""
        if value is None or value == "":
            return None
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("the API token is blank (only whitespace): set a real token or leave it empty")
            return value.strip()
        return value

    def served_hosts(self) -> list[str]:
        """``allowed_hosts`` plus ``host`` when it is a name clients use (not 0.0.0.0 or ::)."""
        return [*self.allowed_hosts, *([] if self.host in ("0.0.0.0", "::", "") else [self.host])]

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'nnplay.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
