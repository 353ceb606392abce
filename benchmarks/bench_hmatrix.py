"""H-matrix layers and HMatrixMLPClassifier against dense peers run alongside.

Part A (layer): one training step of a single junction,
``Y, ctx = forward_train(X)`` and ``grad_and_backward(X, D, ctx)`` (the calls the
engine makes per junction and minibatch: the product, the weight gradient and
the back-propagated delta; ``DenseWeights`` runs them as three BLAS GEMMs, the
H-matrix reuses its forward projections of ``X``), for square junctions of width
1024, 2048 and 4096, batch 256, float32, C-ordered activations as the engine
passes them.  H-matrix (HODLR, rank 8, leaves 32, 64 and 128) against
``DenseWeights``; rounds alternate between the two and the ratio is the ratio
of medians.  The growth exponent is the least-squares slope of log(time)
against log(width).

Part A runs under two protocols.  *Settled* (the default first table) idles
0.2 s before every timed block: after a multi-threaded GEMM, OpenBLAS keeps
its worker threads spinning for about 0.1 s (measured: 0.11 s of CPU burned
during a 0.4 s sleep after one 256x2048x2048 product), so a block timed right
after the dense peer shares the two cores with those spinners.
*Back-to-back* (the second table; ``--settle 0`` alone) times the blocks
without a pause and shows that interference.

Part K (kernels): each HODLR product at width 2048 by the compiled per-leaf
loops (the default) and by the numpy batched kernels, in the same run.

Part B (network, Fashion-MNIST): time per epoch of the 784-2048-2048-10
H-matrix network (rank 8) against scikit-learn's dense ``MLPClassifier`` of the
same shape (Adam, batch 256, float32), then test accuracy against stored
parameters for the H-matrix network, the global low-rank network ``W = U V``,
the Denil fixed-dictionary network, a narrow dense network at the same budget
and the full dense network.

    python benchmarks/bench_hmatrix.py            # full run (~15 min on 2 cores)
    python benchmarks/bench_hmatrix.py --quick    # smoke run (~1 min)
"""

import argparse
import contextlib
import time
import warnings

import numpy as np
from _common import (
    load_fashion_or_synthetic,
    machine,
    median_time,
    table,
    timed_fit,
)
from sklearn.neural_network import MLPClassifier

from sparsenn import HMatrixMLPClassifier
from sparsenn.engine._init import glorot_bound
from sparsenn.layers import (
    DenseWeights,
    FixedDictionaryWeights,
    HMatrixWeights,
    LowRankWeights,
)
from sparsenn.neural_network._base import BaseStructuredMLP


# ------------------------------------------------------------------ part A
def _step(w, X, D):
    def run():
        _, ctx = w.forward_train(X)
        w.grad_and_backward(X, D, ctx)

    return run


def layer_speed(widths, leaf_sizes, rank, batch, rounds, repeats, settle=0.0):
    rng = np.random.default_rng(0)
    rows, h_times, d_times = [], {leaf: [] for leaf in leaf_sizes}, []
    for n in widths:
        X = rng.standard_normal((batch, n)).astype(np.float32)
        D = rng.standard_normal((batch, n)).astype(np.float32)
        bound = np.sqrt(6 / (2 * n))
        dense = DenseWeights(rng.uniform(-bound, bound, (n, n)).astype(np.float32))
        layers = {
            leaf: HMatrixWeights(
                n, n, rank=rank, leaf_size=leaf, random_state=0, dtype=np.float32
            )
            for leaf in leaf_sizes
        }
        t_d = {leaf: [] for leaf in leaf_sizes}
        t_h = {leaf: [] for leaf in leaf_sizes}
        for _ in range(rounds):  # alternate, so both see the same machine load
            for leaf, w in layers.items():
                time.sleep(settle)
                t_h[leaf].append(median_time(_step(w, X, D), repeats))
                time.sleep(settle)
                t_d[leaf].append(median_time(_step(dense, X, D), repeats))
        d_all = float(np.median(sum(t_d.values(), [])))
        d_times.append(d_all)
        for leaf, w in layers.items():
            th, td = float(np.median(t_h[leaf])), float(np.median(t_d[leaf]))
            h_times[leaf].append(th)
            rows.append([
                n, leaf, w.hmatrix.n_levels, rank, f"{w.n_params:,}", f"{n * n:,}",
                f"{th * 1e3:.2f}", f"{td * 1e3:.2f}", f"{th / td:.3f}",
            ])  # fmt: skip
    logn = np.log(widths)
    slopes = [f"dense: {np.polyfit(logn, np.log(d_times), 1)[0]:.2f}"]
    for leaf in leaf_sizes:
        slope = np.polyfit(logn, np.log(h_times[leaf]), 1)[0]
        slopes.append(f"H (leaf {leaf}): {slope:.2f}")
    headers = ["width", "leaf", "levels", "rank", "H params", "dense params",
               "H ms", "dense ms", "H / dense"]  # fmt: skip
    return table(rows, headers), "growth exponent of time in width: " + ", ".join(
        slopes
    )


