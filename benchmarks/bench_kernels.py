"""Time the SparseWeights kernels against dense BLAS, one layer at a time.

For each layer size and density, a random pattern with fixed in-degree
(``round(density * n_in)`` inputs per output) is built and the three training
products of one step are timed: forward ``X @ W``, backward ``D @ W.T`` and the
gradient.  The peer is dense NumPy BLAS (``X @ W``, ``D @ W.T``, ``X.T @ D``)
timed in the same run.  Activations are float32, batch 256, F-ordered (what a
sparse layer hands to the next one); the ``numba/C`` column gives C-ordered
inputs instead (one transpose copy per product, as for the first layer when
the batch is C-ordered); ``numba/fused`` times forward + ``grad_and_backward``
(backward and gradient in one pass), what a hidden layer costs in training.

A second table (``--near-regular``, also part of the default run) times one
training step (forward + ``grad_and_backward``) of a ``structured`` junction
whose degrees differ by one (``round(density * n_in * n_out)`` weights on sizes
that do not divide) against an exactly regular junction with the same number of
stored weights on nearby sizes that divide, the two run alternately.

Usage: ``python benchmarks/bench_kernels.py [--quick] [--reps N] [--single-thread]
[--near-regular]``.
Printed: median milliseconds per step (fwd+bwd+grad), the ratio to the dense BLAS
step timed alternately with it (robust to load drift on a shared machine), and the
achieved GFLOP/s counting ``3 * 2 * B * nnz`` useful flops.
"""

import argparse
import os
import time

import numpy as np
import scipy.sparse as sp

from sparsenn.connectivity import structured
from sparsenn.layers import SparseWeights

LAYERS = [(784, 1024), (1024, 1024), (2048, 2048)]
DENSITIES = [1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01]
BATCH = 256


def fixed_in_degree_pattern(n_in, n_out, density, rng):
    """CSR pattern (n_in, n_out) in which every output has the same in-degree."""
    d = max(1, round(density * n_in))
    rows = np.argsort(rng.random((n_out, n_in)), axis=1)[:, :d].ravel()
    cols = np.repeat(np.arange(n_out), d)
    vals = rng.standard_normal(rows.size).astype(np.float32) * 0.05
    return sp.csr_matrix((vals, (rows, cols)), shape=(n_in, n_out))


CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}


def paired_times(step, peer, reps, clock):
    """Median times of ``step`` and ``peer``, run alternately (robust to load drift)."""
    step()  # warm-up (and compilation)
    peer()
    times = np.empty((reps, 2))
    for r in range(reps):
        for j, fn in enumerate((step, peer)):
            t0 = clock()
            fn()
            times[r, j] = clock() - t0
    return np.median(times, axis=0)


def sparse_products(W, X, D, fused=False):
    if fused:  # what a hidden layer costs: forward, then grad_and_backward
        return {
            "fwd": lambda: W.forward(X),
            "grad+bwd": lambda: W.grad_and_backward(X, D),
        }
    return {
        "fwd": lambda: W.forward(X),
        "bwd": lambda: W.backward(D),
        "grad": lambda: W.grad(X, D),
    }


def dense_products(Wd, X, D):
    return {"fwd": lambda: X @ Wd, "bwd": lambda: D @ Wd.T, "grad": lambda: X.T @ D}


def whole_step(products):
    def step():
        for fn in products.values():
            fn()

    return step


def bench_layer(n_in, n_out, densities, kernels, reps, rng, clock):
    X = np.asfortranarray(rng.standard_normal((BATCH, n_in), dtype=np.float32))
    D = np.asfortranarray(rng.standard_normal((BATCH, n_out), dtype=np.float32))
    Xc, Dc = np.ascontiguousarray(X), np.ascontiguousarray(D)
    Wd = rng.standard_normal((n_in, n_out), dtype=np.float32)
    peer = dense_products(Wd, X, D)
    rows = []
    for density in densities:
        P = fixed_in_degree_pattern(n_in, n_out, density, rng)
        flops = 3 * 2 * BATCH * P.nnz
        row = {"density": density}
        peer_times = []
        for kernel in kernels:
            if kernel == "scipy" and density > 0.2 and reps > 3:
                continue  # minutes of single-threaded work for a known loss
            W = SparseWeights(P, kernel=kernel.split("/")[0], dtype=np.float32)
            args = (Xc, Dc) if kernel.endswith("/C") else (X, D)
            mine = sparse_products(W, *args, fused=kernel.endswith("/fused"))
            t, t_peer = paired_times(whole_step(mine), whole_step(peer), reps, clock)
            peer_times.append(t_peer)
            row[kernel] = (t, t / t_peer, flops / t / 1e9)
            if kernel == "numba":  # per-product ratios of the main kernel
                for name in mine:
                    t1, p1 = paired_times(mine[name], peer[name], reps, clock)
                    row[name] = t1 / p1
        row["blas"] = float(np.median(peer_times))
        rows.append(row)
    return rows


