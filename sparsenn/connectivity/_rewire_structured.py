"""The degree-preserving rewiring move (``connectivity="structured"``).

The ``k`` removed edges leave a multiset of left and right endpoints (stubs);
the new edges pair exactly these stubs at positions that are not edges, best
candidates first (RigL: largest ``|scores|``; SET: random), so every neuron
keeps its in- and out-degree. Stub pairs left stranded are placed by
degree-preserving double-edge swaps.
"""

from dataclasses import dataclass

import numpy as np

from ._matching import greedy_match
from ._rewire_base import (
    _is_in_sorted,
    finish,
    magnitudes,
    smallest_first,
    smallest_magnitude,
)

__all__ = ["MAX_CANDIDATES", "move_structured"]

#: Largest candidate grid (left stubs x right stubs) a structured move scores;
#: above it a random sample of this many candidates is scored.
MAX_CANDIDATES = 4_000_000
_REPAIR_TRIES = 64
_FEW_STRANDED = 64  # stranded stubs left to the swap repair
_CHUNK = 4096  # candidates below which one round is sorted at once


def _grid_scores(u_left, u_right, scores, rng):
    """Growth score of every (left stub, right stub) pair, shape (n_a, n_b)."""
    if scores is None:
        return rng.random((u_left.size, u_right.size))
    return magnitudes(np.asarray(scores)[np.ix_(u_left, u_right)])


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
    return magnitudes(np.asarray(scores)[left, right])


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


def move_structured(rows, cols, values, shape, k, scores, order, rng):
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