# ------------------------------------------------------------------ part K
def kernel_choice(n, leaf, rank, batch, rounds, repeats):
    """Each HODLR product by the compiled loops and by the numpy kernels."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, n)).astype(np.float32)
    D = rng.standard_normal((batch, n)).astype(np.float32)
    H = HMatrixWeights(n, n, rank=rank, leaf_size=leaf, random_state=0,
                       dtype=np.float32).hmatrix  # fmt: skip
    numpy_H = H.like(H.data)
    numpy_H._compiled = lambda dtype: False  # force the numpy kernels
    ops = {
        "forward": lambda M: M.forward(X),
        "backward": lambda M: M.backward(D),
        "grad": lambda M: M.grad(X, D),
        "grad_and_backward": lambda M: M.grad_and_backward(X, D),
    }
    rows = []
    for name, op in ops.items():
        t_c, t_n = [], []
        for _ in range(rounds):
            t_c.append(median_time(lambda op=op: op(H), repeats))
            t_n.append(median_time(lambda op=op: op(numpy_H), repeats))
        tc, tn = float(np.median(t_c)), float(np.median(t_n))
        rows.append([name, f"{tc * 1e3:.2f}", f"{tn * 1e3:.2f}", f"{tc / tn:.2f}"])
    headers = ["product", "compiled ms", "numpy ms", "compiled / numpy"]
    return table(rows, headers)


# ------------------------------------------------------------------ part B
class _FactoredMLP(BaseStructuredMLP):
    """Benchmark-only MLP with low-rank or fixed-dictionary hidden junctions."""

    def __init__(self, hidden_layer_sizes=(100,), *, kind="lowrank", rank=8, **kw):
        super().__init__(hidden_layer_sizes, **kw)
        self.kind = kind
        self.rank = rank

    def _validate_structure(self, layer_sizes):
        self._n_junctions = len(layer_sizes) - 1

    def _make_weights(self, layer_index, n_in, n_out, rng, dtype):
        if layer_index == self._n_junctions - 1:
            return super()._make_weights(layer_index, n_in, n_out, rng, dtype)
        var = glorot_bound(n_in, n_out, self.activation) ** 2 / 3
        if self.kind == "lowrank":
            return LowRankWeights(
                n_in, n_out, self.rank, init_var=var, random_state=rng, dtype=dtype
            )
        # SE atoms on the image grid for the input junction (Denil et al.);
        # hidden units have no geometry, so a random dictionary after that.
        kind = "se" if n_in == 784 else "random"
        image = (28, 28) if n_in == 784 else None
        return FixedDictionaryWeights(
            n_in, n_out, self.rank, dictionary=kind, length_scale=2.0,
            image_shape=image, init_var=var, random_state=rng, dtype=dtype,
        )  # fmt: skip


SEED = [0]  # set by --seed


def _params(epochs):
    return dict(batch_size=256, max_iter=epochs, tol=0.0, n_iter_no_change=10**6,
                random_state=SEED[0], shuffle=True)  # fmt: skip


def _budget_models(hidden, rank, leaf, epochs):
    """The H-matrix net and its equal-budget peers (hidden sizes, ranks solved)."""
    h_net = HMatrixMLPClassifier(hidden, rank=rank, leaf_size=leaf, **_params(epochs))
    sizes = [784, *hidden, 10]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h_net._validate_structure(sizes)
        budget = sum(
            h_net._make_weights(i, a, b, np.random.RandomState(0), np.float32).n_params
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        )
    dense_out = hidden[-1] * 10
    hidden_budget = budget - dense_out
    factored = sum(a + b for a, b in zip(sizes[:-2], sizes[1:-1], strict=True))
    r_lr = max(1, round(hidden_budget / factored))
    fixed = sum(sizes[1:-1])  # only V (n_atoms x n_out) is stored
    r_fd = min(784, max(1, round(hidden_budget / fixed)))
    # narrow dense 784-h-h-10: 784 h + h^2 + 10 h = budget
    width = int((-(784 + 10) + np.sqrt((784 + 10) ** 2 + 4 * budget)) / 2)
    return [
        (f"H-matrix (HODLR, rank {rank}, leaf {leaf})", hidden, h_net),
        (f"global low rank W=UV (rank {r_lr})", hidden,
         _FactoredMLP(hidden, kind="lowrank", rank=r_lr, **_params(epochs))),
        (f"Denil fixed dictionary ({r_fd} atoms; SE, then random)", hidden,
         _FactoredMLP(hidden, kind="dictionary", rank=r_fd, **_params(epochs))),
        ("narrow dense", (width,) * len(hidden),
         MLPClassifier((width,) * len(hidden), **_params(epochs))),
        ("full dense (sklearn MLPClassifier)", hidden,
         MLPClassifier(hidden, **_params(epochs))),
    ]  # fmt: skip


def _n_params(model):
    if hasattr(model, "n_params_"):
        return model.n_params_
    return sum(
        c.size + b.size for c, b in zip(model.coefs_, model.intercepts_, strict=True)
    )


def network_speed(Xtr, ytr, hidden, rank, leaf, epochs, repeats):
    """Seconds per epoch: HMatrixMLPClassifier vs sklearn MLPClassifier."""
    rows, t_h, t_d = [], [], []
    for _ in range(repeats):
        h_net = HMatrixMLPClassifier(hidden, rank=rank, leaf_size=leaf,
                                     **_params(epochs))  # fmt: skip
        t_h.append(timed_fit(h_net, Xtr, ytr) / epochs)
        t_d.append(
            timed_fit(MLPClassifier(hidden, **_params(epochs)), Xtr, ytr) / epochs
        )
    th, td = float(np.median(t_h)), float(np.median(t_d))
    shape = "-".join(map(str, [784, *hidden, 10]))
    rows.append([f"HMatrixMLPClassifier {shape}, rank {rank}", f"{th:.2f}",
                 f"{th / td:.3f}"])  # fmt: skip
    rows.append([f"sklearn MLPClassifier {shape}", f"{td:.2f}", "1.000"])
    return table(rows, ["model", "s/epoch", "ratio to sklearn"])


def accuracy(Xtr, ytr, Xte, yte, hidden, rank, leaf, epochs, models=None):
    """Print the table row by row (the full dense net takes long)."""
    headers = ["model", "layers", "stored params", f"test acc ({epochs} ep)", "s/epoch"]
    print(table([], headers), flush=True)
    for i, (name, sizes, model) in enumerate(
        _budget_models(hidden, rank, leaf, epochs)
    ):
        if models is not None and i not in models:
            continue
        seconds = timed_fit(model, Xtr, ytr)
        shape = "-".join(map(str, [784, *sizes, 10]))
        acc = model.score(Xte, yte)
        row = [name, shape, f"{_n_params(model):,}", f"{acc:.4f}",
               f"{seconds / epochs:.2f}"]  # fmt: skip
        print("| " + " | ".join(row) + " |", flush=True)


def _blas_limit(threads):
    """Context limiting BLAS threads (None: leave as configured)."""
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fast smoke run")
    parser.add_argument("--epochs", type=int, default=8, help="epochs in part B2")
    parser.add_argument("--parts", default="A,K,B1,B2", help="comma-separated parts")
    parser.add_argument(
        "--models", default=None, help="B2 rows to run, e.g. 1,2 (default: all)"
    )
    parser.add_argument(
        "--blas-threads", type=int, default=None, help="BLAS thread limit (part A)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state (B)")
    parser.add_argument(
        "--settle", default="0.2,0",
        help="part A protocols: seconds idle before each timed block (0: none)",
    )  # fmt: skip
    args = parser.parse_args()
    SEED[0] = args.seed
    parts = set(args.parts.split(","))
    print(f"# machine: {machine()} (shared, noisy: compare ratios within a run)")
    if "A" in parts:
        if args.quick:
            widths, leaves, rounds, repeats = (256, 512, 1024), (32,), 2, 3
        else:
            widths, leaves, rounds, repeats = (1024, 2048, 4096), (32, 64, 128), 5, 5
        threads = "as configured" if args.blas_threads is None else args.blas_threads
        for settle in map(float, args.settle.split(",")):
            protocol = (
                f"settled ({settle:g} s idle before each block)"
                if settle
                else "back-to-back"
            )
            print(
                "\n## Part A: one junction, forward_train + grad_and_backward(ctx), "
                f"batch 256, float32, BLAS threads: {threads}, {protocol}\n"
            )
            with _blas_limit(args.blas_threads):
                tab, slopes = layer_speed(
                    widths, leaves, 8, 256, rounds, repeats, settle
                )
            print(tab + "\n\n" + slopes, flush=True)
    if "K" in parts:
        print(
            "\n## Part K: HODLR kernels, width 2048, leaf 64, rank 8, batch 256, "
            "float32: compiled loops vs numpy kernels\n"
        )
        print(kernel_choice(2048, 64, 8, 256, rounds=5, repeats=10))
    if not parts & {"B1", "B2"}:
        return
    n_train = 3000 if args.quick else None
    Xtr, ytr, Xte, yte, name = load_fashion_or_synthetic(n_train=n_train)
    hidden = (256, 256) if args.quick else (2048, 2048)
    if "B1" in parts:
        n_speed = 3000 if args.quick else 20000
        print(f"\n## Part B1: time per epoch on {n_speed:,} {name} training images\n")
        epochs, repeats = (1, 1) if args.quick else (2, 2)
        print(network_speed(Xtr[:n_speed], ytr[:n_speed], hidden, 8, 64,
                            epochs=epochs, repeats=repeats))  # fmt: skip
    if "B2" in parts:
        epochs = 2 if args.quick else args.epochs
        print(f"\n## Part B2: {name} test accuracy at equal parameter budget\n")
        models = None if args.models is None else set(map(int, args.models.split(",")))
        accuracy(Xtr, ytr, Xte, yte, hidden, 8, 64, epochs, models)


if __name__ == "__main__":
    main()
