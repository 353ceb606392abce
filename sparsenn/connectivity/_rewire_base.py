"""What every rewiring move shares: its result, the selections, canonical order.

:class:`Rewired` is what a move returns; :func:`smallest_magnitude` picks the
edges to drop, :func:`smallest_first` the best candidates to grow (ties by
position, so a seed gives one pattern on every numpy), :func:`finish` sorts the
new edges and maps them to their old positions.
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Rewired", "finish", "magnitudes", "smallest_first", "smallest_magnitude"]

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


def magnitudes(scores):
    """``|scores|`` as a new float64 array, computed in place.

    One allocation instead of two or three: on the 784 x 1024 grid fresh
    temporaries cost 10x the arithmetic (first touch of their pages).
    """
    out = np.array(scores, dtype=np.float64)
    return np.abs(out, out=out)
