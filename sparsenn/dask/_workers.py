"""Dask workers for sparsenn: numba threads per worker, a check of their packages."""

import contextlib
import importlib
import importlib.metadata
import os
import threading

from .._warnings import warn

__all__ = [
    "REQUIRED_PACKAGES",
    "NumbaThreadsPlugin",
    "check_workers",
    "dask_backend",
    "numba_threads_plugin",
    "worker_packages",
    "worker_threads",
]

#: Distributions a worker needs to unpickle and fit a sparsenn estimator.
REQUIRED_PACKAGES = (
    "sparsenn",
    "numpy",
    "scipy",
    "scikit-learn",
    "joblib",
    "numba",
)

_MODULES = {"scikit-learn": "sklearn"}


def _version(package):
    """Version of ``package`` importable here, or None when it cannot be imported."""
    try:
        module = importlib.import_module(_MODULES.get(package, package))
    except ImportError:
        return None
    version = getattr(module, "__version__", None)
    if version is None:
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
    return str(version)


def worker_packages(packages=REQUIRED_PACKAGES):
    """Return ``{package: version or None}`` for the process this runs in.

    Parameters
    ----------
    packages : sequence of str, default=REQUIRED_PACKAGES
        Distribution names; ``None`` marks one that cannot be imported.

    Returns
    -------
    versions : dict of str to str or None

    Examples
    --------
    >>> worker_packages(["numpy", "no-such-package"])["no-such-package"] is None
    True
    """
    return {p: _version(p) for p in packages}


def _probe():
    """Return a copy of :func:`worker_packages` that workers unpickle by value.

    cloudpickle sends module-level functions by reference, which a worker
    without sparsenn could not import; a function defined here is sent by
    value and needs only the standard library.
    """
    modules = dict(_MODULES)

    def probe(packages):
        import importlib
        import importlib.metadata

        found = {}
        for package in packages:
            try:
                module = importlib.import_module(modules.get(package, package))
            except ImportError:
                found[package] = None
                continue
            try:
                found[package] = str(importlib.metadata.version(package))
            except importlib.metadata.PackageNotFoundError:
                found[package] = str(getattr(module, "__version__", "unknown"))
        return found

    return probe


def check_workers(client, packages=REQUIRED_PACKAGES):
    """Raise an ImportError naming every package that a Dask worker cannot import.

    Run it once after connecting: a worker without sparsenn would otherwise fail
    only when it unpickles the first task.

    Parameters
    ----------
    client : distributed.Client
        Connected to the cluster.
    packages : sequence of str, default=REQUIRED_PACKAGES
        Distribution names every worker must import.

    Returns
    -------
    versions : dict of str to dict
        ``{worker address: {package: version}}``.

    Raises
    ------
    ImportError
        Naming, per worker address, the missing packages.
    TypeError
        If ``client`` is not a ``distributed.Client``.
    RuntimeError
        If ``client`` is closed (a client closes with its ``LocalCluster``).
    """
    _check_client(client)
    versions = client.run(_probe(), list(packages))
    missing = {
        addr: sorted(p for p, v in found.items() if v is None)
        for addr, found in versions.items()
    }
    missing = {addr: names for addr, names in missing.items() if names}
    if missing:
        detail = "; ".join(f"{a}: {', '.join(n)}" for a, n in sorted(missing.items()))
        raise ImportError(
            f"{len(missing)} of {len(versions)} Dask workers cannot import packages "
            f"the search needs ({detail}). Install them in the workers' environment "
            "(pip install sparsenn on every worker machine)."
        )
    return versions


def _check_client(client):
    """Raise a TypeError or RuntimeError unless ``client`` is a running Client."""
    if not isinstance(client, _distributed().Client):
        raise TypeError(
            f"client must be a distributed.Client, got {type(client).__name__}; "
            'connect with distributed.Client("tcp://scheduler:8786").'
        )
    if client.status in ("closing", "closed"):
        raise RuntimeError(
            f"the Dask client is {client.status} (a client closes with the "
            "LocalCluster it was made from); connect a new distributed.Client."
        )


def worker_threads():
    """Return the numba thread count a new thread of this process would use.

    Returns
    -------
    n_threads : int
        ``numba.get_num_threads()`` read in a fresh thread (numba's count is
        per thread; Dask runs tasks in the worker's executor threads).

    Examples
    --------
    >>> worker_threads() >= 1
    True
    """
    import numba

    out = []
    thread = threading.Thread(target=lambda: out.append(numba.get_num_threads()))
    thread.start()
    thread.join()
    return out[0]


def _limit_numba_threads(n_threads):
    """Make numba launch ``n_threads`` threads; False if its pool already runs."""
    import numba
    from numba.np.ufunc import parallel

    if parallel._is_initialized:
        return numba.config.NUMBA_NUM_THREADS == n_threads
    numba.config.NUMBA_NUM_THREADS = n_threads
    parallel.NUM_THREADS = n_threads
    return True


def _nthreads(worker):
    """Thread resource of a ``distributed.Worker`` (its ``--nthreads``)."""
    state = getattr(worker, "state", None)
    n = getattr(state, "nthreads", None) or getattr(worker, "nthreads", None)
    return int(n or 1)


