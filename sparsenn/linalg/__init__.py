"""Linear algebra core: sparse kernels, H-matrices, offset-tridiagonal matrices.

Usable on its own: nothing in ``sparsenn.linalg`` imports scikit-learn.
"""

from .hmatrix import HMatrix
from .sparse import sddmm, spmm
from .tridiagonal import OffsetTridiagonal

__all__ = ["HMatrix", "OffsetTridiagonal", "spmm", "sddmm"]
