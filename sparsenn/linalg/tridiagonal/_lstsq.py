"""Least squares and pseudo-inverse of offset-tridiagonal matrices.

Two routes:

* ``alpha > 0`` (ridge): the normal matrix ``B.T @ B + alpha I`` of the gcd-split
  matrix ``B`` is symmetric positive definite and banded with non-zero offsets
  ``{0, p', q', p' + q'}``; banded Cholesky (``solveh_banded``) solves it in
  O(n (p' + q')) per right-hand side.
* ``alpha == 0`` (Moore-Penrose): a nonsingular, well-conditioned matrix has the
  unique solution ``solve(b)``.  Otherwise the matrix splits into the connected
  components of its pattern; the pseudo-inverse of a block-diagonal matrix is the
  block diagonal of the block pseudo-inverses, so components of equal size are
  stacked and handled by one batched SVD.  Components larger than ``max_dense`` go
  to LSMR from ``x0 = 0``, which converges to the minimum-norm solution.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import solveh_banded
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsmr
from scipy.sparse.linalg import norm as sparse_norm

from ..._warnings import warn

__all__ = ["ridge_lstsq", "minnorm_lstsq", "pinv_dense", "MAX_DENSE_BLOCK"]

#: Components larger than this are not densified (LSMR instead of SVD).
MAX_DENSE_BLOCK = 2048


def _normal_band(red, alpha):
    """Upper band storage of ``B.T @ B + alpha I`` for ``solveh_banded``."""
    n, p, q = red.n, red.p, red.q
    d, s, u = red.diag, red.sub, red.sup
    w = p + q
    ab = np.zeros((w + 1, n))
    main = d * d + alpha
    main[: n - p] += s * s
    main[q:] += u * u
    ab[w] = main
    ab[w - p, p:] += s * d[p:]
    ab[w - q, q:] += d[: n - q] * u
    if n > w:
        ab[0, w:] = s[: n - w] * u[p:]
    return ab


def ridge_lstsq(A, b, alpha):
    """``argmin ||A x - b||^2 + alpha ||x||^2`` for ``alpha > 0``."""
    red = A._reduced()
    rhs = red.to_reduced(A.rmatvec(b).reshape(b.shape[0], -1))
    x = solveh_banded(_normal_band(red, alpha), rhs, lower=False, check_finite=False)
    return red.from_reduced(x).reshape(b.shape)


def _components(A):
    """Component labels of the (undirected) pattern of ``A`` and their count."""
    n, p, q = A.n, A.p, A.q
    i_sub = np.flatnonzero(A.sub)
    i_sup = np.flatnonzero(A.sup)
    rows = np.concatenate([i_sub, i_sup])
    cols = np.concatenate([i_sub + p, i_sup + q])
    graph = sp.coo_array((np.ones(rows.shape[0]), (rows, cols)), shape=(n, n))
    ncomp, labels = connected_components(graph, directed=False)
    return ncomp, labels


def _entries(A):
    """All stored entries of ``A`` as (row, col, value) arrays."""
    n, p, q = A.n, A.p, A.q
    i = np.arange(n)
    rows = np.concatenate([i, i[: n - p] + p, i[: n - q]])
    cols = np.concatenate([i, i[: n - p], i[: n - q] + q])
    vals = np.concatenate([A.diag, A.sub, A.sup]).astype(np.float64)
    return rows, cols, vals


def _groups(A):
    """Yield ``(idx, blocks)``: members (c, m) and dense blocks (c, m, m).

    Components of equal size ``m`` are stacked so one batched call handles them;
    components larger than :data:`MAX_DENSE_BLOCK` yield ``blocks = None``.
    """
    ncomp, labels = _components(A)
    counts = np.bincount(labels, minlength=ncomp)
    order = np.argsort(labels, kind="stable")
    comp_start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    pos = np.empty(A.n, dtype=np.intp)
    pos[order] = np.arange(A.n) - comp_start[labels[order]]
    rows, cols, vals = _entries(A)
    keep = vals != 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    comp_of_entry = labels[cols]
    size_of_entry = counts[comp_of_entry]
    slot = np.empty(ncomp, dtype=np.intp)
    for m in np.unique(counts):
        comps = np.flatnonzero(counts == m)
        slot[comps] = np.arange(comps.shape[0])
        idx = order[comp_start[comps][:, None] + np.arange(m)[None, :]]
        if m > MAX_DENSE_BLOCK:
            yield idx, None
            continue
        blocks = np.zeros((comps.shape[0], m, m))
        sel = size_of_entry == m
        c = slot[comp_of_entry[sel]]
        blocks[c, pos[rows[sel]], pos[cols[sel]]] = vals[sel]
        yield idx, blocks


def _svd_groups(A):
    """Batched SVDs of all dense component groups, plus the largest sigma."""
    out, smax = [], 0.0
    for idx, blocks in _groups(A):
        if blocks is None:
            sub = A.tosparse("csr")
            for members in idx:
                block = sub[members][:, members]
                bound = np.sqrt(sparse_norm(block, 1) * sparse_norm(block, np.inf))
                smax = max(smax, float(bound))
                out.append((members[None, :], block))
            continue
        U, s, Vt = np.linalg.svd(blocks)
        smax = max(smax, float(s.max(initial=0.0)))
        out.append((idx, (U, s, Vt)))
    return out, smax


def _cutoff(A, rcond, smax):
    if rcond is None:
        rcond = A.n * np.finfo(np.float64).eps
    return rcond * smax


def _inv_sigma(s, cut):
    return np.where(s > cut, 1.0 / np.where(s > cut, s, 1.0), 0.0)


def _stack_pinv(U, s, Vt, cut):
    """Pseudo-inverses of a stack of SVDs, cutting sigma <= ``cut``."""
    scaled = Vt.transpose(0, 2, 1) * _inv_sigma(s, cut)[:, None, :]
    return np.matmul(scaled, U.transpose(0, 2, 1))


def minnorm_lstsq(A, b, rcond=None):
    """Minimum-norm least-squares solution (Moore-Penrose ``A^+ b``)."""
    groups, smax = _svd_groups(A)
    cut = _cutoff(A, rcond, smax)
    b2 = b.reshape(b.shape[0], -1)
    x = np.zeros_like(b2)
    for idx, fac in groups:
        if isinstance(fac, tuple):
            U, s, Vt = fac
            proj = (
                np.matmul(U.transpose(0, 2, 1), b2[idx]) * _inv_sigma(s, cut)[..., None]
            )
            x[idx] = np.matmul(Vt.transpose(0, 2, 1), proj)
        else:
            x[idx[0]] = _lsmr_columns(fac, b2[idx[0]])
    return x.reshape(b.shape)


def _lsmr_columns(block, rhs):
    """LSMR from ``x0 = 0`` (minimum-norm limit) for each column of ``rhs``."""
    out = np.empty_like(rhs)
    for j in range(rhs.shape[1]):
        res = lsmr(block, rhs[:, j], atol=1e-14, btol=1e-14, maxiter=20 * rhs.shape[0])
        if res[1] == 7:
            warn(
                "lstsq: LSMR reached its iteration limit on a singular component of "
                f"size {rhs.shape[0]}; the result may be inaccurate.",
                RuntimeWarning,
            )
        out[:, j] = res[0]
    return out


def pinv_dense(A, rcond=None):
    """Dense Moore-Penrose pseudo-inverse, assembled component by component."""
    groups, smax = _svd_groups(A)
    cut = _cutoff(A, rcond, smax)
    out = np.zeros((A.n, A.n))
    for idx, fac in groups:
        if isinstance(fac, tuple):
            P = _stack_pinv(*fac, cut)
        else:
            P = _stack_pinv(*np.linalg.svd(fac.toarray()[None]), cut)
        out[idx[:, :, None], idx[:, None, :]] = P
    return out
