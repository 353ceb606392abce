"""numba, imported once: ``jit`` compiles with an on-disk cache when it can.

numba is a core dependency; every compiled kernel has a NumPy/SciPy fallback,
so when it cannot be imported ``NUMBA_AVAILABLE`` is False and ``jit`` returns
None.

**Threading layer.**  Parallel kernels (``jit(fn, parallel=True)``) run on
numba's threading layer, chosen once per process by :func:`threading_layer`
just before the first parallel kernel runs (never at import):

- ``"tbb"`` (the ``tbb`` wheel, a dependency): fork-safe and thread-safe, and
  its idle workers sleep instead of spinning, so a parallel call costs about
  0.002-0.02 ms on a loaded machine (docs/kernels.md);
- ``"workqueue"`` when TBB cannot be loaded: fork-safe, but it does not allow
  two parallel launches at once, so launches are serialised by a lock.

GNU OpenMP (numba's ``"omp"`` layer) is never chosen: after it has started,
``os.fork()`` kills the child ("fork() called from a process already using
GNU OpenMP"), which hangs ``multiprocessing`` pools and joblib's
multiprocessing backend.  A choice the user made (``NUMBA_THREADING_LAYER`` or
``numba.config.THREADING_LAYER`` set, or a parallel numba function of their own
already run) is respected.
"""

import ctypes
import os
import threading

from .._warnings import warn

try:
    import numba
    from numba import prange

    NUMBA_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None
    prange = range
    NUMBA_AVAILABLE = False

__all__ = ["NUMBA_AVAILABLE", "jit", "numba", "prange", "threading_layer"]

_STATE = {"layer": None}
_LAUNCH_LOCK = threading.Lock()
_CHOOSE_LOCK = threading.Lock()


def _load_tbb():
    """Return True if numba's TBB pool can be imported (loading the wheel's lib)."""
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401

        return True
    except ImportError:
        pass
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        files = distribution("tbb").files or []
    except (ImportError, PackageNotFoundError):  # pragma: no cover
        return False
    libs = [f for f in files if f.name.startswith("libtbb.so.")]
    for lib in sorted(libs, key=lambda f: len(f.name)):
        try:
            ctypes.CDLL(str(lib.locate()), mode=ctypes.RTLD_GLOBAL)
            from numba.np.ufunc import tbbpool  # noqa: F401, F811

            return True
        except (OSError, ImportError):
            continue
    return False


def _user_chose():
    """Return True if the user picked numba's threading layer themselves."""
    if os.environ.get("NUMBA_THREADING_LAYER"):
        return True
    if numba.config.THREADING_LAYER != "default":
        return True
    from numba.np.ufunc import parallel

    return parallel._is_initialized


def threading_layer():
    """Choose numba's threading layer for this process (once) and return it.

    Returns
    -------
    str
        ``"tbb"``, ``"workqueue"`` or, if the user chose one, theirs (as
        configured; numba resolves ``"default"`` at the first launch).

    Examples
    --------
    >>> threading_layer() in {"tbb", "workqueue", "omp", "default", "safe",
    ...                       "threadsafe", "forksafe"}
    True
    """
    if _STATE["layer"] is not None:
        return _STATE["layer"]
    with _CHOOSE_LOCK:
        if _STATE["layer"] is None:
            if _user_chose():
                layer = numba.config.THREADING_LAYER
                if layer in {"tbb", "default", "threadsafe", "safe", "forksafe"}:
                    _load_tbb()  # make the wheel's library loadable for numba
            else:
                layer = "tbb" if _load_tbb() else "workqueue"
                numba.config.THREADING_LAYER = layer
            _STATE["layer"] = layer
    return _STATE["layer"]


def _parallel(compiled):
    """Wrap a parallel kernel: choose the layer first; serialise on workqueue."""

    def launch(*args):
        layer = _STATE["layer"] or threading_layer()
        if layer == "workqueue":
            with _LAUNCH_LOCK:
                return compiled(*args)
        return compiled(*args)

    launch.compiled = compiled
    launch.__name__ = getattr(compiled, "__name__", "kernel")
    launch.__doc__ = getattr(compiled, "__doc__", None)
    return launch


def jit(fn, **options):
    """``numba.njit(cache=True, **options)(fn)``; per process if no cache dir."""
    if not NUMBA_AVAILABLE:  # pragma: no cover
        return None
    try:
        compiled = numba.njit(cache=True, **options)(fn)
    except RuntimeError:  # pragma: no cover - no writable cache location
        warn(
            f"numba cannot write its cache; {fn.__module__} compiles per process.",
            RuntimeWarning,
        )
        compiled = numba.njit(cache=False, **options)(fn)
    return _parallel(compiled) if options.get("parallel") else compiled
