"""The clash-free rewiring move: exchange inputs between free slots of one bank.

A clash-free junction is a list of slots in weight order (:class:`EdgeOrder`):
slot ``w`` is read in clock ``w // z`` from bank ``left[w] % z`` and belongs to
output ``right[w]``; sweep ``s`` (slots ``s * n_in_padded`` onwards) visits every
(padded) input exactly once. The move

1. frees the ``k`` stored slots of smallest weight magnitude;
2. within each (sweep, bank) group, permutes the inputs among the free slots
   that read a real input (at random for SET; a greedy assignment of the
   largest ``|scores|`` for RigL), so each slot still reads the same bank in
   the same clock and each sweep still visits every input once;
3. for every output, stores again as many of its free slots as it lost (those
   with the best scores; real inputs only).

So every clock still reads each bank once (clash-free for the same ``z``),
every slot keeps its output (the padded junction's in-degrees, and every real
output's count of stored weights, are unchanged), every sweep visits every input
once (the padded junction's out-degrees are unchanged), and no output reads an
input twice (an output's slots lie in one sweep). The bank-row sequences become
arbitrary permutations: the order is then clash-free type 1 (an address table
instead of seed + increment), with the same memory dither.
"""

import dataclasses

import numpy as np

from ._matching import greedy_match
from ._rewire_base import _is_in_sorted, finish, magnitudes, smallest_magnitude

__all__ = ["move_clash_free"]

#: Largest number of (receiver, giver) pairs scored in the RigL assignment;
#: above it the inputs are permuted at random and only the growth is scored.
MAX_PAIRS = 4_000_000


def _groups(order, left):
    n_in_p = order.padded_sizes[0]
    sweep = np.arange(left.size, dtype=np.int64) // n_in_p
    return sweep * order.z + left % order.z


def _stable_argsort(keys):
    """Stable argsort of non-negative integer keys (a radix sort below 2**16)."""
    if keys.size and keys.max() < 1 << 16:
        keys = keys.astype(np.uint16)
    return np.argsort(keys, kind="stable")


def _runs(g):
    """Start and length of each run of equal values in the grouped keys ``g``."""
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    return starts, np.diff(np.r_[starts, g.size])


def _random_assignment(group, slots, rng):
    """Receivers and givers: one random cycle through each group's slots.

    Each group's slots are shuffled and every slot takes the input of the next
    one in that order (the last takes the first's), so in a group of two or
    more slots every free slot reads a new input; a uniform shuffle would leave
    one slot per group in place on average, a move that moves nothing.
    """
    receivers = slots[np.lexsort((rng.random(slots.size), group[slots]))]
    if not receivers.size:
        return receivers, receivers
    starts, sizes = _runs(group[receivers])
    nxt = np.arange(1, receivers.size + 1)
    nxt[starts + sizes - 1] = starts
    return receivers, receivers[nxt]


def _scored_assignment(group, slots, left, right, scores, n_out, dropped):
    """Greedy best-score assignment of inputs to free slots inside each group.

    Giving an output back an input it just lost (``dropped``) scores -1: a
    last resort, as in the structured move.
    """
    slots = slots[_stable_argsort(group[slots])]
    starts, sizes = _runs(group[slots])
    if int((sizes.astype(np.int64) ** 2).sum()) > MAX_PAIRS:
        return None
    blocks = sizes.astype(np.int64) ** 2
    owner = np.repeat(np.arange(sizes.size), blocks)
    local = np.arange(owner.size) - (np.cumsum(blocks) - blocks)[owner]
    width = sizes[owner]
    recv, give = starts[owner] + local // width, starts[owner] + local % width
    r = right[slots[recv]]
    real = r < n_out
    score = np.full(recv.size, -1.0)
    score[real] = np.abs(scores[left[slots[give[real]]], r[real]])
    again = dropped[slots[give]] & (right[slots[give]] == r)
    score[again] = -1.0
    best = np.argsort(-score, kind="stable")
    cap_r = np.ones(slots.size, dtype=np.int64)
    cap_g = np.ones(slots.size, dtype=np.int64)
    chosen = best[greedy_match(recv[best], give[best], cap_r, cap_g)]
    return slots[recv[chosen]], slots[give[chosen]]


