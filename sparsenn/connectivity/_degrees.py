"""Feasibility of junction sizes and the density -> degree rule."""

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._memory import check_allocation
from ._utils import check_int, divisors, near_values

__all__ = [
    "CONNECTIVITIES",
    "JunctionDegrees",
    "check_junction",
    "default_parallelism",
    "degrees_for_density",
    "feasible_out_degrees",
    "junction_problems",
]

#: Names accepted for ``connectivity`` (the keys of ``PATTERNS``).
CONNECTIVITIES = ("random", "structured", "clash_free", "circulant")
_CLASH_FREE_KINDS = (1, 2, 3)


def _check_connectivity(connectivity):
    if not isinstance(connectivity, str) or connectivity not in CONNECTIVITIES:
        raise ValueError(
            f"connectivity={connectivity!r} is not supported; "
            f"allowed: {', '.join(CONNECTIVITIES)}"
        )


def _check_kind(kind):
    if (
        isinstance(kind, bool)
        or not isinstance(kind, numbers.Number)
        or kind not in _CLASH_FREE_KINDS
    ):
        raise ValueError(f"kind={kind!r} must be one of 1, 2, 3")
    return int(kind)


def feasible_out_degrees(n_in, n_out, *, connectivity="structured", z=None, kind=2):
    """All realisable out-degrees of a junction, ascending.

    Parameters
    ----------
    n_in, n_out : int
        Junction size.
    connectivity : {"random", "structured", "clash_free", "circulant"}
        ``"random"``: every ``1..n_out``. ``"structured"`` and ``"circulant"``:
        ``n_out`` divides ``n_in * d``. ``"clash_free"``: additionally ``z``
        divides ``n_in`` (when given) and, for ``kind`` 1 and 2, the in-degree
        divides ``n_in`` (no output neuron straddles two sweeps).
    z : int, optional
        Degree of parallelism (clash-free only).
    kind : {1, 2, 3}
        Clash-free type.

    Returns
    -------
    ndarray of int64, shape (n_feasible,)

    Examples
    --------
    >>> from sparsenn.connectivity import feasible_out_degrees
    >>> feasible_out_degrees(6, 4).tolist()
    [2, 4]
    """
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    _check_connectivity(connectivity)
    if connectivity == "random":
        _check_count(n_out, f"n_out={n_out}")
        return np.arange(1, n_out + 1, dtype=np.int64)
    # n_out divides n_in * d iff d is a multiple m * b of b = n_out / gcd, m <= gcd
    g = math.gcd(n_in, n_out)
    b = n_out // g
    if connectivity == "clash_free":
        kind = _check_kind(kind)
        if z is not None and n_in % check_int(z, "z", low=1) != 0:
            return np.empty(0, dtype=np.int64)
        if kind in (1, 2):  # in-degree m * (n_in / g) divides n_in iff m divides g
            return b * np.array(divisors(g), dtype=np.int64)
    _check_count(g, f"n_in={n_in} and n_out={n_out}")
    return b * np.arange(1, g + 1, dtype=np.int64)


def _check_count(count, request):
    check_allocation(8 * count, f"{request} ({count} feasible out-degrees)")


