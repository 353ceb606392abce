"""
Connection patterns and a clash-free clock order
================================================

A junction of a pre-defined sparse network is a 0/1 biadjacency matrix: rows
are input neurons, columns output neurons. The four generators of
:mod:`sparsenn.connectivity` at the same size and degree, then the clock in
which the FPGA datapath processes each edge of the clash-free pattern: every
clock reads each of the ``z`` memory banks exactly once.
"""

import matplotlib.pyplot as plt

from sparsenn.connectivity import (
    circulant,
    clash_free,
    random,
    scatter,
    structured,
)
from sparsenn.plotting import plot_clock_order, plot_connection_pattern

n_in, n_out, out_degree = 32, 16, 2
patterns = {
    "random": random(n_in, n_out, n_in * out_degree, random_state=0),
    "structured": structured(n_in, n_out, out_degree, random_state=0),
    "circulant": circulant(n_in, n_out, out_degree, random_state=0),
}
pattern, order = clash_free(
    n_in, n_out, out_degree, z=8, random_state=0, return_order=True
)
patterns["clash_free (z=8)"] = pattern

fig, axes = plt.subplots(1, 4, figsize=(12, 4), sharey=True)
for ax, (name, p) in zip(axes, patterns.items(), strict=True):
    plot_connection_pattern(p, ax=ax)
    ax.set_title(f"{name}\n{p.nnz} edges")
fig.tight_layout()

# %%
# Scatter measures how well windows of neurons are connected: here windows
# of 8 inputs and 4 outputs (1 would be the ideal share of every window pair).
for name, p in patterns.items():
    r = scatter([p], windows=[8, 4])
    print(f"{name:18s} forward {r.junction_forward[0]:.3f}, "
          f"backward {r.junction_backward[0]:.3f}")  # fmt: skip

# %%
# The clock order of the clash-free junction: ``n_edges / z`` clocks.
plot_clock_order(order)
plt.show()
