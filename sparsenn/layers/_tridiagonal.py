"""Offset-tridiagonal weights: ``W = A.T`` for a square offset-tridiagonal ``A``.

The layer maps ``X`` to ``X @ A.T`` (each output ``j`` reads inputs ``j``,
``j - p`` and ``j + q``), so a network layer ``g(X @ W + c)`` is the
pseudo-inverse model's ``g(A h + c)`` per sample.  Products and the gradient
are three shifted element-wise products: O(n) per sample.
"""

import numpy as np

from ..linalg import OffsetTridiagonal
from ._base import WeightMatrix

__all__ = ["TridiagonalWeights"]


class TridiagonalWeights(WeightMatrix):
    """Trainable ``(n, n)`` weights ``W = A.T`` with ``A`` offset-tridiagonal.

    Parameters
    ----------
    A : OffsetTridiagonal
        The initial matrix; its three diagonals are copied into ``params``.

    Attributes
    ----------
    diag, sub, sup : ndarray
        Views of ``params``: ``A[i, i]``, ``A[i + p, i]`` and ``A[i, i + q]``.
    p, q : int
        Offsets of the sub- and super-diagonal.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.linalg import OffsetTridiagonal
    >>> from sparsenn.layers import TridiagonalWeights
    >>> A = OffsetTridiagonal(np.full(4, 2.0), np.ones(3), np.ones(2), p=1, q=2)
    >>> W = TridiagonalWeights(A)
    >>> bool(np.allclose(W.to_dense(), A.to_dense().T)), W.n_params
    (True, 9)
    """

    def __init__(self, A):
        if not isinstance(A, OffsetTridiagonal):
            raise TypeError(f"A must be an OffsetTridiagonal, got {type(A).__name__}.")
        self.p, self.q = A.p, A.q
        n = A.n
        self.shape = (n, n)
        dtype = A.dtype if np.issubdtype(A.dtype, np.floating) else np.float64
        params = np.concatenate([A.diag, A.sub, A.sup]).astype(dtype)
        self._set_params(params)

    def _set_params(self, params):
        n, p, q = self.shape[0], self.p, self.q
        self.params = np.ascontiguousarray(params)
        self.diag = self.params[:n]
        self.sub = self.params[n : 2 * n - p]
        self.sup = self.params[2 * n - p :]
        assert self.sup.size == n - q

    def to_tridiagonal(self):
        """Return the current ``A`` (an :class:`~sparsenn.linalg.OffsetTridiagonal`)."""
        return OffsetTridiagonal(
            self.diag.copy(), self.sub.copy(), self.sup.copy(), p=self.p, q=self.q
        )

    @property
    def n_mults(self):
        """Multiplications per sample: the three diagonals."""
        return self.n_params

    def _forward(self, X):
        n, p, q = self.shape[0], self.p, self.q
        dtype = np.result_type(X.dtype, self.params.dtype)
        Y = np.multiply(X, self.diag, dtype=dtype)
        Y[:, p:] += X[:, : n - p] * self.sub  # A[i + p, i]
        Y[:, : n - q] += X[:, q:] * self.sup  # A[i, i + q]
        return Y

    def _backward(self, D):
        n, p, q = self.shape[0], self.p, self.q
        dtype = np.result_type(D.dtype, self.params.dtype)
        B = np.multiply(D, self.diag, dtype=dtype)
        B[:, : n - p] += D[:, p:] * self.sub
        B[:, q:] += D[:, : n - q] * self.sup
        return B

    def _grad(self, X, D):
        n, p, q = self.shape[0], self.p, self.q
        dtype = np.result_type(X.dtype, D.dtype, self.params.dtype)
        g = np.empty(self.params.size, dtype=dtype)
        g[:n] = np.einsum("sj,sj->j", X, D)
        g[n : 2 * n - p] = np.einsum("si,si->i", X[:, : n - p], D[:, p:])
        g[2 * n - p :] = np.einsum("si,si->i", X[:, q:], D[:, : n - q])
        return g

    def to_dense(self):
        """Return the dense ``(n, n)`` matrix ``W = A.T``."""
        return self.to_tridiagonal().to_dense().T.astype(self.params.dtype)

    def __repr__(self):
        n = self.shape[0]
        return f"TridiagonalWeights({n}->{n}, p={self.p}, q={self.q})"
