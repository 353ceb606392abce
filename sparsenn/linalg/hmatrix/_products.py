"""Products and gradients of :class:`~sparsenn.linalg.HMatrix` (a mixin).

``HMatrix`` holds the structure and the factor storage; this mixin validates
activations, pads them to the clustered widths and runs the kernels of
``_hmatrix_kernels``: the compiled HODLR loops for weak admissibility in
float32/float64, the numpy kernels (on row chunks, see ``_threads``)
otherwise.
"""

import numpy as np

from .._threads import row_chunks, run_chunks
from . import _kernels as kernels

__all__ = ["HMatrixProducts"]

_NUMPY_KERNELS = {
    "forward": (kernels.fused_forward, kernels.grouped_forward),
    "backward": (kernels.fused_backward, kernels.grouped_backward),
}
_COMPILED_KERNELS = {
    "forward": kernels.compiled_forward,
    "backward": kernels.compiled_backward,
}


class HMatrixProducts:
    """``X @ H``, ``D @ H.T``, the ``LinearOperator`` products and gradients.

    Needs the attributes ``HMatrix`` sets: ``shape``, ``_pad``, ``_fused``,
    ``_arrays``, ``_offsets``, ``ranks``, ``groups``, ``factors``, ``dtype``,
    ``n_params``, ``n_levels`` and ``like``.
    """

    def _batch_major(self, A, side, name):
        """Convert ``A`` (B, width) to C-contiguous (B, width_pad), common dtype."""
        A = np.asarray(A)
        width, width_pad = self.shape[side], self._pad[side]
        if A.ndim != 2 or A.shape[1] != width:
            raise ValueError(
                f"{name} has shape {A.shape}; expected (n_samples, {width}) for an "
                f"HMatrix of shape {self.shape}."
            )
        dtype = np.result_type(A.dtype, self.dtype)
        if width_pad == width:
            return np.ascontiguousarray(A, dtype=dtype)
        out = np.zeros((A.shape[0], width_pad), dtype=dtype)
        out[:, :width] = A
        return out

    def _compiled(self, dtype):
        """Whether the compiled HODLR loops run products of this dtype."""
        return (
            self._fused
            and kernels.loops.AVAILABLE
            and dtype == self.dtype
            and dtype in kernels.COMPILED_DTYPES
        )

    def _apply(self, A, side, name, kernel):
        """Run the product ``kernel`` ("forward" or "backward") on ``A``.

        Returns the product and, from the compiled forward, the cluster sums of
        the projections of ``A`` (else None), which ``_grad`` can reuse.
        """
        A = self._batch_major(A, side, name)
        out = np.empty((A.shape[0], self._pad[1 - side]), dtype=A.dtype)
        sums = None
        if self._compiled(A.dtype):
            sums = _COMPILED_KERNELS[kernel](self._arrays, self._offsets, A, out)
        else:  # numpy kernels on row chunks of A (see ``_threads``)
            fused, grouped = _NUMPY_KERNELS[kernel]

            def work(rows):
                if self._fused:
                    fused(self._arrays, self.ranks, self._offsets, A[rows], out[rows])
                else:
                    grouped(self.groups, self.factors, A[rows], out[rows])

            run_chunks(work, row_chunks(A.shape[0]))
        return self._unpad(out, 1 - side), sums

    def forward(self, X):
        """Return ``X @ H`` for ``X`` of shape (n_samples, n_in)."""
        return self._apply(X, 0, "X", "forward")[0]

    def backward(self, D):
        """Return ``D @ H.T`` for ``D`` of shape (n_samples, n_out)."""
        return self._apply(D, 1, "D", "backward")[0]

    def rmatmat(self, X):
        """Return ``H.T @ X`` for ``X`` of shape (n_in, K); result (n_out, K)."""
        return self.forward(np.asarray(X).T).T

    def matmat(self, Y):
        """Return ``H @ Y`` for ``Y`` of shape (n_out, K); result (n_in, K)."""
        return self.backward(np.asarray(Y).T).T

    def matvec(self, y):
        """Return ``H @ y`` for ``y`` of shape (n_out,)."""
        return self.backward(np.asarray(y).reshape(1, -1))[0]

    def rmatvec(self, x):
        """Return ``H.T @ x`` for ``x`` of shape (n_in,)."""
        return self.forward(np.asarray(x).reshape(1, -1))[0]

    def __rmatmul__(self, X):
        X = np.asarray(X)
        return self.rmatvec(X) if X.ndim == 1 else self.forward(X)

    def __matmul__(self, Y):
        Y = np.asarray(Y)
        return self.matvec(Y) if Y.ndim == 1 else self.matmat(Y)

    # -------------------------------------------------------------- gradients
    def grad(self, X, D, out=None):
        """Gradient of ``sum(D * (X @ H))`` with respect to ``data``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
        D : ndarray of shape (n_samples, n_out)
        out : ndarray of shape (n_params,), optional
            Where to write the result.

        Returns
        -------
        g : ndarray of shape (n_params,)
            Same layout as ``data``; ``self.like(g).factors`` splits it into
            the gradient of every factor.
        """
        return self._grad(X, D, out, with_backward=False)[0]

    def grad_and_backward(self, X, D):
        """``(grad(X, D), backward(D))``, sharing the projections of ``D``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
        D : ndarray of shape (n_samples, n_out)

        Returns
        -------
        g : ndarray of shape (n_params,)
        dX : ndarray of shape (n_samples, n_in)

        Examples
        --------
        >>> import numpy as np
        >>> from sparsenn.linalg import HMatrix
        >>> rng = np.random.default_rng(0)
        >>> H = HMatrix.from_dense(rng.standard_normal((32, 16)), rank=2, leaf_size=8)
        >>> X, D = rng.standard_normal((4, 32)), rng.standard_normal((4, 16))
        >>> g, dX = H.grad_and_backward(X, D)
        >>> np.allclose(g, H.grad(X, D)), np.allclose(dX, D @ H.to_dense().T)
        (True, True)
        """
        return self._grad(X, D, None, with_backward=True)

    def _grad(self, X, D, out, with_backward, x_sums=None):
        """``(grad, backward or None)``; ``x_sums`` as returned by ``_apply(X)``.

        ``x_sums`` must come from the forward product of this very ``X`` with
        the current factors; it saves the projections of ``X``.
        """
        X = self._batch_major(X, 0, "X")
        G = self._batch_major(D, 1, "D")
        if X.shape[0] != G.shape[0]:
            raise ValueError(
                f"X and D must have the same number of rows, got "
                f"{X.shape[0]} and {G.shape[0]}."
            )
        if X.dtype != G.dtype:
            dtype = np.result_type(X, G)
            X, G = X.astype(dtype, copy=False), G.astype(dtype, copy=False)
        if out is None:
            out = np.empty(self.n_params, dtype=X.dtype)
        if not self._compiled(X.dtype):
            self._numpy_grad(X, G, out)
            return out, (self.backward(D) if with_backward else None)
        dX = np.empty((X.shape[0], self._pad[0]), X.dtype) if with_backward else None
        expected = (2**self.n_levels, X.shape[0], int(self._offsets[-1]))
        if x_sums is not None and (x_sums.shape, x_sums.dtype) != (expected, X.dtype):
            x_sums = None
        kernels.compiled_grad(
            self._arrays, self.like(out)._arrays, self._offsets, X, G, dX, x_sums
        )
        return out, (self._unpad(dX, 0) if with_backward else None)

    def _unpad(self, A, side):
        width = self.shape[side]
        return A if A.shape[1] == width else A[:, :width].copy()

    def _numpy_grad(self, X, G, out):
        """``grad`` by the numpy kernels, on row chunks summed afterwards."""

        def work(rows):
            target = self.like(out if rows.start == 0 else np.empty_like(out))
            if self._fused:
                kernels.fused_grad(self._arrays, target._arrays, self.ranks,
                                   self._offsets, X[rows], G[rows])  # fmt: skip
            else:
                kernels.grouped_grad(
                    self.groups, self.factors, target.factors, X[rows], G[rows]
                )
            return target.data

        for partial in run_chunks(work, row_chunks(X.shape[0]))[1:]:
            out += partial
