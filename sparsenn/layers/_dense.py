"""Dense weights: the reference every other weight type is checked against."""

import numpy as np

from ._base import WeightMatrix

__all__ = ["DenseWeights"]


class DenseWeights(WeightMatrix):
    """A dense ``(n_in, n_out)`` matrix whose entries are all trainable.

    Parameters
    ----------
    W : array-like of shape (n_in, n_out)
        Initial values; copied into the owned flat ``params``.

    Attributes
    ----------
    W : ndarray of shape (n_in, n_out)
        A view of ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import DenseWeights
    >>> W = DenseWeights(np.eye(2))
    >>> W.grad(np.ones((1, 2)), np.array([[1.0, 2.0]]))
    array([1., 2., 1., 2.])
    """

    def __init__(self, W):
        W = np.array(W, copy=True)
        if W.ndim != 2:
            raise ValueError(f"W must be 2-D, got shape {W.shape}.")
        self.shape = W.shape
        self._set_params(W.ravel())

    def _set_params(self, params):
        self.params = np.ascontiguousarray(params)
        self.W = self.params.reshape(self.shape)

    def _forward(self, X):
        return _same_layout(X, self.W)

    def _backward(self, D):
        return _same_layout(D, self.W.T)

    def _grad(self, X, D):
        # in the dtype of the products (float32 input to float64 weights gives
        # a float64 gradient, as every other weight type)
        dtype = np.result_type(X, D, self.params)
        return (X.T.astype(dtype, copy=False) @ D.astype(dtype, copy=False)).ravel()

    def to_dense(self):
        return self.W.copy()


def _same_layout(X, W):
    """``X @ W`` returned in X's memory order (F-ordered in, F-ordered out)."""
    if X.flags.f_contiguous and not X.flags.c_contiguous:
        return (W.T @ X.T).T
    return X @ W
