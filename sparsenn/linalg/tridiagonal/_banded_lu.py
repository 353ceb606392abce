"""Pivoted LU of an offset-tridiagonal matrix after its gcd split.

With ``g = gcd(p, q)`` the residue classes ``i mod g`` never couple, so the
symmetric permutation ``P`` that lists class 0, then class 1, ... turns ``A`` into
``B = P.T @ A @ P``: a block-diagonal offset-tridiagonal matrix with offsets
``(p // g, q // g)`` whose off-diagonals are zero across block boundaries.  For
``p == q`` the reduced offsets are ``(1, 1)``: ``B`` is one ordinary tridiagonal
matrix and LAPACK ``?gttrf`` factors all ``g`` chains in a single call.  Otherwise
LAPACK ``?gbtrf`` factors the band of ``B`` (bandwidths ``p // g`` and ``q // g``).
Both pivot, so a zero pivot of a nonsingular matrix is never a breakdown.
"""

import math

import numpy as np
from scipy.linalg import lapack

__all__ = ["ReducedMatrix", "BandedLU"]


class ReducedMatrix:
    """The gcd-split ``B = P.T @ A @ P`` of an offset-tridiagonal matrix.

    Parameters
    ----------
    diag : ndarray of shape (n,)
    sub : ndarray of shape (n - p,)
    sup : ndarray of shape (n - q,)
    p, q : int
        Offsets of ``A``; ``B`` has offsets ``p // g`` and ``q // g``.
    """

    def __init__(self, diag, sub, sup, p, q):
        n = diag.shape[0]
        g = math.gcd(p, q)
        self.n, self.g = n, g
        self.p, self.q = p // g, q // g
        self.sizes = -(-(n - np.arange(g)) // g)
        self.starts = np.concatenate(([0], np.cumsum(self.sizes)[:-1]))
        if g == 1:
            self.perm = None
            self.diag = np.asarray(diag, dtype=np.float64)
            self.sub = np.asarray(sub, dtype=np.float64)
            self.sup = np.asarray(sup, dtype=np.float64)
            return
        m = int(self.sizes[0])
        grid = np.arange(m * g).reshape(m, g).T.ravel()
        perm = grid[grid < n]
        self.perm = perm
        self.diag = diag[perm].astype(np.float64, copy=False)
        self.sub = _reduce_offdiag(sub, perm, p, self.p)
        self.sup = _reduce_offdiag(sup, perm, q, self.q)

    def to_reduced(self, b):
        """Rows of ``b`` in the order of ``B``."""
        return b if self.perm is None else b[self.perm]

    def from_reduced(self, y):
        """Inverse of :meth:`to_reduced`."""
        if self.perm is None:
            return y
        x = np.empty_like(y)
        x[self.perm] = y
        return x


def _reduce_offdiag(off, perm, offset, reduced_offset):
    """Off-diagonal of ``B`` at ``reduced_offset``, zero across block ends."""
    n = perm.shape[0]
    head = perm[: n - reduced_offset]
    same_block = perm[reduced_offset:] == head + offset
    src = np.minimum(head, off.shape[0] - 1)
    return np.where(same_block, off[src], 0.0).astype(np.float64, copy=False)


class BandedLU:
    """Pivoted LU factors of a :class:`ReducedMatrix` (``?gttrf`` or ``?gbtrf``).

    Attributes
    ----------
    info : int
        LAPACK ``info``; ``info > 0`` means ``U[info-1, info-1]`` is exactly zero.
    """

    def __init__(self, red):
        self.red = red
        n = red.n
        # scipy's ?gttrf wrapper fails for n = 2 (empty du2); ?gbtrf covers it
        if red.p == red.q == 1 and n > 2:
            self.kind = "gt"
            dl, d, du, du2, ipiv, info = lapack.dgttrf(red.sub, red.diag, red.sup)
            self.factors = (dl, d, du, du2, ipiv)
            self.udiag = d
            self.pivot_base = 1  # scipy returns LAPACK's 1-based ?gttrf pivots
        else:
            self.kind = "gb"
            kl, ku = red.p, red.q
            ab = np.zeros((2 * kl + ku + 1, n), order="F")
            ab[kl + ku, :] = red.diag
            ab[kl, ku:] = red.sup
            ab[2 * kl + ku, : n - kl] = red.sub
            lu, ipiv, info = lapack.dgbtrf(ab, kl, ku, overwrite_ab=1)
            self.factors = (lu, ipiv)
            self.udiag = lu[kl + ku]
            self.pivot_base = 0  # ... but 0-based ?gbtrf pivots
        self.ipiv = ipiv
        if info < 0:  # pragma: no cover - argument error inside LAPACK
            raise RuntimeError(f"LAPACK factorisation failed with info={info}")
        self.info = int(info)

    @property
    def singular(self):
        """True when a pivot of ``U`` is exactly zero."""
        return self.info > 0

    def solve_reduced(self, b):
        """Solve ``B x = b`` for ``b`` of shape (n, k), in reduced order."""
        if self.kind == "gt":
            x, info = lapack.dgttrs(*self.factors, b)
        else:
            lu, ipiv = self.factors
            x, info = lapack.dgbtrs(lu, self.red.p, self.red.q, b, ipiv)
        if info != 0:  # pragma: no cover - argument error inside LAPACK
            raise RuntimeError(f"LAPACK solve failed with info={info}")
        return x

    def solve(self, b):
        """Solve ``A x = b`` for ``b`` of shape (n,) or (n, k) (float64)."""
        b2 = b.reshape(b.shape[0], -1)
        x = self.solve_reduced(np.asfortranarray(self.red.to_reduced(b2)))
        return self.red.from_reduced(x).reshape(b.shape)

    def slogdet(self):
        """``(sign, log|det A|)`` from the pivots; ``(0.0, -inf)`` if singular."""
        if self.singular:
            return 0.0, -np.inf
        u = self.udiag
        swaps = np.count_nonzero(self.ipiv != np.arange(u.shape[0]) + self.pivot_base)
        negatives = np.count_nonzero(u < 0)
        sign = -1.0 if (swaps + negatives) % 2 else 1.0
        return sign, float(np.sum(np.log(np.abs(u))))

    def rcond(self, anorm):
        """LAPACK estimate of the reciprocal 1-norm condition number."""
        if self.singular:
            return 0.0
        if self.kind == "gt":
            rc, _ = lapack.dgtcon(*self.factors, anorm)
        else:
            lu, ipiv = self.factors
            rc, _ = lapack.dgbcon(self.red.p, self.red.q, lu, ipiv, anorm)
        return float(rc)

    def inv(self):
        """Dense ``A^{-1}``: one multi-RHS solve against stacked block identities.

        ``B`` is block diagonal with blocks of at most ``m = sizes[0]`` rows, so
        the right-hand side ``E[s, c] = [c == local index of s]`` of shape (n, m)
        yields every block inverse at once; cost O(n^2 / g).
        """
        red = self.red
        n, m = red.n, int(red.sizes[0])
        if red.g == 1:  # one block: the solve against the identity is the inverse
            return self.solve_reduced(np.eye(n, order="F"))
        block = np.repeat(np.arange(red.g), red.sizes)
        local = np.arange(n) - red.starts[block]
        E = np.zeros((n, m), order="F")
        E[np.arange(n), local] = 1.0
        X = self.solve_reduced(E)
        cols = red.starts[block][:, None] + np.arange(m)[None, :]
        keep = np.arange(m)[None, :] < red.sizes[block][:, None]
        rows = np.broadcast_to(np.arange(n)[:, None], (n, m))[keep]
        cols = cols[keep]
        if red.perm is not None:
            rows, cols = red.perm[rows], red.perm[cols]
        out = np.zeros((n, n))
        out[rows, cols] = X[keep]
        return out


def gtsv_solve(diag, sub, sup, b):
    """One-shot ``p == q == 1`` solve with LAPACK ``?gtsv``; None if singular.

    The same routine ``scipy.linalg.solve_banded`` calls for (1, 1) bands.
    """
    b2 = np.asfortranarray(b.reshape(b.shape[0], -1), dtype=np.float64)
    *_, x, info = lapack.dgtsv(sub, diag, sup, b2)
    if info > 0:
        return None
    if info < 0:  # pragma: no cover - argument error inside LAPACK
        raise RuntimeError(f"LAPACK ?gtsv failed with info={info}")
    return x.reshape(b.shape)