def _grow(free, new_left, right, lost, dropped_key, scores, n_in, n_out, rng):
    """Per output, the ``lost[r]`` best free slots with a real input."""
    cand = np.flatnonzero(free & (new_left < n_in) & (right < n_out))
    lo, r = new_left[cand], right[cand]
    if scores is None:
        score = rng.random(cand.size)
    else:
        score = magnitudes(scores[lo, r])
    again = _is_in_sorted(lo * n_out + r, np.sort(dropped_key))
    score[again] = -1.0  # not a move: last resort
    ordered = np.lexsort((-score, r))
    r_sorted = r[ordered]
    first = np.searchsorted(r_sorted, r_sorted, side="left")
    rank = np.arange(r_sorted.size) - first
    return cand[ordered[rank < lost[r_sorted]]]


def _new_order(order, new_left, stored):
    changed = not np.array_equal(new_left, order.left)
    d_out, z = order.seeds.shape if order.seeds is not None else (None, order.z)
    n_in_p = order.padded_sizes[0]
    seeds = order.seeds
    if changed and d_out is not None:
        seeds = (new_left.reshape(d_out, n_in_p // z, z)[:, 0, :] // z).copy()
    all_stored = bool(stored.all()) and order.stored is None
    new = dataclasses.replace(
        order,
        left=new_left,
        kind=1 if changed else order.kind,
        seeds=seeds,
        stored=None if all_stored else stored,
    )
    for arr in (new.left, new.seeds, new.stored):
        if arr is not None:
            arr.setflags(write=False)
    return new


def _check_order(order, shape):
    n_in_p = order.padded_sizes[0]
    if (order.n_in, order.n_out) != tuple(shape) or not order.is_clash_free_order:
        raise ValueError("order must be the clash-free order of this junction.")
    if not order.in_degree or n_in_p % order.in_degree:
        raise ValueError(
            "this clash-free order cannot be rewired: its outputs straddle two "
            f"sweeps (in_degree={order.in_degree} does not divide {n_in_p} inputs)."
        )


def move_clash_free(rows, cols, values, shape, k, scores, order, rng):
    """Rewire a clash-free junction in place of its slots (see the module doc).

    Parameters
    ----------
    rows, cols, values : ndarray of shape (n_edges,)
        Stored edges in canonical order and their weights.
    shape : tuple of int
        ``(n_in, n_out)``.
    k : int
        Stored slots to free and grow again.
    scores : ndarray of shape (n_in, n_out) or None
        Growth scores (None: random).
    order : EdgeOrder
        The junction's clash-free order.
    rng : numpy.random.Generator

    Returns
    -------
    Rewired
    """
    _check_order(order, shape)
    n_in, n_out = shape
    old_key = rows * n_out + cols
    left, right = np.asarray(order.left), np.asarray(order.right)
    stored_slots = order.stored_slots
    slot_of_canon = np.empty(stored_slots.size, dtype=np.int64)
    slot_of_canon[order.canonical_index()] = stored_slots
    dropped = slot_of_canon[smallest_magnitude(values, k, rng)]
    stored = np.zeros(left.size, dtype=bool)
    stored[stored_slots] = True
    stored[dropped] = False
    movable = np.flatnonzero(~stored & (left < n_in))
    group = _groups(order, left)
    pairs = None
    if scores is not None:
        was_dropped = np.zeros(left.size, dtype=bool)
        was_dropped[dropped] = True
        pairs = _scored_assignment(
            group, movable, left, right, scores, n_out, was_dropped
        )
    if pairs is None:
        pairs = _random_assignment(group, movable, rng)
    new_left = left.copy()
    new_left[pairs[0]] = left[pairs[1]]
    lost = np.bincount(right[dropped], minlength=order.padded_sizes[1])
    dropped_key = left[dropped] * n_out + right[dropped]
    grown = _grow(~stored, new_left, right, lost, dropped_key, scores, n_in, n_out, rng)
    stored[grown] = True
    new_order = _new_order(order, new_left, stored)
    return finish(new_left[stored], right[stored], old_key, n_out, new_order)
