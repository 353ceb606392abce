"""Batched product kernels of :class:`~sparsenn.linalg.HMatrix` (batch-major).

All kernels take activations of shape ``(B, n)`` in C order (``B`` samples)
whose width is already padded to a multiple of ``2**n_levels``.  The split of
such an array into ``c`` clusters, ``A.reshape(B, c, n // c).transpose(1, 0, 2)``,
is a strided view whose 2-D slices BLAS reads directly, so no kernel ever
transposes or copies an activation matrix.

Three families:

* ``grouped_*``: one batched ``np.matmul`` per :class:`BlockGroup` (any
  admissibility); factors are the per-group views ``U (count, m_l, k)``,
  ``V (count, k, n_l)`` and ``D (count, m_L, n_L)``.
* ``fused_*`` (weak admissibility / HODLR): the factors of all levels are
  stored leaf-major, ``UU (c_L, m_L, K)``, ``VVt (c_L, n_L, K)`` with
  ``K = sum(ranks)``, and ``DD (c_L, m_L, n_L)``.  A product is then two large
  batched GEMMs plus a cheap reduction over the tree (:func:`_exchange`),
  instead of two skinny GEMMs and a full-width update per level.
* ``compiled_*`` (HODLR, float32/float64): the same storage and maths, run by
  the compiled per-leaf loops of ``_hodlr_loops`` in three phases, each split
  across threads over leaves (or batch rows), with BLAS held at one thread.
  This is the default path for weak admissibility (``docs/hmatrix.md`` has
  the measurements that chose it).
"""

import numpy as np

from .._threads import run_ranges, single_threaded_blas
from . import _hodlr_loops as loops

COMPILED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_MIN_ROWS = 16  # batch rows per thread in the tree reduction
# Below this many multiply-adds per product (batch rows x stored values) one
# thread is faster than handing the phases to the pool (measured crossover
# 15-35 M on 2 cores; bench_hmatrix.py part K, docs/hmatrix.md).
PARALLEL_WORK = 1 << 24


def _runner(arrays, n_rows):
    """``run(fn, n, min_size)`` calling ``fn(lo, hi)``: in threads if worth it."""
    if n_rows * sum(a.size for a in arrays) >= PARALLEL_WORK:
        return run_ranges
    return lambda fn, n, min_size=1: fn(0, n)


__all__ = [
    "COMPILED_DTYPES",
    "compiled_backward",
    "compiled_forward",
    "compiled_grad",
    "fused_backward",
    "fused_forward",
    "fused_grad",
    "grouped_backward",
    "grouped_forward",
    "grouped_grad",
]


