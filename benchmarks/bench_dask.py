"""GridSearchCV over density x connectivity x seeds: 2 Dask workers against n_jobs=1.

Usage: ``python benchmarks/bench_dask.py [--quick] [--repeats R]``

Prints the wall and CPU time of the same search run sequentially (``n_jobs=1``,
with the default threads and limited to one BLAS and one numba thread) and on a
``LocalCluster`` of two single-threaded worker processes (loopback, numba pool
sized by ``sparsenn.dask.NumbaThreadsPlugin``), their ratio, and the load
average before and after, since the machine may be shared. Cluster start-up is
excluded (measured separately); the first Dask search warms the workers
(imports, numba's on-disk cache) and is not timed.
"""

import argparse
import contextlib
import os
import sys
import time
import warnings

from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from sparsenn import SparseMLPClassifier
from sparsenn.dask import dask_backend
from sparsenn.datasets import make_morse


def make_search(quick):
    grid = {
        "density": [0.05, 0.1, 0.25, 1.0],
        "connectivity": ["random", "structured", "clash_free"],
        "random_state": [0, 1] if quick else [0, 1, 2],
    }
    est = SparseMLPClassifier((256,), max_iter=20, learning_rate_init=0.01)
    return GridSearchCV(est, grid, cv=3)


def timed(fn, cpu=time.process_time):
    """Return (wall seconds, CPU seconds of ``cpu()``) of ``fn()``."""
    start, start_cpu = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - start, cpu() - start_cpu


@contextlib.contextmanager
def numba_threads(n):
    """Limit numba's threads in this thread to ``n`` for the duration."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def workers_cpu(client):
    """Total CPU seconds used so far by the worker processes."""
    return sum(client.run(time.process_time).values())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 seeds instead of 3")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        sys.exit(f"bench_dask needs dask and distributed ({exc}): "
                 "pip install 'sparsenn[dask]'")  # fmt: skip

    warnings.simplefilter("ignore")
    X, y = make_morse(60, random_state=0)
    load_before = os.getloadavg()
    search = make_search(args.quick)
    n_fits = len(search.param_grid["density"]) * 3 * 3
    n_fits *= len(search.param_grid["random_state"])
    search.fit(X[:200], y[:200])  # compile / load the kernels in this process
    seq = min(
        timed(lambda: make_search(args.quick).fit(X, y)) for _ in range(args.repeats)
    )
    with threadpool_limits(1), numba_threads(1):
        seq1 = min(
            timed(lambda: make_search(args.quick).fit(X, y))
            for _ in range(args.repeats)
        )
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        startup = time.perf_counter() - start
        with dask_backend(client):
            make_search(args.quick).fit(X[:200], y[:200])  # warm the workers
            par = min(
                timed(
                    lambda: make_search(args.quick).fit(X, y),
                    cpu=lambda: workers_cpu(client),
                )
                for _ in range(args.repeats)
            )
    load_after = os.getloadavg()
    print(f"# {n_fits} fits of SparseMLPClassifier((256,), max_iter=20) on "
          f"{X.shape[0]} Morse frames; {os.cpu_count()} cores")  # fmt: skip
    print(f"# load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print("# CPU share = CPU seconds / wall seconds (at most 1 per busy process;")
    print("# on a shared machine the other processes take the rest)")
    print(
        f"{'run':34s} {'wall s':>7s} {'CPU s':>7s} {'CPU share':>9s} {'speed-up':>8s}"
    )
    for name, (wall, cpu) in (
        ("n_jobs=1, default threads", seq),
        ("n_jobs=1, 1 BLAS + 1 numba thread", seq1),
        ("Dask, 2 workers x 1 thread", par),
    ):
        print(
            f"{name:34s} {wall:7.1f} {cpu:7.1f} {cpu / wall:9.2f} {seq[0] / wall:8.2f}"
        )
    print(f"{'(cluster start-up, excluded)':34s} {startup:7.1f}")


if __name__ == "__main__":
    main()
