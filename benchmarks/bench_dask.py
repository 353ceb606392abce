"""GridSearchCV over density x connectivity x seeds: 2 Dask workers against n_jobs=1.

Usage: ``python benchmarks/bench_dask.py [--quick] [--repeats R]``

Prints the wall time of the same search run sequentially (``n_jobs=1``) and on a
``LocalCluster`` of two single-threaded worker processes (loopback, numba pool
sized by ``sparsenn.dask.NumbaThreadsPlugin``), their ratio, and the load
average before and after, since the machine may be shared. Cluster start-up is
excluded (measured separately); the first Dask search warms the workers
(imports, numba's on-disk cache) and is not timed.
"""

import argparse
import os
import time
import warnings

from sklearn.model_selection import GridSearchCV

from sparsenn import SparseMLPClassifier
from sparsenn.dask import dask_backend
from sparsenn.datasets import make_morse


def make_search(quick):
    grid = {
        "density": [0.05, 0.1, 0.25, 1.0],
        "connectivity": ["random", "structured", "clash_free"],
        "random_state": [0, 1] if quick else [0, 1, 2],
    }
    est = SparseMLPClassifier((128,), max_iter=10, learning_rate_init=0.01)
    return GridSearchCV(est, grid, cv=3)


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 seeds instead of 3")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    warnings.simplefilter("ignore")
    X, y = make_morse(40, random_state=0)
    load_before = os.getloadavg()
    search = make_search(args.quick)
    n_fits = len(search.param_grid["density"]) * 3 * 3
    n_fits *= len(search.param_grid["random_state"])
    search.fit(X[:200], y[:200])  # compile / load the kernels in this process
    seq = min(
        timed(lambda: make_search(args.quick).fit(X, y)) for _ in range(args.repeats)
    )
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        startup = time.perf_counter() - start
        with dask_backend(client):
            make_search(args.quick).fit(X[:200], y[:200])  # warm the workers
            par = min(
                timed(lambda: make_search(args.quick).fit(X, y))
                for _ in range(args.repeats)
            )
    load_after = os.getloadavg()
    print(f"# {n_fits} fits of SparseMLPClassifier((128,), max_iter=10) on "
          f"{X.shape[0]} Morse frames; {os.cpu_count()} cores")  # fmt: skip
    print(f"# load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"{'run':34s} {'seconds':>8s} {'ratio':>6s}")
    print(f"{'n_jobs=1 (sequential)':34s} {seq:8.1f} {1.0:6.2f}")
    print(f"{'Dask, 2 workers x 1 thread':34s} {par:8.1f} {seq / par:6.2f}")
    print(f"{'  (cluster start-up, not included)':34s} {startup:8.1f}")


if __name__ == "__main__":
    main()
