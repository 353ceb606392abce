"""The estimators: thin scikit-learn front ends over the training engine."""

from ._base import BaseStructuredMLP
from ._hmatrix_mlp import HMatrixMLPClassifier
from ._pinv import PseudoInverseSparseClassifier
from ._sparse_mlp import SparseMLPClassifier

__all__ = [
    "BaseStructuredMLP",
    "SparseMLPClassifier",
    "HMatrixMLPClassifier",
    "PseudoInverseSparseClassifier",
]
