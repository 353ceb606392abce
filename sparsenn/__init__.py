"""sparsenn: neural networks whose weight matrices are cheap by structure."""

__version__ = "0.1.0"

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
