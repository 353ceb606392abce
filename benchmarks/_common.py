"""Helpers shared by the benchmark scripts (not part of the package)."""

import os
import platform
import tempfile
import time
import warnings

import numpy as np


def load_fashion_or_synthetic(n_train=None, seed=0):
    """Fashion-MNIST as float32 in [0, 1] if installed, else a synthetic stand-in.

    Returns ``(X_train, y_train, X_test, y_test, name)``.
    """
    try:
        from sparsenn.datasets import load_fashion_mnist

        train = load_fashion_mnist(subset="train")
        test = load_fashion_mnist(subset="test")
        Xtr, ytr = train.data.astype(np.float32), train.target
        Xte, yte = test.data.astype(np.float32), test.target
        name = "Fashion-MNIST"
    except Exception as exc:  # noqa: BLE001 - any failure means: not available
        print(f"# Fashion-MNIST not available ({exc}); using synthetic data")
        from sklearn.datasets import make_classification

        X, y = make_classification(
            70000, 784, n_informative=120, n_classes=10, random_state=seed
        )
        X = ((X - X.min()) / (X.max() - X.min())).astype(np.float32)
        Xtr, ytr, Xte, yte = X[:60000], y[:60000], X[60000:], y[60000:]
        name = "synthetic"
    if n_train is not None:
        Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    return Xtr, ytr, Xte, yte, name


def median_time(fn, repeats, stat=np.median):
    """``stat`` (default: median) of ``repeats`` wall-clock timings of ``fn()``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(stat(times))


def timed_fit(estimator, X, y):
    """Fit with warnings silenced; return seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        estimator.fit(X, y)
        return time.perf_counter() - start


def machine():
    """One line describing this machine and the library versions."""
    import os

    import numba
    import scipy
    import sklearn

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, numba {numba.__version__}"
    )


def table(rows, headers):
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


DOCS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "docs"))


def output_path(name, quick=False):
    """Where a benchmark writes ``name``: the repository's ``docs/``.

    For a ``--quick`` smoke run: a ``sparsenn-quick`` folder in the temporary
    directory, so that a smoke run never replaces the published figures.
    """
    base = os.path.join(tempfile.gettempdir(), "sparsenn-quick") if quick else DOCS
    os.makedirs(base, exist_ok=True)
    return os.path.join(base, name)
