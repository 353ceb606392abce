"""Connection patterns for pre-defined sparse junctions, and the scatter metric.

Every pattern is a SciPy CSR 0/1 matrix of shape ``(n_in, n_out)`` (rows = input
neurons, columns = output neurons), dtype ``int8``, sorted indices, no explicit
zeros, ``nnz`` = number of edges. Out-degree = edges per row, in-degree = edges
per column. Everything here is a pure function of sizes, knobs and
``random_state``.
"""

from ._clash_free import ClashFreeOrder, clash_free
from ._degrees import (
    CONNECTIVITIES,
    JunctionDegrees,
    check_junction,
    default_parallelism,
    degrees_for_density,
    feasible_out_degrees,
    junction_problems,
)
from ._generators import circulant, random, structured
from ._patterns import PATTERNS, connection_pattern
from ._scatter import (
    ScatterResult,
    default_window_size,
    scatter,
    windows_1d,
    windows_2d,
)

__all__ = [
    "CONNECTIVITIES",
    "PATTERNS",
    "ClashFreeOrder",
    "JunctionDegrees",
    "ScatterResult",
    "check_junction",
    "circulant",
    "clash_free",
    "connection_pattern",
    "default_parallelism",
    "default_window_size",
    "degrees_for_density",
    "feasible_out_degrees",
    "junction_problems",
    "random",
    "scatter",
    "structured",
    "windows_1d",
    "windows_2d",
]
