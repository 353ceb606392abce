"""H-matrix weights: every low-rank factor and dense leaf is trainable."""

from numbers import Real

import numpy as np

from .._memory import check_allocation
from .._validation import as_dtype, as_generator
from ..linalg import HMatrix
from ._base import WeightMatrix

__all__ = ["HMatrixWeights"]


def _rng(random_state):
    """Return a numpy Generator or RandomState from an int, None or either of those.

    A RandomState is used as is (unlike :func:`~sparsenn._validation.as_generator`,
    which seeds a new Generator from it), so seeded results stay as they were.
    """
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return as_generator(random_state)


def _uniform(rng, shape, var, dtype):
    """Uniform values with mean 0 and variance ``var`` (half-width sqrt(3 var)).

    Every weight type draws its initial values here, so this is where a
    non-floating ``dtype`` (which would truncate them to 0) or an unusable
    variance is refused.
    """
    dtype = as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(
            f"dtype must be a floating dtype (float32 or float64), got {dtype}: "
            "integer weights would be truncated to zero."
        )
    bound = np.sqrt(3.0 * var)
    return rng.uniform(-bound, bound, shape).astype(dtype, copy=False)


def check_values(n_values, dtype, what):
    """Refuse ``n_values`` initial values of ``dtype`` that cannot fit in memory.

    The peak of :func:`_uniform` is the float64 draw plus its cast. ``what``
    names the constructor and its sizes, for the ``ValueError``.

    Examples
    --------
    >>> check_values(10, np.float32, "LowRankWeights(n_in=3, n_out=2, rank=2)")
    120
    """
    dtype = as_dtype(dtype)
    per_value = 8 if dtype == np.float64 else 8 + dtype.itemsize
    return check_allocation(
        int(n_values) * per_value, f"{what} with {int(n_values):,} stored values"
    )


def initial_variance(init_var, n_in, n_out):
    """Return ``init_var`` checked (finite, >= 0), or Glorot's when it is None.

    Examples
    --------
    >>> initial_variance(None, 3, 1), initial_variance(0.25, 3, 1)
    (0.5, 0.25)
    """
    if init_var is None:
        return glorot_variance(n_in, n_out)
    if isinstance(init_var, bool) or not isinstance(init_var, Real):
        raise TypeError(f"init_var must be a real number, got {init_var!r}.")
    if not (np.isfinite(init_var) and init_var >= 0):
        raise ValueError(f"init_var must be finite and >= 0, got {init_var!r}.")
    return float(init_var)


def glorot_variance(n_in, n_out):
    """Variance of scikit-learn's Glorot-uniform init for ReLU/tanh: 2/(n_in+n_out)."""
    return 2.0 / (n_in + n_out)


class HMatrixWeights(WeightMatrix):
    """Weights stored as a trainable :class:`~sparsenn.linalg.HMatrix`.

    ``params`` is the HMatrix's flat ``data``: the factors ``U, V`` of every
    low-rank block and every dense leaf.  ``forward``, ``backward`` and
    ``grad`` are the HMatrix's batched per-level products, so their cost is
    ``O(n_params * n_samples)``, not ``O(n_in * n_out * n_samples)``.

    Parameters
    ----------
    n_in, n_out : int
        Shape ``(n_in, n_out)``.
    rank : int or sequence of int, default=8
        Rank of the low-rank blocks (uniform or one per level).  A rank larger
        than a block warns once and uses the block's size.
    leaf_size : int, default=64
        Leaf size of the cluster trees (see :class:`~sparsenn.linalg.HMatrix`).
    admissibility : {"weak", "standard"}, default="weak"
    n_levels : int, optional
        Tree depth; overrides ``leaf_size``.
    eta : float, default=1.0
        Parameter of standard admissibility.
    init_var : float, optional
        Target variance of every entry of the initial ``W``; default
        ``2 / (n_in + n_out)``, the variance of scikit-learn's Glorot-uniform
        dense init.  Dense leaves are drawn uniform with this variance; a
        rank-``k`` block gets ``U`` and ``V`` uniform with variance
        ``sqrt(init_var / k)`` each, so ``Var((U V)_ij) = k * sqrt(init_var/k)**2
        = init_var`` (a "balanced" init).
    random_state : int, numpy Generator or RandomState, optional
    dtype : dtype, default=np.float64

    Attributes
    ----------
    hmatrix : HMatrix
        The structured matrix; its ``data`` is ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import HMatrixWeights
    >>> W = HMatrixWeights(256, 256, rank=4, leaf_size=32, random_state=0)
    >>> W.hmatrix.n_levels, W.n_params < 256 * 256
    (3, True)
    >>> X = np.ones((2, 256))
    >>> np.allclose(W.forward(X), X @ W.to_dense())
    True
    """

    def __init__(
        self,
        n_in,
        n_out,
        *,
        rank=8,
        leaf_size=64,
        admissibility="weak",
        n_levels=None,
        eta=1.0,
        init_var=None,
        random_state=None,
        dtype=np.float64,
    ):
        self.hmatrix = HMatrix(
            n_in, n_out, rank=rank, leaf_size=leaf_size, n_levels=n_levels,
            admissibility=admissibility, eta=eta, dtype=dtype,
        )  # fmt: skip
        self.shape = self.hmatrix.shape
        self.params = self.hmatrix.data
        init_var = initial_variance(init_var, n_in, n_out)
        self._initialize(_rng(random_state), init_var)

    @classmethod
    def from_hmatrix(cls, H):
        """Trainable weights starting from a copy of the HMatrix ``H``."""
        self = cls.__new__(cls)
        self.hmatrix = H.copy()
        self.shape = H.shape
        self.params = self.hmatrix.data
        return self

    def _initialize(self, rng, var):
        H = self.hmatrix
        for group, views in zip(H.groups, H.factors, strict=True):
            if group.lowrank:
                factor_var = np.sqrt(var / views[0].shape[2])
                for view in views:
                    view[...] = _uniform(rng, view.shape, factor_var, H.dtype)
            else:
                views[0][...] = _uniform(rng, views[0].shape, var, H.dtype)
        H._zero_padding()

    def _set_params(self, params):
        self.hmatrix = self.hmatrix.like(np.ascontiguousarray(params))
        self.params = self.hmatrix.data

    def _forward(self, X):
        return self.hmatrix.forward(X)

    def _forward_train(self, X):
        # ctx: the cluster sums of X's projections, reused by the gradient
        return self.hmatrix._apply(X, 0, "X", "forward")

    def _backward(self, D):
        return self.hmatrix.backward(D)

    def _grad(self, X, D):
        return self.hmatrix._grad(X, D, None, False, None)[0]

    def _grad_and_backward(self, X, D, ctx):
        return self.hmatrix._grad(X, D, None, True, ctx)

    def to_dense(self):
        return self.hmatrix.to_dense()

    def __repr__(self):
        H = self.hmatrix
        return (
            f"HMatrixWeights({H.shape[0]}->{H.shape[1]}, n_levels={H.n_levels}, "
            f"ranks={list(H.ranks)}, admissibility={H.admissibility!r}, "
            f"n_params={self.n_params})"
        )
