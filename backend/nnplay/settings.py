"""Limits and paths, read from environment variables prefixed ``NNPLAY_``.

Example: ``NNPLAY_MAX_PARAMS=2000000 nnplay serve``.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
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
    max_concurrent_jobs: int = Field(2, ge=1, le=64, description="Jobs training at once; others queue.")
    max_feature_map_channels: int = Field(16, ge=1, le=256, description="Channels sent per conv/pool layer.")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto picks CUDA when present.")
    torch_threads: int | None = Field(None, ge=1, description="torch.set_num_threads; default: cores // max_concurrent_jobs.")

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'nnplay.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
