"""Name -> generator table and the one-call entry point used by estimators."""

import math

from .._validation import check_bool
from .._warnings import warn
from ._clash_free import clash_free
from ._degrees import _check_density
from ._generators import circulant, random_pattern, structured
from ._padded import clash_free_padded
from ._rtl import rtl_clash_free
from ._utils import as_generator, check_int, check_memory

__all__ = [
    "PATTERNS",
    "build_junction",
    "connection_pattern",
    "junction_edges",
    "minimum_edges",
]

#: Connectivity name -> generator. ``random`` takes ``n_edges`` as its size
#: argument, the others ``out_degree`` (or ``n_edges=`` as a keyword).
PATTERNS = {
    "random": random_pattern,
    "structured": structured,
    "clash_free": clash_free,
    "circulant": circulant,
}


def _check_connectivity(connectivity):
    if not isinstance(connectivity, str) or connectivity not in PATTERNS:
        raise ValueError(
            f"connectivity={connectivity!r} is not supported; "
            f"allowed: {', '.join(PATTERNS)}"
        )


def minimum_edges(n_in, n_out, connectivity="structured"):
    """Fewest edges a junction may have: one input for every output.

    The same for every connectivity (``connectivity`` is checked only). Below
    ``n_in`` edges some inputs have no edge (they are ignored by the junction,
    as unused pixels would be); below ``n_out`` an output would have no input.

    Examples
    --------
    >>> from sparsenn.connectivity import minimum_edges
    >>> minimum_edges(784, 10), minimum_edges(784, 10, "random")
    (10, 10)
    """
    check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    _check_connectivity(connectivity)
    return n_out


def junction_edges(n_in, n_out, density):
    """Count the weights a junction stores at ``density``: ``round(rho n_in n_out)``.

    Rounded half up, at least one. The product is formed as
    ``density * (n_in * n_out)`` (one rounding), so a junction and its
    transpose store the same count.

    Examples
    --------
    >>> from sparsenn.connectivity import junction_edges
    >>> junction_edges(784, 100, 0.015), junction_edges(2, 2, 0.625)
    (1176, 3)
    """
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    density = _check_density(density)
    return max(1, math.floor(density * (n_in * n_out) + 0.5))


def build_junction(connectivity, n_in, n_out, n_edges, *, parallelism=None, rng):
    """Pattern and edge order of one junction storing exactly ``n_edges`` weights.

    Parameters
    ----------
    connectivity : {"random", "structured", "clash_free", "circulant"}
    n_in, n_out : int
        Junction size.
    n_edges : int
        At least :func:`minimum_edges`, at most ``n_in * n_out``.
    parallelism : int, optional
        ``z`` of a clash-free junction (None: its in-degree).
    rng : None, int, numpy.random.Generator or numpy.random.RandomState

    Returns
    -------
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
    order : EdgeOrder or None
        The weight order for ``"clash_free"``, else ``None``.
    """
    rng = as_generator(rng)
    if connectivity == "random":
        pattern = random_pattern(
            n_in, n_out, n_edges, cover_outputs=True, random_state=rng
        )
        return pattern, None
    if connectivity == "clash_free":
        return clash_free_padded(n_in, n_out, n_edges, z=parallelism, rng=rng)
    return PATTERNS[connectivity](n_in, n_out, n_edges=n_edges, random_state=rng), None


def _too_few(n_in, n_out, density, n_edges, low):
    return ValueError(
        f"density={density!r} gives {n_edges} edge(s) for the junction "
        f"{n_in}->{n_out}, fewer than one input per output; the smallest "
        f"realisable density of this junction is {low / (n_in * n_out):.6g} "
        f"({low} edges)"
    )


def connection_pattern(
    connectivity,
    n_in,
    n_out,
    density,
    *,
    parallelism=None,
    random_state=None,
    rtl_compatible=False,
):
    """Build the pattern of one junction from a connectivity name and a density.

    Every connectivity stores exactly :func:`junction_edges` weights
    (``round(density * n_in * n_out)``), at least one input per output:
    ``"random"`` at uniform positions (one uniform input per output first),
    ``"structured"`` and ``"circulant"`` with out- and in-degrees that differ by
    at most one (exactly regular when the sizes divide), ``"clash_free"`` on a
    junction padded with virtual zero-valued inputs/outputs where the degrees
    and ``z`` need it (kind 2 seeds, no dither; see ``EdgeOrder.padding``).

    Parameters
    ----------
    connectivity : {"random", "structured", "clash_free", "circulant"}
    n_in, n_out : int
        Junction size.
    density : float
        Requested density in (0, 1].
    parallelism : int, optional
        Degree of parallelism ``z`` for ``"clash_free"`` (None: the padded
        junction's in-degree, one output neuron per clock). Ignored, with a
        ``UserWarning``, for the other connectivities.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Source of randomness.
    rtl_compatible : bool, default=False
        ``"clash_free"`` only: the released RTL's order (kind 2, all seed
        vectors zero, no dither, ``z`` a multiple of the in-degree, by default
        ``z = in_degree``), deterministic; see
        :func:`sparsenn.connectivity._rtl.rtl_clash_free`.

    Returns
    -------
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
    order : EdgeOrder or None
        The weight order for ``"clash_free"``, else ``None``.

    Raises
    ------
    ValueError
        If the density gives fewer edges than one input per output (the
        message names the smallest realisable density), or ``parallelism``
        cannot be met even with padding (the message names feasible values).

    Examples
    --------
    >>> from sparsenn.connectivity import connection_pattern
    >>> p, order = connection_pattern("clash_free", 784, 1024, 0.1, random_state=0)
    >>> p.nnz, order.padded_sizes, order.z, order.is_clash_free()
    (80282, (792, 1026), 88, True)
    """
    _check_connectivity(connectivity)
    if parallelism is not None:
        parallelism = check_int(parallelism, "parallelism", low=1)
        if connectivity != "clash_free":
            warn(
                f"parallelism={parallelism} is ignored for "
                f"connectivity={connectivity!r} (only used by 'clash_free')",
                UserWarning,
            )
            parallelism = None
    if check_bool(rtl_compatible, "rtl_compatible"):
        if connectivity != "clash_free":
            raise ValueError(
                f"rtl_compatible=True needs connectivity='clash_free' (the released "
                f"RTL's order), got connectivity={connectivity!r}."
            )
        return rtl_clash_free(n_in, n_out, density, parallelism=parallelism)
    n_edges = junction_edges(n_in, n_out, density)
    low = minimum_edges(n_in, n_out, connectivity)
    if n_edges < low:
        raise _too_few(n_in, n_out, density, n_edges, low)
    request = f"density={density!r} on the junction {n_in}->{n_out}"
    check_memory(n_edges, request, n_in=n_in, n_out=n_out)
    rng = as_generator(random_state)
    return build_junction(
        connectivity, n_in, n_out, n_edges, parallelism=parallelism, rng=rng
    )
