"""The estimators: thin scikit-learn front ends over the training engine."""

from ._base import BaseStructuredMLP
from ._hmatrix_mlp import HMatrixMLPClassifier
from ._hmatrix_mlp_regressor import HMatrixMLPRegressor
from ._pinv import PseudoInverseSparseClassifier
from ._pinv_regressor import PseudoInverseSparseRegressor
from ._sparse_mlp import SparseMLPClassifier
from ._sparse_mlp_regressor import SparseMLPRegressor
from ._structured_mlp import StructuredMLPClassifier, StructuredMLPRegressor

__all__ = [
    "BaseStructuredMLP",
    "SparseMLPClassifier",
    "HMatrixMLPClassifier",
    "PseudoInverseSparseClassifier",
    "SparseMLPRegressor",
    "HMatrixMLPRegressor",
    "PseudoInverseSparseRegressor",
    "StructuredMLPClassifier",
    "StructuredMLPRegressor",
]
