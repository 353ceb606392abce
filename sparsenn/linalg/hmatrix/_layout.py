"""Pure helpers of ``HMatrix``: argument checks and factor views into ``data``."""

import numbers

import numpy as np

from ..._validation import check_choice, check_int
from ._cluster import ADMISSIBILITY, n_levels_for_leaf_size


def _check_structure(n_in, n_out, leaf_size, n_levels, admissibility, eta):
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    check_choice(admissibility, "admissibility", tuple(ADMISSIBILITY))
    if not isinstance(eta, numbers.Real) or not eta > 0:
        raise ValueError(f"eta must be a positive number, got {eta!r}.")
    if n_levels is None:
        leaf_size = check_int(leaf_size, "leaf_size", low=1)
        n_levels = n_levels_for_leaf_size(n_in, n_out, leaf_size)
    n_levels = check_int(n_levels, "n_levels", low=0)
    small = min(n_in, n_out)
    if n_levels >= small.bit_length():  # 2**n_levels > small, without the power
        clusters = f"2**n_levels={2**n_levels}" if n_levels < 64 else "2**n_levels"
        raise ValueError(
            f"n_levels={n_levels} gives {clusters} clusters, more than "
            f"min(n_in, n_out)={small}; n_levels must be <= "
            f"{small.bit_length() - 1}."
        )
    return n_in, n_out, n_levels


def _level_ranks(rank, n_levels):
    """Return the requested rank per level 1..n_levels as a list of ints."""
    if isinstance(rank, (numbers.Integral, bool)):
        return [check_int(rank, "rank", low=1)] * n_levels
    if isinstance(rank, (str, bytes)) or not np.iterable(rank):
        raise TypeError(
            f"rank must be an int or a sequence of one int per level "
            f"(n_levels={n_levels}), got {rank!r} of type {type(rank).__name__}."
        )
    ranks = list(np.atleast_1d(np.asarray(rank, dtype=object)))
    if len(ranks) != n_levels:
        raise ValueError(
            f"rank must be an int or a sequence of one rank per level "
            f"(n_levels={n_levels}), got {rank!r}."
        )
    return [check_int(r, "rank", low=1) for r in ranks]


def _view(a, shape):
    """Reshape that must not copy (factor arrays are views of ``data``)."""
    return np.reshape(a, shape, copy=False)


def _grouped_views(data, groups, shapes):
    factors, pos = [], 0
    for group, (m_l, n_l, k) in zip(groups, shapes, strict=True):
        sizes = [(m_l, k), (k, n_l)] if group.lowrank else [(m_l, n_l)]
        views = []
        for rows, cols in sizes:
            size = group.count * rows * cols
            views.append(_view(data[pos : pos + size], (group.count, rows, cols)))
            pos += size
        factors.append(tuple(views))
    return None, factors


def _fused_views(data, groups, shapes, pad, ranks):
    """HODLR leaf-major storage ``UU, VVt, DD`` and the per-group views into it."""
    (m_pad, n_pad), K = pad, sum(ranks)
    c_leaf = 2 ** len(ranks)
    m_leaf, n_leaf = m_pad // c_leaf, n_pad // c_leaf
    a, b = m_pad * K, (m_pad + n_pad) * K
    UU = _view(data[:a], (c_leaf, m_leaf, K))
    VVt = _view(data[a:b], (c_leaf, n_leaf, K))
    DD = _view(data[b:], (c_leaf, m_leaf, n_leaf))
    offsets = np.concatenate([[0], np.cumsum(ranks)]).astype(int)
    factors = []
    for group, (m_l, n_l, k) in zip(groups, shapes, strict=True):
        if not group.lowrank:
            factors.append((DD[group.rows],))
            continue
        cols = slice(offsets[group.level - 1], offsets[group.level])
        c = 2**group.level
        U = _view(UU[:, :, cols], (c, m_l, k))[group.rows]
        V = _view(VVt[:, :, cols], (c, n_l, k))[group.cols].transpose(0, 2, 1)
        factors.append((U, V))
    return (UU, VVt, DD), factors
