"""Rewiring moves of dynamic sparse training (SET, RigL) that keep a pattern's class.

Every move removes the ``k`` stored edges of smallest magnitude and grows ``k``
new ones; ``scores`` selects where: ``None`` draws the new positions at random
(SET, Mocanu et al. 2018), a dense ``(n_in, n_out)`` array of growth scores
(RigL, Evci et al. 2020: the magnitude of the loss gradient of one batch)
grows at the largest ones. What the move keeps depends on the connectivity:

* ``"random"``: the edge count only (plain SET / RigL);
* ``"structured"``: every neuron's in- and out-degree exactly: the ``k``
  removed edges leave a multiset of left and right endpoints (stubs), and the
  ``k`` new edges pair exactly these stubs at positions that are not edges
  (a degree-preserving bipartite rewiring);
* ``"clash_free"``: the slot structure of the :class:`EdgeOrder`: within one
  sweep, slots that read the same memory bank exchange their inputs, so every
  clock still reads each bank once and every sweep still visits every input
  once (see :mod:`._rewire_clash_free`; the structured move is in
  :mod:`._rewire_structured`, what both share in :mod:`._rewire_base`).

All functions are pure: edges in, edges and a source map out.
"""

import numpy as np

from ._rewire_base import (
    Rewired,
    _is_in_sorted,
    finish,
    magnitudes,
    smallest_first,
    smallest_magnitude,
)
from ._rewire_clash_free import move_clash_free
from ._rewire_structured import move_structured
from ._utils import as_generator, check_int

__all__ = [
    "REWIRE_MOVES",
    "Rewired",
    "rewire_edges",
    "smallest_first",
    "smallest_magnitude",
]


def _sample_empty(old_key, size, k, rng):
    """``k`` distinct flat positions in ``0..size-1`` that are not in ``old_key``."""
    n_empty = size - old_key.size
    if n_empty <= 4 * k or size <= 1 << 16:
        free = np.ones(size, dtype=bool)
        free[old_key] = False
        return rng.choice(np.flatnonzero(free), size=k, replace=False)
    found = np.empty(0, dtype=np.int64)
    while found.size < k:
        draw = rng.integers(0, size, size=2 * (k - found.size) + 16)
        draw = draw[~_is_in_sorted(draw, old_key)]
        found = np.unique(np.concatenate([found, draw]))
    return rng.permutation(found)[:k]


def _move_random(rows, cols, values, shape, k, scores, order, rng):
    n_in, n_out = shape
    old_key = rows * n_out + cols
    drop = smallest_magnitude(values, k, rng)
    keep = np.ones(rows.size, dtype=bool)
    keep[drop] = False
    if scores is None:
        grown = _sample_empty(old_key, n_in * n_out, k, rng)
    else:
        mag = magnitudes(scores).ravel()
        neg = np.negative(mag, out=mag)  # in place: no fresh grid-sized array
        neg[old_key] = np.inf
        grown = smallest_first(neg, k)
    new_rows = np.concatenate([rows[keep], grown // n_out])
    new_cols = np.concatenate([cols[keep], grown % n_out])
    return finish(new_rows, new_cols, old_key, n_out)


#: Connectivity -> rewiring move. Circulant patterns cannot rewire (their
#: offsets define them).
REWIRE_MOVES = {
    "random": _move_random,
    "structured": move_structured,
    "clash_free": move_clash_free,
}


def _check_edges(rows, cols, values, shape):
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    values = np.asarray(values)
    if not (rows.shape == cols.shape == values.shape and rows.ndim == 1):
        raise ValueError(
            "rows, cols and values must be 1-D arrays of the same length; got "
            f"shapes {rows.shape}, {cols.shape} and {values.shape}."
        )
    key = rows * shape[1] + cols
    if key.size and np.any(np.diff(key) <= 0):
        raise ValueError("edges must be distinct and in canonical (row-major) order.")
    return rows, cols, values


def rewire_edges(
    connectivity, rows, cols, values, shape, n_moves, *, scores=None, order=None,
    random_state=None,
):  # fmt: skip
    """Move ``n_moves`` edges of one junction, keeping its connectivity class.

    Parameters
    ----------
    connectivity : {"random", "structured", "clash_free"}
        What the move keeps: the edge count; every in- and out-degree; the
        clash-free slot structure of ``order``.
    rows, cols : array-like of int, shape (n_edges,)
        The edges (input, output) in canonical (row-major CSR) order.
    values : array-like of shape (n_edges,)
        Their weights; the ``n_moves`` of smallest magnitude are removed.
    shape : tuple of int
        ``(n_in, n_out)``.
    n_moves : int
        Edges to remove and grow; capped at the edges and at the free positions.
    scores : array-like of shape (n_in, n_out), optional
        Growth scores (RigL: the dense gradient of one batch); the largest
        ``|scores|`` grow. None: random positions (SET).
    order : EdgeOrder, optional
        Required for ``"clash_free"``.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Rewired
        New edges (canonical order), their old positions (-1: grown) and the
        new edge order.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.connectivity import structured
    >>> P = structured(8, 8, 2, random_state=0)
    >>> rows, cols = P.nonzero()
    >>> out = rewire_edges("structured", rows, cols, np.arange(16.0)[::-1], (8, 8), 4,
    ...                    random_state=0)
    >>> out.n_moved, np.bincount(out.rows).tolist() == [2] * 8
    (4, True)
    """
    if connectivity not in REWIRE_MOVES:
        raise ValueError(
            f"connectivity={connectivity!r} cannot be rewired; allowed: "
            f"{', '.join(REWIRE_MOVES)}"
        )
    n_in = check_int(shape[0], "n_in", low=1)
    n_out = check_int(shape[1], "n_out", low=1)
    rows, cols, values = _check_edges(rows, cols, values, (n_in, n_out))
    if connectivity == "clash_free" and order is None:
        raise ValueError("connectivity='clash_free' needs the junction's order.")
    k = min(check_int(n_moves, "n_moves", low=0), rows.size, n_in * n_out - rows.size)
    rng = as_generator(random_state)
    if k == 0:
        return finish(rows, cols, rows * n_out + cols, n_out, order)
    move = REWIRE_MOVES[connectivity]
    return move(rows, cols, values, (n_in, n_out), k, scores, order, rng)
