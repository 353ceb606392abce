"""A GEMM that compiled kernels call without the GIL (SciPy's ``cython_blas``).

``gemm(A, B, C, trans_a, trans_b, beta)`` computes, in row-major terms,
``C = op(A) @ op(B) + beta * C`` for 2-D float32 or float64 arrays whose rows
are contiguous (any row stride, so column slices of a wider array work
without a copy).  Row-major ``C = op(A) op(B)`` is column-major
``C^T = op(B)^T op(A)^T``, so BLAS gets ``B`` first.

SciPy's ``?gemm`` is registered with LLVM under a fixed symbol name and
declared as an external function taking 13 pointer-sized integers (the
Fortran ABI passes every argument by reference), so the kernels that call it
can be cached on disk like any other numba function.

BLAS itself may start threads: callers that run ``gemm`` inside a parallel
loop hold the BLAS libraries at one thread (``_threads.single_threaded_blas``).
"""

import numpy as np

from ._numba import NUMBA_AVAILABLE, jit

__all__ = ["AVAILABLE", "gemm"]


def _declare():
    """Register SciPy's sgemm/dgemm with LLVM; the two external functions."""
    import llvmlite.binding as llvm
    from numba import types
    from numba.extending import get_cython_function_address

    signature = types.void(*[types.intp] * 13)
    declared = []
    for name in ("sgemm", "dgemm"):
        symbol = f"sparsenn_cython_blas_{name}"
        address = get_cython_function_address("scipy.linalg.cython_blas", name)
        llvm.add_symbol(symbol, address)
        declared.append(types.ExternalFunction(symbol, signature))
    return declared


try:
    _sgemm, _dgemm = _declare() if NUMBA_AVAILABLE else (None, None)
    AVAILABLE = NUMBA_AVAILABLE
except (ImportError, ValueError, AttributeError):  # pragma: no cover
    AVAILABLE = False

_N, _T = 78, 84  # ord("N"), ord("T")


def _gemm(A, B, C, trans_a, trans_b, beta):
    m, n = C.shape
    k = A.shape[0] if trans_a else A.shape[1]
    if m == 0 or n == 0:
        return
    if k == 0:
        for i in range(m):
            for j in range(n):
                C[i, j] = 0 if beta == 0 else beta * C[i, j]
        return
    size = C.itemsize
    ints = np.empty(6, np.int32)  # n, m, k and the three leading dimensions
    ints[0], ints[1], ints[2] = n, m, k
    ints[3] = max(B.strides[0] // size, B.shape[1], 1)
    ints[4] = max(A.strides[0] // size, A.shape[1], 1)
    ints[5] = max(C.strides[0] // size, C.shape[1], 1)
    flags = np.empty(2, np.uint8)
    flags[0] = _T if trans_b else _N
    flags[1] = _T if trans_a else _N
    scalars = np.empty(2, C.dtype)
    scalars[0], scalars[1] = 1, beta
    f, i, s = flags.ctypes.data, ints.ctypes.data, scalars.ctypes.data
    args = (B.ctypes.data, i + 12, A.ctypes.data, i + 16, s + size)
    if size == 4:
        _sgemm(f, f + 1, i, i + 4, i + 8, s, *args, C.ctypes.data, i + 20)
    else:
        _dgemm(f, f + 1, i, i + 4, i + 8, s, *args, C.ctypes.data, i + 20)


gemm = jit(_gemm, nogil=True) if AVAILABLE else None
