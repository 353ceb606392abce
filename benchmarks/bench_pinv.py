"""PseudoInverseSparseClassifier against MLPClassifier and a dense ELM.

Datasets: scikit-learn's digits (stratified 75/25 split, random_state=0), the
Morse ``baseline`` variant (``sparsenn.datasets.load_morse``: train / test) and
Fashion-MNIST (60k / 10k).  Peers, measured in the same run:

* ``MLPClassifier()`` with scikit-learn's defaults (hidden (100,), relu, adam,
  up to 200 epochs, stops when the training loss improves by < 1e-4 for 10
  epochs), ``random_state=0``;
* a plain dense extreme-learning machine of the same width (Gaussian input
  weights, tanh, ridge alpha=1 with an unpenalised intercept, Cholesky).

Ratios: "fit speed-up" = MLP fit time / model fit time; "vs MLP" = accuracy
difference in percentage points.

Usage: ``python benchmarks/bench_pinv.py [--quick] [--skip-mlp]``
"""

import argparse
import time
import warnings

import numpy as np
from _common import machine, table
from scipy.linalg import cho_factor, cho_solve
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sparsenn import PseudoInverseSparseClassifier


class DenseELM:
    """Plain dense ELM: ``tanh(x W + c)`` then ridge output weights."""

    def __init__(self, n_hidden=500, alpha=1.0, random_state=0, chunk=4096):
        self.n_hidden, self.alpha = n_hidden, alpha
        self.random_state, self.chunk = random_state, chunk

    def _hidden(self, X):
        return np.tanh(
            ((X - self.mean_) / self.scale_).astype(X.dtype) @ self.W_ + self.c_
        )

    def fit(self, X, y):
        rng = np.random.default_rng(self.random_state)
        self.mean_, self.scale_ = X.mean(0), X.std(0)
        self.scale_[self.scale_ == 0] = 1.0
        d, n = X.shape[1], self.n_hidden
        self.W_ = (rng.standard_normal((d, n)) / np.sqrt(d)).astype(X.dtype)
        self.c_ = (0.5 * rng.standard_normal(n)).astype(X.dtype)
        self.classes_, codes = np.unique(y, return_inverse=True)
        G = np.zeros((n + 1, n + 1))
        R = np.zeros((n + 1, self.classes_.size))
        for s in range(0, X.shape[0], self.chunk):
            Z = self._hidden(X[s : s + self.chunk])
            Z = np.hstack([Z, np.ones((Z.shape[0], 1), Z.dtype)])
            T = -np.ones((Z.shape[0], self.classes_.size))
            T[np.arange(Z.shape[0]), codes[s : s + self.chunk]] = 1.0
            G += Z.T @ Z
            R += Z.T @ T
        G[np.arange(n), np.arange(n)] += self.alpha
        self.beta_ = cho_solve(cho_factor(G), R)
        return self

    def score(self, X, y):
        correct = 0
        for s in range(0, X.shape[0], self.chunk):
            H = self._hidden(X[s : s + self.chunk])
            S = H @ self.beta_[:-1] + self.beta_[-1]
            correct += np.sum(self.classes_[S.argmax(1)] == y[s : s + self.chunk])
        return correct / X.shape[0]


def load(name, quick):
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    if name.startswith("morse"):
        from sparsenn.datasets import load_morse

        variant = "baseline-small" if quick else "baseline"
        Xtr, ytr = load_morse(variant, subset="train", return_X_y=True)
        Xte, yte = load_morse(variant, subset="test", return_X_y=True)
        return Xtr, Xte, ytr, yte
    from sparsenn.datasets import load_fashion_mnist

    Xtr, ytr = load_fashion_mnist(subset="train", return_X_y=True)
    Xte, yte = load_fashion_mnist(subset="test", return_X_y=True)
    if quick:
        Xtr, ytr, Xte, yte = Xtr[:10000], ytr[:10000], Xte[:2000], yte[:2000]
    return Xtr, Xte, ytr, yte


def timed(model, Xtr, ytr, Xte, yte):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(Xtr, ytr)
        fit = time.perf_counter() - start
    return fit, model.score(Xte, yte)


def models(dataset, quick):
    """(label, estimator) pairs; the wider PI config is used for Fashion-MNIST."""
    default = PseudoInverseSparseClassifier(random_state=0)
    out = [("PseudoInverseSparse (defaults: n_hidden=500)", default)]
    widths = [500]
    if dataset == "fashion":
        wide = 1000 if quick else 3000
        out.append(
            (
                f"PseudoInverseSparse (n_hidden={wide}, input_density=0.1)",
                PseudoInverseSparseClassifier(
                    n_hidden=wide, input_density=0.1, random_state=0
                ),
            )
        )
        widths.append(wide)
    for w in widths:
        out.append((f"dense ELM (n_hidden={w})", DenseELM(n_hidden=w, random_state=0)))
    return out


def run(dataset, quick, skip_mlp):
    try:
        Xtr, Xte, ytr, yte = load(dataset, quick)
    except Exception as exc:  # noqa: BLE001 - report and go on with the others
        print(f"# {dataset}: not available ({exc}); row skipped", flush=True)
        return []
    results = []
    for label, model in models(dataset, quick):
        fit, acc = timed(model, Xtr, ytr, Xte, yte)
        results.append([dataset, label, Xtr.shape[0], fit, acc])
        print(f"# {dataset:8s} {label:55s} fit {fit:8.2f} s  acc {acc:.4f}", flush=True)
    if not skip_mlp:
        mlp = MLPClassifier(random_state=0)
        fit, acc = timed(mlp, Xtr, ytr, Xte, yte)
        label = f"MLPClassifier (defaults; {mlp.n_iter_} epochs)"
        results.append([dataset, label, Xtr.shape[0], fit, acc])
        print(f"# {dataset:8s} {label:55s} fit {fit:8.2f} s  acc {acc:.4f}", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small subsets")
    parser.add_argument("--skip-mlp", action="store_true", help="no MLP peer")
    parser.add_argument(
        "--datasets", default="digits,morse,fashion", help="comma-separated"
    )
    args = parser.parse_args()
    print(f"# bench_pinv ({machine()})\n", flush=True)
    rows = []
    for dataset in args.datasets.split(","):
        res = run(dataset, args.quick, args.skip_mlp)
        mlp = [r for r in res if r[1].startswith("MLP")]
        for r in res:
            speedup = f"{mlp[0][3] / r[3]:.1f}x" if mlp else "–"
            diff = f"{100 * (r[4] - mlp[0][4]):+.1f}" if mlp else "–"
            rows.append(
                [r[0], r[1], r[2], f"{r[3]:.2f} s", f"{r[4]:.4f}", speedup, diff]
            )
    headers = ["dataset", "model", "n_train", "fit time", "test accuracy",
               "fit speed-up vs MLP", "vs MLP (points)"]  # fmt: skip
    print("\n" + table(rows, headers))


if __name__ == "__main__":
    main()
