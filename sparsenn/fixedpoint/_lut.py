"""Full-table sigmoid and sigmoid-derivative LUTs (spec section 4.3)."""

import numpy as np

__all__ = ["sigmoid_lut", "sigmoid_derivative_lut"]


def _sigma(fmt):
    s = np.arange(fmt.min_code, fmt.max_code + 1, dtype=np.float64) * fmt.step
    return 0.5 * (1.0 + np.tanh(0.5 * s))  # = 1 / (1 + exp(-s)), no overflow


def _table(values, cap, floor_lsb):
    codes = np.minimum(np.floor(values + 0.5), cap).astype(np.int64)
    return np.maximum(codes, 1) if floor_lsb else codes


def sigmoid_lut(fmt, floor_lsb=False):
    """Sigmoid table with one entry per code of ``fmt``.

    Entry ``s - fmt.min_code`` is ``min(round(sigma(s * 2**-f) * 2**f), 2**f - 1)``
    (round half up), so activations stay in ``[0, 1 - LSB]``.

    Parameters
    ----------
    fmt : QFormat
    floor_lsb : bool, default=False
        Replace zero entries by 1 LSB (the RTL's "LSBmodified" table).

    Returns
    -------
    lut : ndarray of int64, shape (2**fmt.width,)

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat, sigmoid_lut
    >>> fmt = QFormat(3, 8)
    >>> lut = sigmoid_lut(fmt)
    >>> lut.shape, lut[0 - fmt.min_code], lut[-1], lut[0]
    ((4096,), np.int64(128), np.int64(255), np.int64(0))
    """
    return _table(_sigma(fmt) * 2.0**fmt.fraction, (1 << fmt.fraction) - 1, floor_lsb)


def sigmoid_derivative_lut(fmt, floor_lsb=False):
    """Table of ``sigma' = sigma (1 - sigma)`` with one entry per code of ``fmt``.

    Entry ``s - fmt.min_code`` is ``min(round(sigma'(s * 2**-f) * 2**f),
    2**(f-2) - 1)``: the derivative is stored with two fewer bits, so
    ``sigma'(0)`` is ``63/256`` in ``QFormat(3, 8)``.

    Parameters
    ----------
    fmt : QFormat
    floor_lsb : bool, default=False
        Replace zero entries by 1 LSB.

    Returns
    -------
    lut : ndarray of int64, shape (2**fmt.width,)

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat, sigmoid_derivative_lut
    >>> fmt = QFormat(3, 8)
    >>> int(sigmoid_derivative_lut(fmt)[0 - fmt.min_code])
    63
    """
    sig = _sigma(fmt)
    values = sig * (1.0 - sig) * 2.0**fmt.fraction
    return _table(values, (1 << (fmt.fraction - 2)) - 1, floor_lsb)
