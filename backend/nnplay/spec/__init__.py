"""What the user asks for: pydantic models only, no torch."""

from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import LimitError, ShapeError, SpecError
from nnplay.spec.layers import LAYER_MODELS, LAYER_TYPES, LayerSpec
from nnplay.spec.network import JobSpec, NetworkSpec, NetworkSummary, summarize
from nnplay.spec.training import TrainingSpec

__all__ = [
    "DatasetSpec", "JobSpec", "LAYER_MODELS", "LAYER_TYPES", "LayerSpec", "NetworkSpec",
    "LimitError", "NetworkSummary", "ShapeError", "SpecError", "TrainingSpec", "summarize",
]
