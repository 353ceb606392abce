"""The signed fixed-point format of the datapath and float <-> code conversion."""

import re
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ..engine._quantize import in_unit_range

__all__ = ["QFormat", "INPUT_BITS", "parse_format", "quantize_inputs"]

#: Width of the unsigned input port: pixels 0..255 read as ``pixel / 256``.
INPUT_BITS = 8

_AP_FIXED = re.compile(r"^\s*ap_fixed\s*<\s*(\d+)\s*,\s*(\d+)\s*>\s*$")

#: Widest format accepted: the full sigmoid table has ``2**width`` entries.
MAX_WIDTH = 20


@dataclass(frozen=True)
class QFormat:
    """Signed two's-complement fixed-point format ``(1, integer, fraction)``.

    One format is used for every computed quantity of the datapath (activations,
    weights, biases, pre-activations, deltas). A code ``c`` stands for the value
    ``c * 2**-fraction``.

    Parameters
    ----------
    integer : int, default=3
        Integer bits, not counting the sign bit.
    fraction : int, default=8
        Fraction bits.

    Attributes
    ----------
    width : int
        ``1 + integer + fraction`` bits (12 for the default).
    step : float
        The LSB, ``2**-fraction``.
    min_code, max_code : int
        ``-2**(width-1)`` and ``2**(width-1) - 1``.
    min, max : float
        The represented range ``[min_code * step, max_code * step]``.

    Notes
    -----
    ``str(fmt)`` follows Xilinx ``ap_fixed<W,I>``, where ``I`` counts the sign bit:
    ``QFormat(3, 8)`` is ``ap_fixed<12,4>``.

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat
    >>> fmt = QFormat(integer=3, fraction=8)
    >>> str(fmt), fmt.width, fmt.min, fmt.max
    ('ap_fixed<12,4>', 12, -8.0, 7.99609375)
    >>> fmt.to_codes([0.5, -0.00195312, 100.0])
    array([ 128,    0, 2047])
    """

    integer: int = 3
    fraction: int = 8

    def __post_init__(self):
        for name in ("integer", "fraction"):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int, got {value!r}.")
        if self.integer < 0:
            raise ValueError(
                f"integer must be >= 0 so the format holds the inputs and "
                f"activations in [0, 1), got {self.integer}."
            )
        if self.fraction < 2:
            raise ValueError(
                f"fraction must be >= 2 (the sigmoid-derivative table needs 2 "
                f"fraction bits below 0.25), got {self.fraction}."
            )
        if self.width > MAX_WIDTH:
            raise ValueError(
                f"width 1 + integer + fraction must be <= {MAX_WIDTH} (one sigmoid "
                f"table entry per code), got {self.width} for "
                f"integer={self.integer}, fraction={self.fraction}."
            )

    @property
    def width(self):
        return 1 + self.integer + self.fraction

    @property
    def step(self):
        return 2.0**-self.fraction

    @property
    def min_code(self):
        return -(1 << (self.width - 1))

    @property
    def max_code(self):
        return (1 << (self.width - 1)) - 1

    @property
    def min(self):
        return self.min_code * self.step

    @property
    def max(self):
        return self.max_code * self.step

    def __str__(self):
        return f"ap_fixed<{self.width},{self.integer + 1}>"

    def to_codes(self, x, return_count=False):
        """Round floats half up to codes and saturate to the format.

        Parameters
        ----------
        x : array-like of float
            Values; must be finite.
        return_count : bool, default=False
            Also return how many values were saturated.

        Returns
        -------
        codes : ndarray of int64, same shape as ``x``
        n_saturated : int
            Only when ``return_count`` is true.
        """
        x = np.asarray(x, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise ValueError("values to quantize must be finite (no NaN or inf).")
        raw = np.floor(x * 2.0**self.fraction + 0.5)
        over = (raw > self.max_code) | (raw < self.min_code)
        codes = np.clip(raw, self.min_code, self.max_code).astype(np.int64)
        if return_count:
            return codes, int(np.count_nonzero(over))
        return codes

    def to_float(self, codes):
        """Values ``codes * 2**-fraction`` as float64."""
        return np.asarray(codes, dtype=np.float64) * self.step


def check_inputs(X, input_bits=INPUT_BITS, name="X"):
    """Return ``X`` as a 2-D float64 array in [0, 1], or raise naming ``name``.

    Examples
    --------
    >>> check_inputs([[0.5, 2.0]], name="calibration_X")
    Traceback (most recent call last):
    ...
    ValueError: calibration_X must lie in [0, 1]: ...
    """
    if hasattr(X, "toarray"):
        raise TypeError(
            f"{name} is a sparse matrix; the datapath streams dense pixels: give "
            f"{name}.toarray()."
        )
    if np.iscomplexobj(X):
        raise TypeError(f"{name} has complex values; give real values in [0, 1].")
    X = np.asarray(X)
    source_dtype = X.dtype  # float32 data carries float32's rounding
    X = X.astype(np.float64, copy=False)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}."
        )
    if X.size and not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must be finite (no NaN or inf).")
    inside = in_unit_range(X, source_dtype)  # rounding beyond a bound: the bound
    if inside is None:
        raise ValueError(
            f"{name} must lie in [0, 1]: the datapath's input port holds unsigned "
            f"{input_bits}-bit values p / 2**{input_bits}; got values in "
            f"[{float(X.min())!r}, {float(X.max())!r}]. Scale the data first (e.g. "
            f"MinMaxScaler)."
        )
    return inside


