"""Pre-defined sparse weights: a fixed set of edges, trainable values on them only.

The edges are the stored entries of a ``(n_in, n_out)`` SciPy sparse pattern.
``params`` holds one value per edge in *canonical order*: row-major CSR order
of the pattern, i.e. sorted by input, then by output.  Two index structures are
kept, edges grouped by input (CSR, the order of ``params``) and edges grouped by
output (CSC, with a permutation into ``params``), so that each of the three
training products is a row-parallel kernel over feature-major activations:

* ``forward``  ``X @ W``:  per output, sum over its edges (CSC structure);
* ``backward`` ``D @ W.T``: per input, sum over its edges (CSR structure);
* ``grad``     ``(X.T @ D)`` sampled at the edges (CSR structure, ``params`` order).

Results of every kernel are returned F-ordered (the transpose of a C-ordered
``(n, B)`` array), so a following sparse layer reads them without a copy and
elementwise operations downstream see one memory order.  See ``docs/kernels.md``.
"""

import numpy as np
import scipy.sparse as sp

from .._validation import as_dtype, check_choice
from ..connectivity._order import EdgeOrder
from ..linalg.sparse import _kernels as _k
from ._base import WeightMatrix

__all__ = ["SparseWeights"]

# Density at and above which kernel="auto" uses the masked dense BLAS product.
# Measured with benchmarks/bench_kernels.py (docs/kernels.md): the numba kernels'
# forward+backward+grad time equals the masked-dense time at density 0.30-0.41.
DENSE_CROSSOVER = 0.35
# The same crossover when numba is missing and the SciPy kernels are the fallback.
SCIPY_DENSE_CROSSOVER = 0.05

_KERNELS = ("auto", "numba", "scipy", "dense")
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _auto_kernel(density):
    if _k.NUMBA_AVAILABLE:
        return "dense" if density >= DENSE_CROSSOVER else "numba"
    return "dense" if density >= SCIPY_DENSE_CROSSOVER else "scipy"


def _canonical_csr(pattern):
    if not sp.issparse(pattern):
        raise TypeError(
            "pattern must be a scipy.sparse matrix or array of shape (n_in, n_out); "
            f"got {type(pattern).__name__}."
        )
    if pattern.ndim != 2:
        raise ValueError(f"pattern must be 2-D; got shape {pattern.shape}.")
    A = sp.csr_matrix(pattern, copy=True)
    A.sum_duplicates()  # also sorts the indices: canonical order
    return A


def _float_dtype(dtype, default):
    if dtype is None:
        dtype = default if np.dtype(default) in _FLOAT_DTYPES else np.float64
    dtype = as_dtype(dtype)
    if dtype not in _FLOAT_DTYPES:
        raise ValueError(f"dtype must be float32 or float64; got {dtype}.")
    return dtype