def print_table(n_in, n_out, rows, kernels):
    print(f"\n{n_in} -> {n_out}, B={BATCH}, float32, fwd+bwd+grad per step")
    head = f"{'density':>8} {'BLAS ms':>8}"
    for k in kernels:
        head += f" | {k + ' ms':>10} {'ratio':>6} {'GF/s':>5}"
    print(head + " | numba ratio fwd / bwd / grad")
    for row in rows:
        line = f"{row['density']:>8.2f} {row['blas'] * 1e3:>8.2f}"
        for k in kernels:
            if k in row:
                t, r, g = row[k]
                line += f" | {t * 1e3:>10.2f} {r:>6.3f} {g:>5.0f}"
            else:
                line += f" | {'-':>10} {'-':>6} {'-':>5}"
        if "fwd" in row:
            line += f" | {row['fwd']:.3f} / {row['bwd']:.3f} / {row['grad']:.3f}"
        print(line, flush=True)


# (shape, out-degree): the regular pattern has n_in * out_degree weights (the
# sizes divide); the near-regular one on the same shape has n_in // 2 + 1 more,
# so both its degree sequences differ by one. Time per stored weight is compared.
NEAR_REGULAR_CASES = [
    ((784, 1024), 64),
    ((1000, 1000), 100),
    ((784, 128), 16),
    ((784, 100), 25),
]


def training_step(W, X, D):
    """One hidden layer's training step: forward, then grad_and_backward."""

    def step():
        W.forward(X)
        W.grad_and_backward(X, D)

    return step


def _spread(P):
    return (int(np.ptp(np.diff(P.indptr))), int(np.ptp(np.diff(P.tocsc().indptr))))


def near_regular_row(shape, out_degree, reps, rng, clock):
    """Time a regular and a near-regular structured junction of one shape."""
    n_in, n_out = shape
    X = np.asfortranarray(rng.standard_normal((BATCH, n_in), dtype=np.float32))
    D = np.asfortranarray(rng.standard_normal((BATCH, n_out), dtype=np.float32))
    counts = (n_in * out_degree, n_in * out_degree + n_in // 2 + 1)
    steps, spreads = [], []
    for n_edges in counts:
        P = structured(n_in, n_out, n_edges=n_edges, random_state=rng)
        W = SparseWeights(P, rng.standard_normal(n_edges) * 0.05, dtype=np.float32)
        steps.append(training_step(W, X, D))
        spreads.append(_spread(P))
    t_reg, t_near = paired_times(steps[0], steps[1], reps, clock)
    return counts, (t_reg, t_near), spreads, W.kernel


def print_near_regular(reps, rng, clock, cases=NEAR_REGULAR_CASES):
    """Print the near-regular vs regular table."""
    print(
        f"\nnear-regular vs exactly regular structured junction, same shape, "
        f"B={BATCH}, float32, forward + grad_and_backward per step; ratio of the "
        "times per stored weight (target <= 1.10)"
    )
    print(
        f"{'shape':>10} {'regular':>8} {'near':>8} {'kernel':>6} {'reg ms':>7} "
        f"{'near ms':>7} {'ratio':>6}  degree spread (out, in)"
    )
    for shape, d_out in cases:
        (e_reg, e_near), (t_reg, t_near), (s_reg, s_near), kernel = near_regular_row(
            shape, d_out, reps, rng, clock
        )
        ratio = (t_near / e_near) / (t_reg / e_reg)
        print(
            f"{'x'.join(map(str, shape)):>10} {e_reg:>8} {e_near:>8} {kernel:>6} "
            f"{t_reg * 1e3:>7.2f} {t_near * 1e3:>7.2f} {ratio:>6.3f}  "
            f"{s_reg} vs {s_near}",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument(
        "--near-regular",
        action="store_true",
        help="only the near-regular vs regular table (about a minute)",
    )
    parser.add_argument(
        "--single-thread",
        action="store_true",
        help="one numba and one BLAS thread, CPU time (robust on a busy machine)",
    )
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    kernels = ["numba", "numba/fused", "numba/C", "dense", "scipy"]
    layers, densities, reps = LAYERS, DENSITIES, args.reps
    if args.quick:
        layers, densities, reps = [(784, 1024)], [1.0, 0.1, 0.02], 3
    clock = CLOCK["wall"]
    if args.single_thread:
        import numba
        from threadpoolctl import threadpool_limits

        numba.set_num_threads(1)
        threadpool_limits(1)
        clock = CLOCK["cpu"]
    import numba

    threads = 1 if args.single_thread else numba.get_num_threads()
    mode = f"{threads} numba thread(s), {'CPU' if args.single_thread else 'wall'} time"
    print(f"machine: {os.cpu_count()}-core; {mode}; medians of {reps} paired runs")
    if args.near_regular:
        print_near_regular(max(reps, 101), rng, clock)
        return
    for n_in, n_out in layers:
        rows = bench_layer(n_in, n_out, densities, kernels, reps, rng, clock)
        print_table(n_in, n_out, rows, kernels)
    print_near_regular(reps, rng, clock)


if __name__ == "__main__":
    main()
