"""The weight-matrix interface shared by every layer type.

Orientation follows scikit-learn's ``coefs_``: a weight object has
``shape == (n_in, n_out)`` and maps ``X`` of shape ``(n_samples, n_in)`` to
``X @ W`` of shape ``(n_samples, n_out)``.  Biases and activations belong to
the training engine, not to weight objects.

Every weight type owns one flat ``params`` array holding all of its trainable
values; structured parts are views into it, and optimizers update it in place.
Because every weight type is linear in its parameters, the gradient of
``sum(D * forward(X))`` with respect to ``params`` is well defined and is what
``grad(X, D)`` returns.
"""

import numpy as np

__all__ = ["WeightMatrix"]


class WeightMatrix:
    """Base class of all weight types.

    Subclasses set ``shape`` and ``params`` and implement ``forward``,
    ``backward`` and ``grad``; everything else has a generic default.

    Attributes
    ----------
    shape : tuple of int
        ``(n_in, n_out)``.
    params : ndarray of shape (n_params,)
        Every trainable value, owned by this object and updated in place.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import DenseWeights
    >>> W = DenseWeights(np.arange(6.0).reshape(2, 3))
    >>> W.forward(np.ones((1, 2)))
    array([[3., 5., 7.]])
    """

    shape = (0, 0)
    params = np.empty(0)

    def forward(self, X):
        """Return ``X @ W``; ``X`` has shape (n_samples, n_in)."""
        raise NotImplementedError

    def backward(self, D):
        """Return ``D @ W.T``; ``D`` has shape (n_samples, n_out)."""
        raise NotImplementedError

    def grad(self, X, D):
        """Gradient of ``sum(D * (X @ W))`` w.r.t. ``params``, shape (n_params,)."""
        raise NotImplementedError

    def grad_and_backward(self, X, D):
        """Return ``(grad(X, D), backward(D))``; types may fuse the two passes."""
        return self.grad(X, D), self.backward(D)

    def forward_for_training(self, X):
        """``forward(X)`` in a training step; a type may keep intermediates.

        The engine calls this, then ``grad`` or ``grad_and_backward`` with the
        same ``X`` object, unchanged, and unchanged parameters.  A type may keep
        what its forward pass computed for that one next call (default: keeps
        nothing).
        """
        return self.forward(X)

    def prepare_input(self, X):
        """``X`` in the memory layout this type reads fastest (default: as is).

        The training loop calls it once per minibatch on the network input so
        that ``forward`` and ``grad`` do not each convert it.
        """
        return X

    @property
    def dtype(self):
        """Floating dtype of ``params``."""
        return self.params.dtype

    @property
    def n_params(self):
        """Number of stored trainable values."""
        return int(self.params.size)

    @property
    def n_mults(self):
        """Multiplications per sample of ``forward`` (the hardware cost)."""
        return self.n_params

    def to_dense(self):
        """Dense reference matrix of shape (n_in, n_out)."""
        return np.asarray(self.forward(np.eye(self.shape[0], dtype=self.dtype)))

    def astype(self, dtype):
        """Return a copy whose ``params`` have ``dtype`` (default: deep copy)."""
        import copy

        other = copy.deepcopy(self)
        other._set_params(np.asarray(self.params, dtype=dtype))
        return other

    def _set_params(self, params):
        """Replace ``params`` (used by ``astype``); subclasses rebuild their views."""
        self.params = params

    def _check_input(self, X, width, name):
        if X.ndim != 2 or X.shape[1] != width:
            raise ValueError(
                f"{name} must have shape (n_samples, {width}) for "
                f"{type(self).__name__} of shape {self.shape}; got {X.shape}."
            )

    def __repr__(self):
        n_in, n_out = self.shape
        return f"{type(self).__name__}({n_in}->{n_out}, n_params={self.n_params})"
