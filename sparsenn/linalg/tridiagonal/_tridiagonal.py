"""Offset-tridiagonal matrices, with O(n) solve, determinant and least squares.

A main diagonal plus one sub- and one super-diagonal at arbitrary offsets.
"""

import numbers

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from ..._memory import check_allocation
from ..._warnings import warn
from ._banded_lu import BandedLU, ReducedMatrix, gtsv_solve
from ._kernels import NUMBA_AVAILABLE, KChainLU, kchain_slogdet
from ._lstsq import minnorm_lstsq, pinv_dense, ridge_lstsq

__all__ = ["OffsetTridiagonal"]

_EPS = np.finfo(np.float64).eps
#: ``lstsq``/``pinv`` take the exact-solve shortcut only above this rcond * n.
_RCOND_FACTOR = 1e3


def _check_offset(name, value, n):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not 1 <= value < n:
        raise ValueError(f"{name}={value} is out of range: need 1 <= {name} < n={n}")
    return int(value)


def _check_vector(name, values, length=None):
    arr = np.asarray(values)
    if np.iscomplexobj(arr) or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    ):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} has length {arr.shape[0]}, expected {length}")
    # one private copy (float32 kept, everything else float64), then frozen
    arr = arr.astype(np.float32 if arr.dtype == np.float32 else np.float64, copy=True)
    if arr.size and (not np.isfinite(arr.min()) or not np.isfinite(arr.max())):
        raise ValueError(f"{name} contains NaN or infinite entries")
    arr.flags.writeable = False
    return arr


