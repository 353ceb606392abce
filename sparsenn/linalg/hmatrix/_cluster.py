"""Cluster trees over contiguous index ranges and the block tree of an H-matrix.

Both index sets (rows = inputs, columns = outputs) are bisected the same number
of times ``n_levels``, so at level ``l`` there are ``c = 2**l`` clusters on each
side and cluster ``i`` of one tree pairs naturally with cluster ``i`` of the
other.  Every cluster of a level has the same (padded) size, which is what lets
a product run as one batched matrix product per group of blocks.

The block tree is summarised as a list of :class:`BlockGroup`: all blocks of
one level that share the column offset ``j - i`` and whose row clusters form an
arithmetic progression.  A group is a strided slice of the row clusters, so a
product over a group is a single ``np.matmul`` on a 3-D stack.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["BlockGroup", "block_groups", "n_levels_for_leaf_size", "padded_size"]


class BlockGroup(NamedTuple):
    """Blocks ``(i, i + offset)`` of one level, ``i = start + step * t``.

    Attributes
    ----------
    level : int
        Tree level ``l`` (``2**l`` clusters per side).
    offset : int
        Column cluster minus row cluster, ``j - i``.
    start, step, count : int
        Row clusters ``start, start + step, ..., start + step * (count - 1)``.
    lowrank : bool
        True for admissible (low-rank) blocks, False for dense leaves.
    """

    level: int
    offset: int
    start: int
    step: int
    count: int
    lowrank: bool

    @property
    def rows(self):
        """Slice of the row clusters of this group."""
        stop = self.start + self.step * (self.count - 1) + 1
        return slice(self.start, stop, self.step)

    @property
    def cols(self):
        """Slice of the column clusters of this group."""
        start = self.start + self.offset
        return slice(start, start + self.step * (self.count - 1) + 1, self.step)


def _weak(i, j, eta):
    # HODLR: every off-diagonal pair is admissible.
    return i != j


def _standard(i, j, eta):
    # min(diam) <= eta * dist with clusters mapped to [0, 1): diam = 1/c and
    # dist = (|i - j| - 1)/c, so the 1/c cancels.
    return 1.0 <= eta * (abs(i - j) - 1)


ADMISSIBILITY = {"weak": _weak, "standard": _standard}


def n_levels_for_leaf_size(n_in, n_out, leaf_size):
    """Bisections until the smaller side's clusters have <= leaf_size indices.

    Capped so that every cluster keeps at least one index (``2**L <= min``).

    Examples
    --------
    >>> n_levels_for_leaf_size(784, 2048, 49)
    4
    >>> n_levels_for_leaf_size(10, 3, 64)
    0
    """
    small = min(n_in, n_out)
    if small <= leaf_size:
        return 0
    wanted = int(np.ceil(np.log2(small / leaf_size)))
    return min(wanted, int(np.floor(np.log2(small))))


def padded_size(n, n_levels):
    """Smallest multiple of ``2**n_levels`` that is >= ``n``.

    Examples
    --------
    >>> padded_size(784, 5), padded_size(2048, 5)
    (800, 2048)
    """
    c = 2**n_levels
    return c * -(-n // c)


def _enumerate_blocks(n_levels, admissible, eta):
    """Return ``{(level, offset, lowrank): sorted row clusters}`` of the block tree."""
    found = {}
    todo = [(0, 0, 0)]
    while todo:
        level, i, j = todo.pop()
        if level > 0 and admissible(i, j, eta):
            found.setdefault((level, j - i, True), []).append(i)
        elif level == n_levels:
            found.setdefault((level, j - i, False), []).append(i)
        else:
            todo.extend(
                (level + 1, 2 * i + a, 2 * j + b) for a in (0, 1) for b in (0, 1)
            )
    return {key: sorted(rows) for key, rows in found.items()}


def _progressions(rows):
    """Split sorted ints into arithmetic progressions ``(start, step, count)``."""
    if len(rows) == 1:
        return [(rows[0], 1, 1)]
    steps = np.diff(rows)
    if np.all(steps == steps[0]):
        return [(rows[0], int(steps[0]), len(rows))]
    by_parity = [[r for r in rows if r % 2 == p] for p in (0, 1)]
    if all(part and _progressions(part)[0][2] == len(part) for part in by_parity):
        return [_progressions(part)[0] for part in by_parity]
    return [(r, 1, 1) for r in rows]


def block_groups(n_levels, admissibility="weak", eta=1.0):
    """Group the blocks of the block tree for batched products.

    Parameters
    ----------
    n_levels : int
        Depth ``L`` of both cluster trees.
    admissibility : {"weak", "standard"}
        Weak gives HODLR (every off-diagonal block low rank); standard keeps
        blocks closer than ``1/eta`` cluster widths dense or subdivided.
    eta : float
        Parameter of standard admissibility.

    Returns
    -------
    groups : list of BlockGroup
        Low-rank groups ordered by level, then the dense leaf groups.

    Examples
    --------
    >>> [(g.level, g.offset, g.count) for g in block_groups(1)]
    [(1, -1, 1), (1, 1, 1), (1, 0, 2)]
    """
    admissible = ADMISSIBILITY[admissibility]
    found = _enumerate_blocks(n_levels, admissible, eta)
    groups = []
    for level, offset, lowrank in sorted(found, key=lambda k: (not k[2], k[0], k[1])):
        for start, step, count in _progressions(found[level, offset, lowrank]):
            groups.append(BlockGroup(level, offset, start, step, count, lowrank))
    return groups
