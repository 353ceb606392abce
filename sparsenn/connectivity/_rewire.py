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
  once (see :mod:`._rewire_clash_free`).

All functions are pure: edges in, edges and a source map out.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._matching import greedy_match
from ._utils import as_generator, check_int

__all__ = [
    "REWIRE_MOVES",
    "Rewired",
    "rewire_edges",
    "smallest_first",
    "smallest_magnitude",
]

#: Largest candidate grid (left stubs x right stubs) a structured move scores;
#: above it a random sample of this many candidates is scored.
MAX_CANDIDATES = 4_000_000
_REPAIR_TRIES = 64
_FEW_STRANDED = 64  # stranded stubs left to the swap repair
_CHUNK = 4096  # candidates below which one round is sorted at once
_SAMPLE = 8192  # strided sample that bounds the n-th smallest candidate


@dataclass(frozen=True)
class Rewired:
    """The result of one rewiring move of one junction.

    Attributes
    ----------
    rows, cols : ndarray of int64, shape (n_edges,)
        The new edges in canonical (row-major CSR) order.
    source : ndarray of int64, shape (n_edges,)
        For every new edge, its position in the old canonical order, or -1 for
        a grown edge (its weight starts at zero).
    order : EdgeOrder or None
        The new edge order (clash-free junctions), else None.
    n_moved : int
        Edges that were not edges before (``(source < 0).sum()``).
    """

    rows: np.ndarray
    cols: np.ndarray
    source: np.ndarray
    order: object = None

    @property
    def n_moved(self):
        """Grown edges (positions that were not edges before the move)."""
        return int((self.source < 0).sum())


def smallest_magnitude(values, k, rng):
    """Return the positions of the ``k`` entries of smallest ``|values|``.

    Ties at the ``k``-th magnitude (e.g. zero weights of freshly grown edges)
    are broken at random.

    Examples
    --------
    >>> import numpy as np
    >>> v = np.array([3.0, -0.5, 1.0, 0.1])
    >>> sorted(smallest_magnitude(v, 2, np.random.default_rng(0)).tolist())
    [1, 3]
    """
    mag = np.abs(values)
    if k >= mag.size:
        return np.arange(mag.size)
    cut = np.partition(mag, k - 1)[k - 1]
    below = np.flatnonzero(mag < cut)
    ties = np.flatnonzero(mag == cut)
    return np.concatenate([below, rng.permutation(ties)[: k - below.size]])


def smallest_first(values, n):
    """Return the indices of the ``n`` smallest ``values``, in ascending index order.

    Ties at the ``n``-th value are broken by position (lowest index first), so
    the result does not depend on a selection algorithm's internal order. A
    strided sample bounds the ``n``-th value first, so only the entries below
    that bound are partitioned: on the (n_in x n_out) candidate grid of a
    rewiring step this is several times faster than ``np.argpartition`` over
    the whole grid (measured in ``docs/rewiring.md``).

    Parameters
    ----------
    values : ndarray of shape (size,)
        Finite values and ``inf`` (never among the ``n`` unless too few are finite).
    n : int
        How many, ``0 <= n``; at least ``size`` returns every index.

    Returns
    -------
    ndarray of int64, shape (min(n, size),)

    Examples
    --------
    >>> import numpy as np
    >>> smallest_first(np.array([3.0, 1.0, 2.0, 1.0, 0.5]), 3).tolist()
    [1, 3, 4]
    >>> smallest_first(np.array([2.0, 1.0, 1.0, 1.0]), 2).tolist()  # ties: by index
    [1, 2]
    """
    size = values.size
    if n >= size:
        return np.arange(size, dtype=np.int64)
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    step = size // _SAMPLE
    if step > 1 and n * 4 < size:
        cand = _below_sampled_bound(values, n, step)
    else:
        cand = None
    if cand is None:  # a large share: the exact n-th value, then one pass
        nth = _nth_smallest(values, n, step)
        keep = values < nth
        ties = np.flatnonzero(values == nth)[: n - int(np.count_nonzero(keep))]
        keep[ties] = True
        return np.flatnonzero(keep)
    sub = values[cand]  # ``cand`` ascends, so every selection of it does
    nth = np.partition(sub, n - 1)[n - 1]
    keep = sub < nth
    ties = np.flatnonzero(sub == nth)[: n - int(np.count_nonzero(keep))]
    keep[ties] = True
    return cand[keep]


