"""What an estimator asks of the connectivity: one junction from a density.

Kept apart from the estimator module so that it stays thin: the default
densities, the density -> edge-count rule, the one warning (a density below one
input per output), and junction-numbered error messages.
"""

from numbers import Integral

from .._warnings import warn
from ._patterns import build_junction, junction_edges, minimum_edges

__all__ = [
    "AUTO_DENSITY",
    "AUTO_MIN_FAN_IN",
    "auto_densities",
    "check_layer_sizes",
    "junction_pattern",
]

#: Density of hidden junctions under ``density="auto"``.
AUTO_DENSITY = 0.2
#: Fewest inputs per neuron of a hidden junction under ``density="auto"``.
AUTO_MIN_FAN_IN = 32


def auto_densities(layer_sizes):
    """Default density of every junction (``density="auto"``).

    Hidden junctions: ``max(AUTO_DENSITY, AUTO_MIN_FAN_IN / n_in)`` (at most 1),
    so each neuron sees at least ``AUTO_MIN_FAN_IN`` inputs (all of them in a
    smaller layer); the output junction is dense (its weights are few and, as
    the seed's studies found, later junctions should be denser). Chosen by
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
    """
    hidden = [
        min(1.0, max(AUTO_DENSITY, AUTO_MIN_FAN_IN / n)) for n in layer_sizes[:-2]
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
