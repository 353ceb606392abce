"""Compiled kernels for pre-defined sparse products on feature-major activations.

All products work on *feature-major* activations: a C-ordered ``(n, B)`` array
``Yt`` holding ``B`` samples of ``n`` features, i.e. the transpose of an
F-ordered ``(B, n)`` activation matrix.  A sparse matrix is given by its
compressed rows (``indptr``, ``indices``, ``data``), exactly as SciPy stores a
CSR matrix, and the two products the sparse layers need are

* ``spmm``: ``out[r, :] = sum_e data[e] * Yt[indices[e], :]`` over the edges
  ``e`` of row ``r``, i.e. ``out = A @ Yt`` for the CSR matrix ``A``; and
* ``sddmm``: ``out[e] = dot(Pt[r, :], Qt[indices[e], :])`` for every stored
  edge ``e`` of row ``r``, the *sampled* dense-dense product
  ``(Pt @ Qt.T)[A != 0]`` that never forms the dense product.

The inner loops run over the batch, which is contiguous, so they vectorise;
the outer loops run over rows in parallel.  Every edge's value is loaded once
and reused across the whole batch (measurements: ``docs/kernels.md``).  When
numba cannot be imported, SciPy and NumPy implementations with the same
signatures are used instead.
"""

import numpy as np

__all__ = [
    "NUMBA_AVAILABLE",
    "spmm",
    "sddmm",
    "feature_major",
    "gather",
    "scatter",
]

from .._numba import NUMBA_AVAILABLE, numba, threading_layer
from ._loops import (
    _nb_gather,
    _nb_gather_serial,
    _nb_scatter,
    _nb_scatter_serial,
    _nb_sddmm,
    _nb_spmm,
    _nb_spmm_sddmm,
    _nb_transpose,
    _nb_transpose_serial,
)

# Edges per SDDMM chunk of the NumPy fallback (bounds its temporary memory).
_FALLBACK_CHUNK = 1 << 14
# Row blocks per numba thread of the parallel row kernels (see row_blocks):
# more blocks than threads let a thread that finishes early take the next one.
BLOCKS_PER_THREAD = 8
CHUNK_SIZE = 1
# Copies (transpose, gather, scatter) of fewer elements run on one thread: a
# parallel launch waits for every worker, and on a loaded machine a descheduled
# worker made each launch cost a scheduler time slice (measured 8-12 ms at load
# 9-10 on 2 cores, against 0.05 ms for a serial gather of 10^5 values).
PARALLEL_COPY_MIN = 1 << 20


def _spmm_scipy(indptr, indices, data, Yt, out):
    import scipy.sparse as sp

    A = sp.csr_matrix((data, indices, indptr), shape=(indptr.size - 1, Yt.shape[0]))
    out[...] = A @ Yt


def _sddmm_numpy(indptr, indices, Pt, Qt, out):
    rows = np.repeat(np.arange(indptr.size - 1), np.diff(indptr))
    for s in range(0, indices.size, _FALLBACK_CHUNK):
        sl = slice(s, s + _FALLBACK_CHUNK)
        np.einsum("ij,ij->i", Pt[rows[sl]], Qt[indices[sl]], out=out[sl])


def spmm(indptr, indices, data, Yt, *, kernel="auto"):
    """Sparse times feature-major dense: ``A @ Yt`` for CSR ``A``.

    Parameters
    ----------
    indptr : array-like of shape (n_rows + 1,)
        CSR row pointers of ``A``.
    indices : array-like of shape (nnz,)
        Column of each stored entry, in ``[0, n)``.
    data : array-like of shape (nnz,)
        Values.
    Yt : array-like of shape (n, B)
        Feature-major dense operand (C order avoids a copy).
    kernel : {"auto", "numba", "scipy"}, default="auto"
        Implementation; "scipy" uses ``scipy.sparse`` (single-threaded);
        "auto" is "numba" when numba can be imported, else "scipy".

    Returns
    -------
    out : ndarray of shape (n_rows, B)
        C-ordered product, float32 if ``data`` and ``Yt`` are, else float64.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> A = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
    >>> spmm(A.indptr, A.indices, A.data, np.ones((3, 2)))
    array([[3., 3.],
           [3., 3.]])
    """
    kernel = _lookup(_SPMM, kernel)
    Yt = np.asarray(Yt)
    if Yt.ndim != 2:
        raise ValueError(f"Yt must be 2-D (n, B); got shape {Yt.shape}.")
    indptr, indices = _check_csr(indptr, indices, Yt.shape[0], "Yt")
    dtype = _float_type(data, Yt)
    data = _as_c(data, dtype, indices.shape, "data")
    Yt = _as_c(Yt, dtype, Yt.shape, "Yt")
    return _spmm(indptr, indices, data, Yt, kernel)


