"""Argument checks and the random-state helper shared by every module.

One argument order everywhere: ``check_int(value, name, low=..., high=...)``.
Nothing here imports scikit-learn, so ``sparsenn.linalg`` can use it.
"""

import numbers

import numpy as np

__all__ = [
    "as_dtype",
    "as_generator",
    "check_bool",
    "check_choice",
    "check_int",
    "check_real",
]


def as_dtype(dtype, name="dtype"):
    """Return ``numpy.dtype(dtype)``; a ``TypeError`` naming ``name`` if it is none.

    Examples
    --------
    >>> as_dtype("float32")
    dtype('float32')
    >>> as_dtype("x")
    Traceback (most recent call last):
    ...
    TypeError: dtype='x' must be a numpy data type such as numpy.float64
    """
    try:
        return np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}={dtype!r} must be a numpy data type such as numpy.float64"
        ) from None


def check_bool(value, name):
    """Return ``value`` as a Python bool; anything but a bool is a TypeError.

    Examples
    --------
    >>> from sparsenn._validation import check_bool
    >>> check_bool(True, "flag")
    True
    >>> check_bool("no", "flag")
    Traceback (most recent call last):
    ...
    TypeError: flag='no' must be a bool (True or False).
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name}={value!r} must be a bool (True or False).")
    return bool(value)


def check_choice(value, name, choices):
    """Return ``value`` if it is one of the strings ``choices``; else a ValueError.

    Examples
    --------
    >>> check_choice("numba", "kernel", ("auto", "numba"))
    'numba'
    >>> check_choice("fast", "kernel", ("auto", "numba"))
    Traceback (most recent call last):
    ...
    ValueError: kernel must be one of ('auto', 'numba'); got 'fast'.
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}; got {value!r}.")
    return value


def check_int(value, name, *, low=None, high=None):
    """Return ``value`` as a Python int after checking its type and range.

    Parameters
    ----------
    value : int
        The value to check (Python or NumPy integer; bool is rejected).
    name : str
        Parameter name used in error messages.
    low, high : int or None
        Inclusive bounds.

    Returns
    -------
    int

    Examples
    --------
    >>> check_int(3, "rank", low=1)
    3
    >>> check_int(0, "rank", low=1)
    Traceback (most recent call last):
    ...
    ValueError: rank=0 must be >= 1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name}={value} must be >= {low}")
    if high is not None and value > high:
        raise ValueError(f"{name}={value} must be <= {high}")
    return value


def check_real(value, name, *, low=None, high=None):
    """Return ``value`` as a finite float after checking its type and range.

    Parameters
    ----------
    value : float
        The value to check (bool is rejected).
    name : str
        Parameter name used in error messages.
    low, high : float or None
        Inclusive bounds.

    Returns
    -------
    float

    Examples
    --------
    >>> check_real(0.5, "density", low=0, high=1)
    0.5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name}={value!r} must be finite")
    if low is not None and value < low:
        raise ValueError(f"{name}={value!r} must be >= {low}")
    if high is not None and value > high:
        raise ValueError(f"{name}={value!r} must be <= {high}")
    return float(value)


def as_generator(random_state):
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` draws fresh OS entropy; an int seeds a new PCG64 generator; a
        Generator is used as is (and advanced); a RandomState is advanced by one
        draw that seeds a new Generator (deterministic for a seeded RandomState).

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> bool(as_generator(0).integers(10) == as_generator(0).integers(10))
    True
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**32, size=4))
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    ):
        if random_state < 0:
            raise ValueError(f"random_state={random_state} must be >= 0")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, a non-negative int, numpy.random.Generator or "
        f"numpy.random.RandomState, got {random_state!r}"
    )
