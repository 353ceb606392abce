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
import numpy as np

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
    n_in, n_out, out_degree, z=8, dither=True, random_state=0, return_order=True
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

# %%
# The memory banks: input ``l`` sits in bank ``l % z`` at row ``l // z``. In
# every clock (a row below) the ``z`` lanes read ``z`` different banks, so the
# reads never clash (memory dither permutes the banks per sweep); the right
# panel gives the row each lane reads in its bank.
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, table, title in (
    (axes[0], order.banks, "bank read by each lane"),
    (axes[1], order.rows, "row read in that bank"),
):
    ax.imshow(table, cmap="Pastel1" if title.startswith("bank") else "Blues", vmin=0,
              vmax=table.max() * (1 if title.startswith("bank") else 2))  # fmt: skip
    for (c, j), value in np.ndenumerate(table):
        ax.text(j, c, str(value), ha="center", va="center", fontsize=9)
    ax.set_xlabel("lane")
    ax.set_ylabel("clock")
    ax.set_title(title)
fig.tight_layout()
plt.show()
