"""Quantisation-aware training: the forward pass on a fixed-point grid.

A :class:`Quantizer` is handed to :func:`~sparsenn.engine.forward`,
:func:`~sparsenn.engine.predict_proba` and :func:`~sparsenn.engine.loss_and_grads`.
It makes the forward pass compute as a fixed-point datapath does: the inputs
arrive on an unsigned ``input_bits``-bit port, the weights and biases, every
pre-activation and every activation are rounded half up to ``fraction``
fraction bits and saturated to ``[min_code, max_code] * 2**-fraction``, and
the logistic activation is a table with one entry per code.  It knows nothing
of weight types: weights are quantised through their flat ``params`` (a
shallow copy of the weight object whose ``params`` are rounded).

Gradients are straight-through: back-propagation runs on the quantised
values as if rounding were the identity, and the float parameters the
optimizer holds receive them (:meth:`Quantizer.mask_gradients` drops the part
of a gradient that would push a saturated parameter further out).
"""

import copy
from dataclasses import dataclass

import numpy as np

__all__ = ["INPUT_TOLERANCE", "Quantizer", "in_unit_range"]

#: How far outside [0, 1] a float64 input may lie and still be read as the
#: nearest bound: the rounding of a scaler (``MinMaxScaler`` can give
#: 1.0000000000000002), far below half a pixel step, so that the port's code
#: is the bound's. A coarser float type is allowed 4 units of its last place.
INPUT_TOLERANCE = 1e-9


def _rounding_tolerance(dtype):
    """``INPUT_TOLERANCE``, or 4 ulps at 1 of a coarser float ``dtype``."""
    dtype = np.dtype(dtype)
    ulps = 4 * float(np.finfo(dtype).eps) if dtype.kind == "f" else 0.0
    return max(INPUT_TOLERANCE, ulps)


def in_unit_range(X, dtype=None):
    """Return ``X`` clipped to [0, 1] if it lies within rounding of it, else None.

    The rounding is that of ``dtype`` (by default ``X``'s): float32 data that
    ``MinMaxScaler`` scaled can reach 1.0000001.

    Examples
    --------
    >>> import numpy as np
    >>> float(in_unit_range(np.array([[0.0, 1.0000000000000002]])).max())
    1.0
    >>> float(in_unit_range(np.array([[1.0000001]], dtype=np.float32)).max())
    1.0
    >>> in_unit_range(np.array([[1.01]])) is None
    True
    """
    tolerance = _rounding_tolerance(X.dtype if dtype is None else dtype)
    if X.size and (X.min() < -tolerance or X.max() > 1.0 + tolerance):
        return None
    if X.size and (X.min() < 0.0 or X.max() > 1.0):
        return np.clip(X, 0.0, 1.0)
    return X


@dataclass(frozen=True, eq=False)
class Quantizer:
    """Round half up and saturate to a signed fixed-point grid.

    Parameters
    ----------
    fraction : int
        Fraction bits: the grid step is ``2**-fraction``.
    min_code, max_code : int
        Saturation range in codes (``-2**(w-1)`` and ``2**(w-1) - 1`` for a
        ``w``-bit format).
    sigmoid_table : ndarray of shape (max_code - min_code + 1,)
        Value of the logistic activation for every code ``s`` of a
        pre-activation, at index ``s - min_code`` (already on the grid).
    input_bits : int, default=8
        Width of the unsigned input port: an input ``x`` in [0, 1] is read
        as ``min(floor(x * 2**input_bits + 1/2), 2**input_bits - 1)``, placed
        in the top fraction bits (low bits dropped when ``fraction`` is
        narrower).

    Examples
    --------
    >>> import numpy as np
    >>> q = Quantizer(2, -8, 7, np.linspace(0, 1, 16))
    >>> q.round(np.array([0.3, -5.0, 1.125])).tolist()
    [0.25, -2.0, 1.25]
    """

    fraction: int
    min_code: int
    max_code: int
    sigmoid_table: np.ndarray
    input_bits: int = 8

    @property
    def low(self):
        """Smallest representable value."""
        return self.min_code * 2.0**-self.fraction

    @property
    def high(self):
        """Largest representable value."""
        return self.max_code * 2.0**-self.fraction

    def codes(self, x):
        """Return the codes of ``x`` (round half up, saturate), as float.

        Parameters
        ----------
        x : ndarray of float

        Returns
        -------
        codes : ndarray of the same shape and dtype, integer valued
        """
        c = np.floor(x * 2.0**self.fraction + 0.5)
        return np.clip(c, self.min_code, self.max_code, out=c)

    def round(self, x):
        """Return ``x`` rounded half up to the grid and saturated.

        Parameters
        ----------
        x : ndarray of float

        Returns
        -------
        ndarray of the same shape and dtype
        """
        c = self.codes(x)
        c *= 2.0**-self.fraction
        return c

    def inputs(self, X):
        """Return the network input as the input port reads it.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Values in [0, 1].

        Returns
        -------
        ndarray of the same shape and dtype
        """
        inside = in_unit_range(X)
        if inside is None:
            raise ValueError(
                f"X must lie in [0, 1] when training or predicting with quantize: "
                f"the datapath's input port holds unsigned {self.input_bits}-bit "
                f"values p / 2**{self.input_bits}; got values in "
                f"[{float(X.min())!r}, {float(X.max())!r}]. Scale the data first (e.g. "
                "MinMaxScaler)."
            )
        X, top = inside, 2**self.input_bits - 1
        p = np.minimum(np.floor(X * 2.0**self.input_bits + 0.5), top)
        drop = self.input_bits - self.fraction
        if drop > 0:  # a narrower fraction truncates the low pixel bits
            p = np.floor(p * 2.0**-drop)
            return p * 2.0**-self.fraction
        return p * 2.0**-self.input_bits

    def activation(self, name, Z, function):
        """Return the activation ``function`` of pre-activations ``Z`` on the grid.

        The logistic activation is the table (indexed by the code of ``Z``);
        any other is computed in floating point and rounded.

        Parameters
        ----------
        name : str
            Name of the activation (``"logistic"`` reads the table).
        Z : ndarray
            Pre-activations, already on the grid.
        function : callable
            The float activation, used for every other name.

        Returns
        -------
        ndarray of the shape and dtype of ``Z``
        """
        if name == "logistic":
            index = (self.codes(Z) - self.min_code).astype(np.intp)
            return self.sigmoid_table.astype(Z.dtype, copy=False)[index]
        return self.round(function(Z))

    def parameters(self, weights, biases):
        """Return copies of the weights and biases with every value on the grid.

        Parameters
        ----------
        weights : list of WeightMatrix
        biases : list of ndarray

        Returns
        -------
        weights : list of WeightMatrix
            Shallow copies whose ``params`` are new, rounded arrays (the
            originals are untouched).
        biases : list of ndarray
        """
        rounded = []
        for w in weights:
            q = copy.copy(w)
            q._set_params(self.round(w.params))
            rounded.append(q)
        return rounded, [self.round(b) for b in biases]

    def mask_gradients(self, params, grads):
        """Zero, in place, the gradient entries that push a saturated value out.

        A parameter at or beyond the range whose update (``-grad``) points
        further outside is not moved: its quantised value is saturated and
        cannot change, so the float value would drift without bound.

        Parameters
        ----------
        params, grads : list of ndarray
            Aligned float parameters and their gradients.

        Returns
        -------
        grads : list of ndarray
            The same arrays.
        """
        for p, g in zip(params, grads, strict=True):
            out = ((p >= self.high) & (g < 0)) | ((p <= self.low) & (g > 0))
            g[out] = 0
        return grads
