"""Compiled HODLR products: BLAS per leaf, a compiled tree reduction, no GIL.

Same storage and maths as the ``fused_*`` kernels of ``_hmatrix_kernels``
(``UU (c, m, K)``, ``VVt (c, n, K)``, ``DD (c, m, n)``, leaf-major, with level
``l``'s rank-``k_l`` columns at ``offsets[l-1]:offsets[l]``).  Every product
runs in three phases, each a compiled function over a range of leaves (or of
batch rows for the reduction) that releases the GIL, so the drivers in
``_hmatrix_kernels`` can split each phase across threads:

1. *near*: per leaf ``p``, the dense leaf product and the projections
   ``P[p] = A_p @ far_in[p]`` onto every level's factors;
2. *upsweep*: sum the projections over each cluster of the tree, in place;
3. *far*: per leaf ``q``, gather the sums of the sibling clusters of all levels
   into ``E`` (B, K) and add ``E @ far_out[q].T`` (one GEMM with ``beta = 1``).

Every GEMM goes straight to BLAS (``_blas.gemm``) on strided views of the
batch-major activations ``(B, width_pad)``: leaf ``p`` of ``X`` is the column
slice ``X[:, p*m:(p+1)*m]``.  No activation is copied and no temporary of the
output's size is allocated.  Callers hold BLAS at one thread.
"""

import numpy as np

from .._blas import AVAILABLE, gemm
from .._numba import jit

__all__ = ["AVAILABLE", "far", "grad_far", "grad_near", "near", "upsweep"]


def _leaf(A, p, width):
    return A[:, p * width : (p + 1) * width]


def _upsweep(P, offsets, lo, hi):
    """Turn leaf shares ``P (c, B, K)`` into cluster sums, rows ``lo:hi``, in place.

    Afterwards ``P[i * (c >> l), :, offsets[l-1]:offsets[l]]`` is the sum over
    the leaves of level-``l`` cluster ``i``: from the leaves up, each cluster
    adds its second child into its first, in the columns of coarser levels.
    """
    c = P.shape[0]
    n_levels = offsets.size - 1
    for level in range(n_levels - 1, 0, -1):
        span = c >> level
        width = offsets[level]
        for first in range(0, c, span):
            second = first + span // 2
            for row in range(lo, hi):
                for j in range(width):
                    P[first, row, j] += P[second, row, j]


def _sibling_sums(P, offsets, leaf, E):
    """``E (B, K)``: per level, the sum over the sibling of ``leaf``'s cluster."""
    c = P.shape[0]
    for level in range(1, offsets.size):
        first = (((leaf * 2**level) // c) ^ 1) * (c >> level)
        for row in range(E.shape[0]):
            for j in range(offsets[level - 1], offsets[level]):
                E[row, j] = P[first, row, j]


def _near(A, dense, far_in, out, P, transpose, lo, hi):
    """Leaves ``lo:hi``: ``out_p = A_p @ op(dense[p])``, ``P[p] = A_p @ far_in[p]``."""
    c = dense.shape[0]
    w_in, w_out = A.shape[1] // c, out.shape[1] // c
    for p in range(lo, hi):
        A_p = _leaf(A, p, w_in)
        gemm(A_p, dense[p], _leaf(out, p, w_out), False, transpose, 0.0)
        if P.shape[2]:
            gemm(A_p, far_in[p], P[p], False, False, 0.0)


def _far(P, offsets, far_out, out, lo, hi):
    """Leaves ``lo:hi``: ``out_q += E_q @ far_out[q].T`` (sibling sums ``E_q``)."""
    c, n_rows, K = P.shape
    E = np.empty((n_rows, K), dtype=P.dtype)
    for q in range(lo, hi):
        _sibling_sums(P, offsets, q, E)
        gemm(E, far_out[q], _leaf(out, q, out.shape[1] // c), False, True, 1.0)


def _grad_near(X, G, UU, VVt, DD, gDD, P, Q, dX, project_x, lo, hi):
    """Leaves ``lo:hi``: ``gDD``, the projections and, if ``dX.size``, ``G @ DD.T``.

    ``P[p] = X_p @ UU[p]`` only if ``project_x`` (else ``P`` is the forward's).
    """
    c, m, K = UU.shape
    n = DD.shape[2]
    for p in range(lo, hi):
        X_p, G_p = _leaf(X, p, m), _leaf(G, p, n)
        gemm(X_p, G_p, gDD[p], True, False, 0.0)
        if dX.size:
            gemm(G_p, DD[p], _leaf(dX, p, m), False, True, 0.0)
        if K:
            if project_x:
                gemm(X_p, UU[p], P[p], False, False, 0.0)
            gemm(G_p, VVt[p], Q[p], False, False, 0.0)


def _grad_far(X, G, UU, P, Q, offsets, gUU, gVVt, dX, lo, hi):
    """Leaves ``lo:hi``: ``gUU = X^T S``, ``gVVt = G^T T`` and ``dX += S @ UU.T``."""
    c, n_rows, K = P.shape
    m, n = X.shape[1] // c, G.shape[1] // c
    T = np.empty((n_rows, K), dtype=P.dtype)
    S = np.empty((n_rows, K), dtype=P.dtype)
    for q in range(lo, hi):
        _sibling_sums(P, offsets, q, T)
        _sibling_sums(Q, offsets, q, S)
        gemm(_leaf(X, q, m), S, gUU[q], True, False, 0.0)
        gemm(_leaf(G, q, n), T, gVVt[q], True, False, 0.0)
        if dX.size:
            gemm(S, UU[q], _leaf(dX, q, m), False, True, 1.0)


if AVAILABLE:
    _leaf = jit(_leaf, nogil=True)
    _sibling_sums = jit(_sibling_sums, nogil=True)
    upsweep = jit(_upsweep, nogil=True)
    near = jit(_near, nogil=True)
    far = jit(_far, nogil=True)
    grad_near = jit(_grad_near, nogil=True)
    grad_far = jit(_grad_far, nogil=True)
else:  # pragma: no cover
    upsweep = near = far = grad_near = grad_far = None
