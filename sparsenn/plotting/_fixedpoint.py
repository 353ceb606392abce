"""Saturation per junction of a fixed-point network."""

import numpy as np

from ._mpl import axes_or_new

__all__ = ["plot_saturation", "saturation_rates"]

_KINDS = ("weights", "biases", "products", "sums")


def saturation_rates(net):
    """Return the fraction of saturated values per junction, for each kind.

    Parameters
    ----------
    net : FixedPointNetwork
        From :func:`~sparsenn.fixedpoint.to_fixed_point`; ``products`` and
        ``sums`` count the last :meth:`~sparsenn.fixedpoint.FixedPointNetwork.predict`
        (or ``activations``) call.

    Returns
    -------
    rates : dict of str to ndarray of shape (n_junctions,)
        ``"weights"`` and ``"biases"``: share of the converted values that were
        clamped (``conversion_saturation_``); ``"products"``: share of the
        per-edge products saturated, per sample and edge; ``"sums"``: share of
        the neuron sums saturated, per sample and output neuron
        (``saturation_``). Zero when nothing was simulated.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat
    >>> from sparsenn.plotting import saturation_rates
    >>> lay = JunctionLayout(2, 2, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [np.array([2047, 2047, 3, 9])],
    ...                         [np.array([0, 1])], np.array(["a", "b"]))
    >>> _ = net.predict([[1.0, 1.0]])
    >>> saturation_rates(net)["sums"].tolist()
    [0.5]
    """
    if not all(hasattr(net, a) for a in ("layouts", "saturation_", "fmt")):
        raise TypeError(
            "net must be a FixedPointNetwork (sparsenn.fixedpoint.to_fixed_point"
            f"(estimator)), got {type(net).__name__}."
        )
    edges = np.array([lay.n_edges for lay in net.layouts], dtype=float)
    outs = np.array([lay.n_out for lay in net.layouts], dtype=float)
    n_samples = net.saturation_.get("n_samples", 0)
    conv, sim = net.conversion_saturation_, net.saturation_
    per_sample = max(n_samples, 1)
    return {
        "weights": np.asarray(conv["weights"], float) / edges,
        "biases": np.asarray(conv["biases"], float) / outs,
        "products": np.asarray(sim["products"], float) / (edges * per_sample),
        "sums": np.asarray(sim["sums"], float) / (outs * per_sample),
    }


def plot_saturation(net, *, ax=None):
    """Draw, per junction, the share of weights, biases, products and sums saturated.

    Parameters
    ----------
    net : FixedPointNetwork
        Run ``net.predict(X)`` first to include the products and sums of ``X``.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        Four groups of bars (``ax.containers``), one bar per junction each,
        labelled ``weights``, ``biases``, ``products``, ``sums``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat
    >>> from sparsenn.plotting import plot_saturation
    >>> lay = JunctionLayout(2, 2, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [np.array([2047, 2047, 3, 9])],
    ...                         [np.array([0, 1])], np.array(["a", "b"]))
    >>> _ = net.predict([[1.0, 1.0]])
    >>> [c.get_label() for c in plot_saturation(net).containers]
    ['weights', 'biases', 'products', 'sums']
    """
    rates = saturation_rates(net)
    ax = axes_or_new(ax)
    n = len(net.layouts)
    width = 0.8 / len(_KINDS)
    x = np.arange(n)
    for k, kind in enumerate(_KINDS):
        ax.bar(x + (k - 1.5) * width, 100 * rates[kind], width, label=kind)
    ax.set_xticks(x, [f"junction {i}" for i in range(n)])
    ax.set_ylabel("saturated (%)")
    ax.set_title(
        f"{net.fmt}: saturation over {net.saturation_.get('n_samples', 0)} samples"
    )
    ax.legend()
    return ax
