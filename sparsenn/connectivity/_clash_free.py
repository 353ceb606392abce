"""Clash-free (hardware-friendly) connection patterns, types 1, 2 and 3."""

import numpy as np

from .._validation import check_bool
from ._degrees import _check_kind, check_junction
from ._order import ClashFreeOrder
from ._utils import as_generator, check_int, check_memory, edges_to_csr

__all__ = ["ClashFreeOrder", "clash_free"]


def _as_table(values, shape, high, name):
    arr = np.asarray(values)
    if not np.issubdtype(arr.dtype, np.integer) or arr.shape != shape:
        raise ValueError(f"{name} must be an integer array of shape {shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= high):
        raise ValueError(f"{name} entries must lie in 0..{high - 1}")
    return arr.astype(np.int64)


def _rows_kind1(d_out, z, depth, seeds, rng):
    if seeds is not None:
        raise ValueError("seeds are only used by kind=2 and kind=3")
    base = np.broadcast_to(np.arange(depth), (d_out, z, depth))
    return rng.permuted(base, axis=2).transpose(0, 2, 1)  # (sweep, cycle, lane)


def _rows_from_seeds(phi, depth):
    return (phi[:, None, :] + np.arange(depth)[None, :, None]) % depth


def _rows_kind2(d_out, z, depth, seeds, rng):
    if seeds is None:
        phi = rng.integers(0, depth, size=(d_out, z))
    else:
        phi = _as_table(seeds, (d_out, z), depth, "seeds")
    return _rows_from_seeds(phi, depth)


def _rows_kind3(d_out, z, depth, seeds, rng):
    if seeds is None:
        phi = rng.integers(0, depth, size=z)
    else:
        phi = _as_table(seeds, (z,), depth, "seeds")
    return _rows_from_seeds(np.tile(phi, (d_out, 1)), depth)


_ROW_TABLES = {1: _rows_kind1, 2: _rows_kind2, 3: _rows_kind3}


def _bank_permutations(kind, dither, d_out, z, rng):
    shared = kind == 3
    if dither is None or isinstance(dither, (bool, np.bool_)):
        if not dither:
            return np.tile(np.arange(z), (d_out, 1))
        n_perm = 1 if shared else d_out
        perms = rng.permuted(np.tile(np.arange(z), (n_perm, 1)), axis=1)
        return np.tile(perms, (d_out // n_perm, 1))
    shape = (z,) if shared else (d_out, z)
    perms = _as_table(dither, shape, z, "dither").reshape(-1, z)
    if not np.all(np.sort(perms, axis=1) == np.arange(z)):
        raise ValueError("every dither row must be a permutation of 0..z-1")
    return np.tile(perms, (d_out // perms.shape[0], 1))


def clash_free(
    n_in,
    n_out,
    out_degree,
    *,
    z,
    kind=2,
    dither=False,
    seeds=None,
    random_state=None,
    return_order=False,
):
    """Clash-free pattern for a junction processing ``z`` edges per clock.

    Input ``l`` is stored in bank ``l % z`` at row ``l // z`` of ``z`` banks of
    depth ``D = n_in / z``. Edges are processed in weight order
    ``w = s * n_in + m * z + j`` (sweep ``s < out_degree``, cycle ``m < D``, lane
    ``j < z``); edge ``w`` connects output ``w // in_degree`` to input
    ``rows[s, m, j] * z + v_s[j]``, so every clock reads every bank exactly once
    and every sweep visits every input once (exact out-degree). Row tables:

    * kind 1: for every bank and sweep an arbitrary (random) permutation of
      ``0..D-1``;
    * kind 2: ``rows[s, m, j] = (phi_s[j] + m) % D``, a new seed vector phi_s per
      sweep (seed + increment address generation);
    * kind 3: as kind 2 with one seed vector (and one dither) for all sweeps.

    Memory dither ``v_s`` permutes the banks per sweep (once for kind 3).

    Parameters
    ----------
    n_in, n_out : int
        Junction size; ``n_out`` must divide ``n_in * out_degree``.
    out_degree : int
        Edges per input (= number of sweeps).
    z : int
        Degree of parallelism, must divide ``n_in``. Any divisor works for the
        pattern; the released RTL needs ``in_degree`` to divide ``z`` (whole
        output neurons per clock, see :attr:`ClashFreeOrder.rtl_compatible`);
        the counting theory also covers ``z`` dividing ``in_degree``.
    kind : {1, 2, 3}
        Clash-free type. Kinds 1 and 2 require ``in_degree`` to divide ``n_in``:
        otherwise an output's edges straddle two sweeps and the same edge could
        be drawn twice, so such junctions are rejected. Kind 3 can never repeat
        an edge (both sweeps read the same bijection at disjoint positions).
    dither : bool or array-like of int
        ``True`` draws random bank permutations; an array gives them explicitly,
        shape (out_degree, z) for kinds 1-2 and (z,) for kind 3.
    seeds : array-like of int, optional
        Seed vectors in ``0..D-1``: shape (out_degree, z) for kind 2, (z,) for
        kind 3 (all zeros reproduces the shipped RTL). Not used by kind 1.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness.
    return_order : bool
        Also return the :class:`ClashFreeOrder`.

    Returns
    -------
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
    order : ClashFreeOrder
        Only if ``return_order``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.connectivity import clash_free
    >>> p, order = clash_free(12, 6, 2, z=4, seeds=np.zeros((2, 4), int),
    ...                       return_order=True)
    >>> order.banks[:2]
    array([[0, 1, 2, 3],
           [0, 1, 2, 3]])
    >>> order.is_clash_free(), order.depth, order.n_clocks
    (True, 3, 6)
    """
    kind = _check_kind(kind)
    z = check_int(z, "z", low=1)
    return_order = check_bool(return_order, "return_order")
    check_junction(n_in, n_out, out_degree, connectivity="clash_free", z=z, kind=kind)
    check_memory(  # row tables, bank permutations, edge lists and the order
        n_in * out_degree,
        f"n_in={n_in} with out_degree={out_degree}",
        n_in=n_in,
        n_out=n_out,
        bytes_per_edge=96,
    )
    rng = as_generator(random_state)
    order = clash_free_slots(n_in, n_out, out_degree, z, kind, dither, seeds, rng)
    pattern = edges_to_csr(order.left, order.right, n_in, n_out)
    return (pattern, order) if return_order else pattern


def clash_free_slots(n_in, n_out, out_degree, z, kind, dither, seeds, rng):
    """Build the :class:`ClashFreeOrder` of a feasible (possibly padded) junction.

    ``n_in`` and ``n_out`` are the sizes the hardware sees (padded ones for a
    padded junction); no argument checks beyond those of the tables.
    """
    d_in = n_in * out_degree // n_out
    depth = n_in // z
    rows = _ROW_TABLES[kind](out_degree, z, depth, seeds, rng)
    perms = _bank_permutations(kind, dither, out_degree, z, rng)
    left = (rows * z + perms[:, None, :]).ravel()
    right = np.arange(left.size, dtype=np.int64) // d_in
    order = ClashFreeOrder(
        left=left,
        right=right,
        z=z,
        kind=kind,
        seeds=np.ascontiguousarray(rows[:, 0, :]),
        dither=perms,
        n_in=n_in,
        n_out=n_out,
        out_degree=out_degree,
        in_degree=d_in,
    )
    for arr in (order.left, order.right, order.seeds, order.dither):
        arr.setflags(write=False)
    return order
