"""The two hashes of HashedWeights against each other: accuracy and time (issue 14).

``hashing="window"`` (the default) makes runs of 256 virtual columns of a row
read runs of the real weights, so a block fills at memory speed;
``hashing="uniform"`` is Chen et al.'s hash, every entry its own random bucket.
Both give every bucket Poisson(``1 / compression``) entries with fair signs;
this benchmark checks that the window's correlated layout costs no accuracy.
For each compression, Fashion-MNIST ``784-H-10`` with the hidden junction
hashed (the output junction dense), the same recipe for both hashes, mean and
spread over seeds of the test accuracy, and the time per epoch.

    python benchmarks/bench_hashing.py --quick      # ~1 min, 1 seed
    python benchmarks/bench_hashing.py              # 3 seeds, ~6 min
"""

import argparse
import os

import numpy as np
from _common import load_fashion_or_synthetic, machine, table, timed_fit

from sparsenn import StructuredMLPClassifier


def run(hidden, compressions, seeds, epochs, n_train):
    Xtr, ytr, Xte, yte, name = load_fashion_or_synthetic(n_train=n_train)
    print(f"# {name}: {len(Xtr)} train, {len(Xte)} test, 784-{hidden}-10, "
          f"{epochs} epochs, adam 3e-3, batch 256, seeds {list(seeds)}\n")  # fmt: skip
    rows = []
    for f in compressions:
        for hashing in ("window", "uniform"):
            acc, per_epoch = [], []
            for seed in seeds:
                weights = {"kind": "hashed", "compression": f, "hashing": hashing}
                est = StructuredMLPClassifier(
                    (hidden,), weights=weights, batch_size=256, max_iter=epochs,
                    tol=0.0, n_iter_no_change=10**6, learning_rate_init=3e-3,
                    random_state=seed,
                )  # fmt: skip
                per_epoch.append(timed_fit(est, Xtr, ytr) / est.n_iter_)
                acc.append(est.score(Xte, yte))
            rows.append([f"1/{1 / f:.3g}", hashing, f"{100 * np.mean(acc):.2f}",
                         f"{100 * np.std(acc):.2f}",
                         f"{np.median(per_epoch):.2f}"])  # fmt: skip
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 2 epochs")
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--n-train", type=int, default=None)
    args = parser.parse_args()
    seeds = range(1 if args.quick else args.seeds)
    epochs = 2 if args.quick else args.epochs
    n_train = 10000 if args.quick else args.n_train
    print(f"# {machine()}; load average {os.getloadavg()[0]:.2f}")
    rows = run(args.hidden, (1 / 8, 1 / 32, 1 / 128), seeds, epochs, n_train)
    headers = ["compression", "hashing", "test acc %", "std", "s / epoch"]
    print(table(rows, headers))


if __name__ == "__main__":
    main()
