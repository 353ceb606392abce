"""Compiled pivoted LU for ``p == q == k`` offset-tridiagonal matrices.

The ``k`` residue chains ``i, i + k, i + 2k, ...`` are ordinary tridiagonal
matrices.  The kernels below run LAPACK's ``?gttrf``/``?gtts2`` algorithm
(partial pivoting between rows ``i`` and ``i + k`` of a chain) on all chains at
once in natural index order, so no permutation is ever materialised.  The
factors are ``U`` (diagonal ``u0``, super-diagonals ``u1`` at ``+k`` and ``u2`` at
``+2k``, the latter from row swaps), the multipliers ``l`` and swap flags ``piv``.
"""

import math

import numpy as np
from scipy.linalg import lapack

from .._numba import NUMBA_AVAILABLE, jit

__all__ = ["NUMBA_AVAILABLE", "KChainLU", "kchain_slogdet"]


def _factor_kernel(d, sub, sup, k, b):
    # LAPACK ?gttrf on every chain; the forward elimination of the C-ordered
    # (n, m) right-hand side ``b`` is fused in (m = 0 for a plain factorisation)
    n, m = b.shape
    u0 = d.copy()
    u1 = np.zeros(n)
    u2 = np.zeros(n)
    lo = np.zeros(n)
    piv = np.zeros(n, dtype=np.uint8)
    u1[: n - k] = sup
    for i in range(n - k):
        j = i + k
        s = sub[i]
        a = u0[i]
        if abs(a) >= abs(s):
            if a != 0.0:
                fact = s / a
                lo[i] = fact
                u0[j] -= fact * u1[i]
                for c in range(m):
                    b[j, c] -= fact * b[i, c]
        else:
            fact = a / s
            u0[i] = s
            lo[i] = fact
            temp = u1[i]
            u1[i] = u0[j]
            u0[j] = temp - fact * u0[j]
            if j + k < n:
                u2[i] = u1[j]
                u1[j] = -fact * u1[j]
            piv[i] = 1
            for c in range(m):
                t = b[i, c]
                b[i, c] = b[j, c]
                b[j, c] = t - fact * b[i, c]
    info = 0
    for i in range(n):
        if u0[i] == 0.0:
            info = i + 1
            break
    return u0, u1, u2, lo, piv, info


def _forward_kernel(lo, piv, k, b):
    # apply the row swaps and multipliers of the factorisation to b (n, m)
    n, m = b.shape
    for i in range(n - k):
        j = i + k
        f = lo[i]
        if piv[i]:
            for c in range(m):
                t = b[i, c]
                b[i, c] = b[j, c]
                b[j, c] = t - f * b[i, c]
        else:
            for c in range(m):
                b[j, c] -= f * b[i, c]


def _back_kernel(u0, u1, u2, k, b):
    # solve U x = b in place; U has super-diagonals at +k and +2k
    n, m = b.shape
    for i in range(n - 1, -1, -1):
        a1 = u1[i]
        a2 = u2[i]
        inv = 1.0 / u0[i]
        has1 = i + k < n
        has2 = i + 2 * k < n
        for c in range(m):
            v = b[i, c]
            if has1:
                v -= a1 * b[i + k, c]
            if has2:
                v -= a2 * b[i + 2 * k, c]
            b[i, c] = v * inv


def _slogdet_kernel(d, sub, sup, k):
    # the pivot recurrence of _factor_kernel without storing the factors; the
    # product of |pivots| is kept as mantissa * 2**expo (no overflow or
    # underflow, even for pivots near the float64 limits; one log)
    n = d.shape[0]
    u0 = d.copy()
    u1 = np.zeros(n)
    u1[: n - k] = sup
    sign = 1.0
    scaled = 1.0
    expo = 0
    for i in range(n):
        a = u0[i]
        if i < n - k:
            j = i + k
            s = sub[i]
            if abs(a) >= abs(s):
                if a != 0.0:
                    u0[j] -= (s / a) * u1[i]
            else:
                fact = a / s
                a = s
                sign = -sign
                u0[j] = u1[i] - fact * u0[j]
                if j + k < n:
                    u1[j] = -fact * u1[j]
        if a == 0.0:
            return 0.0, -np.inf
        if a < 0.0:
            sign = -sign
            a = -a
        if a > 1e150 or a < 1e-150:  # an extreme pivot: keep its exponent apart
            mant, e = math.frexp(a)
            a = mant
            expo += e
        scaled *= a
        if scaled > 1e150 or scaled < 1e-150:
            mant, e = math.frexp(scaled)
            scaled = mant
            expo += e
    return sign, math.log(scaled) + expo * math.log(2.0)