class SparseWeights(WeightMatrix):
    """Weights on a fixed sparse set of edges (pre-defined sparsity).

    Parameters
    ----------
    pattern : scipy.sparse matrix or array of shape (n_in, n_out)
        Its stored entries are the edges (explicit zeros count as edges;
        duplicates are summed).  If ``values`` is None, the stored values are
        the initial weights (a boolean pattern gives weights of 1).
    values : array-like of shape (nnz,), optional
        Initial edge values in canonical order: row-major CSR order of the
        pattern, i.e. sorted by input index, then by output index.
    kernel : {"auto", "numba", "scipy", "dense"}, default="auto"
        Implementation of the three products.  "numba": compiled parallel
        kernels whose cost scales with nnz.  "scipy": SciPy sparse products
        (single-threaded fallback).  "dense": a masked dense matrix and BLAS,
        faster only at high density.  "auto": "dense" when the density is at
        least ``DENSE_CROSSOVER`` (0.35, measured), else "numba" (or "scipy"
        with crossover 0.05 if numba is unavailable).  All give the same
        numbers up to rounding.
    dtype : {float32, float64}, optional
        Dtype of ``params``; default: the dtype of ``values`` (or of the
        pattern's data) if it is float32/float64, else float64.
    order : sparsenn.connectivity.EdgeOrder, optional
        The hardware edge order of the pattern (made by
        :mod:`sparsenn.connectivity` for clash-free junctions, with any
        zero-valued padding); its stored edges must be the pattern's edges.
        Carried unchanged for :func:`sparsenn.fixedpoint.to_fixed_point`.

    Attributes
    ----------
    params : ndarray of shape (nnz,)
        Edge values in canonical order; optimizers update it in place.
    kernel : str
        The kernel in use ("numba", "scipy" or "dense"; "auto" is resolved).
    density : float
        ``nnz / (n_in * n_out)``, the achieved density.
    order : EdgeOrder or None
        As given.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from sparsenn.layers import SparseWeights
    >>> P = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
    >>> W = SparseWeights(P)
    >>> W.params
    array([1., 2., 3.])
    >>> W.forward(np.array([[1.0, 1.0]]))
    array([[1., 3., 2.]])
    >>> W.grad(np.array([[1.0, 2.0]]), np.array([[1.0, 1.0, 1.0]]))
    array([1., 1., 2.])
    >>> W.to_scipy().toarray()
    array([[1., 0., 2.],
           [0., 3., 0.]])
    """

    def __init__(self, pattern, values=None, *, kernel="auto", dtype=None, order=None):
        A = _canonical_csr(pattern)
        if values is None:
            values = A.data
        else:
            values = np.asarray(values)
            if values.shape != (A.nnz,):
                raise ValueError(
                    f"values must have shape ({A.nnz},) (one per edge of pattern); "
                    f"got {values.shape}."
                )
        dtype = _float_dtype(dtype, values.dtype)
        check_choice(kernel, "kernel", _KERNELS)
        if kernel == "numba" and not _k.NUMBA_AVAILABLE:
            raise ValueError("kernel='numba' requested but numba cannot be imported.")
        self.shape = A.shape
        self._build_structure(A)
        self.order = _check_order(order, self)
        self.kernel = _auto_kernel(self.density) if kernel == "auto" else kernel
        self._set_params(np.array(values, dtype=dtype, copy=True))

    def _build_structure(self, A):
        self._set_structure(A.indptr, A.indices)

    def _set_structure(self, indptr, indices):
        n_in, n_out = self.shape
        big = max(indices.size, n_in, n_out) >= np.iinfo(np.int32).max
        itype = np.int64 if big else np.int32
        self._indptr = indptr.astype(itype)
        self._indices = indices.astype(itype)
        # Edges grouped by output: a stable sort keeps inputs ascending per output
        # (on 16-bit keys NumPy's stable sort is a radix sort).
        key = self._indices.astype(np.uint16) if n_out <= 1 << 16 else self._indices
        perm = np.argsort(key, kind="stable").astype(itype)
        self._t_perm = perm
        self._t_indices = np.repeat(np.arange(n_in, dtype=itype), np.diff(indptr))[perm]
        counts = np.bincount(self._indices, minlength=n_out)
        self._t_indptr = np.concatenate([[0], np.cumsum(counts)]).astype(itype)

    def _set_params(self, params):
        params = np.ascontiguousarray(params)
        if params.shape != self._indices.shape:
            raise ValueError(
                f"params must have shape {self._indices.shape}; got {params.shape}."
            )
        _float_dtype(params.dtype, None)  # float32 or float64 only
        self.params = params
        n_in, n_out = self.shape
        self._full = params.size == n_in * n_out
        self._dense_buf = None  # masked dense matrix of the "dense" kernel
        if self.kernel == "dense" and not self._full:
            itype = np.int32 if n_in * n_out < 2**31 else np.int64
            self._flat = (self._rows() * n_out + self._indices).astype(itype)
            self._dense_buf = np.zeros(self.shape, dtype=params.dtype)

    def replace_edges(self, rows, cols, source, order=None):
        """Move edges in place (dynamic sparse training); ``params`` stays the array.

        Only this junction's index arrays are rebuilt; the edge count is kept,
        so ``params`` (and whatever aliases it, e.g. the optimizer's list) is
        rewritten in place: ``params[i] = old params[source[i]]``, zero where
        ``source[i] < 0`` (a grown edge).

        Parameters
        ----------
        rows, cols : ndarray of int, shape (nnz,)
            The new edges in canonical (row-major CSR) order.
        source : ndarray of int, shape (nnz,)
            Old canonical position of every new edge, -1 for grown edges.
        order : EdgeOrder, optional
            The new edge order (clash-free junctions); None keeps no order.

        Examples
        --------
        >>> import numpy as np, scipy.sparse as sp
        >>> W = SparseWeights(sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]])))
        >>> p = W.params
        >>> W.replace_edges(np.array([0, 1]), np.array([1, 1]), np.array([-1, 1]))
        >>> W.to_dense(), W.params is p
        (array([[0., 0.],
               [0., 2.]]), True)
        """
        n_in, n_out = self.shape
        if np.shape(rows) != self.params.shape or np.shape(source) != self.params.shape:
            raise ValueError(
                f"replace_edges keeps the edge count: rows, cols and source must have "
                f"shape {self.params.shape}; got {np.shape(rows)}, {np.shape(source)}."
            )
        values = np.where(source >= 0, self.params[np.maximum(source, 0)], 0)
        indptr = np.zeros(n_in + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_in), out=indptr[1:])
        self._set_structure(indptr, np.asarray(cols))
        self.params[...] = values
        self.order = _check_order(order, self)
        self._set_params(self.params)

    # ------------------------------------------------------------ properties
    @property
    def fan_in(self):
        """Mean in-degree: stored edges per output neuron."""
        return self._indices.size / self.shape[1] if self.shape[1] else 0.0

    @property
    def density(self):
        """Fraction of the ``n_in * n_out`` positions that are edges."""
        size = self.shape[0] * self.shape[1]
        return self._indices.size / size if size else 0.0

    @property
    def n_mults(self):
        """Multiplications per sample of ``forward``: the number of edges."""
        return int(self._indices.size)

    def _rows(self):
        n_in = self.shape[0]
        return np.repeat(np.arange(n_in, dtype=np.int64), np.diff(self._indptr))

    # ------------------------------------------------------------ products
    def prepare_input(self, X):
        """``X`` F-ordered (feature-major) when a sparse kernel will read it."""
        if self.kernel == "dense" or not isinstance(X, np.ndarray):
            return X
        return _k.feature_major(X, _common_dtype(self, X)).T

    def _forward(self, X):
        # X in any memory order (F-ordered is read without a copy; C-ordered
        # is transposed once); the result is F-ordered.
        return _FORWARD[self.kernel](self, X)

    def _backward(self, D):
        return _BACKWARD[self.kernel](self, D)

    def _grad(self, X, D):
        # Only the entries of X.T @ D at the edges are computed (on the sparse
        # kernels the dense (n_in, n_out) product is never formed).
        return _GRAD[self.kernel](self, X, D)

    def _grad_and_backward(self, X, D, ctx):
        # Back-propagation through a hidden layer needs both; on the numba
        # kernel one pass over the edges computes them together, reading each
        # row of D once for both (measured 0.61-0.70x the time of the two
        # separate calls).  Other kernels call grad and backward.
        if self.kernel != "numba":
            return _GRAD[self.kernel](self, X, D), _BACKWARD[self.kernel](self, D)
        dtype = _common_dtype(self, X, D)
        Xt = _k.feature_major(X, dtype)
        Dt = _k.feature_major(D, dtype)
        vals = _values(self, dtype)
        out, g = _k._spmm_sddmm(self._indptr, self._indices, vals, Xt, Dt, "numba")
        return g, out.T

    # ------------------------------------------------------------ exports
    def to_dense(self):
        """Dense ``(n_in, n_out)`` matrix with zeros off the edges."""
        W = np.zeros(self.shape, dtype=self.params.dtype)
        W[self._rows(), self._indices] = self.params
        return W

    def to_coef(self):
        """Return the user-facing matrix: :meth:`to_scipy`, CSR (n_in, n_out)."""
        return self.to_scipy()

    def to_scipy(self):
        """Return a new ``scipy.sparse.csr_matrix`` (n_in, n_out) of current values.

        Its ``data`` is a copy of ``params`` (canonical order), and its indices
        are sorted, so ``SparseWeights(W.to_scipy())`` rebuilds the same weights.
        """
        return sp.csr_matrix(
            (self.params.copy(), self._indices.copy(), self._indptr.copy()),
            shape=self.shape,
        )

    def __repr__(self):
        n_in, n_out = self.shape
        return (
            f"SparseWeights({n_in}->{n_out}, nnz={self.n_params}, "
            f"density={self.density:.3g}, kernel={self.kernel!r})"
        )

    def _dense_matrix(self):
        if self._full:  # canonical order is C order: params is the matrix
            return self.params.reshape(self.shape)
        buf = self._dense_buf
        if buf is None or not buf.flags.writeable or buf.dtype != self.params.dtype:
            buf = self._dense_buf = np.zeros(self.shape, dtype=self.params.dtype)
        _k.scatter(self.params, self._flat, buf.reshape(-1))
        return buf

    def __getstate__(self):
        # the masked dense buffer is scratch space: rebuilt on first use
        state = self.__dict__.copy()
        state["_dense_buf"] = None
        return state


