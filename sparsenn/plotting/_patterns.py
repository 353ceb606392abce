"""Biadjacency pictures of a junction and of a clash-free clock order."""

import numbers

import numpy as np
import scipy.sparse as sp

from ._mpl import axes_or_new

__all__ = ["plot_clock_order", "plot_connection_pattern"]


def _pattern_of(source, layer):
    """CSR pattern (n_in, n_out) of a matrix, a ``ClashFreeOrder`` or an estimator."""
    coefs = getattr(source, "coefs_", None)
    if coefs is not None:
        if not isinstance(layer, numbers.Integral) or isinstance(layer, bool):
            raise TypeError(f"layer must be an int, got {layer!r}.")
        if not -len(coefs) <= layer < len(coefs):
            raise ValueError(
                f"layer={layer!r} is out of range; the estimator has "
                f"{len(coefs)} junctions (0..{len(coefs) - 1})."
            )
        source = coefs[layer]
    if hasattr(source, "left") and hasattr(source, "right"):
        data = np.ones(source.left.size, dtype=np.int8)
        shape = (source.n_in, source.n_out)
        return sp.csr_matrix((data, (source.left, source.right)), shape=shape)
    if sp.issparse(source) or isinstance(source, np.ndarray):
        return sp.csr_matrix(source)
    raise TypeError(
        "source must be a sparse or dense matrix, a ClashFreeOrder or a fitted "
        f"estimator with coefs_, got {type(source).__name__}."
    )


def plot_connection_pattern(source, *, layer=0, ax=None, cmap="Greys"):
    """Draw the biadjacency matrix of a junction: inputs as rows, outputs as columns.

    Parameters
    ----------
    source : sparse matrix, ndarray, ClashFreeOrder or fitted estimator
        A pattern of shape (n_in, n_out) (nonzero = edge), a clash-free order,
        or an estimator with ``coefs_`` (then ``layer`` selects the junction).
    layer : int, default=0
        Junction of an estimator.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when None.
    cmap : str, default="Greys"
        Colour map of the image (edges drawn as 1, absent edges as 0).

    Returns
    -------
    ax : matplotlib Axes
        Holds one image of shape (n_in, n_out).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sparsenn.connectivity import structured
    >>> from sparsenn.plotting import plot_connection_pattern
    >>> ax = plot_connection_pattern(structured(16, 8, 2, random_state=0))
    >>> ax.images[0].get_array().shape
    (16, 8)
    """
    pattern = _pattern_of(source, layer)
    ax = axes_or_new(ax)
    dense = (pattern.toarray() != 0).astype(np.int8)
    ax.imshow(dense, cmap=cmap, aspect="auto", interpolation="nearest", vmin=0, vmax=1)
    density = pattern.nnz / max(1, dense.size)
    ax.set_xlabel("output neuron")
    ax.set_ylabel("input neuron")
    ax.set_title(f"{pattern.nnz} edges, density {density:.3g}")
    return ax


def plot_clock_order(order, *, ax=None, cmap="viridis"):
    """Draw a clash-free junction's edges coloured by the clock that processes them.

    Edge ``w`` of a :class:`~sparsenn.connectivity.ClashFreeOrder` is read in
    clock ``w // z``; every clock reads each of the ``z`` banks once.

    Parameters
    ----------
    order : ClashFreeOrder
        The weight order (``clash_free(..., return_order=True)`` or an
        estimator's ``connection_orders_``).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when None.
    cmap : str, default="viridis"
        Colour map of the clock index.

    Returns
    -------
    ax : matplotlib Axes
        Holds one image of shape (n_in, n_out): the clock of each edge, masked
        where there is no edge, and a colour bar.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sparsenn.connectivity import clash_free
    >>> from sparsenn.plotting import plot_clock_order
    >>> _, order = clash_free(8, 4, 2, z=4, random_state=0, return_order=True)
    >>> int(plot_clock_order(order).images[0].get_array().max())
    3
    """
    if not hasattr(order, "n_clocks"):
        raise TypeError(f"order must be a ClashFreeOrder, got {type(order).__name__}.")
    ax = axes_or_new(ax)
    clocks = np.full((order.n_in, order.n_out), np.nan)
    clocks[order.left, order.right] = np.arange(order.left.size) // order.z
    image = ax.imshow(
        np.ma.masked_invalid(clocks), cmap=cmap, aspect="auto", interpolation="nearest"
    )
    ax.figure.colorbar(image, ax=ax, label="clock")
    ax.set_xlabel("output neuron")
    ax.set_ylabel("input neuron")
    ax.set_title(f"z={order.z} banks, {order.n_clocks} clocks")
    return ax