def sddmm(indptr, indices, Pt, Qt, *, kernel="auto"):
    """Compute ``(Pt @ Qt.T)`` at the stored entries of CSR ``A`` (SDDMM).

    Parameters
    ----------
    indptr : array-like of shape (n_rows + 1,)
        CSR row pointers of the sampling pattern ``A``.
    indices : array-like of shape (nnz,)
        Column of each stored entry, in ``[0, n_cols)``.
    Pt : array-like of shape (n_rows, B)
        Left operand (feature-major; C order avoids a copy).
    Qt : array-like of shape (n_cols, B)
        Right operand (feature-major).
    kernel : {"auto", "numba", "scipy"}, default="auto"
        Implementation; "scipy" is a chunked NumPy gather-and-dot; "auto" is
        "numba" when numba can be imported, else "scipy".

    Returns
    -------
    out : ndarray of shape (nnz,)
        ``out[e] = Pt[r] @ Qt[indices[e]]`` for each edge ``e`` of row ``r``, in
        storage order.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> A = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> sddmm(A.indptr, A.indices, np.array([[1.0], [2.0]]), np.array([[3.0], [4.0]]))
    array([3., 8.])
    """
    kernel = _lookup(_SDDMM, kernel)
    Pt, Qt = np.asarray(Pt), np.asarray(Qt)
    if Pt.ndim != 2 or Qt.ndim != 2 or Pt.shape[1] != Qt.shape[1]:
        raise ValueError(
            "Pt and Qt must be 2-D with the same number of columns; got shapes "
            f"{Pt.shape} and {Qt.shape}."
        )
    indptr, indices = _check_csr(indptr, indices, Qt.shape[0], "Qt")
    if indptr.size - 1 != Pt.shape[0]:
        raise ValueError(
            f"indptr has {indptr.size - 1} rows but Pt has {Pt.shape[0]} rows."
        )
    dtype = _float_type(Pt, Qt)
    Pt = _as_c(Pt, dtype, Pt.shape, "Pt")
    return _sddmm(indptr, indices, Pt, _as_c(Qt, dtype, Qt.shape, "Qt"), kernel)


def _spmm(indptr, indices, data, Yt, kernel, out=None):
    """``spmm`` on validated, C-contiguous arrays of one float dtype."""
    if out is None:
        out = np.empty((indptr.size - 1, Yt.shape[1]), dtype=Yt.dtype)
    if Yt.shape[1] == 0 or out.shape[0] == 0:
        out[...] = 0
        return out
    if kernel == "numba":
        _by_blocks(_nb_spmm, indptr, indices, data, Yt, out)
    else:
        _SPMM[kernel](indptr, indices, data, Yt, out)
    return out


def _sddmm(indptr, indices, Pt, Qt, kernel, out=None):
    """``sddmm`` on validated, C-contiguous arrays of one float dtype."""
    if out is None:
        out = np.empty(indices.size, dtype=Pt.dtype)
    if Pt.shape[1] == 0:
        out[...] = 0
        return out
    if kernel == "numba":
        _by_blocks(_nb_sddmm, indptr, indices, Pt, Qt, out)
    else:
        _SDDMM[kernel](indptr, indices, Pt, Qt, out)
    return out


