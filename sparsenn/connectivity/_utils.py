"""Shared helpers: argument checks, random-state handling and CSR assembly."""

import bisect
import math

import numpy as np
import scipy.sparse as sp

from .. import _memory
from .._validation import as_generator, check_int

__all__ = [
    "as_generator",
    "check_int",
    "check_memory",
    "divisors",
    "edges_to_csr",
    "near_values",
]


def divisors(n):
    """Return the divisors of the positive int ``n``, ascending, in O(sqrt(n)).

    Examples
    --------
    >>> divisors(12), divisors(1)
    ([1, 2, 3, 4, 6, 12], [1])
    """
    small, large = [], []
    for k in range(1, math.isqrt(n) + 1):
        if n % k == 0:
            small.append(k)
            if k * k != n:
                large.append(n // k)
    return small + large[::-1]


def near_values(values, target, per_side=1):
    """Up to ``per_side`` of the sorted ``values`` on each side of ``target``, as text.

    ``values`` may be a list, an array or a ``range`` (nothing is materialised).

    Examples
    --------
    >>> near_values(range(4, 4001, 4), 7), near_values([1, 2, 5], 3, per_side=3)
    ('4, 8', '1, 2, 5')
    >>> near_values([], 3)
    'none'
    """
    low = bisect.bisect_left(values, target)
    high = bisect.bisect_right(values, target)
    near = list(values[max(low - per_side, 0) : low])
    near += list(values[high : high + per_side])
    return ", ".join(str(int(v)) for v in near) or "none"


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
# Bytes per neuron: degree arrays, their draws, bincounts and the CSR indptr.
_BYTES_PER_NEURON = 48


def check_memory(
    n_edges,
    request,
    *,
    n_in=0,
    n_out=0,
    bytes_per_edge=_BYTES_PER_EDGE,
    bytes_per_input=_BYTES_PER_NEURON,
    bytes_per_output=_BYTES_PER_NEURON,
):
    """Raise ``ValueError`` before building a pattern that cannot fit in memory.

    The estimate counts the edge arrays and the arrays of one entry per input
    and per output neuron; the message names ``request`` when the edges
    dominate, else ``n_in`` or ``n_out``, whichever costs more. Built on
    :func:`sparsenn._memory.check_allocation`.

    Parameters
    ----------
    n_edges : int
        Edges of the pattern to build.
    request : str
        The argument that sets the number of edges, with its value, for
        example ``"n_edges=40"`` (named in the message).
    n_in, n_out : int
        Size of the junction.
    bytes_per_edge, bytes_per_input, bytes_per_output : int
        Estimated peak bytes per edge, per input and per output neuron (0 for
        a generator that keeps no array over the outputs).

    Examples
    --------
    >>> check_memory(10, "n_edges=10", n_in=5, n_out=2)
    >>> check_memory(10**15, "n_edges=10**15", n_in=10**8, n_out=10**8)
    Traceback (most recent call last):
    ...
    ValueError: n_edges=10**15 (a 100000000 x 100000000 connection pattern ...
    >>> check_memory(40, "n_edges=40", n_in=10**15, n_out=10)
    Traceback (most recent call last):
    ...
    ValueError: n_in=1000000000000000 (a 1000000000000000 x 10 connection ...
    """
    edge_bytes = int(n_edges) * bytes_per_edge
    input_bytes = int(n_in) * bytes_per_input
    output_bytes = int(n_out) * bytes_per_output
    if max(input_bytes, output_bytes) > edge_bytes:
        request = f"n_in={n_in}" if input_bytes >= output_bytes else f"n_out={n_out}"
    _memory.check_allocation(
        edge_bytes + input_bytes + output_bytes,
        f"{request} (a {n_in} x {n_out} connection pattern with {n_edges} edges)",
    )
