"""sparsenn: neural networks whose weight matrices are cheap by structure."""

__version__ = "0.1.0"

from ._hmatrix_mlp import HMatrixMLPClassifier
from ._pinv import PseudoInverseSparseClassifier
from ._sparse_mlp import SparseMLPClassifier

__all__ = [
    "__version__",
    "SparseMLPClassifier",
    "HMatrixMLPClassifier",
    "PseudoInverseSparseClassifier",
]
