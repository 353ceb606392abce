"""Clash-free junctions of any size and density, by virtual zero-valued padding.

A clash-free junction needs sizes where the degrees and the parallelism ``z``
divide (spec section 1.4). The hardware's own remedy is padding: the junction
is built on ``n_in_padded >= n_in`` inputs and ``n_out_padded >= n_out``
outputs, the virtual inputs holding zero activations and the virtual outputs
never being read. Geometry used here: ``K`` output neurons per sweep
(``n_out_padded = K * out_degree``, ``in_degree = n_in_padded / K``), so the
in-degree divides ``n_in_padded`` (no output straddles two sweeps, every kind
works) and the expected number of real edges is ``n_in * n_out / K``. The
largest ``K`` with ``n_in * n_out / K >= n_edges`` is tried first; the real
edges beyond ``n_edges`` keep their slot but hold a zero weight (not stored),
so the junction stores exactly ``n_edges`` weights and every clock still reads
``z`` different banks.
"""

import dataclasses
import math

import numpy as np

from .._memory import check_allocation
from ._clash_free import clash_free_slots
from ._utils import check_int, check_memory, edges_to_csr, near_values

__all__ = ["clash_free_padded", "feasible_parallelisms"]

_DRAWS = 8  # random draws per geometry before taking one with more slots


def _geometries(n_in, n_out, n_edges, z):
    """Candidate geometries, cheapest (fewest slots) first."""
    k_max = min(n_out, max(1, (n_in * n_out) // n_edges))
    for k in range(k_max, 0, -1):
        d_out = -(-n_out // k)
        step = math.lcm(k, z) if z else k
        n_in_p = -(-n_in // step) * step
        if n_in_p > 2 * n_in:  # more virtual than real inputs: not worth it
            continue
        d_in = n_in_p // k
        yield n_in_p, k * d_out, d_out, (z or d_in)


def feasible_parallelisms(n_in, n_out, n_edges):
    """Parallelisms ``z`` a padded clash-free junction can realise, ascending.

    Every ``z`` in ``1..n_in``: the geometry with one output neuron per sweep
    (``K = 1``) pads ``n_in`` to the next multiple of ``z``, fewer than
    ``n_in`` virtual inputs, so it is never ruled out (a larger ``z`` is).

    Parameters
    ----------
    n_in, n_out : int
        Junction size.
    n_edges : int
        Stored weights wanted (at least 1).

    Returns
    -------
    list of int

    Examples
    --------
    >>> from sparsenn.connectivity._padded import feasible_parallelisms
    >>> feasible_parallelisms(6, 4, 12)
    [1, 2, 3, 4, 5, 6]
    """
    n_in = check_int(n_in, "n_in", low=1)
    check_int(n_out, "n_out", low=1)
    check_int(n_edges, "n_edges", low=1)
    check_allocation(  # a list of Python ints: 8-byte pointer + 32-byte int
        40 * n_in, f"n_in={n_in} (a list of {n_in} feasible parallelism values)"
    )
    return list(range(1, n_in + 1))


def _parallelism_error(n_in, n_out, n_edges, z):
    near = near_values(range(1, n_in + 1), z, per_side=3)  # feasible_parallelisms
    return ValueError(
        f"parallelism={z} cannot be met by the clash-free junction {n_in}->{n_out} "
        f"even with padding (z must be at most n_in={n_in} and need at most "
        f"{n_in} virtual inputs); feasible parallelism values for this junction "
        f"near {z}: {near} (any of {n_in} values in 1..{n_in})"
    )


def _trim(order, real, n_edges, rng):
    """Keep exactly ``n_edges`` of the ``real`` slots, dropping at the fullest."""
    surplus = int(real.sum()) - n_edges
    if surplus == 0:
        return real
    idx = np.flatnonzero(real)
    left, right = order.left[idx], order.right[idx]
    score = np.bincount(left)[left] + np.bincount(right)[right] + rng.random(idx.size)
    # one slot of every output is never dropped (every output keeps an input);
    # n_edges >= n_out leaves at least ``surplus`` unprotected slots
    perm = rng.permutation(idx.size)
    _, first = np.unique(right[perm], return_index=True)
    score[perm[first]] = -np.inf
    drop = idx[np.argpartition(-score, surplus - 1)[:surplus]]
    stored = real.copy()
    stored[drop] = False
    return stored


def clash_free_padded(n_in, n_out, n_edges, *, z=None, kind=2, rng):
    """Build a padded clash-free pattern storing exactly ``n_edges`` weights.

    Parameters
    ----------
    n_in, n_out : int
        Real junction size.
    n_edges : int
        Stored weights, ``n_out <= n_edges <= n_in * n_out``.
    z : int or None
        Parallelism; None uses the in-degree of the padded junction (one output
        neuron per clock, the deepest banks).
    kind : {1, 2, 3}
        Clash-free type.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
        The stored edges.
    order : EdgeOrder
        Every slot of the padded junction in weight order, with ``stored``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.connectivity._padded import clash_free_padded
    >>> p, order = clash_free_padded(784, 100, 1176, rng=np.random.default_rng(0))
    >>> p.nnz, order.padded_sizes, order.is_clash_free()
    (1176, (792, 132), True)
    """
    if z is not None and z > n_in:
        raise _parallelism_error(n_in, n_out, n_edges, z)
    check_memory(  # slots <~ 2x
        max(n_edges, n_in),
        f"n_edges={n_edges}",
        n_in=n_in,
        n_out=n_out,
        bytes_per_edge=128,
    )
    for n_in_p, n_out_p, d_out, zz in _geometries(n_in, n_out, n_edges, z):
        for _ in range(_DRAWS):
            order = clash_free_slots(n_in_p, n_out_p, d_out, zz, kind, False, None, rng)
            real = (order.left < n_in) & (order.right < n_out)
            covered = np.unique(order.right[real]).size == n_out
            if covered and real.sum() >= n_edges:
                break
        else:
            continue
        stored = _trim(order, real, n_edges, rng)
        stored.setflags(write=False)
        padded = (n_in_p, n_out_p) != (n_in, n_out) or not stored.all()
        order = dataclasses.replace(
            order,
            n_in=n_in,
            n_out=n_out,
            n_in_padded=n_in_p if padded else None,
            n_out_padded=n_out_p if padded else None,
            stored=stored if padded else None,
        )
        pattern = edges_to_csr(order.stored_left, order.stored_right, n_in, n_out)
        return pattern, order
    raise _parallelism_error(n_in, n_out, n_edges, z)
