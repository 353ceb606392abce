"""numba, imported once: ``jit`` compiles with an on-disk cache when it can.

numba is a core dependency; every compiled kernel has a NumPy/SciPy fallback,
so when it cannot be imported ``NUMBA_AVAILABLE`` is False and ``jit`` returns
None.
"""

import warnings

try:
    import numba
    from numba import prange

    NUMBA_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None
    prange = range
    NUMBA_AVAILABLE = False

__all__ = ["NUMBA_AVAILABLE", "jit", "numba", "prange"]


def jit(fn, **options):
    """``numba.njit(cache=True, **options)(fn)``; per process if no cache dir."""
    if not NUMBA_AVAILABLE:  # pragma: no cover
        return None
    try:
        return numba.njit(cache=True, **options)(fn)
    except RuntimeError:  # pragma: no cover - no writable cache location
        warnings.warn(
            f"numba cannot write its cache; {fn.__module__} compiles per process.",
            RuntimeWarning,
            stacklevel=2,
        )
        return numba.njit(cache=False, **options)(fn)
