"""Defaults a swapping user can live with: candidate default densities.

``SparseMLPClassifier((64,))`` with only ``max_iter`` set, against
``MLPClassifier((64,))`` with its defaults, on the Morse ``baseline-small`` variant
and a Fashion-MNIST subset (both as loaded, no scaling: what a user swapping one
estimator for the other does). Candidates: the former default (density 0.1),
uniform densities, and ``density="auto"`` rules (hidden junctions
``max(0.1, k / n_in)``, output junction dense) for several minimum fan-ins ``k``.

Usage: ``python benchmarks/bench_defaults.py [--quick] [--seeds N] [--epochs N]``.
Prints test accuracy (mean and spread over seeds), stored weights and whether the
fit warned.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sparsenn import SparseMLPClassifier
from sparsenn.connectivity import _estimator

CANDIDATES = [
    ("0.1 (former default)", {"density": 0.1}),
    ("0.25", {"density": 0.25}),
    ("0.5", {"density": 0.5}),
    ("(0.1, 1.0)", "out-dense-0.1"),
    ("auto 0.1, fan-in >= 8", ("auto", 8)),
    ("auto 0.1, fan-in >= 16", ("auto", 16)),
    ("auto 0.1, fan-in >= 32", ("auto", 32)),
    ("auto 0.1, fan-in >= 16, random", ("auto", 16, "random")),
    ("auto 0.2, fan-in >= 16", ("auto", 16, "structured", 0.2)),
    ("auto 0.25, fan-in >= 32", ("auto", 32, "structured", 0.25)),
    ("auto 0.2, fan-in >= 32 (chosen)", ("auto", 32, "structured", 0.2)),
]


def _data(name, n_train):
    if name == "morse":
        from sparsenn.datasets import load_morse

        tr, te = (
            load_morse("baseline-small", subset="train"),
            load_morse("baseline-small", subset="test"),
        )
        return tr.data, tr.target, te.data, te.target
    from sparsenn.datasets import load_fashion_mnist

    tr = load_fashion_mnist(subset="train")
    te = load_fashion_mnist(subset="test")
    Xtr = tr.data[:n_train]
    Xte = te.data
    return Xtr, tr.target[:n_train], Xte, te.target


def _estimator_for(spec, seed, epochs):
    common = {"max_iter": epochs, "random_state": seed}
    if spec == "mlp":
        return MLPClassifier((64,), **common)
    if spec == "out-dense-0.1":
        return SparseMLPClassifier((64,), density=(0.1, 1.0), **common)
    if isinstance(spec, tuple):
        _estimator.AUTO_MIN_FAN_IN = spec[1]
        conn = spec[2] if len(spec) > 2 else "structured"
        _estimator.AUTO_DENSITY = spec[3] if len(spec) > 3 else 0.1
        return SparseMLPClassifier((64,), connectivity=conn, **common)
    return SparseMLPClassifier((64,), **spec, **common)


def run(spec, data, seeds, epochs):
    """Fit ``spec`` once per seed; return accuracy, spread, weights, warned, time."""
    Xtr, ytr, Xte, yte = data
    accs, warned, n_weights, t0 = [], False, 0, time.perf_counter()
    default_k, default_rho = _estimator.AUTO_MIN_FAN_IN, _estimator.AUTO_DENSITY
    try:
        for seed in seeds:
            est = _estimator_for(spec, seed, epochs)
            with warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter("always")
                est.fit(Xtr, ytr)
            warned |= any(not issubclass(w.category, ConvergenceWarning) for w in rec)
            accs.append(est.score(Xte, yte))
            coefs = est.coefs_
            n_weights = int(sum(getattr(c, "nnz", np.size(c)) for c in coefs))
    finally:
        _estimator.AUTO_MIN_FAN_IN = default_k
        _estimator.AUTO_DENSITY = default_rho
    secs = (time.perf_counter() - t0) / len(seeds)
    return np.mean(accs), np.ptp(accs), n_weights, warned, secs


def main(argv=None):
    """Run the experiments selected by the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--fashion-train", type=int, default=10_000)
    args = parser.parse_args(argv)
    seeds = range(1 if args.quick else args.seeds)
    epochs = 5 if args.quick else args.epochs
    for name in ("morse", "fashion"):
        try:
            data = _data(name, args.fashion_train)
        except Exception as exc:  # noqa: BLE001 - dataset not installed
            print(f"# {name}: not available ({exc})")
            continue
        print(
            f"\n{name}: {data[0].shape[0]} train x {data[0].shape[1]} features, "
            f"{len(np.unique(data[1]))} classes, hidden (64,), {epochs} epochs, "
            f"{len(seeds)} seed(s)"
        )
        print(
            f"{'model':<34} {'test acc':>8} {'spread':>7} {'weights':>8} "
            f"{'warned':>6} {'s/fit':>6}"
        )
        rows = [("MLPClassifier defaults", "mlp")] + CANDIDATES
        for label, spec in rows:
            acc, spread, n_w, warned, secs = run(spec, data, seeds, epochs)
            print(
                f"{label:<34} {acc:>8.4f} {spread:>7.4f} {n_w:>8} {str(warned):>6} "
                f"{secs:>6.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
