"""Weight types against DenseWeights, one junction, measured in the same run.

For each square junction (default 1024 x 1024, batch 256) and dtype, every
weight type runs

* *calls*: ``forward(X)``, ``backward(D)`` and ``grad(X, D)`` as three public
  calls (the issue-14 target: hashed at compression 1/8 no slower than dense);
* *step*: ``forward_train(X)`` then ``grad_and_backward(X, D, ctx)``, what the
  engine runs per junction and minibatch.

Types: ``DenseWeights`` (three BLAS GEMMs, the peer), the same with BLAS
held at one thread (HashedWeights runs its blocks in worker threads with one
BLAS thread each: this row separates that effect from hashing), ``HashedWeights`` at
compression 1/8 with the compiled block loops and with the numpy reference
hash, ``CirculantWeights`` (FFT, one circulant) when available.  Rounds cycle
through the types, each timed block preceded by a short idle (OpenBLAS keeps
its threads spinning for ~0.1 s after a GEMM; docs/kernels.md), and a type's
time is its median over rounds; ratios are to the dense median of the same
run.  Both the median and the best (minimum) round are shown: on a loaded
machine the median measures robustness to preemption, the best round the
arithmetic.

    python benchmarks/bench_layers.py --quick     # ~30 s
    python benchmarks/bench_layers.py             # ~2 min
"""

import argparse
import os
import time

import numpy as np
from _common import machine, table

from sparsenn.layers import DenseWeights, HashedWeights
from sparsenn.linalg._threads import single_threaded_blas

try:
    from sparsenn.layers import CirculantWeights
except ImportError:  # before issue 14 part 2
    CirculantWeights = None


class _OneThreadBLAS:
    """A weight object run with BLAS held at one thread (a peer, not a type)."""

    def __init__(self, W):
        self.W, self.n_params = W, W.n_params

    def __getattr__(self, name):
        attr = getattr(self.W, name)

        def call(*args):
            with single_threaded_blas():
                return attr(*args)

        return call


def _types(n, dtype):
    rng = np.random.default_rng(0)
    bound = np.sqrt(6.0 / (2 * n))
    dense = DenseWeights(rng.uniform(-bound, bound, (n, n)).astype(dtype))
    types = {
        "dense": dense,
        "dense, BLAS at 1 thread": _OneThreadBLAS(dense),
        "hashed 1/8 (numba)": HashedWeights(
            n, n, compression=1 / 8, random_state=0, dtype=dtype, seed=1
        ),
        "hashed 1/8 (numpy)": HashedWeights(
            n,
            n,
            compression=1 / 8,
            random_state=0,
            dtype=dtype,
            seed=1,
            kernel="numpy",
        ),
    }
    if CirculantWeights is not None:
        types["circulant (FFT)"] = CirculantWeights(n, n, random_state=0, dtype=dtype)
    return types


def _calls(W, X, D):
    W.forward(X)
    W.backward(D)
    W.grad(X, D)


def _step(W, X, D):
    _, ctx = W.forward_train(X)
    W.grad_and_backward(X, D, ctx)


def _time(fn, settle):
    time.sleep(settle)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(n, batch, dtype, rounds, settle):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((batch, n)).astype(dtype)
    D = rng.standard_normal((batch, n)).astype(dtype)
    types = _types(n, dtype)
    for W in types.values():  # compile and warm up
        _calls(W, X, D)
        _step(W, X, D)
    times = {(name, what): [] for name in types for what in ("calls", "step")}
    for _ in range(rounds):
        for name, W in types.items():
            times[name, "calls"].append(_time(lambda W=W: _calls(W, X, D), settle))
            times[name, "step"].append(_time(lambda W=W: _step(W, X, D), settle))
    med = {key: float(np.median(v)) for key, v in times.items()}
    best = {key: float(np.min(v)) for key, v in times.items()}
    rows = []
    for name, W in types.items():
        row = [name, W.n_params]
        for what in ("calls", "step"):
            for stat in (med, best):
                t, ref = stat[name, what], stat["dense", what]
                row += [f"{t * 1e3:.1f}", f"{t / ref:.2f}"]
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run")
    parser.add_argument("--n", type=int, default=1024, help="junction width")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--settle", type=float, default=0.15, help="idle (s)")
    args = parser.parse_args()
    rounds = 5 if args.quick else 15
    print(f"# {machine()}; load average {os.getloadavg()[0]:.2f}")
    headers = ["type", "stored"]
    for what in ("calls", "step"):
        headers += [f"{what} median ms", "x dense", f"{what} best ms", "x dense"]
    for dtype in (np.float32, np.float64):
        print(
            f"\n## {args.n} x {args.n}, batch {args.batch}, "
            f"{np.dtype(dtype).name}, median of {rounds} rounds\n"
        )
        print(table(run(args.n, args.batch, dtype, rounds, args.settle), headers))
    print(f"\n# load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
