"""Vectorised random bipartite graphs with prescribed (near-regular) degrees.

The configuration model: input ``l`` gets ``out_deg[l]`` stubs, output ``r``
gets ``in_deg[r]`` stubs, and a random permutation pairs them. Pairs that
repeat an edge are then repaired by degree-preserving swaps (exchange the
outputs of a repeated edge and a random other edge when both new edges are
absent, four candidate partners per repeated edge), all repeated edges at once
per round. Above density 1/2 the complement is built instead, so a random swap
is accepted with probability at least about 1/4 and the repair ends in a few
rounds.
"""

import numpy as np

__all__ = ["balanced_degrees", "degree_sequence_edges"]

_MAX_ROUNDS = 10_000


def balanced_degrees(n, total, rng):
    """Degrees of ``n`` neurons summing to ``total`` that differ by at most one.

    The ``total % n`` neurons with the larger degree are drawn at random.

    Parameters
    ----------
    n : int
        Number of neurons.
    total : int
        Sum of the degrees.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of int64, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> balanced_degrees(4, 10, np.random.default_rng(0)).sum()
    np.int64(10)
    """
    deg = np.full(n, total // n, dtype=np.int64)
    extra = total % n
    if extra:
        deg[rng.choice(n, extra, replace=False)] += 1
    return deg


def _repeated(key, return_sorted=False):
    """Positions of edges whose key already occurred (all but one copy)."""
    order = np.argsort(key)
    sk = key[order]
    dup = np.zeros(key.size, dtype=bool)
    dup[1:] = sk[1:] == sk[:-1]
    return (order[dup], sk) if return_sorted else order[dup]


def _member(sorted_keys, values):
    pos = np.searchsorted(sorted_keys, values)
    pos = np.minimum(pos, sorted_keys.size - 1)
    return sorted_keys[pos] == values


def _swap_round(left, right, n_out, bad, sorted_keys, rng, tries=4):
    """One round of swaps for the repeated edges ``bad`` (in place).

    Each repeated edge proposes ``tries`` random partners and takes the first
    whose swap creates two absent edges; swaps sharing an edge or creating the
    same edge are dropped (they are retried in the next round).
    """
    cand = rng.integers(0, left.size, (tries, bad.size))
    new_bad = left[bad] * n_out + right[cand]
    new_cand = left[cand] * n_out + right[bad]
    valid = ~_member(sorted_keys, new_bad) & ~_member(sorted_keys, new_cand)
    first = np.argmax(valid, axis=0)
    cols = np.arange(bad.size)
    ok = valid[first, cols]
    partner, new_bad, new_partner = (
        cand[first, cols],
        new_bad[first, cols],
        new_cand[first, cols],
    )
    counts = np.bincount(np.concatenate([bad, partner[ok]]), minlength=left.size)
    ok &= (counts[bad] == 1) & (counts[partner] == 1)  # one swap per edge
    idx = np.flatnonzero(ok)
    created = np.concatenate([new_bad[idx], new_partner[idx]])
    ok[idx[_repeated(created) % max(idx.size, 1)]] = False  # each new edge once
    b, p = bad[ok], partner[ok]
    right[b], right[p] = right[p], right[b]


def _configuration_edges(out_deg, in_deg, rng):
    n_out = in_deg.size
    left = np.repeat(np.arange(out_deg.size, dtype=np.int64), out_deg)
    right = rng.permutation(np.repeat(np.arange(n_out, dtype=np.int64), in_deg))
    for _ in range(_MAX_ROUNDS):
        bad, sorted_keys = _repeated(left * n_out + right, return_sorted=True)
        if bad.size == 0:
            return left, right
        _swap_round(left, right, n_out, bad, sorted_keys, rng)
    raise RuntimeError("internal error: degree repair did not converge")


def degree_sequence_edges(out_deg, in_deg, rng):
    """Random simple bipartite graph with the given degrees, as edge lists.

    Parameters
    ----------
    out_deg : ndarray of int, shape (n_in,)
        Edges of every input; each at most ``n_out``.
    in_deg : ndarray of int, shape (n_out,)
        Edges of every output; each at most ``n_in``, same sum as ``out_deg``.
        Near-regular sequences (each differing by at most one) are always
        realisable; other sequences must satisfy the Gale-Ryser condition.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    left, right : ndarray of int64, shape (n_edges,)
        Input and output of every edge (no edge twice).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> left, right = degree_sequence_edges(np.full(6, 2), np.full(4, 3), rng)
    >>> np.bincount(left).tolist(), np.bincount(right).tolist()
    ([2, 2, 2, 2, 2, 2], [3, 3, 3, 3])
    """
    out_deg = np.asarray(out_deg, dtype=np.int64)
    in_deg = np.asarray(in_deg, dtype=np.int64)
    n_in, n_out = out_deg.size, in_deg.size
    total = int(out_deg.sum())
    if 2 * total <= n_in * n_out:
        return _configuration_edges(out_deg, in_deg, rng)
    # dense: build the complement and take every other position
    c_left, c_right = _configuration_edges(n_out - out_deg, n_in - in_deg, rng)
    mask = np.ones(n_in * n_out, dtype=bool)
    mask[c_left * n_out + c_right] = False
    key = np.flatnonzero(mask)
    return key // n_out, key % n_out
