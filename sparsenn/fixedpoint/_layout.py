"""How a junction's edges sit in the hardware: weight order, parallelism, clashes.

Weight order (spec section 1.4): edge ``w`` is stored in weight bank ``w mod z`` at
address ``w div z`` and clock ``c`` reads edges ``c*z .. c*z + z - 1``. Clash-free
junctions carry their order (``connection_orders_``); any other junction is put in
*right-neuron order*: edges sorted by right neuron, then by left neuron.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["JunctionLayout", "default_parallelism"]


@dataclass(frozen=True, eq=False)
class JunctionLayout:
    """Edges of one junction in weight order, with the parallelism ``z``.

    Parameters
    ----------
    n_in, n_out : int
        Left and right layer sizes.
    left, right : ndarray of int64, shape (n_edges,)
        Left and right neuron of each edge, in weight order.
    z : int
        Edges per clock; divides ``n_in`` (left activations sit in bank ``l mod z``,
        row ``l div z``).
    kind : str
        ``"clash_free"`` when the order came from the pattern generator, else
        ``"right_order"``.
    seeds, dither : ndarray of shape (out_degree, z) or None
        Address-generator seed vectors and bank permutations (clash-free only).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import JunctionLayout
    >>> lay = JunctionLayout(4, 2, np.array([0, 1, 2, 3]), np.array([0, 0, 1, 1]), 2)
    >>> lay.n_clocks, lay.depth, lay.clash_clocks(), lay.neurons_per_clock()
    (2, 2, 0, 1)
    """

    n_in: int
    n_out: int
    left: np.ndarray
    right: np.ndarray
    z: int
    kind: str = "right_order"
    seeds: np.ndarray = None
    dither: np.ndarray = None

    def __post_init__(self):
        if self.left.shape != self.right.shape or self.left.ndim != 1:
            raise ValueError("left and right must be 1-D arrays of the same length.")
        if self.n_in % self.z:
            raise ValueError(
                f"parallelism z={self.z} must divide the junction's n_in={self.n_in}."
            )
        key = self.left * self.n_out + self.right
        if np.unique(key).size != key.size:
            raise ValueError("the junction's edge list has duplicate edges.")

    @property
    def n_edges(self):
        return int(self.left.size)

    @property
    def n_clocks(self):
        """Clocks per junction cycle, ``ceil(n_edges / z)``."""
        return -(-self.n_edges // self.z)

    @property
    def depth(self):
        """Rows of each left-activation bank, ``n_in / z``."""
        return self.n_in // self.z

    def in_degrees(self):
        return np.bincount(self.right, minlength=self.n_out)

    def out_degrees(self):
        return np.bincount(self.left, minlength=self.n_in)

    def clash_clocks(self):
        """Count the clocks whose ``z`` edges do not touch ``z`` distinct banks."""
        pad = self.n_clocks * self.z - self.n_edges
        banks = np.concatenate([self.left % self.z, np.full(pad, -1)])
        banks = np.sort(banks.reshape(self.n_clocks, self.z), axis=1)
        clash = np.any(banks[:, 1:] == banks[:, :-1], axis=1) | (banks[:, 0] < 0)
        return int(np.count_nonzero(clash))

    def neurons_per_clock(self):
        """Right neurons finished per clock, ``z / d_in`` (1 if that is undefined)."""
        deg = self.in_degrees()
        d = int(deg[0]) if deg.size else 0
        regular = d > 0 and np.all(deg == d) and self.z % d == 0
        ordered = np.all(np.diff(self.right) >= 0)
        return self.z // d if regular and ordered else 1


def default_parallelism(n_in, in_degrees):
    """Smallest divisor of ``n_in`` that is at least the largest in-degree.

    With this ``z`` one clock can hold every edge of one right neuron (the RTL needs
    ``z >= d_in``).

    Examples
    --------
    >>> from sparsenn.fixedpoint._layout import default_parallelism
    >>> default_parallelism(64, [3, 5, 4])
    8
    """
    need = max(int(np.max(in_degrees, initial=1)), 1)
    return (
        next(z for z in range(need, n_in + 1) if n_in % z == 0)
        if need <= n_in
        else n_in
    )