def _below_sampled_bound(values, n, step):
    """Return the ascending indices at or below a bound that holds ``n`` (or None)."""
    sample = values[::step]
    j = int(n / values.size * sample.size * 1.25) + 16
    while j < sample.size - 1:
        bound = np.partition(sample, j)[j]
        below = np.flatnonzero(values <= bound)
        if below.size >= n:
            return below
        j *= 2
    return None


def _nth_smallest(values, n, step):
    """Return the ``n``-th smallest of ``values`` (1-based), partitioning a band.

    A strided sample gives bounds ``lo <= nth <= hi`` (four standard errors of
    the sample quantile either side); only the entries between them are
    partitioned. If the sample misleads, the whole array is.
    """
    if step > 1:
        sample = values[::step]
        m = sample.size
        share = n / values.size
        pos = share * m
        margin = 4.0 * math.sqrt(max(pos * (1.0 - share), 1.0)) + 16
        j_lo, j_hi = int(pos - margin), int(pos + margin)
        picks = [j for j in (j_lo, j_hi) if 0 <= j < m]
        part = np.partition(sample, picks) if picks else sample
        lo = part[j_lo] if j_lo >= 0 else -np.inf
        hi = part[j_hi] if j_hi < m else np.inf
        n_below = int(np.count_nonzero(values < lo))
        if n_below < n:
            band = values[(values >= lo) & (values <= hi)]
            rank = n - n_below
            if rank <= band.size:
                return np.partition(band, rank - 1)[rank - 1]
    return np.partition(values, n - 1)[n - 1]


def finish(rows, cols, old_key, n_out, order=None):
    """Sort new edges into canonical order and map them to the old positions."""
    key = rows * n_out + cols
    perm = np.argsort(key)  # equal keys are equal edges: any sort gives the same
    key = key[perm]
    pos = np.minimum(np.searchsorted(old_key, key), old_key.size - 1)
    source = np.where(old_key[pos] == key, pos, -1).astype(np.int64)
    return Rewired(rows[perm], cols[perm], source, order)