_factor = jit(_factor_kernel)
_forward = jit(_forward_kernel)
_back = jit(_back_kernel)
_slogdet = jit(_slogdet_kernel)


def _as_f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def kchain_slogdet(diag, sub, sup, k):
    """``(sign, log|det A|)`` for ``p == q == k`` without storing factors."""
    sign, logdet = _slogdet(_as_f64(diag), _as_f64(sub), _as_f64(sup), k)
    return float(sign), float(logdet)


class KChainLU:
    """Pivoted LU of a ``p == q == k`` offset-tridiagonal matrix (compiled).

    Same interface as :class:`~sparsenn.linalg.tridiagonal._banded_lu.BandedLU`.
    """

    def __init__(self, diag, sub, sup, k, *, rhs=None):
        self.k = k
        self.n = diag.shape[0]
        rhs = np.zeros((self.n, 0)) if rhs is None else rhs
        d, s, u = _as_f64(diag), _as_f64(sub), _as_f64(sup)
        *self.factors, info = _factor(d, s, u, k, rhs)
        self.info = int(info)

    @classmethod
    def factor_solve(cls, diag, sub, sup, k, b):
        """Factor and solve in one pass: ``(lu, x)``, ``x`` is None if singular."""
        x = np.array(b.reshape(b.shape[0], -1), dtype=np.float64, order="C")
        lu = cls(diag, sub, sup, k, rhs=x)
        if lu.singular:
            return lu, None
        _back(*lu.factors[:3], k, x)
        return lu, x.reshape(b.shape)

    @property
    def singular(self):
        """True when a pivot of ``U`` is exactly zero."""
        return self.info > 0

    def solve(self, b):
        """Solve ``A x = b`` for ``b`` of shape (n,) or (n, k) (float64)."""
        x = np.array(b.reshape(b.shape[0], -1), dtype=np.float64, order="C")
        self._solve_inplace(x)
        return x.reshape(b.shape)

    def _solve_inplace(self, x):
        u0, u1, u2, lo, piv = self.factors
        _forward(lo, piv, self.k, x)
        _back(u0, u1, u2, self.k, x)

    def slogdet(self):
        """``(sign, log|det A|)``; ``(0.0, -inf)`` if singular."""
        if self.singular:
            return 0.0, -np.inf
        u0, _, _, _, piv = self.factors
        swaps = int(np.count_nonzero(piv)) + int(np.count_nonzero(u0 < 0))
        sign = -1.0 if swaps % 2 else 1.0
        return sign, float(np.sum(np.log(np.abs(u0))))

    def _gt_factors(self):
        """Return the factors in LAPACK ``?gttrf`` layout of the chain order."""
        n, k = self.n, self.k
        m = -(-n // k)
        grid = np.arange(m * k).reshape(m, k).T.ravel()
        perm = grid[grid < n]
        u0, u1, u2, lo, piv = (f[perm] for f in self.factors)
        ipiv = (np.arange(n) + 1 + piv).astype(np.int32)
        return lo[:-1], u0, u1[:-1], u2[:-2], ipiv

    def rcond(self, anorm):
        """LAPACK ``?gtcon`` estimate of ``1 / cond_1(A)``."""
        if self.singular:
            return 0.0
        if self.n < 3:
            return 1.0 / (anorm * np.abs(self.inv()).sum(axis=0).max())
        rc, _ = lapack.dgtcon(*self._gt_factors(), anorm)
        return float(rc)

    def inv(self):
        """Dense inverse from one solve against stacked chain identities."""
        n, k = self.n, self.k
        if k == 1:  # one chain: the solve against the identity is the inverse
            E = np.eye(n)
            self._solve_inplace(E)
            return E
        m = -(-n // k)
        i = np.arange(n)
        E = np.zeros((n, m))
        E[i, i // k] = 1.0
        self._solve_inplace(E)
        cols = (i % k)[:, None] + k * np.arange(m)[None, :]
        keep = cols < n
        out = np.zeros((n, n))
        out[np.broadcast_to(i[:, None], (n, m))[keep], cols[keep]] = E[keep]
        return out
