"""Random, structured (biregular) and circulant connection patterns.

Every generator returns a SciPy CSR 0/1 matrix of shape ``(n_in, n_out)``
(rows = input/left neurons, columns = output/right neurons), dtype ``int8``,
sorted indices, no explicit zeros and ``nnz`` = number of edges.
"""

import math

import numpy as np

from .._validation import check_bool
from ._degrees import check_junction
from ._near_regular import balanced_degrees, degree_sequence_edges
from ._utils import as_generator, check_int, check_memory, edges_to_csr

__all__ = ["circulant", "random", "random_pattern", "structured"]


def random_pattern(n_in, n_out, n_edges, *, cover_outputs=False, random_state=None):
    """Pattern with exactly ``n_edges`` edges placed uniformly without replacement.

    Degrees are free (binomial-like); some neurons may have no edge, unless
    ``cover_outputs``: then every output first gets one input drawn uniformly
    and the other ``n_edges - n_out`` edges are placed uniformly among the
    remaining positions (what :func:`connection_pattern` builds). Also
    available as ``sparsenn.connectivity.random`` (its former name, which
    shadows the standard library's module name when imported bare).

    Parameters
    ----------
    n_in, n_out : int
        Number of input (row) and output (column) neurons.
    n_edges : int
        Number of edges, ``0 <= n_edges <= n_in * n_out`` (at least ``n_out``
        with ``cover_outputs``).
    cover_outputs : bool, default=False
        Give every output at least one input.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8

    Examples
    --------
    >>> from sparsenn.connectivity import random_pattern
    >>> p = random_pattern(6, 4, 10, random_state=0)
    >>> p.shape, p.nnz
    ((6, 4), 10)
    >>> q = random_pattern(100, 10, 10, cover_outputs=True, random_state=0)
    >>> q.tocsc().indptr.tolist() == list(range(11))
    True
    """
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    cover_outputs = check_bool(cover_outputs, "cover_outputs")
    low = n_out if cover_outputs else 0
    n_edges = check_int(n_edges, "n_edges", low=low, high=n_in * n_out)
    rng = as_generator(random_state)
    check_memory(  # nothing of size n_out unless cover_outputs
        n_edges,
        f"n_edges={n_edges}",
        n_in=n_in,
        n_out=n_out,
        bytes_per_output=48 if cover_outputs else 0,
    )
    taken = np.empty(0, dtype=np.int64)
    if cover_outputs:  # one uniform input per output, then the rest uniformly
        taken = rng.integers(0, n_in, n_out) * n_out + np.arange(n_out)
        taken.sort()
    key = np.concatenate([taken, _uniform_keys(n_in * n_out, taken, n_edges, rng)])
    return edges_to_csr(key // n_out, key % n_out, n_in, n_out)


def _uniform_keys(size, taken, n_edges, rng):
    """``n_edges - taken.size`` distinct keys in ``0..size-1`` outside ``taken``."""
    free, want = size - taken.size, n_edges - taken.size
    if 2 * want <= free:
        rank = rng.choice(free, want, replace=False, shuffle=False)
    else:  # draw the complement: fewer numbers to pick
        absent = rng.choice(free, free - want, replace=False, shuffle=False)
        mask = np.ones(free, dtype=bool)
        mask[absent] = False
        rank = np.flatnonzero(mask)
    rank = np.sort(np.asarray(rank, dtype=np.int64))
    # the rank-th free key: skip the taken keys below it (taken is sorted)
    return rank + np.searchsorted(taken - np.arange(taken.size), rank, side="right")


def _sizes(n_in, n_out, out_degree, n_edges, connectivity):
    """Check the size arguments (exactly one given).

    Returns ``(n_edges, exact, request)``: ``request`` names the arguments that
    set the number of edges, for the memory check.
    """
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    if (out_degree is None) == (n_edges is None):
        raise TypeError("give exactly one of out_degree and n_edges")
    if out_degree is not None:
        check_junction(n_in, n_out, out_degree, connectivity=connectivity)
        return n_in * out_degree, True, f"n_in={n_in} with out_degree={out_degree}"
    n_edges = check_int(n_edges, "n_edges", high=n_in * n_out)
    if n_edges < n_out:
        raise ValueError(
            f"n_edges={n_edges} leaves an output of the junction {n_in}->{n_out} "
            f"without an input; at least n_out={n_out} edges are needed"
        )
    return n_edges, False, f"n_edges={n_edges}"


def structured(n_in, n_out, out_degree=None, *, n_edges=None, random_state=None):
    """Pattern as regular as possible: out-degrees and in-degrees each differ by <= 1.

    Give ``out_degree`` for an exactly biregular pattern (every input
    ``out_degree`` edges, every output ``n_in * out_degree / n_out``; raises
    if that is not an integer), or ``n_edges`` for any number of edges: then
    ``n_edges % n_in`` inputs get one edge more than the others, and likewise
    for the outputs, so the pattern is exactly regular whenever the sizes
    divide. The graph is drawn by the configuration model (random pairing of
    edge stubs) with degree-preserving swaps that remove repeated edges, all
    vectorised (a junction of 10^6 outputs at degree 8 takes seconds).

    Parameters
    ----------
    n_in, n_out : int
        Number of input (row) and output (column) neurons.
    out_degree : int, optional
        Edges per input, ``1 <= out_degree <= n_out``; ``n_in * out_degree`` must
        be divisible by ``n_out``.
    n_edges : int, optional
        Number of edges, ``n_out <= n_edges <= n_in * n_out`` (below ``n_in``
        some inputs have no edge).
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8

    Raises
    ------
    ValueError
        If the degrees are not realisable (the message lists nearby feasible
        out-degrees) or ``n_edges`` leaves a neuron without an edge.

    Examples
    --------
    >>> from sparsenn.connectivity import structured
    >>> a = structured(8, 4, 1, random_state=0).toarray()
    >>> a.sum(axis=1).tolist(), a.sum(axis=0).tolist()
    ([1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2])
    >>> b = structured(8, 4, n_edges=10, random_state=0).toarray()
    >>> sorted(b.sum(axis=0).tolist())
    [2, 2, 3, 3]
    """
    n_edges, _, request = _sizes(n_in, n_out, out_degree, n_edges, "structured")
    rng = as_generator(random_state)
    check_memory(n_edges, request, n_in=n_in, n_out=n_out)
    out_deg = balanced_degrees(n_in, n_edges, rng)
    in_deg = balanced_degrees(n_out, n_edges, rng)
    left, right = degree_sequence_edges(out_deg, in_deg, rng)
    return edges_to_csr(left, right, n_in, n_out)


#: Former name of :func:`random_pattern` (kept as a public alias).
random = random_pattern


def _circulant_geometry(n_in, n_out):
    g = math.gcd(n_in, n_out)
    return g, n_in // g, n_out // g, n_in * n_out // g


def _random_offsets(n_in, n_out, n_offsets, rng):
    """Random offset set with balanced counts per class mod a and mod b.

    Returns the sorted offsets and the offset that is last in the balanced
    construction (dropping it, or some of its edges, keeps the counts balanced).
    See :func:`circulant`.
    """
    g, a, b, _ = _circulant_geometry(n_in, n_out)
    ab = a * b
    residue = np.arange(ab)
    # Balanced counts per residue class mod ab (the set {0, .., T-1} reduced mod ab).
    count = n_offsets // ab + (residue < n_offsets % ab)
    # Relabel the classes mod a and mod b at random (keeps both marginals).
    crt = np.empty((a, b), dtype=np.int64)
    crt[residue % a, residue % b] = residue
    new_residue = crt[rng.permutation(a)[residue % a], rng.permutation(b)[residue % b]]
    # Within each class pick `count` of the g lifts residue + ab * k at random.
    rank = np.argsort(np.argsort(rng.random((ab, g)), axis=1), axis=1)
    res_idx, lift = np.nonzero(rank < count[:, None])
    last = (n_offsets - 1) % ab
    last_lift = int(np.flatnonzero(rank[last] == count[last] - 1)[0])
    return np.sort(new_residue[res_idx] + ab * lift), new_residue[last] + ab * last_lift


def _check_offsets(offsets, n_in, n_out, out_degree):
    g, a, b, n_cls = _circulant_geometry(n_in, n_out)
    offsets = np.asarray(offsets)
    if offsets.ndim != 1 or not np.issubdtype(offsets.dtype, np.integer):
        raise TypeError(f"offsets must be a 1-D integer array, got {offsets!r}")
    if offsets.size and (offsets.min() < 0 or offsets.max() >= n_cls):
        raise ValueError(f"offsets must lie in 0..{n_cls - 1} (lcm of n_in, n_out)")
    if np.unique(offsets).size != offsets.size:
        raise ValueError("offsets must be distinct")
    in_degree = n_in * out_degree // n_out
    if not (
        np.all(np.bincount(offsets % a, minlength=a) == out_degree)
        and np.all(np.bincount(offsets % b, minlength=b) == in_degree)
    ):
        raise ValueError(
            f"offsets must hold exactly out_degree={out_degree} values in every "
            f"residue class mod a={a} and in_degree={in_degree} in every class mod "
            f"b={b} (a = n_in/gcd, b = n_out/gcd)"
        )
    return np.sort(offsets.astype(np.int64))


def circulant(
    n_in, n_out, out_degree=None, *, n_edges=None, offsets=None, random_state=None
):
    """Block-circulant (quasi-cyclic) biregular pattern.

    With ``g = gcd(n_in, n_out)``, ``a = n_in / g``, ``b = n_out / g`` and
    ``N = lcm(n_in, n_out) = g a b``, the pattern is

    ``P[l, r] = 1  iff  (r * a - l * b) mod N  is in the offset set S``.

    It is invariant under the joint cyclic shift ``(l, r) -> (l + a, r + b)``,
    i.e. a ``g x g`` block-circulant matrix of ``a x b`` blocks. For a square
    junction (``a = b = 1``) this is an ordinary circulant: input ``l`` feeds the
    outputs ``(l + s) mod n`` for ``s`` in S, and each row is the previous one
    shifted by one. Input ``l`` gets one edge per ``s`` with
    ``s = -l b (mod a)``, output ``r`` one per ``s`` with ``s = r a (mod b)``, so
    exact degrees hold iff S has ``out_degree`` members in every residue class
    mod ``a`` and ``in_degree`` members in every class mod ``b``
    (``|S| = a * out_degree``). By default S is random: balanced class counts
    with the classes relabelled and the lifts chosen at random.

    With ``n_edges`` instead of ``out_degree`` the pattern has exactly that many
    edges: ``T = ceil(n_edges / g)`` balanced offsets (each gives ``g`` edges),
    of which the last in the balanced construction keeps only
    ``n_edges - g (T - 1)`` of its edges, so degrees differ by at most one and
    the shift invariance holds for all other offsets.

    Parameters
    ----------
    n_in, n_out : int
        Number of input (row) and output (column) neurons.
    out_degree : int, optional
        Edges per input; ``n_in * out_degree`` must be divisible by ``n_out``
        (the same condition as :func:`structured`).
    n_edges : int, optional
        Number of edges instead of ``out_degree``,
        ``n_out <= n_edges <= n_in * n_out``.
    offsets : array-like of int, optional
        Explicit offset set S in ``0..N-1`` satisfying the class counts above.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness (unused when ``offsets`` is given).

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8

    Examples
    --------
    >>> from sparsenn.connectivity import circulant
    >>> circulant(4, 4, 2, offsets=[0, 1]).toarray()
    array([[1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1],
           [1, 0, 0, 1]], dtype=int8)
    """
    n_edges, exact, request = _sizes(n_in, n_out, out_degree, n_edges, "circulant")
    check_memory(n_edges, request, n_in=n_in, n_out=n_out)
    g, a, b, n_cls = _circulant_geometry(n_in, n_out)
    check_memory(  # the offset draw
        n_cls, f"lcm(n_in, n_out)={n_cls}", n_in=n_in, n_out=n_out, bytes_per_edge=24
    )
    rng = as_generator(random_state)
    partial = None
    if offsets is not None:
        if not exact:
            raise TypeError("offsets need out_degree (not n_edges)")
        offsets = _check_offsets(offsets, n_in, n_out, out_degree)
    else:
        offsets, partial = _random_offsets(n_in, n_out, -(-n_edges // g), rng)
    b_inv = pow(b, -1, a) if a > 1 else 0
    first = (-offsets * b_inv) % a  # smallest input using each offset
    left = (first[:, None] + a * np.arange(g)[None, :]).ravel()
    s = np.repeat(offsets, g)
    right = ((s + left * b) % n_cls) // a
    surplus = left.size - n_edges
    if surplus:
        cut = np.flatnonzero(s == partial)[rng.permutation(g)[:surplus]]
        keep = np.ones(left.size, dtype=bool)
        keep[cut] = False
        left, right = left[keep], right[keep]
    return edges_to_csr(left, right, n_in, n_out)
