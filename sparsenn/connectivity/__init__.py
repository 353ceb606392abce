"""Connection patterns for pre-defined sparse junctions, and the scatter metric.

Every pattern is a SciPy CSR 0/1 matrix of shape ``(n_in, n_out)`` (rows = input
neurons, columns = output neurons), dtype ``int8``, sorted indices, no explicit
zeros, ``nnz`` = number of edges. Out-degree = edges per row, in-degree = edges
per column. Everything here is a pure function of sizes, knobs and
``random_state``.

Every connectivity realises any density: :func:`connection_pattern` stores
exactly ``round(density * n_in * n_out)`` weights (structured and circulant
as regular as possible, clash-free padded with virtual zero-valued neurons
where the degrees and the parallelism need it). The clash-free weight order is
the one edge-order record, :class:`EdgeOrder`. ``random`` is the former name of
:func:`random_pattern` (it shadows the standard library's module name).
"""

from ._clash_free import clash_free
from ._degrees import (
    CONNECTIVITIES,
    JunctionDegrees,
    check_junction,
    default_parallelism,
    degrees_for_density,
    feasible_out_degrees,
    junction_problems,
)
from ._generators import circulant, random, random_pattern, structured
from ._order import ClashFreeOrder, EdgeOrder, right_neuron_order
from ._padded import feasible_parallelisms
from ._patterns import PATTERNS, connection_pattern, junction_edges, minimum_edges
from ._rewire import REWIRE_MOVES, Rewired, rewire_edges
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
    "REWIRE_MOVES",
    "Rewired",
    "ClashFreeOrder",
    "EdgeOrder",
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
    "feasible_parallelisms",
    "junction_edges",
    "junction_problems",
    "minimum_edges",
    "random",
    "random_pattern",
    "rewire_edges",
    "right_neuron_order",
    "scatter",
    "structured",
    "windows_1d",
    "windows_2d",
]