def quantize_inputs(X, fmt, input_bits=INPUT_BITS):
    """Input codes of the datapath.

    Inputs arrive as unsigned ``input_bits``-bit pixels ``p``, read as
    ``p / 2**input_bits``.
    A float ``x`` in [0, 1] becomes ``p = min(floor(x * 2**input_bits + 1/2),
    2**input_bits - 1)``; ``p`` is placed in the top fraction bits, so the code is
    ``p << (fraction - input_bits)``, or ``p >> (input_bits - fraction)`` (low bits
    truncated) for a narrower fraction.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Values in [0, 1].
    fmt : QFormat
    input_bits : int, default=8

    Returns
    -------
    codes : ndarray of int64, shape (n_samples, n_features)

    Examples
    --------
    >>> from sparsenn.fixedpoint import QFormat, quantize_inputs
    >>> quantize_inputs([[0.0, 0.5, 0.75, 1.0]], QFormat(3, 8))
    array([[  0, 128, 192, 255]])
    >>> quantize_inputs([[0.0, 0.5, 0.75, 1.0]], QFormat(2, 7))
    array([[  0,  64,  96, 127]])
    """
    X = check_inputs(X, input_bits)
    top = (1 << input_bits) - 1
    pixels = np.minimum(np.floor(X * 2.0**input_bits + 0.5), top).astype(np.int64)
    shift = fmt.fraction - input_bits
    return pixels << shift if shift >= 0 else pixels >> -shift


def parse_format(text, name="quantize"):
    """Return the :class:`QFormat` of an ``"ap_fixed<W,I>"`` string.

    ``I`` counts the sign bit, as in Xilinx HLS: ``"ap_fixed<12,4>"`` is
    ``QFormat(integer=3, fraction=8)``.

    Parameters
    ----------
    text : str
    name : str, default="quantize"
        Parameter named in the error message.

    Returns
    -------
    QFormat

    Examples
    --------
    >>> from sparsenn.fixedpoint._format import parse_format
    >>> parse_format("ap_fixed<12,4>")
    QFormat(integer=3, fraction=8)
    """
    match = _AP_FIXED.match(text)
    if match is None:
        raise ValueError(
            f"{name}={text!r} is not a fixed-point format; give None, a QFormat or "
            "a string 'ap_fixed<W,I>' (W bits in all, I integer bits including "
            "the sign bit), for example 'ap_fixed<12,4>'."
        )
    width, integer = int(match.group(1)), int(match.group(2))
    try:
        return QFormat(integer - 1, width - integer)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}={text!r} is not a usable format: {exc}") from exc
