"""How a junction's edges sit in the hardware: weight order, parallelism, clashes.

Weight order (spec section 1.4): slot ``w`` is stored in weight bank ``w mod z`` at
address ``w div z`` and clock ``c`` reads slots ``c*z .. c*z + z - 1``. The record
is :class:`sparsenn.connectivity.EdgeOrder`, made once by the pattern generator
and carried by the sparse weights; :class:`JunctionLayout` is a thin view of it.
Clash-free junctions carry their order (``weights_[i].order``, possibly padded
with zero-valued slots); any other junction is put in *right-neuron order*:
edges sorted by right neuron, then by left neuron.
"""

from dataclasses import dataclass

import numpy as np

from ..connectivity import EdgeOrder
from ..connectivity import default_parallelism as _default_parallelism

__all__ = ["JunctionLayout", "default_parallelism"]


@dataclass(frozen=True, eq=False)
class JunctionLayout:
    """Stored edges of one junction in weight order, with the parallelism ``z``.

    A view of the connectivity's :class:`~sparsenn.connectivity.EdgeOrder`
    (``order``): ``left``, ``right`` are the stored (trained) edges in weight
    order; padding slots of a padded clash-free junction (virtual inputs or
    outputs, zero-valued weights) are in ``order`` only, and the memory images
    hold zeros there (:meth:`slot_values`).

    Parameters
    ----------
    n_in, n_out : int
        Left and right layer sizes.
    left, right : ndarray of int64, shape (n_edges,)
        Left and right neuron of each stored edge, in weight order.
    z : int
        Edges per clock; divides ``n_in`` (or the padded ``n_in``; left
        activations sit in bank ``l mod z``, row ``l div z``).
    kind : str
        ``"clash_free"`` when the order came from the pattern generator, else
        ``"right_order"``.
    seeds, dither : ndarray of shape (out_degree, z) or None
        Address-generator seed vectors and bank permutations (clash-free only).
    order : EdgeOrder, optional
        The record this layout views (built from the other arguments if None).

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
    order: EdgeOrder = None

    def __post_init__(self):
        if self.left.shape != self.right.shape or self.left.ndim != 1:
            raise ValueError("left and right must be 1-D arrays of the same length.")
        if self.order is None:
            if self.n_in % self.z:
                raise ValueError(
                    f"parallelism z={self.z} must divide the junction's "
                    f"n_in={self.n_in}."
                )
            order = EdgeOrder(
                self.left, self.right, self.z, None, self.seeds, self.dither,
                self.n_in, self.n_out,
            )  # fmt: skip
            object.__setattr__(self, "order", order)
        elif not (
            np.array_equal(self.left, self.order.stored_left)
            and np.array_equal(self.right, self.order.stored_right)
        ):
            raise ValueError("left and right must be the order's stored edges.")
        key = self.left * self.n_out + self.right
        if np.unique(key).size != key.size:
            raise ValueError("the junction's edge list has duplicate edges.")

    @classmethod
    def from_order(cls, order):
        """View an :class:`~sparsenn.connectivity.EdgeOrder` (no copies)."""
        return cls(
            order.n_in,
            order.n_out,
            order.stored_left,
            order.stored_right,
            int(order.z),
            "clash_free" if order.is_clash_free_order else "right_order",
            order.seeds,
            order.dither,
            order,
        )

    @property
    def n_edges(self):
        """Stored edges (trained weights)."""
        return int(self.left.size)

    @property
    def n_clocks(self):
        """Clocks per junction cycle, ``ceil(n_slots / z)`` (padding included)."""
        return self.order.n_clocks

    @property
    def depth(self):
        """Rows of each left-activation bank, ``n_in_padded / z``."""
        return self.order.depth

    @property
    def padded_sizes(self):
        """``(n_in_padded, n_out_padded)``: the sizes the hardware sees."""
        return self.order.padded_sizes

    @property
    def padding(self):
        """Virtual inputs/outputs and zero-valued slots (dict), see ``EdgeOrder``."""
        return self.order.padding

    @property
    def slot_left(self):
        """Left neuron of every slot in weight order, shape (n_slots,)."""
        return self.order.left

    def slot_values(self, values, fill=0):
        """Values of every slot: ``values`` (weight order) and ``fill`` at padding."""
        return self.order.slot_values(values, fill)

    def padded_bias(self, bias):
        """Biases of the padded output layer (zeros for the virtual outputs)."""
        bias = np.asarray(bias)
        out = np.zeros(self.padded_sizes[1], dtype=bias.dtype)
        out[: bias.size] = bias
        return out

    def in_degrees(self):
        """Count the stored edges of every right neuron, shape (n_out,)."""
        return np.bincount(self.right, minlength=self.n_out)

    def out_degrees(self):
        """Count the stored edges of every left neuron, shape (n_in,)."""
        return np.bincount(self.left, minlength=self.n_in)

    def clash_clocks(self):
        """Count the clocks whose ``z`` slots do not touch ``z`` distinct banks."""
        return int(np.count_nonzero(~self.order.clash_free_clocks()))

    def neurons_per_clock(self):
        """Right neurons finished per clock, ``z / d_in`` (1 if that is undefined)."""
        if self.order.in_degree and self.order.stored is not None:
            d = self.order.in_degree  # padded clash-free: the slots are regular
            return self.z // d if self.z % d == 0 else 1
        deg = self.in_degrees()
        d = int(deg[0]) if deg.size else 0
        regular = d > 0 and np.all(deg == d) and self.z % d == 0
        ordered = np.all(np.diff(self.right) >= 0)
        return self.z // d if regular and ordered else 1


def default_parallelism(n_in, in_degrees):
    """Smallest divisor of ``n_in`` that is at least the largest in-degree.

    The one rule of :func:`sparsenn.connectivity.default_parallelism`: with this
    ``z`` one clock can hold every edge of one right neuron (the RTL needs
    ``z >= d_in``).

    Examples
    --------
    >>> from sparsenn.fixedpoint._layout import default_parallelism
    >>> default_parallelism(64, [3, 5, 4])
    8
    """
    return _default_parallelism(n_in, in_degrees=in_degrees)