def junction_problems(
    n_in, n_out, out_degree, *, connectivity="structured", z=None, kind=2
):
    """Reasons why a junction cannot be realised (empty list if it can).

    Parameters
    ----------
    n_in, n_out : int
        Junction size (inputs, outputs).
    out_degree : int
        Edges per input (for ``"random"`` it fixes ``n_edges = n_in * out_degree``).
    connectivity : {"random", "structured", "clash_free", "circulant"}
    z : int, optional
        Degree of parallelism, checked for ``"clash_free"`` only.
    kind : {1, 2, 3}
        Clash-free type, checked for ``"clash_free"`` only.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sparsenn.connectivity import junction_problems
    >>> junction_problems(784, 1024, 7)  # doctest: +NORMALIZE_WHITESPACE
    ['n_in*out_degree=784*7=5488 is not divisible by n_out=1024, so the in-degree
      would not be an integer; feasible out-degrees near 7 are 64']
    >>> junction_problems(784, 1024, 64)
    []
    """
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    out_degree = check_int(out_degree, "out_degree")
    _check_connectivity(connectivity)
    problems = []
    if not 1 <= out_degree <= n_out:
        return [f"out_degree={out_degree} must be between 1 and n_out={n_out}"]
    if connectivity == "random":
        return problems
    if (n_in * out_degree) % n_out:
        g = math.gcd(n_in, n_out)
        step = n_out // g  # the feasible out-degrees: step, 2 step, ..., g step
        near = near_values(range(step, step * g + 1, step), out_degree)
        problems.append(
            f"n_in*out_degree={n_in}*{out_degree}={n_in * out_degree} is not "
            f"divisible by n_out={n_out}, so the in-degree would not be an integer; "
            f"feasible out-degrees near {out_degree} are {near}"
        )
    if connectivity != "clash_free":
        return problems
    kind = _check_kind(kind)
    if z is not None and n_in % check_int(z, "z", low=1):
        problems.append(
            f"z={z} does not divide n_in={n_in} (left neurons are spread over z "
            f"memory banks of equal depth); divisors of n_in near {z} are "
            f"{near_values(divisors(n_in), z)}"
        )
    d_in = n_in * out_degree // n_out
    if not problems and kind in (1, 2) and n_in % d_in:
        feasible = feasible_out_degrees(n_in, n_out, connectivity="clash_free")
        problems.append(
            f"in_degree={d_in} does not divide n_in={n_in}: an output neuron's edges "
            f"would straddle two sweeps and clash-free kind {kind} could draw the "
            f"same edge twice; use kind=3 or an out-degree near {out_degree} such as "
            f"{near_values(feasible, out_degree)}"
        )
    return problems


def check_junction(
    n_in, n_out, out_degree, *, connectivity="structured", z=None, kind=2
):
    """Raise ``ValueError`` with every reason from :func:`junction_problems`.

    Examples
    --------
    >>> from sparsenn.connectivity import check_junction
    >>> check_junction(6, 4, 2)
    >>> check_junction(6, 4, 3)
    Traceback (most recent call last):
    ...
    ValueError: junction 6->4 with out_degree=3 (structured) is not realisable: ...
    """
    problems = junction_problems(
        n_in, n_out, out_degree, connectivity=connectivity, z=z, kind=kind
    )
    if problems:
        raise ValueError(
            f"junction {n_in}->{n_out} with out_degree={out_degree} ({connectivity}) "
            "is not realisable: " + "; ".join(problems)
        )


@dataclass(frozen=True)
class JunctionDegrees:
    """Size of a junction chosen by :func:`degrees_for_density`.

    Attributes
    ----------
    n_edges : int
        Number of edges (weights).
    out_degree, in_degree : int or None
        Exact degrees; ``None`` for random patterns.
    density : float
        Achieved density ``n_edges / (n_in * n_out)``.
    """

    n_edges: int
    out_degree: int | None
    in_degree: int | None
    density: float


def _check_density(density):
    if isinstance(density, bool) or not isinstance(density, numbers.Real):
        raise TypeError(f"density must be a real number, got {density!r}")
    if not (math.isfinite(density) and 0.0 < density <= 1.0):
        raise ValueError(f"density={density!r} must lie in (0, 1]")
    return float(density)