class OffsetTridiagonal:
    """Square matrix with a main diagonal, a sub-diagonal at -p and a super at +q.

    ``A[i, i] = diag[i]``, ``A[i + p, i] = sub[i]`` and ``A[i, i + q] = sup[i]``;
    every other entry is zero.  Zeros in ``sub``/``sup`` are pruned connections.
    With ``g = gcd(p, q)`` the matrix splits into ``g`` independent blocks; for
    ``p == q`` these are ordinary tridiagonal chains factored by LAPACK ``?gttrf``
    in one call (O(n)); otherwise the band LU ``?gbtrf`` is used (O(n p (p+q)) /
    g^2).  Both pivot, so a zero pivot of a nonsingular matrix is harmless.

    Parameters
    ----------
    diag : array_like of shape (n,)
        Main diagonal.
    sub : array_like of shape (n - p,)
        Sub-diagonal at offset ``-p``.
    sup : array_like of shape (n - q,)
        Super-diagonal at offset ``+q``.
    p, q : int
        Offsets, ``1 <= p, q < n``.

    Notes
    -----
    float32 diagonals are stored as float32 and :meth:`matvec` keeps float32;
    the factorisation-based methods compute and return float64.  The object is
    immutable and caches its LU factors.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.linalg import OffsetTridiagonal
    >>> A = OffsetTridiagonal([4.0, 4, 4, 4, 4], [1.0, 1, 1], [2.0, 2, 2], p=2, q=2)
    >>> A.to_dense()
    array([[4., 0., 2., 0., 0.],
           [0., 4., 0., 2., 0.],
           [1., 0., 4., 0., 2.],
           [0., 1., 0., 4., 0.],
           [0., 0., 1., 0., 4.]])
    >>> x = A.solve(np.ones(5))
    >>> bool(np.allclose(A @ x, 1.0))
    True
    >>> sign, logdet = A.slogdet()
    >>> float(sign), round(float(np.exp(logdet)), 6)
    (1.0, 672.0)
    """

    # let ``ndarray @ A`` defer to ``A.__rmatmul__``
    __array_ufunc__ = None

    def __init__(self, diag, sub, sup, *, p, q):
        diag = _check_vector("diag", diag)
        n = diag.shape[0]
        if n < 2:
            raise ValueError(
                f"diag must have length n >= 2 (offsets need 1 <= p < n), got {n}"
            )
        self._p = _check_offset("p", p, n)
        self._q = _check_offset("q", q, n)
        self._diag = diag
        self._sub = _check_vector("sub", sub, n - self._p)
        self._sup = _check_vector("sup", sup, n - self._q)
        self._red = None
        self._lu = None

    def __setstate__(self, state):
        """Restore, frozen again: unpickled arrays come back writeable.

        The diagonals and the cached factors must stay read-only, or an edit
        of ``diag`` after loading would leave the factors stale.
        """
        self.__dict__.update(state)
        for name in ("_diag", "_sub", "_sup"):
            getattr(self, name).flags.writeable = False
        self._red, self._lu = None, None

    # ------------------------------------------------------------------ basics
    n = property(lambda self: self._diag.shape[0], doc="Order of the matrix.")
    p = property(lambda self: self._p, doc="Offset of the sub-diagonal.")
    q = property(lambda self: self._q, doc="Offset of the super-diagonal.")
    diag = property(lambda self: self._diag, doc="Main diagonal (read-only).")
    sub = property(lambda self: self._sub, doc="Sub-diagonal at -p (read-only).")
    sup = property(lambda self: self._sup, doc="Super-diagonal at +q (read-only).")

    @property
    def shape(self):
        """``(n, n)``."""
        return (self.n, self.n)

    @property
    def dtype(self):
        """Storage dtype (float32 or float64)."""
        return np.result_type(self._diag, self._sub, self._sup)

    @property
    def nnz(self):
        """Number of stored non-zero entries."""
        return int(sum(np.count_nonzero(a) for a in (self._diag, self._sub, self._sup)))

    @property
    def T(self):
        """The transpose, itself offset-tridiagonal with ``p`` and ``q`` swapped."""
        return OffsetTridiagonal(self._diag, self._sup, self._sub, p=self._q, q=self._p)

    def __repr__(self):
        return f"OffsetTridiagonal(n={self.n}, p={self.p}, q={self.q}, nnz={self.nnz})"

    # ---------------------------------------------------------------- products
    def _check_rhs(self, b, name="b"):
        b = np.asarray(b)
        if b.ndim not in (1, 2) or b.shape[0] != self.n:
            raise ValueError(
                f"{name} must have shape ({self.n},) or ({self.n}, k), got {b.shape}"
            )
        if np.iscomplexobj(b):
            raise TypeError(f"{name} must be real, got dtype {b.dtype}")
        return b

    def matvec(self, x):
        """Return ``A @ x`` for ``x`` of shape (n,) or (n, k)."""
        x = self._check_rhs(x, "x")
        n, p, q = self.n, self.p, self.q
        d, s, u = (self._diag, self._sub, self._sup)
        if x.ndim == 2:
            d, s, u = d[:, None], s[:, None], u[:, None]
        y = d * x
        y[p:] += s * x[: n - p]
        y[: n - q] += u * x[q:]
        return y

    def rmatvec(self, x):
        """Return ``A.T @ x`` for ``x`` of shape (n,) or (n, k)."""
        return self.T.matvec(x)

    matmat = matvec
    rmatmat = rmatvec

    def __matmul__(self, other):
        return self.matvec(other)

    def __rmatmul__(self, other):
        return self.rmatvec(np.asarray(other).T).T

    # ------------------------------------------------------------ conversions
    def _check_dense_result(self, method):
        """Fail fast when an (n, n) dense result cannot fit in memory."""
        check_allocation(
            2 * self.n * self.n * np.dtype(np.float64).itemsize,
            f"OffsetTridiagonal(n={self.n}).{method}() (a dense {self.n} x "
            f"{self.n} result; use solve() or lstsq() on the right-hand sides "
            "instead)",
        )

    def to_dense(self):
        """Return the dense ``(n, n)`` ndarray."""
        self._check_dense_result("to_dense")
        n, p, q = self.n, self.p, self.q
        A = np.zeros((n, n), dtype=self.dtype)
        i = np.arange(n)
        A[i, i] = self._diag
        A[i[: n - p] + p, i[: n - p]] = self._sub
        A[i[: n - q], i[: n - q] + q] = self._sup
        return A

    def to_scipy(self, format="csr"):
        """Return the matrix as a ``scipy.sparse`` array of the given ``format``."""
        return self.tosparse(format)

    def tosparse(self, format="csr"):
        """Return the matrix as a ``scipy.sparse`` array (alias of :meth:`to_scipy`)."""
        n = self.n
        data = [self._diag, self._sub, self._sup]
        A = sp.diags_array(data, offsets=[0, -self.p, self.q], shape=(n, n))
        return A.asformat(format)

    @classmethod
    def from_dense(cls, A, *, p=None, q=None):
        """Build from a dense square matrix; ``p``/``q`` inferred when omitted.

        Raises ``ValueError`` if ``A`` has non-zeros off the three diagonals.

        Examples
        --------
        >>> import numpy as np
        >>> from sparsenn.linalg import OffsetTridiagonal
        >>> M = np.diag([1.0, 2, 3, 4]) + np.diag([5.0, 6], -2) + np.diag([7.0], 3)
        >>> OffsetTridiagonal.from_dense(M)
        OffsetTridiagonal(n=4, p=2, q=3, nnz=7)
        """
        A = np.asarray(A)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square 2-D array, got shape {A.shape}")
        rows, cols = np.nonzero(A)
        p = _infer_offset("p", p, np.unique((rows - cols)[rows > cols]))
        q = _infer_offset("q", q, np.unique((cols - rows)[cols > rows]))
        n = A.shape[0]
        i = np.arange(n)
        p, q = _check_offset("p", p, n), _check_offset("q", q, n)
        return cls(
            A[i, i],
            A[i[: n - p] + p, i[: n - p]],
            A[i[: n - q], i[: n - q] + q],
            p=p,
            q=q,
        )

    def aslinearoperator(self):
        """Return a ``scipy.sparse.linalg.LinearOperator`` view (matvec and rmatvec)."""
        return LinearOperator(
            self.shape,
            matvec=self.matvec,
            rmatvec=self.rmatvec,
            matmat=self.matvec,
            rmatmat=self.rmatvec,
            dtype=self.dtype,
        )

    # ----------------------------------------------------------- factorisation
    def _reduced(self):
        if self._red is None:
            self._red = ReducedMatrix(self._diag, self._sub, self._sup, self.p, self.q)
        return self._red

    def _factor(self):
        if self._lu is None:
            if self.p == self.q and NUMBA_AVAILABLE:
                self._lu = KChainLU(self._diag, self._sub, self._sup, self.p)
            else:
                self._lu = BandedLU(self._reduced())
        return self._lu

    def _norm1(self):
        n, p, q = self.n, self.p, self.q
        col = np.abs(self._diag).astype(np.float64)
        col[: n - p] += np.abs(self._sub)
        col[q:] += np.abs(self._sup)
        return float(col.max())

    def rcond(self):
        """LAPACK estimate of ``1 / cond_1(A)``; 0.0 when exactly singular."""
        return self._factor().rcond(self._norm1())

    def _well_conditioned(self):
        return self.rcond() > _RCOND_FACTOR * self.n * _EPS

    def solve(self, b):
        """Solve ``A x = b`` for ``b`` of shape (n,) or (n, k).

        Raises
        ------
        numpy.linalg.LinAlgError
            If a pivot is exactly zero (singular matrix); use :meth:`lstsq`.
        """
        b = self._check_rhs(b).astype(np.float64, copy=False)
        if not np.all(np.isfinite(b)):
            raise ValueError("b contains NaN or infinite entries")
        if b.size == 0:  # no right-hand side (LAPACK ?gtsv breaks on nrhs=0)
            return np.zeros(b.shape)
        x = None
        if self._lu is None and self.p == self.q and NUMBA_AVAILABLE:
            if self.p == 1 and self.n > 2:
                # one-shot: LAPACK ?gtsv fuses factor and solve (factors not kept)
                x = gtsv_solve(self._diag, self._sub, self._sup, b)
            else:
                self._lu, x = KChainLU.factor_solve(
                    self._diag, self._sub, self._sup, self.p, b
                )
        elif not self._factor().singular:
            x = self._lu.solve(b)
        if x is None:
            raise np.linalg.LinAlgError(
                "OffsetTridiagonal is singular (exact zero pivot in its LU "
                "factorisation); solve() needs an invertible matrix. Use lstsq(b) "
                "for the minimum-norm least-squares solution or lstsq(b, alpha=...) "
                "for a ridge solution."
            )
        return x

    def slogdet(self):
        """``(sign, log|det A|)`` as ``numpy.linalg.slogdet``; never overflows.

        Returns ``(0.0, -inf)`` for a singular matrix.
        """
        if self._lu is None and self.p == self.q and NUMBA_AVAILABLE:
            return kchain_slogdet(self._diag, self._sub, self._sup, self.p)
        return self._factor().slogdet()

    def det(self):
        """Return ``sign * exp(logabsdet)`` (may overflow; prefer slogdet).

        A determinant beyond the float range is returned as ``+-inf`` with a
        ``RuntimeWarning`` at the caller's line naming ``log|det|``.
        """
        sign, logdet = self.slogdet()
        with np.errstate(over="ignore"):  # reported below, at the user's line
            det = sign * np.exp(logdet)
        if sign != 0 and np.isinf(det):
            warn(
                f"det() overflows the float range (log|det| = {logdet:.6g}); "
                f"returning {det:g}. Use slogdet() for the sign and log|det|.",
                RuntimeWarning,
            )
        return det

    def inv(self):
        """Dense inverse; non-zero only where ``i = j (mod gcd(p, q))``.

        Cost O(n^2 / gcd(p, q)).  Raises ``LinAlgError`` if singular (see
        :meth:`pinv`).
        """
        self._check_dense_result("inv")
        lu = self._factor()
        if lu.singular:
            raise np.linalg.LinAlgError(
                "OffsetTridiagonal is singular; inv() needs an invertible matrix. "
                "Use pinv() for the Moore-Penrose pseudo-inverse."
            )
        return lu.inv()

    def lstsq(self, b, *, alpha=0.0, rcond=None):
        """Least-squares solution, minimum-norm when ``A`` is singular.

        Parameters
        ----------
        b : array_like of shape (n,) or (n, k)
        alpha : float, default=0.0
            Ridge term: minimise ``||A x - b||^2 + alpha ||x||^2`` (banded
            Cholesky of the normal equations, O(n)).  ``0`` gives ``A^+ b``.
        rcond : float, optional
            Singular values below ``rcond * sigma_max`` count as zero
            (``alpha == 0`` only); a finite number ``>= 0``. Default ``n * eps``,
            as ``numpy.linalg.lstsq`` (``numpy.linalg.pinv`` defaults to 1e-15).

        Returns
        -------
        x : ndarray of the shape of ``b``

        Notes
        -----
        A nonsingular, well-conditioned ``A`` is solved directly (O(n)).
        Otherwise the pattern's connected components are pseudo-inverted by
        batched SVD (cost sum m_c^3); components larger than 2048 use LSMR.
        """
        b = self._check_rhs(b).astype(np.float64, copy=False)
        if not np.all(np.isfinite(b)):
            raise ValueError("b contains NaN or infinite entries")
        alpha = _check_nonneg("alpha", alpha)
        rcond = None if rcond is None else _check_nonneg("rcond", rcond)
        if alpha > 0:
            return ridge_lstsq(self, b, alpha)
        if rcond is None and self._well_conditioned():
            return self._factor().solve(b)
        return minnorm_lstsq(self, b, rcond=rcond)

    def pinv(self, rcond=None):
        """Dense Moore-Penrose pseudo-inverse (``inv()`` when well-conditioned).

        ``rcond`` as in :meth:`lstsq`: singular values below ``rcond *
        sigma_max`` count as zero (default ``n * eps``).
        """
        rcond = None if rcond is None else _check_nonneg("rcond", rcond)
        self._check_dense_result("pinv")
        if rcond is None and self._well_conditioned():
            return self._factor().inv()
        return pinv_dense(self, rcond=rcond)


def _check_nonneg(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return float(value)


def _infer_offset(name, given, found):
    if given is not None:
        bad = found[found != given]
        if bad.size:
            raise ValueError(
                f"A has non-zeros at offset {int(bad[0])} but {name}={given} was given"
            )
        return given
    if found.size > 1:
        raise ValueError(
            "A is not offset-tridiagonal: non-zeros at several offsets "
            f"{found.tolist()} on the {'sub' if name == 'p' else 'super'}-diagonal side"
        )
    return int(found[0]) if found.size else 1