def _split(A, c):
    """``(B, n)`` -> strided view ``(c, B, n // c)`` (also for ``B == 0``)."""
    return A.reshape(A.shape[0], c, A.shape[1] // c).transpose(1, 0, 2)


# --------------------------------------------------------------------- grouped
def grouped_forward(groups, factors, X, Y):
    """Write ``X @ W`` into ``Y`` (B, n_pad) for ``X`` of shape (B, m_pad)."""
    Y[...] = 0
    for group, views in zip(groups, factors, strict=True):
        c = 2**group.level
        X_g = _split(X, c)[group.rows]
        Y_g = _split(Y, c)[group.cols]
        if group.lowrank:
            Y_g += (X_g @ views[0]) @ views[1]
        else:
            Y_g += X_g @ views[0]


def grouped_backward(groups, factors, G, dX):
    """Write ``G @ W.T`` into ``dX`` (B, m_pad) for ``G`` of shape (B, n_pad)."""
    dX[...] = 0
    for group, views in zip(groups, factors, strict=True):
        c = 2**group.level
        G_g = _split(G, c)[group.cols]
        dX_g = _split(dX, c)[group.rows]
        if group.lowrank:
            U, V = views
            dX_g += (G_g @ V.transpose(0, 2, 1)) @ U.transpose(0, 2, 1)
        else:
            dX_g += G_g @ views[0].transpose(0, 2, 1)


def grouped_grad(groups, factors, grads, X, G):
    """Write the gradient of ``sum(G * (X @ W))`` into the views ``grads``."""
    for group, views, gviews in zip(groups, factors, grads, strict=True):
        c = 2**group.level
        X_g = _split(X, c)[group.rows]
        G_g = _split(G, c)[group.cols]
        if not group.lowrank:
            np.matmul(X_g.transpose(0, 2, 1), G_g, out=gviews[0])
            continue
        U, V = views
        T = X_g @ U  # (count, B, k)
        S = G_g @ V.transpose(0, 2, 1)  # (count, B, k)
        np.matmul(X_g.transpose(0, 2, 1), S, out=gviews[0])
        np.matmul(T.transpose(0, 2, 1), G_g, out=gviews[1])


# ----------------------------------------------------------------------- fused
def _exchange(P, ranks, offsets):
    """Sum leaf partials over each level's clusters and hand them to the sibling.

    ``P[p, :, off_l:off_l + k_l]`` is leaf ``p``'s share of the level-``l``
    product of its cluster.  Returns ``E`` with ``E[q, :, off_l:off_l + k_l]``
    equal to the full product of the sibling of ``q``'s level-``l`` cluster,
    which is exactly what HODLR's block ``(i, i ^ 1)`` pairs with leaf ``q``.
    """
    c_leaf, B, K = P.shape
    E = np.empty_like(P)
    for level, (k, off) in enumerate(zip(ranks, offsets, strict=False), start=1):
        c = 2**level
        cols = slice(off, off + k)
        T = P[:, :, cols].reshape(c // 2, 2, c_leaf // c, B, k).sum(axis=2)
        E.reshape(c // 2, 2, c_leaf // c, B, K)[..., cols] = T[:, ::-1, None]
    return E


def fused_forward(arrays, ranks, offsets, X, Y):
    """Write ``X @ W`` into ``Y`` for HODLR storage ``arrays = (UU, VVt, DD)``."""
    UU, VVt, DD = arrays
    c_leaf = DD.shape[0]
    X3 = _split(X, c_leaf)
    Y3 = _split(Y, c_leaf)
    np.matmul(X3, DD, out=Y3)
    if ranks:
        Y3 += _exchange(X3 @ UU, ranks, offsets) @ VVt.transpose(0, 2, 1)


def fused_backward(arrays, ranks, offsets, G, dX):
    """Write ``G @ W.T`` into ``dX`` for HODLR storage; G (B, n_pad)."""
    UU, VVt, DD = arrays
    c_leaf = DD.shape[0]
    G3 = _split(G, c_leaf)
    dX3 = _split(dX, c_leaf)
    np.matmul(G3, DD.transpose(0, 2, 1), out=dX3)
    if ranks:
        dX3 += _exchange(G3 @ VVt, ranks, offsets) @ UU.transpose(0, 2, 1)


def fused_grad(arrays, grads, ranks, offsets, X, G):
    """Write the gradient of ``sum(G * (X @ W))`` into ``grads = (gUU, gVVt, gDD)``."""
    UU, VVt, DD = arrays
    c_leaf = DD.shape[0]
    X3 = _split(X, c_leaf)
    G3 = _split(G, c_leaf)
    np.matmul(X3.transpose(0, 2, 1), G3, out=grads[2])
    if ranks:
        T = _exchange(X3 @ UU, ranks, offsets)
        S = _exchange(G3 @ VVt, ranks, offsets)
        np.matmul(X3.transpose(0, 2, 1), S, out=grads[0])
        np.matmul(G3.transpose(0, 2, 1), T, out=grads[1])


# -------------------------------------------------------------------- compiled
def _compiled_apply(A, dense, far_in, far_out, offsets, out, transpose):
    """``out = A @ op(W)``; returns the cluster sums of the projections (c, B, K)."""
    c, K = dense.shape[0], far_in.shape[2]
    P = np.empty((c, A.shape[0], K), dtype=A.dtype)
    run = _runner((dense, far_in, far_out), A.shape[0])
    with single_threaded_blas():
        run(lambda lo, hi: loops.near(A, dense, far_in, out, P, transpose, lo, hi), c)
        if K:
            run(lambda lo, hi: loops.upsweep(P, offsets, lo, hi),
                A.shape[0], _MIN_ROWS)  # fmt: skip
            run(lambda lo, hi: loops.far(P, offsets, far_out, out, lo, hi), c)
    return P


def compiled_forward(arrays, offsets, X, Y):
    """Write ``X @ W`` into ``Y`` for HODLR storage ``arrays = (UU, VVt, DD)``.

    Returns the cluster sums of ``X @ UU``, which ``compiled_grad`` can reuse
    for the same ``X`` and factors.
    """
    UU, VVt, DD = arrays
    return _compiled_apply(X, DD, UU, VVt, offsets, Y, False)


def compiled_backward(arrays, offsets, G, dX):
    """Write ``G @ W.T`` into ``dX`` for HODLR storage; G (B, n_pad)."""
    UU, VVt, DD = arrays
    _compiled_apply(G, DD, VVt, UU, offsets, dX, True)


def compiled_grad(arrays, grads, offsets, X, G, dX=None, x_sums=None):
    """Write the factor gradients into ``grads``; also ``G @ W.T`` into ``dX``.

    ``x_sums``: what ``compiled_forward`` returned for this ``X`` and these
    factors; when given, the projections of ``X`` are not computed again.
    """
    UU, VVt, DD = arrays
    gUU, gVVt, gDD = grads
    c, K, B = DD.shape[0], UU.shape[2], X.shape[0]
    project_x = x_sums is None
    P = np.empty((c, B, K), dtype=X.dtype) if project_x else x_sums
    Q = np.empty((c, B, K), dtype=X.dtype)
    if dX is None:
        dX = np.empty((0, 0), dtype=X.dtype)

    def near(lo, hi):
        loops.grad_near(X, G, UU, VVt, DD, gDD, P, Q, dX, project_x, lo, hi)

    def sweep(lo, hi):
        if project_x:
            loops.upsweep(P, offsets, lo, hi)
        loops.upsweep(Q, offsets, lo, hi)

    def far(lo, hi):
        loops.grad_far(X, G, UU, P, Q, offsets, gUU, gVVt, dX, lo, hi)

    run = _runner(arrays, B)
    with single_threaded_blas():
        run(near, c)
        if K:
            run(sweep, B, _MIN_ROWS)
            run(far, c)
