"""Global low-rank weights ``W = U V``: both factors learned, or ``U`` fixed.

``LowRankWeights`` is the seed project's learned ``W = U V`` (both factors
trained by back-propagation, no SVD); ``FixedDictionaryWeights`` is the
Denil et al. (2013) variant in which ``U`` is a fixed dictionary and only
``V`` is trained (structured-layers.md §4.3).
"""

import numpy as np

from .._validation import as_dtype, check_int, check_real
from .._warnings import warn
from ..linalg._threads import row_chunks, run_chunks
from ._base import WeightMatrix
from ._hmatrix import _rng, _uniform, check_values, initial_variance

__all__ = ["LowRankWeights", "FixedDictionaryWeights", "DICTIONARIES"]


def _by_rows(fn, n_rows, width, dtype):
    """``out[rows] = fn(rows)`` over row chunks, BLAS at one thread per chunk.

    Skinny products through a rank bottleneck suffer from multi-threaded BLAS
    on a loaded machine (measured 85 ms vs 10-15 ms per training step at
    2048x2048, rank 70); see ``sparsenn.linalg._threads``.
    """
    out = np.empty((n_rows, width), dtype=dtype)

    def work(rows):
        out[rows] = fn(rows)

    run_chunks(work, row_chunks(n_rows))
    return out


def _summed(fn, n_rows):
    """``sum(fn(rows))`` over row chunks (gradients of the chunks)."""
    parts = run_chunks(fn, row_chunks(n_rows))
    total = parts[0]
    for part in parts[1:]:
        total += part
    return total


def _capped_rank(rank, n_in, n_out, name="rank"):
    rank = check_int(rank, name, low=1)
    cap = min(n_in, n_out)
    if rank > cap:
        warn(
            f"{name}={rank} exceeds min(n_in, n_out)={cap} of a {n_in}x{n_out} "
            f"matrix; using {name}={cap}.",
            UserWarning,
        )
    return min(rank, cap)


def _capped_atoms(n_atoms, n_in):
    """Cap ``n_atoms`` at ``n_in`` (with a warning), not at ``min(n_in, n_out)``.

    With ``U`` fixed, each column of ``W = U V`` ranges over ``span(U)``, so
    atoms beyond ``n_out`` still add freedom (an output layer of 10 units on
    100 atoms has 1,000 free values, not 100); beyond ``n_in`` they add none.
    """
    n_atoms = check_int(n_atoms, "n_atoms", low=1)
    if n_atoms > n_in:
        warn(
            f"n_atoms={n_atoms} exceeds n_in={n_in}: more atoms than inputs add no "
            f"freedom to W = U V; using n_atoms={n_in}."
        )
    return min(n_atoms, n_in)


class LowRankWeights(WeightMatrix):
    """``W = U V`` with ``U`` (n_in, rank) and ``V`` (rank, n_out) both trainable.

    Parameters
    ----------
    n_in, n_out : int
    rank : int
        Inner dimension; above ``min(n_in, n_out)`` it warns and is capped.
    init_var : float, optional
        Target variance of the entries of the initial ``W`` (default
        ``2 / (n_in + n_out)``, scikit-learn's Glorot).  ``U`` and ``V`` are
        uniform with variance ``sqrt(init_var / rank)`` each.
    random_state : int, numpy Generator or RandomState, optional
    dtype : dtype, default=np.float64

    Attributes
    ----------
    U, V : ndarray
        Views of ``params`` (``params = [U.ravel(), V.ravel()]``).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import LowRankWeights
    >>> W = LowRankWeights(6, 4, rank=2, random_state=0)
    >>> W.n_params, int(np.linalg.matrix_rank(W.to_dense()))
    (20, 2)
    """

    def __init__(
        self, n_in, n_out, rank, *, init_var=None, random_state=None, dtype=np.float64
    ):
        n_in, n_out = check_int(n_in, "n_in", low=1), check_int(n_out, "n_out", low=1)
        self.shape = (n_in, n_out)
        self.rank = _capped_rank(rank, n_in, n_out)
        var = initial_variance(init_var, n_in, n_out)
        size = self.rank * (n_in + n_out)
        check_values(
            size, dtype, f"LowRankWeights(n_in={n_in}, n_out={n_out}, rank={rank})"
        )
        factor_var = np.sqrt(var / self.rank)
        self._set_params(_uniform(_rng(random_state), size, factor_var, dtype))

    @classmethod
    def from_factors(cls, U, V):
        """Weights starting from copies of ``U`` (n_in, r) and ``V`` (r, n_out)."""
        U, V = np.asarray(U), np.asarray(V)
        if U.ndim != 2 or V.ndim != 2 or U.shape[1] != V.shape[0]:
            raise ValueError(
                f"U and V must be 2-D with U.shape[1] == V.shape[0]; got "
                f"{U.shape} and {V.shape}."
            )
        self = cls.__new__(cls)
        self.shape, self.rank = (U.shape[0], V.shape[1]), U.shape[1]
        dtype = np.result_type(U, V, np.float32)
        self._set_params(np.concatenate([U.ravel(), V.ravel()]).astype(dtype))
        return self

    def _set_params(self, params):
        self.params = np.ascontiguousarray(params)
        n_in, n_out = self.shape
        split = n_in * self.rank
        self.U = self.params[:split].reshape(n_in, self.rank)
        self.V = self.params[split:].reshape(self.rank, n_out)

    def _forward(self, X):
        dtype = np.result_type(X, self.params)
        return _by_rows(
            lambda r: (X[r] @ self.U) @ self.V, len(X), self.shape[1], dtype
        )

    def _backward(self, D):
        dtype = np.result_type(D, self.params)
        return _by_rows(
            lambda r: (D[r] @ self.V.T) @ self.U.T, len(D), self.shape[0], dtype
        )

    def _grad(self, X, D):
        def part(r):
            gU = X[r].T @ (D[r] @ self.V.T)
            gV = (X[r] @ self.U).T @ D[r]
            return np.concatenate([gU.ravel(), gV.ravel()])

        return _summed(part, len(X))

    def to_dense(self):
        return self.U @ self.V

    def __repr__(self):
        n_in, n_out = self.shape
        return (
            f"LowRankWeights({n_in}->{n_out}, rank={self.rank}, "
            f"n_params={self.n_params})"
        )


