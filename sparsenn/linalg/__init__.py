"""sparsenn.linalg"""

from ._hmatrix import HMatrix
from ._sparse_kernels import sddmm, spmm
from ._tridiagonal import OffsetTridiagonal

__all__ = ["HMatrix", "OffsetTridiagonal", "spmm", "sddmm"]
