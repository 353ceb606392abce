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
from concurrent.futures import ThreadPoolExecutor

__all__ = ["row_chunks", "run_chunks", "run_ranges", "single_threaded_blas"]

_STATE = {}
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
        controller = ThreadpoolController()
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


def single_threaded_blas():
    """Context holding every BLAS library at one thread."""
    return _controller().limit(limits=1, user_api="blas")


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