def _spmm_sddmm(indptr, indices, data, Pt, Qt, kernel):
    """Fused ``(_spmm(.., data, Qt), _sddmm(.., Pt, Qt))`` on validated arrays.

    Returns ``(out, g)``: ``out`` (n_rows, B) C-ordered, ``g`` (nnz,).
    """
    out = np.empty((indptr.size - 1, Qt.shape[1]), dtype=Qt.dtype)
    if kernel != "numba" or Qt.shape[1] == 0 or out.shape[0] == 0:
        g = _sddmm(indptr, indices, Pt, Qt, kernel)
        return _spmm(indptr, indices, data, Qt, kernel, out=out), g
    g = np.empty(indices.size, dtype=Qt.dtype)
    _by_blocks(_nb_spmm_sddmm, indptr, indices, data, Pt, Qt, out, g)
    return out, g


def _by_blocks(kernel, indptr, *args):
    """Run a row kernel of ``_loops`` on balanced row blocks, one block per task."""
    # _n_threads() first: like any numba threading call, set_parallel_chunksize
    # starts numba's pool, which must run on the layer threading_layer() picks
    starts = _row_blocks(indptr, BLOCKS_PER_THREAD * _n_threads())
    old = numba.set_parallel_chunksize(CHUNK_SIZE)
    try:
        kernel(starts, indptr, *args)
    finally:
        numba.set_parallel_chunksize(old)


def _n_threads():
    """Numba's thread count, read after the threading layer is chosen.

    ``numba.get_num_threads()`` starts numba's pool; called first, it would
    start numba's default layer instead of the one ``threading_layer`` picks.
    """
    if not NUMBA_AVAILABLE:
        return 1
    threading_layer()
    return numba.get_num_threads()


def _row_blocks(indptr, n_blocks=None):
    """Row boundaries of blocks of about equal work for the parallel row kernels.

    A row's work is counted as its number of edges plus one (the pass over its
    output row), so rows of very different degrees are balanced.

    Parameters
    ----------
    indptr : ndarray of shape (n_rows + 1,)
        CSR row pointers.
    n_blocks : int, optional
        Number of blocks (at most one per row); default ``BLOCKS_PER_THREAD``
        per thread of numba's pool.

    Returns
    -------
    starts : ndarray of shape (n_blocks + 1,)
        Non-decreasing, ``starts[0] == 0`` and ``starts[-1] == n_rows``; block
        ``c`` is the rows ``starts[c]:starts[c + 1]`` (dtype of ``indptr``).

    Examples
    --------
    >>> import numpy as np
    >>> _row_blocks(np.array([0, 6, 7, 8, 9, 10, 11, 12]), 2)  # row 0: 6 edges
    array([0, 2, 7])
    """
    n_rows = indptr.size - 1
    if n_blocks is None:
        n_blocks = BLOCKS_PER_THREAD * _n_threads()
    n_blocks = max(1, min(n_rows, n_blocks))
    work = indptr.astype(np.int64) + np.arange(n_rows + 1)
    targets = (int(work[-1]) * np.arange(n_blocks + 1)) // n_blocks
    starts = np.searchsorted(work, targets).astype(indptr.dtype)
    starts[-1] = n_rows
    return starts


def _check_csr(indptr, indices, n_cols, operand="the dense operand"):
    """Validate a CSR structure (the kernels do no bounds checks)."""
    indptr = np.asarray(indptr)
    indices = np.asarray(indices)
    if indptr.ndim != 1 or indptr.size < 1 or indices.ndim != 1:
        raise ValueError("indptr and indices must be 1-D, indptr non-empty.")
    if indptr[0] != 0 or indptr[-1] != indices.size or np.any(np.diff(indptr) < 0):
        raise ValueError(
            "indptr must start at 0, be non-decreasing and end at len(indices) "
            f"= {indices.size}."
        )
    if indices.size and (indices.min() < 0 or indices.max() >= n_cols):
        raise ValueError(
            f"indices must lie in [0, {n_cols}): column indices of A index the "
            f"rows of {operand}, which has {n_cols} rows."
        )
    itype = np.int32 if max(indices.size, n_cols) < 2**31 - 1 else np.int64
    return indptr.astype(itype), indices.astype(itype)