class NumbaThreadsPlugin:
    """Dask worker plugin: numba's thread pool sized by the worker's threads.

    A worker started with ``--nthreads k`` (``threads_per_worker=k``) owns
    ``k`` cores and runs up to ``k`` tasks at once. numba starts its own pool
    of ``NUMBA_NUM_THREADS`` threads (by default one per core of the machine)
    in every worker process, so ``n`` workers on one machine would run ``n``
    times too many kernel threads. With this plugin the pool of each worker
    has ``k`` threads (TBB shares it between the worker's concurrent tasks).
    Register it before the first task with
    ``client.register_plugin(numba_threads_plugin())`` (this class is not a
    ``distributed.WorkerPlugin``, so that importing it needs no distributed;
    :func:`numba_threads_plugin` returns one). It must run before numba's
    threading layer starts in the worker (the first parallel kernel);
    otherwise ``setup`` logs that the limit could not be applied. Workers in
    the process that made the plugin (an in-process cluster,
    ``LocalCluster(processes=False)``) share its numba pool, which is left
    as it is.

    Parameters
    ----------
    n_threads : int, optional
        numba threads per worker process. By default the worker's ``nthreads``
        (its thread resource), so that a worker never runs more numba threads
        than the cores it was given.
    """

    name = "sparsenn-numba-threads"

    def __init__(self, n_threads=None):
        if n_threads is not None and (not isinstance(n_threads, int) or n_threads < 1):
            raise ValueError(f"n_threads={n_threads!r} must be None or an int >= 1.")
        self.n_threads = n_threads
        self._pid = os.getpid()

    def setup(self, worker):
        """Limit numba's threads in ``worker`` (called by distributed)."""
        if os.getpid() == getattr(self, "_pid", None):
            # an in-process worker: numba's pool is the user's whole process
            self.applied_ = None
            return
        n = self.n_threads or _nthreads(worker)
        self.applied_ = _limit_numba_threads(n)
        if not self.applied_:
            import logging

            logging.getLogger("distributed.worker").warning(
                "sparsenn: numba's threads already started in %s; set "
                "NUMBA_NUM_THREADS=%d in the worker environment instead.",
                worker.address,
                n,
            )

    def teardown(self, worker):
        """Do nothing (the limit lasts as long as the worker process)."""


def numba_threads_plugin(n_threads=None):
    """Return a :class:`NumbaThreadsPlugin` that is a ``distributed.WorkerPlugin``.

    Parameters
    ----------
    n_threads : int, optional
        See :class:`NumbaThreadsPlugin`.

    Returns
    -------
    plugin : distributed.WorkerPlugin
        Register it with ``client.register_plugin(plugin)``.

    Raises
    ------
    ImportError
        When distributed is missing; names the ``dask`` extra.
    """
    WorkerPlugin = _distributed().WorkerPlugin

    class _Plugin(NumbaThreadsPlugin, WorkerPlugin):
        pass

    _Plugin.__name__ = _Plugin.__qualname__ = "NumbaThreadsPlugin"
    return _Plugin(n_threads)


def _distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            "sparsenn.dask needs dask and distributed; install the 'dask' extra: "
            'pip install "sparsenn[dask]".'
        ) from exc
    return distributed


@contextlib.contextmanager
def dask_backend(client=None, *, n_threads=None, packages=REQUIRED_PACKAGES):
    """Run joblib (and so ``GridSearchCV``) on Dask workers that can run sparsenn.

    Checks the workers first (:func:`check_workers`), registers
    :func:`numba_threads_plugin` and enters ``joblib.parallel_backend("dask")``.
    A plain ``parallel_backend("dask")`` works as well; but a worker without
    sparsenn then dies unpickling its first task and the search fails with a
    ``FutureCancelledError`` that does not say why.

    Parameters
    ----------
    client : distributed.Client, optional
        By default the current client (``distributed.get_client()``).
    n_threads : int, optional
        numba threads per worker (default: the worker's thread count).
    packages : sequence of str, default=REQUIRED_PACKAGES
        Distributions every worker must import.

    Yields
    ------
    client : distributed.Client
        The client the fits run on.

    Raises
    ------
    ImportError
        If distributed is missing (naming the ``dask`` extra) or a worker
        cannot import one of ``packages`` (naming worker and package).
    TypeError, RuntimeError
        If ``client`` is not a ``distributed.Client`` or is closed.

    Warns
    -----
    UserWarning
        When numba's threads already ran in some workers, so that their limit
        could not be applied (naming the workers).
    """
    import joblib

    distributed = _distributed()
    client = distributed.get_client() if client is None else client
    check_workers(client, packages)
    client.register_plugin(numba_threads_plugin(n_threads))
    _warn_unlimited(client)
    with joblib.parallel_backend("dask", client=client):
        yield client


def _plugin_applied(dask_worker):
    """Return ``applied_`` of the worker's NumbaThreadsPlugin (None: left alone)."""
    plugin = dask_worker.plugins.get(NumbaThreadsPlugin.name)
    return getattr(plugin, "applied_", None)


def _warn_unlimited(client):
    """Warn, in the client, of workers whose numba threads were already running."""
    failed = sorted(a for a, ok in client.run(_plugin_applied).items() if ok is False)
    if failed:
        warn(
            f"numba's threads already run in {len(failed)} Dask worker(s) "
            f"({', '.join(failed)}), so their thread limit could not be applied "
            "and their kernels may use more threads than the worker was given. "
            "Call client.restart() before dask_backend, or set NUMBA_NUM_THREADS "
            "in the workers' environment.",
            UserWarning,
        )
