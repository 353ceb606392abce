"""Arithmetic primitives of the datapath on integer codes (spec section 4.2).

Every function takes and returns int64 arrays of codes of one :class:`QFormat`.
"""

import numpy as np

__all__ = ["saturate", "add_sat", "neg_sat", "mul_round", "shift_round"]


def saturate(x, fmt):
    """Clamp codes to ``[fmt.min_code, fmt.max_code]``.

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat, saturate
    >>> saturate([-5000, 7, 2048], QFormat(3, 8))
    array([-2048,     7,  2047])
    """
    # maximum/minimum instead of np.clip: the same result, without clip's
    # per-call scalar checks (they dominate the per-sample training model)
    return np.minimum(
        np.maximum(np.asarray(x, dtype=np.int64), fmt.min_code), fmt.max_code
    )


def add_sat(a, b, fmt):
    """Saturating adder: the exact sum, clamped to the format.

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat, add_sat
    >>> add_sat([2000, -2000, 5], [100, -100, -7], QFormat(3, 8))
    array([ 2047, -2048,    -2])
    """
    a = np.asarray(a, dtype=np.int64)
    return saturate(a + np.asarray(b, dtype=np.int64), fmt)


def neg_sat(x, fmt):
    """Saturating negation: ``-min_code`` becomes ``max_code``.

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat, neg_sat
    >>> neg_sat([-2048, 5, 0], QFormat(3, 8))
    array([2047,   -5,    0])
    """
    return saturate(-np.asarray(x, dtype=np.int64), fmt)


def mul_round(a, b, fmt, rtl_quirk=False):
    """Multiply codes: full product, round half up, saturate.

    ``r = clamp(floor(a * b / 2**f + 1/2), min_code, max_code)``. With
    ``rtl_quirk=True`` the released RTL's rounding after negative saturation is
    reproduced: a product below the range whose most significant dropped bit is 1
    gives ``min_code + 1`` (the RTL adds the rounding LSB after clamping).

    Parameters
    ----------
    a, b : array-like of int
        Codes (broadcast together).
    fmt : QFormat
    rtl_quirk : bool, default=False

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat, mul_round
    >>> fmt = QFormat(3, 8)
    >>> mul_round([128, 128, -128, 2047], [1, 3, 1, 2047], fmt)  # 128*1 = half LSB
    array([   1,    2,    0, 2047])
    >>> mul_round([-1500, -1500], [400, 402], fmt)  # -9.16 and -9.20: both saturate
    array([-2048, -2048])
    >>> mul_round([-1500, -1500], [400, 402], fmt, rtl_quirk=True)
    array([-2048, -2047])
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    f = fmt.fraction
    product = a * b
    rounded = (product + (1 << (f - 1))) >> f
    out = saturate(rounded, fmt)
    if rtl_quirk:
        low = (product >> f) < fmt.min_code
        out = np.where(low, fmt.min_code + ((product >> (f - 1)) & 1), out)
    return out


def shift_round(x, shift):
    """Arithmetic right shift with round half up: ``floor(x / 2**shift + 1/2)``.

    This is the learning rate of the datapath: ``eta = 2**-shift`` (the RTL's
    ``etapos = shift + 1``). The result never leaves the format of ``x``.

    Parameters
    ----------
    x : array-like of int
    shift : int or array-like of int
        Non-negative shifts (broadcast with ``x``).

    Examples
    --------
    >>> from sparsenn.fixedpoint import shift_round
    >>> shift_round([5, -5, 6, -6, 7, 2047], 2)
    array([  1,  -1,   2,  -1,   2, 512])
    >>> shift_round([3, -3], 0)
    array([ 3, -3])
    """
    x = np.asarray(x, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    if np.any(shift < 0):
        raise ValueError(f"shift must be >= 0, got {shift}.")
    half = np.where(shift > 0, np.left_shift(1, np.maximum(shift - 1, 0)), 0)
    return (x + half) >> shift
