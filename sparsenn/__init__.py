"""sparsenn: neural networks whose weight matrices are cheap by structure."""

import os

__version__ = "0.1.0"

# The compiled kernels run on numba's OpenMP thread pool.  With libgomp's default
# (active) waiting, every parallel call on a busy 2-core machine paid ~12 ms of
# thread hand-over instead of ~0.02 ms (docs/kernels.md).  Only a default: a value
# the user set wins, and it has no effect if OpenMP was already started.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from .neural_network import (
    HMatrixMLPClassifier,
    PseudoInverseSparseClassifier,
    SparseMLPClassifier,
)

__all__ = [
    "__version__",
    "SparseMLPClassifier",
    "HMatrixMLPClassifier",
    "PseudoInverseSparseClassifier",
]