def degrees_for_density(n_in, n_out, density, *, connectivity="random", z=None, kind=2):
    """Feasible junction size nearest to a requested density.

    ``"random"``: ``n_edges = max(1, floor(density * n_in * n_out + 0.5))``
    (round half up). Other connectivities: the out-degree ``d`` among
    :func:`feasible_out_degrees` minimising ``|d - density * n_out|``; ties go to
    the larger ``d``. The fully connected ``d = n_out`` is always feasible for
    structured and circulant, so the search only fails for clash-free when ``z``
    does not divide ``n_in``.

    Parameters
    ----------
    n_in, n_out : int
        Junction size.
    density : float
        Requested density in (0, 1].
    connectivity : {"random", "structured", "clash_free", "circulant"}
    z : int, optional
        Degree of parallelism (clash-free only).
    kind : {1, 2, 3}
        Clash-free type (clash-free only).

    Returns
    -------
    JunctionDegrees

    Examples
    --------
    >>> from sparsenn.connectivity import degrees_for_density
    >>> degrees_for_density(784, 1024, 0.1)
    JunctionDegrees(n_edges=80282, out_degree=None, in_degree=None, density=0.1000...)
    >>> degrees_for_density(784, 1024, 0.1, connectivity="structured")
    JunctionDegrees(n_edges=100352, out_degree=128, in_degree=98, density=0.125)
    """
    n_in = check_int(n_in, "n_in", low=1)
    n_out = check_int(n_out, "n_out", low=1)
    density = _check_density(density)
    _check_connectivity(connectivity)
    if connectivity == "random":
        n_edges = max(1, math.floor(density * (n_in * n_out) + 0.5))
        return JunctionDegrees(n_edges, None, None, n_edges / (n_in * n_out))
    feasible = feasible_out_degrees(
        n_in, n_out, connectivity=connectivity, z=z, kind=kind
    )
    if feasible.size == 0:
        check_junction(n_in, n_out, n_out, connectivity=connectivity, z=z, kind=kind)
        raise ValueError(f"no feasible out-degree for junction {n_in}->{n_out}")
    dist = np.abs(feasible - density * n_out)
    best = int(feasible[np.flatnonzero(dist <= dist.min() + 1e-9)[-1]])
    n_edges = n_in * best
    return JunctionDegrees(n_edges, best, n_edges // n_out, best / n_out)


def default_parallelism(n_in, n_out=None, out_degree=None, *, in_degrees=None):
    """Default degree of parallelism ``z`` of a junction: its (largest) in-degree.

    The one rule of the package (pattern generators and fixed-point export):
    the smallest divisor of ``n_in`` that is at least the largest in-degree,
    i.e. ``z = in_degree`` whenever the in-degree divides ``n_in`` (always the
    case for clash-free kinds 1 and 2 and for padded junctions). Then one clock
    holds every edge of one output neuron (the released RTL needs
    ``z >= in_degree``) and the banks are as deep as possible. Each output
    reads exactly one input from every bank, at a row chosen by the seeds,
    which spreads its inputs evenly (a larger multiple of the in-degree
    confines an output to a fixed subset of banks unless memory dither is
    used). Pass ``parallelism`` explicitly to model a given hardware budget.

    Parameters
    ----------
    n_in : int
        Inputs of the junction.
    n_out, out_degree : int, optional
        Size and out-degree of an exactly regular junction.
    in_degrees : array-like of int, optional
        In-degree of every output, instead of ``n_out`` and ``out_degree``.

    Returns
    -------
    int

    Examples
    --------
    >>> from sparsenn.connectivity import default_parallelism
    >>> default_parallelism(784, 1024, 128)  # in-degree 98
    98
    >>> default_parallelism(64, in_degrees=[3, 5, 4])
    8
    """
    n_in = check_int(n_in, "n_in", low=1)
    if in_degrees is None:
        check_junction(n_in, n_out, out_degree, connectivity="clash_free", kind=3)
        need = n_in * out_degree // n_out
    else:
        need = _largest_in_degree(in_degrees)
    if need >= n_in:
        return n_in
    return next(k for k in divisors(n_in) if k >= need)


def _largest_in_degree(in_degrees):
    """Return the largest entry of ``in_degrees`` (at least 1), checked."""
    degrees = np.asarray(in_degrees)
    if degrees.dtype.kind not in "iuf":
        raise TypeError(
            f"in_degrees={in_degrees!r} must be an array of non-negative integers"
        )
    if degrees.size == 0:
        return 1
    with np.errstate(invalid="ignore"):  # inf % 1
        bad = ~np.isfinite(degrees) | (degrees < 0) | (degrees % 1 != 0)
    bad = np.flatnonzero(bad)
    if bad.size:
        at = "" if degrees.ndim == 0 else f"[{bad[0]}]"
        raise ValueError(
            f"in_degrees{at}={degrees.flat[bad[0]].item()!r} must be a non-negative "
            "integer"
        )
    return max(int(degrees.max()), 1)
