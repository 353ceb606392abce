"""SparseMLPClassifier vs scikit-learn's MLPClassifier: time per epoch and accuracy.

Part 1 (speed): 784-1024-1024-10, float32, batch 256, Adam, the same data and
epochs for both; time per epoch and its ratio to MLPClassifier measured in the
same run, at densities 1, 0.5, 0.2, 0.1, 0.05, 0.02.

Part 2 (accuracy): 784-300-100-10 at density 1 and 0.2 for every connectivity.

    python benchmarks/bench_sparse_mlp.py            # full run (~15 min)
    python benchmarks/bench_sparse_mlp.py --quick    # smoke run
"""

import argparse
import warnings

import numpy as np
from _common import load_fashion_or_synthetic, machine, table, timed_fit
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sparsenn import SparseMLPClassifier

DENSITIES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02)


def _common_params(epochs, hidden):
    return dict(
        hidden_layer_sizes=hidden,
        batch_size=256,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
        shuffle=True,
    )


def speed(Xtr, ytr, Xte, yte, epochs, repeats):
    hidden = (1024, 1024)
    params = _common_params(epochs, hidden)
    # warm-up: compile the kernels once, outside the timings (one epoch on
    # purpose, so its ConvergenceWarning says nothing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        SparseMLPClassifier(**{**params, "max_iter": 1}, density=0.1).fit(
            Xtr[:512], ytr[:512]
        )
    ref_times, ref = [], None
    for _ in range(repeats):
        ref = MLPClassifier(**params)
        ref_times.append(timed_fit(ref, Xtr, ytr) / epochs)
    t_ref = float(np.median(ref_times))
    rows = [
        [
            "MLPClassifier (dense)",
            "1",
            f"{t_ref:.2f}",
            "1.00",
            f"{ref.score(Xte, yte):.4f}",
        ]
    ]
    for rho in DENSITIES:
        times, clf = [], None
        for _ in range(repeats):
            clf = SparseMLPClassifier(**params, density=rho)
            times.append(timed_fit(clf, Xtr, ytr) / epochs)
        t = float(np.median(times))
        rows.append(
            [
                "SparseMLPClassifier",
                f"{rho:g}",
                f"{t:.2f}",
                f"{t / t_ref:.2f}",
                f"{clf.score(Xte, yte):.4f}",
            ]
        )
    return table(
        rows,
        ["model", "density", "s/epoch", "ratio to sklearn", f"test acc ({epochs} ep)"],
    )


def accuracy(Xtr, ytr, Xte, yte, epochs):
    params = _common_params(epochs, (300, 100))
    rows = []
    for rho in (1.0, 0.2):
        for conn in ("random", "structured", "clash_free"):
            if rho == 1.0 and conn != "random":
                continue
            clf = SparseMLPClassifier(**params, density=rho, connectivity=conn)
            t = timed_fit(clf, Xtr, ytr) / epochs
            rows.append(
                [
                    conn,
                    f"{rho:g}",
                    " / ".join(f"{d:.3f}" for d in clf.densities_),
                    f"{t:.2f}",
                    f"{clf.score(Xte, yte):.4f}",
                ]
            )
    return table(
        rows,
        [
            "connectivity",
            "density",
            "achieved per junction",
            "s/epoch",
            "test accuracy",
        ],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    n_train = 6000 if args.quick else None
    epochs = args.epochs or (1 if args.quick else 3)
    repeats = args.repeats or (1 if args.quick else 3)
    Xtr, ytr, Xte, yte, name = load_fashion_or_synthetic(n_train)
    print(f"# machine: {machine()}")
    print(f"# data: {name}, {len(Xtr)} train / {len(Xte)} test, float32")
    print(
        f"\n## Time per epoch, 784-1024-1024-10, batch 256, Adam "
        f"(median of {repeats}, {epochs} epochs each)\n"
    )
    print(speed(Xtr, ytr, Xte, yte, epochs, repeats))
    acc_epochs = 2 if args.quick else 15
    print(f"\n## Accuracy, 784-300-100-10, {acc_epochs} epochs\n")
    print(accuracy(Xtr, ytr, Xte, yte, acc_epochs))


if __name__ == "__main__":
    main()
