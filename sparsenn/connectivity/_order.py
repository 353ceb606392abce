"""The one edge-order record: how a junction's edges sit in the hardware.

Made once by :mod:`sparsenn.connectivity` (clash-free generator, or the
right-neuron order of any other pattern), carried by
:class:`sparsenn.layers.SparseWeights` as ``order``, and read directly by
:func:`sparsenn.fixedpoint.to_fixed_point` and the exporters.
"""

from dataclasses import dataclass

import numpy as np

from ._utils import check_int

__all__ = ["ClashFreeOrder", "EdgeOrder", "right_neuron_order"]


@dataclass(frozen=True, eq=False)
class EdgeOrder:
    """Slots of a junction in weight (processing) order, and which hold weights.

    Slot ``w`` is read in clock ``c = w // z``; its input neuron sits in memory
    bank ``left % z`` at row ``left // z``. A clash-free junction may be
    *padded*: virtual inputs ``n_in .. n_in_padded - 1`` (zero activations),
    virtual outputs ``n_out .. n_out_padded - 1`` (never read), and slots whose
    weight is held at zero; such slots are not ``stored`` (never trained, not
    in ``coefs_``) but keep every clock reading ``z`` different banks.

    Attributes
    ----------
    left, right : ndarray of int64, shape (n_slots,)
        Input and output neuron of every slot, in weight order.
    z : int
        Degree of parallelism (slots per clock, number of banks).
    kind : int or None
        Clash-free type 1, 2 or 3; None for the right-neuron order of a
        pattern that was not generated clash-free.
    seeds : ndarray of int64, shape (out_degree, z) or None
        Bank row read by lane ``j`` in the first clock of sweep ``s``.
    dither : ndarray of int64, shape (out_degree, z) or None
        Bank read by lane ``j`` in sweep ``s``.
    n_in, n_out : int
        Real junction size (the trained network's).
    out_degree, in_degree : int or None
        Degrees of the (padded) clash-free junction; None for right order.
    n_in_padded, n_out_padded : int or None
        Sizes including virtual neurons (None: no padding).
    stored : ndarray of bool, shape (n_slots,) or None
        Which slots hold a trained weight (None: all).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from sparsenn.connectivity import right_neuron_order
    >>> order = right_neuron_order(sp.csr_matrix([[1, 1], [0, 1]]), z=2)
    >>> order.left.tolist(), order.right.tolist(), order.n_clocks
    ([0, 0, 1], [0, 1, 1], 2)
    """

    left: np.ndarray
    right: np.ndarray
    z: int
    kind: int | None
    seeds: np.ndarray | None
    dither: np.ndarray | None
    n_in: int
    n_out: int
    out_degree: int | None = None
    in_degree: int | None = None
    n_in_padded: int | None = None
    n_out_padded: int | None = None
    stored: np.ndarray | None = None

    def __post_init__(self):
        left, right = np.asarray(self.left), np.asarray(self.right)
        if left.ndim != 1 or left.shape != right.shape:
            raise ValueError("left and right must be 1-D arrays of the same length.")
        if self.stored is not None and np.shape(self.stored) != left.shape:
            raise ValueError(
                f"stored must have shape {left.shape} (one flag per slot); got "
                f"{np.shape(self.stored)}."
            )

    @property
    def is_clash_free_order(self):
        """True if the order came from the clash-free generator."""
        return self.kind is not None

    @property
    def n_slots(self):
        """Slots in weight order (stored weights plus zero-valued padding)."""
        return int(self.left.size)

    @property
    def n_edges(self):
        """Stored (trained) weights."""
        return self.n_slots if self.stored is None else int(self.stored.sum())

    @property
    def padded_sizes(self):
        """``(n_in_padded, n_out_padded)``, the sizes the hardware sees."""
        return (self.n_in_padded or self.n_in, self.n_out_padded or self.n_out)

    @property
    def padding(self):
        """Virtual inputs, virtual outputs and zero-valued slots, as a dict."""
        n_in_p, n_out_p = self.padded_sizes
        return {
            "inputs": n_in_p - self.n_in,
            "outputs": n_out_p - self.n_out,
            "zero_slots": self.n_slots - self.n_edges,
        }

    @property
    def depth(self):
        """Rows per activation bank, ``D = n_in_padded / z``."""
        return self.padded_sizes[0] // self.z

    @property
    def n_clocks(self):
        """Clocks per junction cycle, ``C = ceil(n_slots / z)``."""
        return -(-self.n_slots // self.z)

    def _per_clock(self, values, fill):
        pad = self.n_clocks * self.z - self.n_slots
        return np.concatenate([values, np.full(pad, fill)]).reshape(-1, self.z)

    @property
    def banks(self):
        """Bank read by each lane in each clock, shape (n_clocks, z); -1 = idle."""
        return self._per_clock(self.left % self.z, -1)

    @property
    def rows(self):
        """Bank row read by each lane in each clock, shape (n_clocks, z)."""
        return self._per_clock(self.left // self.z, -1)

    @property
    def rtl_compatible(self):
        """True if every clock holds whole output neurons (in_degree divides z)."""
        return bool(self.in_degree) and self.z % self.in_degree == 0

    @property
    def stored_left(self):
        """Input of every stored weight, in weight order."""
        return self.left if self.stored is None else self.left[self.stored]

    @property
    def stored_right(self):
        """Output of every stored weight, in weight order."""
        return self.right if self.stored is None else self.right[self.stored]

    @property
    def stored_slots(self):
        """Slot of every stored weight, ascending, shape (n_edges,)."""
        if self.stored is None:
            return np.arange(self.n_slots, dtype=np.int64)
        return np.flatnonzero(self.stored)

    def canonical_index(self):
        """Position in the canonical (row-major CSR) order of every stored weight.

        ``params[order.canonical_index()]`` lists a weight object's values in
        weight order.

        Returns
        -------
        ndarray of int64, shape (n_edges,)
        """
        key = self.stored_left * self.n_out + self.stored_right
        rank = np.empty(key.size, dtype=np.int64)
        rank[np.argsort(key)] = np.arange(key.size)  # distinct keys: any sort
        return rank

    def slot_values(self, values, fill=0):
        """Values of every slot: ``values`` (weight order) at the stored slots.

        Parameters
        ----------
        values : ndarray of shape (n_edges,)
            One value per stored weight, in weight order.
        fill : scalar
            Value of the zero-valued padding slots.

        Returns
        -------
        ndarray of shape (n_slots,)
        """
        values = np.asarray(values)
        if self.stored is None:
            return values
        out = np.full(self.n_slots, fill, dtype=values.dtype)
        out[self.stored] = values
        return out

    def clash_free_clocks(self):
        """Per clock, whether the lanes read pairwise different banks.

        Returns
        -------
        ndarray of bool, shape (n_clocks,)
        """
        banks = np.sort(self.banks, axis=1)
        if self.n_slots % self.z == 0:
            return np.all(banks == np.arange(self.z), axis=1)
        idle = banks[:, 1:] < 0
        return ~np.any((banks[:, 1:] == banks[:, :-1]) & ~idle, axis=1) & (
            banks[:, 0] >= 0
        )

    def is_clash_free(self):
        """Tell whether every clock reads each bank exactly once."""
        return bool(np.all(self.clash_free_clocks()))


#: Former name of :class:`EdgeOrder` (the record of clash-free junctions).
ClashFreeOrder = EdgeOrder


def right_neuron_order(pattern, z=1):
    """Edge order of any pattern: by output neuron, then by input neuron.

    Parameters
    ----------
    pattern : scipy.sparse matrix of shape (n_in, n_out)
        Its stored entries are the edges.
    z : int, default=1
        Edges per clock; must divide ``n_in``.

    Returns
    -------
    EdgeOrder
        With ``kind=None`` and no padding.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from sparsenn.connectivity import right_neuron_order
    >>> right_neuron_order(sp.csr_matrix([[0, 1], [1, 1]])).left.tolist()
    [1, 0, 1]
    """
    import scipy.sparse as sp

    if not (sp.issparse(pattern) or isinstance(pattern, np.ndarray)):
        raise TypeError(
            "pattern must be a scipy.sparse matrix or array of shape (n_in, n_out); "
            f"got {type(pattern).__name__}."
        )
    if pattern.ndim != 2:
        raise ValueError(f"pattern must be 2-D; got shape {pattern.shape}.")
    n_in, n_out = pattern.shape
    z = check_int(z, "z", low=1)
    if n_in % z:
        raise ValueError(
            f"z={z} must divide n_in={n_in} of the junction "
            f"{n_in}->{n_out} (left neurons sit in z banks of equal depth)."
        )
    csc = sp.csc_matrix(pattern)
    csc.sum_duplicates()
    right = np.repeat(np.arange(n_out, dtype=np.int64), np.diff(csc.indptr))
    left = csc.indices.astype(np.int64)
    for arr in (left, right):
        arr.setflags(write=False)
    return EdgeOrder(left, right, z, None, None, None, n_in, n_out)