def _float_type(*arrays):
    return np.result_type(np.float32, *(np.asarray(a).dtype for a in arrays))


def _as_c(a, dtype, shape, name):
    a = np.ascontiguousarray(a, dtype=dtype)
    if a.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {a.shape}.")
    return a


def feature_major(X, dtype):
    """Return ``X.T`` as a C-ordered ``(n, B)`` array of ``dtype``; copy only if needed.

    An F-ordered ``(B, n)`` input is returned as a view.

    Parameters
    ----------
    X : ndarray of shape (B, n)
        Activations in any memory order.
    dtype : numpy dtype
        Floating dtype of the result.

    Returns
    -------
    Xt : ndarray of shape (n, B)
        C-contiguous.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.asfortranarray(np.ones((4, 3)))
    >>> np.shares_memory(feature_major(X, np.float64), X)
    True
    """
    Xt = X.T
    if Xt.flags.c_contiguous and Xt.dtype == dtype:
        return Xt
    if NUMBA_AVAILABLE and X.flags.c_contiguous and X.dtype == dtype and X.size:
        out = np.empty(Xt.shape, dtype=dtype)
        _copy_kernel(X.size, _nb_transpose, _nb_transpose_serial)(X, out)
        return out
    return np.ascontiguousarray(Xt, dtype=dtype)


def gather(src, idx, out=None):
    """Return ``src[idx]`` (parallel when numba is available).

    Parameters
    ----------
    src : ndarray of shape (n,)
        Values, C-contiguous.
    idx : ndarray of shape (m,)
        Integer positions in ``[0, n)`` (not bounds-checked).
    out : ndarray of shape (m,), optional
        Output buffer of the dtype of ``src``.

    Returns
    -------
    out : ndarray of shape (m,)

    Examples
    --------
    >>> import numpy as np
    >>> gather(np.array([1.0, 2.0, 3.0]), np.array([2, 0]))
    array([3., 1.])
    """
    if out is None:
        out = np.empty(idx.size, dtype=src.dtype)
    if NUMBA_AVAILABLE and idx.size:
        _copy_kernel(idx.size, _nb_gather, _nb_gather_serial)(src, idx, out)
    else:
        np.take(src, idx, out=out)
    return out


def scatter(src, idx, out):
    """Set ``out[idx] = src`` in place (parallel when numba is available); return out.

    Parameters
    ----------
    src : ndarray of shape (m,)
        Values, C-contiguous.
    idx : ndarray of shape (m,)
        Distinct integer positions in ``[0, n)`` (not bounds-checked).
    out : ndarray of shape (n,)
        Written in place.

    Returns
    -------
    out : ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> scatter(np.array([5.0, 6.0]), np.array([2, 0]), np.zeros(3))
    array([6., 0., 5.])
    """
    if NUMBA_AVAILABLE and idx.size:
        _copy_kernel(idx.size, _nb_scatter, _nb_scatter_serial)(src, idx, out)
    else:
        out[idx] = src
    return out


def _copy_kernel(size, parallel, serial):
    """Return ``parallel`` if ``size >= PARALLEL_COPY_MIN``, else ``serial``."""
    return parallel if size >= PARALLEL_COPY_MIN else serial


_SPMM = {"numba": _nb_spmm, "scipy": _spmm_scipy}
_SDDMM = {"numba": _nb_sddmm, "scipy": _sddmm_numpy}


def _lookup(table, kernel):
    """Resolve ``kernel`` to a name of ``table`` or raise a clear ValueError."""
    if kernel == "auto":
        kernel = "numba" if NUMBA_AVAILABLE else "scipy"
    if kernel not in table:
        raise ValueError(
            f"kernel must be 'auto' or one of {sorted(table)}; got {kernel!r}."
        )
    if table[kernel] is None:
        raise ValueError(f"kernel={kernel!r} requested but numba cannot be imported.")
    return kernel
