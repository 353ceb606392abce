"""Weight types behind one interface: forward, backward, grad and params."""

from ._base import WeightMatrix
from ._circulant import CirculantWeights
from ._dense import DenseWeights
from ._hashed import HashedWeights
from ._hmatrix import HMatrixWeights
from ._lowrank import FixedDictionaryWeights, LowRankWeights
from ._registry import WEIGHT_TYPES, make_weights, weight_options
from ._sparse import SparseWeights
from ._tridiagonal import TridiagonalWeights

__all__ = [
    "WeightMatrix",
    "DenseWeights",
    "SparseWeights",
    "HMatrixWeights",
    "LowRankWeights",
    "FixedDictionaryWeights",
    "HashedWeights",
    "CirculantWeights",
    "TridiagonalWeights",
    "WEIGHT_TYPES",
    "make_weights",
    "weight_options",
]
