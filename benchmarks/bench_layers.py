"""Weight types against DenseWeights, one junction, measured in the same run.

For each square junction (default 1024 x 1024, batch 256) and dtype, every
weight type runs

* *calls*: ``forward(X)``, ``backward(D)`` and ``grad(X, D)`` as three public
  calls (the issue-14 target: hashed at compression 1/8 no slower than dense);
* *step*: ``forward_train(X)`` then ``grad_and_backward(X, D, ctx)``, what the
  engine runs per junction and minibatch.

Types: ``DenseWeights`` (three BLAS GEMMs, the peer), the same with BLAS
held at one thread (the uniform hash runs its blocks in worker threads with one
BLAS thread each: this row separates that effect from hashing),
``HashedWeights`` at compression 1/8 with the window hash (the default: blocks
in turn, BLAS's own threads) and with the uniform hash (Chen et al.'s; worker
threads), each with the compiled block loops, the window hash also with the
numpy reference, ``CirculantWeights`` (FFT, one circulant) when available.

Rounds cycle through the types and a type's time is its median over rounds;
ratios are to the dense time of the same run.  Two regimes: *cold*, each timed
block preceded by a short idle (OpenBLAS keeps its threads spinning for ~0.1 s
after a GEMM, and on a shared machine threads woken after an idle run slower;
docs/kernels.md), and *burst*, each timed call right after an untimed call of
the same type, as in training.  For the
cold regime the best (minimum) round is shown as well: on a loaded machine the
median measures robustness to preemption, the best round the arithmetic.

    python benchmarks/bench_layers.py --quick     # ~30 s
    python benchmarks/bench_layers.py             # ~2 min
    python benchmarks/bench_layers.py --floor     # the GEMMs alone, ~1 min

``--floor`` times only the three products, without the hashed layer's fill and
scatter: in one BLAS call each (dense), over the hashed layer's blocks with BLAS
on every core, and over the same blocks in the worker threads with one BLAS
thread each (the hashed layer's execution model).  It separates what the
execution model costs from what the hash costs.
"""

import argparse
import os
import time

import numpy as np
from _common import machine, table

from sparsenn.layers import DenseWeights, HashedWeights
from sparsenn.layers._hashed import BLOCK_ENTRIES
from sparsenn.linalg._threads import row_chunks, run_chunks, single_threaded_blas

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
    }
    for hashing, kernel in (("window", "numba"), ("uniform", "numba"),
                            ("window", "numpy")):  # fmt: skip
        types[f"hashed 1/8 {hashing} ({kernel})"] = HashedWeights(
            n, n, compression=1 / 8, random_state=0, dtype=dtype, seed=1,
            kernel=kernel, hashing=hashing,
        )  # fmt: skip
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


def _rounds(fns, rounds, settle, *, burst=False):
    """Median and best time of every ``fns[key]()``, the keys cycled per round.

    ``burst``: each timed call right after an untimed call of itself, the
    steady state of training (the BLAS threads awake, no other type's thread
    setting lingering).
    """
    for fn in fns.values():  # compile and warm up
        fn()
    times = {key: [] for key in fns}
    for _ in range(rounds):
        for key, fn in fns.items():
            if burst:
                fn()
            times[key].append(_time(fn, settle))
    med = {key: float(np.median(v)) for key, v in times.items()}
    best = {key: float(np.min(v)) for key, v in times.items()}
    return med, best


def run(n, batch, dtype, rounds, settle):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((batch, n)).astype(dtype)
    D = rng.standard_normal((batch, n)).astype(dtype)
    types = _types(n, dtype)
    fns = {}
    for name, W in types.items():
        fns[name, "calls"] = lambda W=W: _calls(W, X, D)
        fns[name, "step"] = lambda W=W: _step(W, X, D)
    med, best = _rounds(fns, rounds, settle)
    burst, _ = _rounds(fns, rounds, 0.0, burst=True)
    rows = []
    for name, W in types.items():
        row = [name, W.n_params]
        for what in ("calls", "step"):
            for stat in (med, best, burst):
                t, ref = stat[name, what], stat["dense", what]
                row += [f"{t * 1e3:.1f}", f"{t / ref:.2f}"]
        rows.append(row)
    return rows


