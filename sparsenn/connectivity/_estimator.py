"""What an estimator asks of the connectivity: one junction from a density.

Kept apart from the estimator module so that it stays thin: the default
densities, the density -> edge-count rule, the two warnings (a density below one
input per output is raised; a junction with fewer edges than a hidden layer's
neurons leaves some of them feeding nothing), and junction-numbered error
messages.
"""

from numbers import Integral

import numpy as np

from .._warnings import UnusedNeuronWarning, warn
from ._patterns import build_junction, junction_edges, minimum_edges

__all__ = [
    "AUTO_DENSITY",
    "AUTO_MIN_FAN_IN",
    "auto_densities",
    "check_layer_sizes",
    "junction_pattern",
    "unused_inputs",
    "warn_unused_neurons",
]

#: Density of hidden junctions under ``density="auto"``.
AUTO_DENSITY = 0.2
#: Fewest inputs per neuron of a hidden junction under ``density="auto"``.
AUTO_MIN_FAN_IN = 32


def auto_densities(layer_sizes):
    """Default density of every junction (``density="auto"``).

    Hidden junctions: ``max(AUTO_DENSITY, AUTO_MIN_FAN_IN / n_in)`` (at most 1),
    so each neuron sees at least ``AUTO_MIN_FAN_IN`` inputs (all of them in a
    smaller layer), and at least ``1 / n_out`` after the first junction, so
    that every hidden neuron feeds at least one (it never leaves neurons
    unused, :func:`warn_unused_neurons`); the output junction is dense (its
    weights are few and, as the seed's studies found, later junctions should be
    denser). Chosen by
    measurement (``benchmarks/bench_defaults.py``, ``docs/sparse_mlp.md``).

    Parameters
    ----------
    layer_sizes : list of int
        Neurons per layer, inputs first.

    Returns
    -------
    list of float
        One density per junction.

    Examples
    --------
    >>> auto_densities([784, 100, 10])
    [0.2, 1.0]
    >>> auto_densities([64, 64, 64])
    [0.5, 1.0]
    >>> auto_densities([20, 100, 3, 3])  # 100 -> 3 keeps one edge per input
    [1.0, 0.3333333333333333, 1.0]
    """
    hidden = [
        min(1.0, max(AUTO_DENSITY, AUTO_MIN_FAN_IN / n_in, 1 / n_out if i else 0))
        for i, (n_in, n_out) in enumerate(
            zip(layer_sizes[:-2], layer_sizes[1:-1], strict=True)
        )
    ]
    return hidden + [1.0]


def check_layer_sizes(hidden_layer_sizes, layer_sizes):
    """Raise a ValueError naming ``hidden_layer_sizes`` if a size is not positive.

    Examples
    --------
    >>> check_layer_sizes((0,), [4, 0, 2])
    Traceback (most recent call last):
    ...
    ValueError: hidden_layer_sizes=(0,) must hold positive integers ...
    """
    bad = [n for n in layer_sizes[1:-1] if not (isinstance(n, Integral) and n >= 1)]
    if bad:
        raise ValueError(
            f"hidden_layer_sizes={hidden_layer_sizes!r} must hold positive "
            f"integers (neurons per hidden layer); got {bad[0]!r}."
        )


def junction_pattern(connectivity, i, shape, density, parallelism, rng):
    """Pattern and edge order of junction ``i`` of an estimator.

    Parameters
    ----------
    connectivity : str
        Pattern name.
    i : int
        Junction index (named in messages).
    shape : tuple of int
        ``(n_in, n_out)``.
    density : float
        Requested density; below one input per output it is raised to that
        minimum with a ``UserWarning`` at the user's line.
    parallelism : int or None
        ``z`` of a clash-free junction (ignored by the other connectivities).
    rng : numpy.random.RandomState or Generator

    Returns
    -------
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out)
    order : EdgeOrder or None
    """
    n_in, n_out = shape
    n_edges = junction_edges(n_in, n_out, density)
    low = minimum_edges(n_in, n_out, connectivity)
    if n_edges < low:
        warn(
            f"Junction {i} ({n_in} -> {n_out}, connectivity={connectivity!r}): "
            f"requested density {density:g} ({density * n_in * n_out:.1f} edges) is "
            f"below one input per output and is not realisable; using "
            f"{low} edges, density {low / (n_in * n_out):.4g} (the smallest).",
        )
        n_edges = low
    z = parallelism if connectivity == "clash_free" else None
    try:
        return build_junction(
            connectivity, n_in, n_out, n_edges, parallelism=z, rng=rng
        )
    except ValueError as exc:
        raise ValueError(
            f"Junction {i} ({n_in} -> {n_out}, set by hidden_layer_sizes and "
            f"density={density:g}): {exc}"
        ) from None


def unused_inputs(pattern):
    """Count the inputs (rows) of a junction pattern that have no edge.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> unused_inputs(sp.csr_matrix([[1, 0], [0, 0], [0, 1]]))
    1
    """
    return int(np.count_nonzero(np.diff(pattern.indptr) == 0))


def warn_unused_neurons(i, connectivity, density, pattern):
    """Warn if junction ``i`` has fewer edges than its hidden input layer has neurons.

    Then some of those neurons feed nothing: their incoming weights are
    stored, computed and trained (with zero gradient) for no effect. Nothing
    is adjusted; the :class:`~sparsenn.exceptions.UnusedNeuronWarning` names
    the junction, the count and the remedies. Junction 0 (the input features)
    is not checked: unconnected features are ignored, as unused pixels are.

    Parameters
    ----------
    i : int
        Junction index; its inputs are hidden layer ``i``.
    connectivity : str
    density : float
        Requested density (named in the message).
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out)
    """
    n_in, n_out = pattern.shape
    if i == 0 or pattern.nnz >= n_in:
        return
    unused = unused_inputs(pattern)
    warn(
        f"Junction {i} ({n_in} -> {n_out}, connectivity={connectivity!r}, "
        f"density={density:g}) stores {pattern.nnz} edges for the {n_in} neurons "
        f"of hidden layer {i}, so {unused} of them feed nothing: their incoming "
        f"weights are stored and computed for no effect. A denser junction {i} "
        f"(a per-junction density such as density=(..., 1.0), or density='auto', "
        f"which makes the output junction dense) or connectivity='random' with "
        f"rewiring='rigl' uses them.",
        UnusedNeuronWarning,
    )
