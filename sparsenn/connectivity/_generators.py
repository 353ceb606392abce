"""Random, structured (biregular) and circulant connection patterns.

Every generator returns a SciPy CSR 0/1 matrix of shape ``(n_in, n_out)``
(rows = input/left neurons, columns = output/right neurons), dtype ``int8``,
sorted indices, no explicit zeros and ``nnz`` = number of edges.
"""

import math

import numpy as np

from ._degrees import check_junction
from ._utils import as_generator, check_int, edges_to_csr

__all__ = ["random", "structured", "circulant"]


def random(n_in, n_out, n_edges, *, random_state=None):
    """Pattern with exactly ``n_edges`` edges placed uniformly without replacement.

    Degrees are free (binomial-like); some neurons may have no edge.

    Parameters
    ----------
    n_in, n_out : int
        Number of input (row) and output (column) neurons.
    n_edges : int
        Number of edges, ``0 <= n_edges <= n_in * n_out``.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8

    Examples
    --------
    >>> from sparsenn.connectivity import random
    >>> p = random(6, 4, 10, random_state=0)
    >>> p.shape, p.nnz
    ((6, 4), 10)
    """
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    n_edges = check_int(n_edges, "n_edges", low=0, high=n_in * n_out)
    rng = as_generator(random_state)
    size = n_in * n_out
    if 2 * n_edges <= size:
        key = rng.choice(size, n_edges, replace=False, shuffle=False)
    else:  # draw the complement: fewer numbers to pick
        absent = rng.choice(size, size - n_edges, replace=False, shuffle=False)
        mask = np.ones(size, dtype=bool)
        mask[absent] = False
        key = np.flatnonzero(mask)
    key = np.asarray(key, dtype=np.int64)
    return edges_to_csr(key // n_out, key % n_out, n_in, n_out)


def structured(n_in, n_out, out_degree, *, random_state=None):
    """Biregular pattern: exact out-degree per input and in-degree per output.

    Implements the "basic" generator of Dey et al.: output neurons are filled one
    at a time; each picks ``in_degree = n_in * out_degree / n_out`` distinct
    inputs uniformly among those with spare capacity, except that inputs whose
    remaining capacity equals the number of outputs still to fill are forced in
    (this repair step makes the construction always succeed). The result is not
    uniform over all biregular graphs.

    Parameters
    ----------
    n_in, n_out : int
        Number of input (row) and output (column) neurons.
    out_degree : int
        Edges per input, ``1 <= out_degree <= n_out``; ``n_in * out_degree`` must
        be divisible by ``n_out``.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
        Row sums ``out_degree``, column sums ``in_degree``.

    Raises
    ------
    ValueError
        If the degrees are not realisable (the message lists nearby feasible
        out-degrees).

    Examples
    --------
    >>> from sparsenn.connectivity import structured
    >>> p = structured(8, 4, 1, random_state=0)
    >>> a = p.toarray()
    >>> a.sum(axis=1).tolist(), a.sum(axis=0).tolist()
    ([1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2])
    """
    check_junction(n_in, n_out, out_degree, connectivity="structured")
    rng = as_generator(random_state)
    in_degree = n_in * out_degree // n_out
    capacity = np.full(n_in, out_degree, dtype=np.int64)
    picked = np.empty((n_out, in_degree), dtype=np.int64)
    for r in range(n_out):
        keys = rng.random(n_in)
        keys[capacity == 0] = np.inf  # exhausted inputs are never picked
        keys[capacity == n_out - r] = -1.0  # forced: needed by every output left
        if in_degree < n_in:
            chosen = np.argpartition(keys, in_degree - 1)[:in_degree]
        else:
            chosen = np.arange(n_in)
        picked[r] = chosen
        capacity[chosen] -= 1
    right = np.repeat(np.arange(n_out, dtype=np.int64), in_degree)
    return edges_to_csr(picked.ravel(), right, n_in, n_out)


def _circulant_geometry(n_in, n_out):
    g = math.gcd(n_in, n_out)
    return g, n_in // g, n_out // g, n_in * n_out // g


def _random_offsets(n_in, n_out, out_degree, rng):
    """Draw offsets: ``out_degree`` per class mod a, ``in_degree`` per class mod b.

    See :func:`circulant`.
    """
    g, a, b, _ = _circulant_geometry(n_in, n_out)
    ab = a * b
    n_offsets = a * out_degree
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
    return np.sort(new_residue[res_idx] + ab * lift)


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


def circulant(n_in, n_out, out_degree, *, offsets=None, random_state=None):
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

    Parameters
    ----------
    n_in, n_out : int
        Number of input (row) and output (column) neurons.
    out_degree : int
        Edges per input; ``n_in * out_degree`` must be divisible by ``n_out``
        (the same condition as :func:`structured`).
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
    check_junction(n_in, n_out, out_degree, connectivity="circulant")
    g, a, b, n_cls = _circulant_geometry(n_in, n_out)
    if offsets is None:
        offsets = _random_offsets(n_in, n_out, out_degree, as_generator(random_state))
    else:
        offsets = _check_offsets(offsets, n_in, n_out, out_degree)
    b_inv = pow(b, -1, a) if a > 1 else 0
    first = (-offsets * b_inv) % a  # smallest input using each offset
    left = (first[:, None] + a * np.arange(g)[None, :]).ravel()
    s = np.repeat(offsets, g)
    right = ((s + left * b) % n_cls) // a
    return edges_to_csr(left, right, n_in, n_out)
