"""sparsenn: neural networks whose weight matrices are cheap by structure."""

__version__ = "0.1.0"

from .neural_network import (
    HMatrixMLPClassifier,
    HMatrixMLPRegressor,
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
    StructuredMLPClassifier,
    StructuredMLPRegressor,
)

__all__ = [
    "__version__",
    "SparseMLPClassifier",
    "HMatrixMLPClassifier",
    "PseudoInverseSparseClassifier",
    "SparseMLPRegressor",
    "HMatrixMLPRegressor",
    "PseudoInverseSparseRegressor",
    "StructuredMLPClassifier",
    "StructuredMLPRegressor",
]