# ------------------------------------------------------------- dictionaries
def _check_image_shape(image_shape):
    if isinstance(image_shape, str) or not np.iterable(image_shape):
        raise TypeError(f"image_shape={image_shape!r} must be a tuple of ints")
    return tuple(check_int(s, "image_shape", low=1) for s in image_shape)


def _positions(n_in, image_shape):
    """Coordinates of the inputs: a 2-D grid if ``image_shape``, else 1-D."""
    if image_shape is None:
        side = int(round(np.sqrt(n_in)))
        image_shape = (side, side) if side * side == n_in else (n_in,)
    image_shape = _check_image_shape(image_shape)
    if int(np.prod(image_shape)) != n_in:
        raise ValueError(f"image_shape={image_shape} does not have {n_in} entries.")
    axes = [np.arange(s, dtype=float) for s in image_shape]
    grids = np.meshgrid(*axes, indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def _se_dictionary(n_in, n_atoms, rng, *, length_scale=1.0, image_shape=None):
    """Squared-exponential atoms centred at ``n_atoms`` random input positions."""
    pos = _positions(n_in, image_shape)
    centres = pos[rng.choice(n_in, n_atoms, replace=False)]
    sq = ((pos[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return np.exp(-sq / (2.0 * length_scale**2))


def _dct_dictionary(n_in, n_atoms, rng, *, length_scale=1.0, image_shape=None):
    """Return the ``n_atoms`` lowest-frequency orthonormal DCT-II vectors (1/2-D)."""
    pos = _positions(n_in, image_shape)
    sizes = pos.max(axis=0) + 1
    freqs = np.stack(
        np.meshgrid(*[np.arange(int(s)) for s in sizes], indexing="ij"), axis=-1
    ).reshape(-1, len(sizes))
    order = np.lexsort((freqs.max(axis=1), (freqs**2).sum(axis=1)))
    freqs = freqs[order[:n_atoms]]
    atoms = np.ones((n_in, n_atoms))
    for d, size in enumerate(sizes):
        atoms *= np.cos(np.pi * (pos[:, d : d + 1] + 0.5) * freqs[None, :, d] / size)
    return atoms / np.linalg.norm(atoms, axis=0)


def _random_dictionary(n_in, n_atoms, rng, *, length_scale=1.0, image_shape=None):
    """Gaussian atoms with unit expected norm."""
    return rng.standard_normal((n_in, n_atoms)) / np.sqrt(n_in)


DICTIONARIES = {
    "se": _se_dictionary,
    "dct": _dct_dictionary,
    "random": _random_dictionary,
}


class FixedDictionaryWeights(WeightMatrix):
    """Denil-style low rank ``W = U V``: ``U`` a fixed dictionary, ``V`` learned.

    Only ``V`` (n_atoms, n_out) is in ``params``; ``U`` (n_in, n_atoms) is a
    constant chosen before training (Denil, Shakibi, Dinh, Ranzato, de Freitas,
    "Predicting Parameters in Deep Learning", NIPS 2013).  The gradient is
    ``dV = (X U).T D``.

    Parameters
    ----------
    n_in, n_out : int
    n_atoms : int
        Number of dictionary atoms (columns of ``U``); above ``n_in`` it warns
        and is capped (atoms beyond ``n_out`` are kept: each column of ``W``
        ranges over ``span(U)``).
    dictionary : {"se", "dct", "random"} or ndarray of shape (n_in, n_atoms), \
            default="se"
        ``"se"``: squared-exponential kernel atoms
        ``exp(-||p - p_a||^2 / (2 length_scale^2))`` centred at a random subset
        of input positions (a square image grid when ``n_in`` is a square, else
        the 1-D index); ``"dct"``: the lowest-frequency orthonormal DCT-II
        vectors; ``"random"``: Gaussian atoms.
    length_scale : float, default=1.0
        Width of the ``"se"`` atoms, in pixels, in ``[1e-150, 1e150]``.
    image_shape : tuple of int, optional
        Grid of the inputs for ``"se"`` and ``"dct"``.
    init_var : float, optional
        Target variance of the entries of the initial ``W`` (default
        ``2 / (n_in + n_out)``): ``V`` is uniform with variance
        ``init_var / mean_i ||U[i]||^2``.
    random_state : int, numpy Generator or RandomState, optional
    dtype : dtype, default=np.float64

    Attributes
    ----------
    U : ndarray of shape (n_in, n_atoms)
        The fixed dictionary (not trainable).
    V : ndarray of shape (n_atoms, n_out)
        View of ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import FixedDictionaryWeights
    >>> W = FixedDictionaryWeights(784, 100, 50, random_state=0)
    >>> W.U.shape, W.n_params, W.n_mults
    ((784, 50), 5000, 44200)
    """

    def __init__(
        self,
        n_in,
        n_out,
        n_atoms,
        *,
        dictionary="se",
        length_scale=1.0,
        image_shape=None,
        init_var=None,
        random_state=None,
        dtype=np.float64,
    ):
        n_in, n_out = check_int(n_in, "n_in", low=1), check_int(n_out, "n_out", low=1)
        self.shape = (n_in, n_out)
        dtype = as_dtype(dtype)
        rng = _rng(random_state)
        U = self._dictionary(dictionary, n_in, n_out, n_atoms, rng, length_scale,
                             image_shape)  # fmt: skip
        self.U = np.ascontiguousarray(U, dtype=dtype)
        var = initial_variance(init_var, n_in, n_out)
        row_energy = max(float(np.mean(np.sum(U**2, axis=1))), 1e-12)
        V = _uniform(rng, U.shape[1] * n_out, var / row_energy, dtype)
        self._set_params(V)

    @staticmethod
    def _dictionary(dictionary, n_in, n_out, n_atoms, rng, length_scale, image_shape):
        if not isinstance(dictionary, str):
            U = np.asarray(dictionary, dtype=float)
            if U.shape != (n_in, n_atoms):
                raise ValueError(
                    f"dictionary array must have shape (n_in, n_atoms) = "
                    f"({n_in}, {n_atoms}); got {U.shape}."
                )
            return U
        if dictionary not in DICTIONARIES:
            raise ValueError(
                f"dictionary must be one of {sorted(DICTIONARIES)} or an array; "
                f"got {dictionary!r}."
            )
        n_atoms = _capped_atoms(n_atoms, n_in)
        if dictionary == "se":  # 2 * length_scale**2 must be a normal float
            check_real(length_scale, "length_scale", low=1e-150, high=1e150)
        check_values(
            n_atoms * (n_in + n_out),
            np.float64,
            f"FixedDictionaryWeights(n_in={n_in}, n_out={n_out}, n_atoms={n_atoms})",
        )
        return DICTIONARIES[dictionary](
            n_in, n_atoms, rng, length_scale=length_scale, image_shape=image_shape
        )

    def _set_params(self, params):
        self.params = np.ascontiguousarray(params)
        self.U = self.U.astype(self.params.dtype, copy=False)
        self.V = self.params.reshape(self.U.shape[1], self.shape[1])

    @property
    def n_mults(self):
        """Multiplications per sample: ``n_atoms * (n_in + n_out)``."""
        return int(self.U.size + self.V.size)

    def _forward(self, X):
        dtype = np.result_type(X, self.params)
        return _by_rows(
            lambda r: (X[r] @ self.U) @ self.V, len(X), self.shape[1], dtype
        )

    def _backward(self, D):
        dtype = np.result_type(D, self.params)
        return _by_rows(
            lambda r: (D[r] @ self.V.T) @ self.U.T, len(D), self.shape[0], dtype
        )

    def _grad(self, X, D):
        return _summed(lambda r: ((X[r] @ self.U).T @ D[r]).ravel(), len(X))

    def to_dense(self):
        return self.U @ self.V

    def __repr__(self):
        n_in, n_out = self.shape
        return (
            f"FixedDictionaryWeights({n_in}->{n_out}, n_atoms={self.U.shape[1]}, "
            f"n_params={self.n_params})"
        )
