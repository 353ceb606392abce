"""Shared helpers: argument checks, random-state handling and CSR assembly."""

import numpy as np
import scipy.sparse as sp

from .. import _memory
from .._validation import as_generator, check_int

__all__ = [
    "as_generator",
    "check_int",
    "check_memory",
    "edges_to_csr",
]


def edges_to_csr(left, right, n_in, n_out):
    """Assemble a canonical 0/1 ``int8`` CSR pattern from edge lists.

    Parameters
    ----------
    left, right : ndarray of int, shape (n_edges,)
        Row (input neuron) and column (output neuron) of every edge.
    n_in, n_out : int
        Shape of the pattern.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
        Sorted indices, no explicit zeros, ``nnz == n_edges``.

    Raises
    ------
    RuntimeError
        If an edge occurs twice (generators must never collapse duplicates).
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    key = np.sort(left * n_out + right)
    if key.size > 1 and np.any(key[1:] == key[:-1]):
        raise RuntimeError("internal error: duplicate edge in a connection pattern")
    rows = key // n_out
    cols = (key - rows * n_out).astype(np.int32)
    indptr = np.zeros(n_in + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n_in), out=indptr[1:])
    data = np.ones(key.size, dtype=np.int8)
    pattern = sp.csr_matrix((data, cols, indptr), shape=(n_in, n_out))
    pattern.has_sorted_indices = True
    return pattern


# Bytes per edge while a pattern is built: edge lists, keys, a sort's temporaries
# and the CSR arrays (int64 throughout; measured peak ~ 60 B/edge for structured).
_BYTES_PER_EDGE = 64


def check_memory(n_edges, name, *, bytes_per_edge=_BYTES_PER_EDGE):
    """Raise ``ValueError`` before building a pattern that cannot fit in memory.

    Parameters
    ----------
    n_edges : int
        Edges of the pattern to build.
    name : str
        Parameter that set the size (named in the message).
    bytes_per_edge : int
        Estimated peak bytes per edge.

    Examples
    --------
    >>> check_memory(10, "n_edges")
    >>> check_memory(10**15, "n_edges")
    Traceback (most recent call last):
    ...
    ValueError: n_edges=1000000000000000 needs about 6.4e+07 GB to build the ...
    """
    need = int(n_edges) * bytes_per_edge
    avail = _memory.available_memory()
    if avail is not None and need > avail:
        raise ValueError(
            f"{name}={n_edges} needs about {need / 1e9:.3g} GB to build the "
            f"connection pattern (estimate {bytes_per_edge} bytes per edge) but only "
            f"{avail / 1e9:.1f} GB of memory is available; use a smaller layer or "
            "density"
        )
