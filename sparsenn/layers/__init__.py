"""Weight types behind one interface: ``forward``, ``backward``, ``grad``, ``params``."""

from ._base import WeightMatrix
from ._dense import DenseWeights

__all__ = ["WeightMatrix", "DenseWeights"]