def _is_in_sorted(values, sorted_keys):
    """``np.isin(values, sorted_keys)`` for ascending ``sorted_keys`` (no sort)."""
    if not sorted_keys.size:
        return np.zeros(values.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), sorted_keys.size - 1)
    return sorted_keys[pos] == values


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
        neg = _negated_magnitudes(scores)
        neg[old_key] = np.inf
        grown = smallest_first(neg, k)
    new_rows = np.concatenate([rows[keep], grown // n_out])
    new_cols = np.concatenate([cols[keep], grown % n_out])
    return finish(new_rows, new_cols, old_key, n_out)


def _grid_scores(u_left, u_right, scores, rng):
    """Growth score of every (left stub, right stub) pair, shape (n_a, n_b)."""
    if scores is None:
        return rng.random((u_left.size, u_right.size))
    grid = np.asarray(scores)[np.ix_(u_left, u_right)].astype(np.float64)
    return np.abs(grid, out=grid)


def _negated_magnitudes(scores):
    """``-|scores|`` as a new flat float64 array, computed in place.

    One allocation instead of three: on the 784 x 1024 grid the temporaries
    cost 10x the arithmetic (first touch of fresh pages).
    """
    neg = np.array(scores, dtype=np.float64).ravel()
    np.abs(neg, out=neg)
    return np.negative(neg, out=neg)


@dataclass(frozen=True)
class _Candidates:
    """Candidate stub pairs of a structured move and their (negated) scores.

    ``neg[i]`` is minus the growth score of candidate ``i`` (``inf``: not a
    candidate); its stubs are ``(i // n_b, i % n_b)`` on the full grid, or
    ``(a[i], b[i])`` for a sampled grid.
    """

    neg: np.ndarray
    n_b: int = 1
    a: np.ndarray | None = None
    b: np.ndarray | None = None

    def stubs(self, idx):
        """Left and right stub indices of the candidates ``idx``."""
        if self.a is None:
            return np.divmod(idx, self.n_b)
        return self.a[idx], self.b[idx]

    def alive(self, idx, cap_left, cap_right):
        """Whether both stubs of each candidate ``idx`` still have capacity."""
        if self.a is None:  # one boolean grid: no division per candidate
            return np.logical_and.outer(cap_left > 0, cap_right > 0).ravel()[idx]
        return (cap_left[self.a[idx]] > 0) & (cap_right[self.b[idx]] > 0)


def _candidates(u_left, u_right, kept, dropped, shape, scores, rng):
    """Candidate stub pairs and scores (a :class:`_Candidates`); edges excluded.

    Re-growing a removed edge scores -1 (a last resort). Above
    ``MAX_CANDIDATES`` grid cells a random sample of the grid is scored.
    """
    n_a, n_b = u_left.size, u_right.size
    index_a = np.full(shape[0], -1, dtype=np.int64)
    index_b = np.full(shape[1], -1, dtype=np.int64)
    index_a[u_left], index_b[u_right] = np.arange(n_a), np.arange(n_b)
    if n_a * n_b <= MAX_CANDIDATES:
        grid = _grid_scores(u_left, u_right, scores, rng)
        a, b = index_a[kept[0]], index_b[kept[1]]
        inside = (a >= 0) & (b >= 0)
        grid[a[inside], b[inside]] = -np.inf
        grid[index_a[dropped[0]], index_b[dropped[1]]] = -1.0
        neg = grid.ravel()
        np.negative(neg, out=neg)
        return _Candidates(neg, n_b)
    cells = np.unique(rng.integers(0, n_a * n_b, size=MAX_CANDIDATES))
    a, b = cells // n_b, cells % n_b
    key = u_left[a] * shape[1] + u_right[b]
    kept_key = kept[0] * shape[1] + kept[1]
    free = ~_is_in_sorted(key, kept_key)
    a, b, key = a[free], b[free], key[free]
    score = _grow_scores(scores, u_left[a], u_right[b], rng)
    score[_is_in_sorted(key, np.sort(dropped[0] * shape[1] + dropped[1]))] = -1.0
    return _Candidates(-score, a=a, b=b)


def _grow_scores(scores, left, right, rng):
    if scores is None:
        return rng.random(left.size)
    score = np.asarray(scores)[left, right].astype(np.float64)
    return np.abs(score, out=score)


def _best_first(cand, cap_left, cap_right):
    """Match greedily on the best ``4 k`` candidates, then on the next best.

    Each further round takes four times as many of the remaining candidates,
    until at most a few stubs are stranded (left to the swap repair). From the
    second round on, only candidates whose two stubs both still have capacity
    are sorted and matched (the others would be rejected anyway). Candidates
    of equal score are visited in candidate order. Consumes ``cand.neg``.
    """
    neg = cand.neg  # ascending ``neg`` is descending score; used up: +inf
    n_left = int(np.count_nonzero(neg < np.inf))
    n_best = 4 * int(cap_left.sum()) + 64
    chosen = []
    while cap_left.sum() > (_FEW_STRANDED if chosen else 0):
        if n_left == 0:
            break
        n_take = min(n_best, n_left)
        if n_take == n_left:  # every candidate left: no selection needed
            top = np.flatnonzero(neg < np.inf)
        else:
            top = smallest_first(neg, n_take)
        live = top
        if chosen:
            live = top[cand.alive(top, cap_left, cap_right)]
        chosen.append(_match_in_order(live, cand, cap_left, cap_right))
        neg[top] = np.inf
        n_left -= n_take
        n_best *= 4
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


def _match_in_order(idx, cand, cap_left, cap_right):
    """Greedy match of the candidates ``idx`` by ascending ``cand.neg`` (stable).

    The candidates are split by value into chunks of growing size (equal values
    fall in one chunk, which is sorted stably, so the visiting order is that of
    one stable sort); before each chunk, candidates with a stub out of capacity
    are dropped, so they are never sorted.
    """
    vals = cand.neg[idx]
    a, b = cand.stubs(idx)
    n = idx.size
    ranks = [r for r in (n // 16, n // 8, n // 4, n // 2) if r > _CHUNK]
    if ranks:
        cuts = np.partition(vals, ranks)[ranks]
        chunk = np.searchsorted(cuts, vals, side="left")
        parts = [np.flatnonzero(chunk == j) for j in range(len(ranks) + 1)]
    else:
        parts = [np.arange(n)]
    out = []
    for j, part in enumerate(parts):
        if not cap_left.sum():
            break
        if j:
            part = part[(cap_left[a[part]] > 0) & (cap_right[b[part]] > 0)]
        part = part[np.argsort(vals[part], kind="stable")]
        out.append(idx[part[greedy_match(a[part], b[part], cap_left, cap_right)]])
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def _pair_stubs(left, right, kept, dropped, shape, scores, rng):
    """Pair the stub multisets ``left`` and ``right`` into new edges (None: failed)."""
    u_left, cap_left = np.unique(left, return_counts=True)
    u_right, cap_right = np.unique(right, return_counts=True)
    cand = _candidates(u_left, u_right, kept, dropped, shape, scores, rng)
    cap_left, cap_right = cap_left.astype(np.int64), cap_right.astype(np.int64)
    a, b = cand.stubs(_best_first(cand, cap_left, cap_right))
    new_l, new_r = u_left[a], u_right[b]
    if cap_left.sum():
        rest_l = np.repeat(u_left, cap_left)
        rest_r = rng.permutation(np.repeat(u_right, cap_right))
        kept_key = kept[0] * shape[1] + kept[1]
        fixed = _repair(new_l, new_r, rest_l, rest_r, kept_key, shape[1], rng)
        if fixed is None:
            return None
        new_l, new_r = fixed
    return new_l, new_r


class _Taken:
    """Set of edge keys: a sorted array plus the keys added and removed since."""

    def __init__(self, keys):
        self.base = np.sort(keys)
        self.added, self.removed = set(), set()

    def __contains__(self, key):
        if key in self.added:
            return True
        if key in self.removed:
            return False
        i = int(np.searchsorted(self.base, key))
        return i < self.base.size and int(self.base[i]) == key

    def add(self, key):
        if key in self.removed:
            self.removed.discard(key)
        else:
            self.added.add(key)

    def discard(self, key):
        if key in self.added:
            self.added.discard(key)
        else:
            self.removed.add(key)


def _repair(new_l, new_r, rest_l, rest_r, kept_key, n_out, rng):
    """Place the stranded stub pairs by degree-preserving swaps with new edges."""
    n_new = new_l.size
    edges_l = np.concatenate([new_l, np.empty(rest_l.size, dtype=np.int64)])
    edges_r = np.concatenate([new_r, np.empty(rest_r.size, dtype=np.int64)])
    taken = _Taken(np.concatenate([kept_key, new_l * n_out + new_r]))
    for lo, ro in zip(rest_l.tolist(), rest_r.tolist(), strict=True):
        if lo * n_out + ro not in taken:
            edges_l[n_new], edges_r[n_new] = lo, ro
            taken.add(lo * n_out + ro)
        elif not _swap_in(lo, ro, edges_l, edges_r, n_new, taken, n_out, rng):
            return None
        n_new += 1
    return edges_l, edges_r


def _swap_in(lo, ro, edges_l, edges_r, n_new, taken, n_out, rng):
    """Replace a new edge (l2, r2) by (lo, r2) and (l2, ro); False if none fits.

    The new edges are ``edges_l[:n_new], edges_r[:n_new]``; the second grown
    edge is written at position ``n_new``.
    """
    if not n_new:
        return False
    for i in rng.integers(0, n_new, size=_REPAIR_TRIES).tolist():
        l2, r2 = int(edges_l[i]), int(edges_r[i])
        a, b = lo * n_out + r2, l2 * n_out + ro
        if a in taken or b in taken:
            continue
        taken.discard(l2 * n_out + r2)
        taken.add(a)
        taken.add(b)
        edges_l[i] = lo
        edges_l[n_new], edges_r[n_new] = l2, ro
        return True
    return False


def _move_structured(rows, cols, values, shape, k, scores, order, rng):
    n_out = shape[1]
    old_key = rows * n_out + cols
    drop = smallest_magnitude(values, k, rng)
    keep = np.ones(rows.size, dtype=bool)
    keep[drop] = False
    kept, dropped = (rows[keep], cols[keep]), (rows[drop], cols[drop])
    paired = _pair_stubs(rows[drop], cols[drop], kept, dropped, shape, scores, rng)
    if paired is None:  # no pairing found: leave the junction as it was
        return finish(rows, cols, old_key, n_out)
    new_rows = np.concatenate([rows[keep], paired[0]])
    new_cols = np.concatenate([cols[keep], paired[1]])
    return finish(new_rows, new_cols, old_key, n_out)


def _move_clash_free(rows, cols, values, shape, k, scores, order, rng):
    from ._rewire_clash_free import move_clash_free

    return move_clash_free(rows, cols, values, shape, k, scores, order, rng)


#: Connectivity -> rewiring move. Circulant patterns cannot rewire (their
#: offsets define them).
REWIRE_MOVES = {
    "random": _move_random,
    "structured": _move_structured,
    "clash_free": _move_clash_free,
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