def _check_order(order, W):
    """``order`` if its stored edges are exactly the pattern's edges."""
    if order is None:
        return None
    if not isinstance(order, EdgeOrder):
        raise TypeError(
            "order must be a sparsenn.connectivity.EdgeOrder or None; "
            f"got {type(order).__name__}."
        )
    n_in, n_out = W.shape
    if (order.n_in, order.n_out) != W.shape or order.n_edges != W._indices.size:
        raise ValueError(
            f"order describes a {order.n_in}x{order.n_out} junction with "
            f"{order.n_edges} stored edges; the pattern is {n_in}x{n_out} with "
            f"{W._indices.size}."
        )
    key = np.sort(order.stored_left * n_out + order.stored_right)
    if not np.array_equal(key, W._rows() * n_out + W._indices):
        raise ValueError("order's stored edges are not the pattern's edges.")
    return order


def _common_dtype(W, *arrays):
    return np.result_type(W.params.dtype, *(a.dtype for a in arrays))


def _values(W, dtype, perm=None):
    # Reading params[perm[e]] inside the kernel instead measured 9-20% slower.
    v = W.params if perm is None else _k.gather(W.params, perm)
    return v if v.dtype == dtype else v.astype(dtype)


def _forward_sparse(W, X):
    dtype = _common_dtype(W, X)
    Xt = _k.feature_major(X, dtype)
    vals = _values(W, dtype, W._t_perm)  # edge values in output order
    return _k._spmm(W._t_indptr, W._t_indices, vals, Xt, W.kernel).T


