"""Data sets: name -> loader returning train/test tensors and metadata.

``load(spec)`` returns a :class:`Split` whose inputs are float32 tensors shaped ``(N, *input_shape)``
(``(N, 1, 8, 8)`` for digits, ``(N, F)`` for tabular and 2-D sets) and integer class targets ``(N,)``.
Scaling statistics come from the training part only.
"""

from nnplay.data.registry import DATASETS, DatasetInfo, Split, dataset_info, load

__all__ = ["DATASETS", "DatasetInfo", "Split", "dataset_info", "load"]
