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

    Public methods check shapes once and delegate to private hooks, as
    :class:`scipy.sparse.linalg.LinearOperator` does: a subclass sets
    ``shape`` and ``params`` and implements ``_forward``, ``_backward`` and
    ``_grad`` (and, to fuse or reuse work, ``_forward_train`` and
    ``_grad_and_backward``); everything else has a generic default.

    The training pair passes intermediates explicitly:
    ``Y, ctx = W.forward_train(X)`` then ``W.grad_and_backward(X, D, ctx)``;
    no call depends on hidden state left by another.

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
    >>> Y, ctx = W.forward_train(np.ones((1, 2)))
    >>> g, back = W.grad_and_backward(np.ones((1, 2)), np.ones((1, 3)), ctx)
    >>> g.shape, back
    ((6,), array([[ 3., 12.]]))
    """

    shape = (0, 0)
    params = np.empty(0)

    # ------------------------------------------------------------ public API
    def forward(self, X):
        """Return ``X @ W``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)

        Returns
        -------
        Y : ndarray of shape (n_samples, n_out)
        """
        X = self._check_input(X, self.shape[0], "X")
        return self._forward(X)

    def backward(self, D):
        """Return ``D @ W.T``.

        Parameters
        ----------
        D : ndarray of shape (n_samples, n_out)

        Returns
        -------
        B : ndarray of shape (n_samples, n_in)
        """
        D = self._check_input(D, self.shape[1], "D")
        return self._backward(D)

    def grad(self, X, D):
        """Return the gradient of ``sum(D * (X @ W))`` with respect to ``params``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
        D : ndarray of shape (n_samples, n_out)

        Returns
        -------
        g : ndarray of shape (n_params,)
        """
        X, D = self._check_pair(X, D)
        return self._grad(X, D)

    def forward_train(self, X):
        """Return ``(X @ W, ctx)``: the forward pass of a training step.

        ``ctx`` holds what this type wants to reuse in the gradient (None for
        most types); pass it to :meth:`grad_and_backward` with the same,
        unchanged ``X`` and parameters.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)

        Returns
        -------
        Y : ndarray of shape (n_samples, n_out)
        ctx : object or None
        """
        X = self._check_input(X, self.shape[0], "X")
        return self._forward_train(X)

    def grad_and_backward(self, X, D, ctx=None):
        """Return ``(grad(X, D), backward(D))``; types may fuse the two passes.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
        D : ndarray of shape (n_samples, n_out)
        ctx : object or None, default=None
            What :meth:`forward_train` returned for this ``X``, or None.

        Returns
        -------
        g : ndarray of shape (n_params,)
        B : ndarray of shape (n_samples, n_in)
        """
        X, D = self._check_pair(X, D)
        return self._grad_and_backward(X, D, ctx)

    def forward_for_training(self, X):
        """Return ``forward(X)`` (kept for compatibility; see :meth:`forward_train`)."""
        return self.forward_train(X)[0]

    def prepare_input(self, X):
        """Return ``X`` in the memory layout this type reads fastest (default: as is).

        The training loop calls it once per minibatch on the network input so
        that ``forward`` and ``grad`` do not each convert it.
        """
        return X

    def to_dense(self):
        """Return the dense reference matrix of shape (n_in, n_out)."""
        return np.asarray(self._forward(np.eye(self.shape[0], dtype=self.dtype)))

    def to_coef(self):
        """Return the matrix users see in ``coefs_``, shape (n_in, n_out).

        scipy sparse for sparse types, a dense ndarray otherwise.
        """
        return self.to_dense()

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

    def astype(self, dtype):
        """Return a copy whose ``params`` have ``dtype`` (default: deep copy).

        The copy owns its ``params`` even when ``dtype`` is the current one.
        """
        import copy

        other = copy.deepcopy(self)
        other._set_params(np.array(self.params, dtype=dtype))
        return other

    # ----------------------------------------------------------------- hooks
    def _forward(self, X):
        raise NotImplementedError

    def _backward(self, D):
        raise NotImplementedError

    def _grad(self, X, D):
        raise NotImplementedError

    def _forward_train(self, X):
        return self._forward(X), None

    def _grad_and_backward(self, X, D, ctx):
        return self._grad(X, D), self._backward(D)

    def _set_params(self, params):
        """Replace ``params`` (used by ``astype``); subclasses rebuild their views."""
        self.params = params

    # ----------------------------------------------------------- persistence
    def __setstate__(self, state):
        """Restore, then rebuild every view into ``params``.

        Pickling (and joblib, which stores arrays separately) gives back
        ``params`` and the views of it as independent copies; rebuilding the
        views keeps the trainable values in one array, so training resumes on
        the same parameters that ``predict`` reads.
        """
        self.__dict__.update(state)
        params = self.__dict__.get("params")
        if params is not None:
            self._set_params(params if params.flags.writeable else np.array(params))

    # ---------------------------------------------------------------- checks
    def _check_input(self, X, width, name):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != width:
            raise ValueError(
                f"{name} must have shape (n_samples, {width}) for "
                f"{type(self).__name__} of shape {self.shape}; got {X.shape}."
            )
        return X

    def _check_pair(self, X, D):
        X = self._check_input(X, self.shape[0], "X")
        D = self._check_input(D, self.shape[1], "D")
        if X.shape[0] != D.shape[0]:
            raise ValueError(
                f"X and D must have the same number of samples; got {X.shape[0]} "
                f"and {D.shape[0]}."
            )
        return X, D

    def __repr__(self):
        n_in, n_out = self.shape
        return f"{type(self).__name__}({n_in}->{n_out}, n_params={self.n_params})"
