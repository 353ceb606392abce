"""Running sparsenn searches on a Dask cluster (the ``dask`` extra).

``GridSearchCV(...).fit`` inside ``joblib.parallel_backend("dask")`` (or
:func:`dask_backend`, which checks the workers first) spreads the fits over the
workers of a ``distributed.Client``. :func:`check_workers` names
any package a worker is missing; :func:`numba_threads_plugin` sizes numba's
thread pool by each worker's thread resource, so compiled kernels never run
more threads than the worker was given. Importing this module needs neither
dask nor distributed.
"""

from ._workers import (
    REQUIRED_PACKAGES,
    NumbaThreadsPlugin,
    check_workers,
    dask_backend,
    numba_threads_plugin,
    worker_packages,
    worker_threads,
)

__all__ = [
    "REQUIRED_PACKAGES",
    "NumbaThreadsPlugin",
    "check_workers",
    "dask_backend",
    "numba_threads_plugin",
    "worker_packages",
    "worker_threads",
]
