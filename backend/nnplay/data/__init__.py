"""Data sets: name -> loader returning train/test tensors and metadata.

``load(spec, data_dir)`` returns a :class:`Split` whose inputs are float32 tensors shaped
``(N, *input_shape)`` (``(N, 1, 8, 8)`` for digits, ``(N, F)`` for tabular and toy sets) and targets that
are integer class ids ``(N,)`` or float ``(N, 1)`` for regression. Scaling and imputation statistics
come from the training part only. Uploaded sets live under ``<data_dir>/datasets``.
"""

from nnplay.data.info import DatasetInfo
from nnplay.data.registry import (DATASETS, Split, dataset_info, find_info, is_word_corpus, load, word_corpora,
                                  word_tokens)

__all__ = ["DATASETS", "DatasetInfo", "Split", "dataset_info", "find_info", "is_word_corpus", "load", "word_corpora",
           "word_tokens"]