def _backward_sparse(W, D):
    dtype = _common_dtype(W, D)
    Dt = _k.feature_major(D, dtype)
    vals = _values(W, dtype)
    return _k._spmm(W._indptr, W._indices, vals, Dt, W.kernel).T


def _grad_sparse(W, X, D):
    dtype = _common_dtype(W, X, D)
    Xt = _k.feature_major(X, dtype)
    Dt = _k.feature_major(D, dtype)
    return _k._sddmm(W._indptr, W._indices, Xt, Dt, W.kernel)


def _forward_dense(W, X):
    # Computed as (W.T @ X.T).T so that, like the sparse kernels, the result is
    # F-ordered: mixed memory orders downstream make elementwise ops slow.
    return (W._dense_matrix().T @ X.T).T


def _backward_dense(W, D):
    return (W._dense_matrix() @ D.T).T


def _grad_dense(W, X, D):
    dtype = _common_dtype(W, X, D)  # as the sparse kernels
    G = X.T.astype(dtype, copy=False) @ D.astype(dtype, copy=False)
    if W._full:
        return G.reshape(-1)
    return _k.gather(G.reshape(-1), W._flat)


_FORWARD = {"numba": _forward_sparse, "scipy": _forward_sparse, "dense": _forward_dense}
_BACKWARD = {
    "numba": _backward_sparse,
    "scipy": _backward_sparse,
    "dense": _backward_dense,
}
_GRAD = {"numba": _grad_sparse, "scipy": _grad_sparse, "dense": _grad_dense}
