"""Lazy access to matplotlib, with an error naming the ``plot`` extra."""

import importlib

__all__ = ["axes_or_new", "require_matplotlib"]

_HINT = (
    "sparsenn.plotting needs matplotlib, which is not installed; install the "
    "'plot' extra: pip install \"sparsenn[plot]\"."
)


def require_matplotlib():
    """Return the ``matplotlib.pyplot`` module or raise an ImportError naming the extra.

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Raises
    ------
    ImportError
        When matplotlib cannot be imported; the message names the ``plot`` extra.
    """
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as exc:
        raise ImportError(_HINT) from exc


def axes_or_new(ax):
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    plt = require_matplotlib()
    if ax is None:
        _, ax = plt.subplots()
    return ax
