"""Variants of the rewiring step, tried on a validation split (not the package's code).

The 784-300-100-10 recipe of ``bench_rewiring.py`` (Adam 1e-3, minibatches of 200,
alpha 1e-4, ``learning_rate_scaling="fan_in"``, a fixed number of epochs, the output
junction dense), trained on the first 50 000 Fashion-MNIST training images and scored
on the other 10 000: the test images stay out of the choice of a method. Each variant
changes one thing of the rewiring step by wrapping a private function for the length
of its fits; the default step is the reference of the same run:

* ``protect``: edges grown at a rewiring step cannot be dropped at the next one (their
  magnitude counts as infinite there);
* ``init-grown``: grown weights start from the initial distribution (uniform with the
  junction's Glorot variance, as in SET's paper) instead of zero.

Usage::

    python benchmarks/bench_rewiring_variants.py --connectivity structured --density 0.1
    python benchmarks/bench_rewiring_variants.py --quick   # 1 seed, 2 epochs
"""

import argparse
import contextlib
import warnings
from unittest import mock

import numpy as np
from _common import machine, table
from bench_rewiring import _load as _load_fashion
from bench_rewiring import _make

import sparsenn.engine._rewiring as engine_rewiring
from sparsenn.layers import SparseWeights


def _protect_grown():
    """Edges grown at one rewiring step are not candidates for the next drop."""
    move, grown = engine_rewiring.rewire_edges, {}

    def rewire_edges(connectivity, rows, cols, values, shape, k, **kw):
        values = np.asarray(values)
        last = grown.get(tuple(shape))
        if last is not None and last.size == values.size:
            values = np.where(last, np.inf, values)
        out = move(connectivity, rows, cols, values, shape, k, **kw)
        grown[tuple(shape)] = out.source < 0
        return out

    return mock.patch.object(engine_rewiring, "rewire_edges", rewire_edges)


def _init_grown(seed=12345):
    """Grown weights drawn from the junction's initial (Glorot uniform) law."""
    replace, rng = SparseWeights.replace_edges, np.random.default_rng(seed)

    def replace_edges(self, rows, cols, source, order=None):
        out = replace(self, rows, cols, source, order)
        new = np.flatnonzero(np.asarray(source) < 0)
        n_in, n_out = self.shape
        fan_in, fan_out = self.params.size / n_out, self.params.size / n_in
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        self.params[new] = rng.uniform(-bound, bound, new.size)
        return out

    return mock.patch.object(SparseWeights, "replace_edges", replace_edges)


VARIANTS = {"default": contextlib.nullcontext, "protect": _protect_grown,
            "init-grown": _init_grown}  # fmt: skip


def _load():
    """The first 50 000 training images to train, the other 10 000 to score."""
    X, y, _, _ = _load_fashion(60_000)
    return X[:50_000], y[:50_000], X[50_000:], y[50_000:]


def _fit(data, connectivity, density, method, variant, seed, epochs):
    Xtr, ytr, Xva, yva = data
    clf = _make((300, 100), density, connectivity, method, seed, epochs)
    with VARIANTS[variant](), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(Xtr, ytr)
    return float(clf.score(Xva, yva))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectivity", default="structured")
    parser.add_argument("--density", type=float, default=0.1)
    parser.add_argument("--methods", default="set,rigl")
    parser.add_argument("--variants", default="protect,init-grown")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1 seed, 2 epochs")
    args = parser.parse_args()
    seeds, epochs = (1, 2) if args.quick else (args.seeds, args.epochs)
    print(f"# {machine()}")
    data = _load()
    runs = [(None, "default")] + [
        (method, variant)
        for method in args.methods.split(",")
        for variant in ["default", *args.variants.split(",")]
    ]
    rows, static = [], None
    for method, variant in runs:
        scores = [
            _fit(data, args.connectivity, args.density, method, variant, s, epochs)
            for s in range(seeds)
        ]
        mean = float(np.mean(scores))
        static = mean if static is None else static
        rows.append(
            [method or "static", variant, " / ".join(f"{v:.4f}" for v in scores),
             f"{mean:.4f}", f"{(mean - static) * 100:+.2f}"]
        )  # fmt: skip
        print(rows[-1], flush=True)
    print(
        f"\n{args.connectivity}, density {args.density}, {epochs} epochs, "
        f"validation accuracy\n"
    )
    print(table(rows, ["method", "variant", "per seed", "mean", "gain (points)"]))


if __name__ == "__main__":
    main()