def _blocked(X, columns, rows_t, D, groups, mapper):
    """The three products over the hashed layer's blocks, on stored blocks.

    Like HashedWeights: the forward multiplies C-contiguous column blocks
    (``columns[j0]``), the backward C-contiguous transposed row blocks
    (``rows_t[i0]``), the gradient makes each block's ``X.T @ D`` contiguous;
    only the fill and the scatter are missing.
    """
    Y, B = np.empty_like(X), np.empty_like(D)

    def forward(group):
        for j0, j1 in group:
            Y[:, j0:j1] = X @ columns[j0]

    def backward(group):
        for i0, i1 in group:
            B[:, i0:i1] = D @ rows_t[i0]

    def grad(group):
        for i0, i1 in group:
            np.ascontiguousarray(X[:, i0:i1].T @ D)

    for work in (forward, backward, grad):
        mapper(work, groups)


def gemm_floor(n, batch, dtype, rounds, settle):
    """Time the three GEMMs alone (no fill, no scatter) in three execution models.

    *dense*: one call per product, BLAS on every core (DenseWeights); *blocks,
    BLAS on every core*: the hashed layer's column / row blocks in sequence;
    *blocks in workers*: the same blocks split over the worker threads with one
    BLAS thread each (what HashedWeights runs, minus its fill and scatter).
    """
    rng = np.random.default_rng(1)
    X = rng.standard_normal((batch, n)).astype(dtype)
    D = rng.standard_normal((batch, n)).astype(dtype)
    W = rng.standard_normal((n, n)).astype(dtype)
    step = max(1, BLOCK_ENTRIES // n)
    blocks = [(a, min(a + step, n)) for a in range(0, n, step)]
    groups = [blocks[s] for s in row_chunks(len(blocks), min_rows=1)]
    columns = {a: np.ascontiguousarray(W[:, a:b]) for a, b in blocks}
    rows_t = {a: np.ascontiguousarray(W[a:b].T) for a, b in blocks}

    def in_sequence(fn, chunks):
        for chunk in chunks:
            fn(chunk)

    fns = {
        "dense (3 GEMMs)": lambda: (X @ W, D @ W.T, X.T @ D),
        "blocks, BLAS on every core": lambda: _blocked(
            X, columns, rows_t, D, [blocks], in_sequence
        ),
        "blocks in workers, 1 BLAS thread each": lambda: _blocked(
            X, columns, rows_t, D, groups, run_chunks
        ),
    }
    med, best = _rounds(fns, rounds, settle)
    ref = "dense (3 GEMMs)"
    return [
        [name, f"{med[name] * 1e3:.1f}", f"{med[name] / med[ref]:.2f}",
         f"{best[name] * 1e3:.1f}", f"{best[name] / best[ref]:.2f}"]
        for name in fns
    ]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run")
    parser.add_argument("--n", type=int, default=1024, help="junction width")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--settle", type=float, default=0.15, help="idle (s)")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="only the GEMMs without fill or scatter, in the three execution models",
    )
    args = parser.parse_args()
    rounds = 5 if args.quick else 15
    print(f"# {machine()}; load average {os.getloadavg()[0]:.2f}")
    headers = ["type", "stored"]
    for what in ("calls", "step"):
        for stat in ("cold median", "cold best", "burst median"):
            headers += [f"{what} {stat} ms", "x dense"]
    if args.floor:
        headers = ["GEMMs only", "median ms", "x dense", "best ms", "x dense"]
    for dtype in (np.float32, np.float64):
        print(
            f"\n## {args.n} x {args.n}, batch {args.batch}, "
            f"{np.dtype(dtype).name}, median of {rounds} rounds\n"
        )
        measure = gemm_floor if args.floor else run
        print(table(measure(args.n, args.batch, dtype, rounds, args.settle), headers))
    print(f"\n# load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
