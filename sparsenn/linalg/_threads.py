"""Run batched kernels on row chunks in threads, each with one BLAS thread.

An H-matrix product is many small GEMMs.  Letting a multi-threaded BLAS split
each of them costs a thread synchronisation per call, and on a loaded machine
(a descheduled BLAS thread stalls every call) this was measured 10-100x
slower than one thread.  Instead, BLAS is held at one thread while the kernel
runs, and the samples (rows) of the batch are split across as many Python
threads as BLAS was configured to use; numpy releases the GIL inside
``matmul``, so the chunks run in parallel and synchronise once per product.
"""

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["row_chunks", "run_chunks", "run_ranges", "single_threaded_blas"]

_STATE = {}
#: Who holds BLAS at one thread: the BLAS counts the first holder found, how
#: many holders (threads or nested contexts) are inside, and their process.
_HOLD = {"original": None, "depth": 0, "pid": None}
_HOLD_LOCK = threading.Lock()
MIN_ROWS = 64  # do not split a batch into chunks smaller than this


class _NoLimit:
    """Stand-in when threadpoolctl is unavailable: no limit, one chunk."""

    def limit(self, **kwargs):
        return contextlib.nullcontext()


def _controller():
    if "controller" not in _STATE:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - a dependency of scikit-learn
            _STATE.update(controller=_NoLimit(), workers=1)
            return _STATE["controller"]
        from threadpoolctl import OpenBLASController

        controller = ThreadpoolController()
        _STATE["release_control"] = getattr(  # threadpoolctl >= 3.6
            OpenBLASController, "clear_controlling_thread", None
        )
        blas = controller.select(user_api="blas").lib_controllers
        threads = max((lib.num_threads for lib in blas), default=1)
        _STATE["controller"] = controller
        _STATE["workers"] = max(1, min(threads, os.cpu_count() or 1))
    return _STATE["controller"]


def _pool():
    # A pool created before os.fork() has no threads in the child: make a new one.
    if _STATE.get("pool_pid") != os.getpid():
        _STATE["pool"] = ThreadPoolExecutor(_STATE["workers"])
        _STATE["pool_pid"] = os.getpid()
    return _STATE["pool"]


def row_chunks(n_rows, min_rows=MIN_ROWS):
    """Split ``range(n_rows)`` into at most one slice per worker."""
    _controller()
    n = max(1, min(_STATE["workers"], n_rows // max(1, min_rows)))
    bounds = [n_rows * i // n for i in range(n + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


@contextlib.contextmanager
def single_threaded_blas():
    """Context holding every BLAS library at one thread.

    Each holder takes threadpoolctl's limit for itself (libraries whose limits
    are per thread need that); and since OpenBLAS's count is global to the
    process, the holders are also counted: the counts found by the first to
    enter are set again by the last to leave, whichever threads enter and
    leave in between (two fits overlapping in threads must not leave BLAS at
    one thread, the count the second one found).

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> before = [i["num_threads"] for i in threadpool_info()]
    >>> with single_threaded_blas():
    ...     with single_threaded_blas():
    ...         pass
    >>> [i["num_threads"] for i in threadpool_info()] == before
    True
    """
    controller = _controller()
    with _HOLD_LOCK:
        if _HOLD["pid"] != os.getpid():  # a fork's child inherits no holder
            _HOLD.update(original=None, depth=0, pid=os.getpid())
        if _HOLD["depth"] == 0:
            _HOLD["original"] = _blas_counts(controller)
        _HOLD["depth"] += 1
    try:
        with controller.limit(limits=1, user_api="blas"):
            yield
    finally:
        with _HOLD_LOCK:
            _HOLD["depth"] -= 1
            if _HOLD["depth"] == 0:
                _set_blas_counts(_HOLD["original"])
                _HOLD["original"] = None


def _blas_counts(controller):
    """``(library controller, thread count)`` of every BLAS library."""
    libraries = getattr(controller, "lib_controllers", [])
    return [(lib, lib.num_threads) for lib in libraries if lib.user_api == "blas"]


def _set_blas_counts(counts):
    """Set the counts of :func:`_blas_counts` again, from this thread.

    threadpoolctl >= 3.6 lets only the thread that first set OpenBLAS's
    (process-wide) count change it while that thread is alive; every holder
    of :func:`single_threaded_blas` has left when this is called, so this
    thread takes the control for the call and gives it back.
    """
    release = _STATE.get("release_control")
    if release is not None:
        release(force=True)
    for lib, n_threads in counts:
        if lib.num_threads != n_threads:
            lib.set_num_threads(n_threads)
    if release is not None:
        release()


def _map(fn, chunks):
    if len(chunks) == 1:
        return [fn(chunks[0])]
    return list(_pool().map(fn, chunks))


def run_chunks(fn, chunks):
    """``[fn(chunk) for chunk in chunks]`` in threads, BLAS limited to one thread."""
    with single_threaded_blas():
        return _map(fn, chunks)


def run_ranges(fn, n, min_size=1):
    """Call ``fn(lo, hi)`` over a split of ``range(n)`` in threads (no BLAS limit).

    For compiled functions that release the GIL; the caller holds BLAS at one
    thread (:func:`single_threaded_blas`) around a whole sequence of calls.
    """
    _map(lambda rows: fn(rows.start, rows.stop), row_chunks(n, min_size))
