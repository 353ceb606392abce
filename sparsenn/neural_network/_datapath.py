"""Training that matches the FPGA datapath: ``output="sigmoid"`` and ``quantize``.

The classifiers' ``output`` and ``quantize`` parameters are resolved here:
``output="sigmoid"`` is the engine's ``"logistic"`` output (independent
sigmoids, binary cross-entropy, output error ``a - y``) on one-hot targets,
and ``quantize`` (``None``, an ``"ap_fixed<W,I>"`` string or a
:class:`~sparsenn.fixedpoint.QFormat`) becomes the engine's
:class:`~sparsenn.engine._quantize.Quantizer` with the format's sigmoid table.
"""

import numpy as np

from ..engine._quantize import Quantizer
from ..fixedpoint._format import INPUT_BITS, QFormat, parse_format
from ..fixedpoint._lut import sigmoid_lut

__all__ = [
    "OUTPUT_ACTIVATIONS",
    "one_hot",
    "quantize_format",
    "make_quantizer",
]

#: The ``output`` parameter's values and the engine output each one uses.
OUTPUT_ACTIVATIONS = {"softmax": "softmax", "sigmoid": "logistic"}


def quantize_format(quantize, output):
    """Return the :class:`QFormat` of the ``quantize`` parameter, or None.

    Parameters
    ----------
    quantize : None, str or QFormat
    output : {"softmax", "sigmoid"}
        The classifier's ``output``; quantisation needs ``"sigmoid"``, the
        datapath's output layer.

    Returns
    -------
    QFormat or None

    Examples
    --------
    >>> str(quantize_format("ap_fixed<10,3>", "sigmoid"))
    'ap_fixed<10,3>'
    """
    if quantize is None:
        return None
    fmt = parse_format(quantize) if isinstance(quantize, str) else quantize
    if not isinstance(fmt, QFormat):
        raise TypeError(
            f"quantize must be None, a QFormat or an 'ap_fixed<W,I>' string; got "
            f"{quantize!r}."
        )
    if output != "sigmoid":
        raise ValueError(
            f"quantize={str(fmt)!r} trains the datapath's forward pass, whose output "
            f"layer is a sigmoid: it needs output='sigmoid', got output={output!r}."
        )
    return fmt


def make_quantizer(fmt):
    """Return the engine's :class:`Quantizer` for ``fmt`` (None for None).

    Parameters
    ----------
    fmt : QFormat or None

    Returns
    -------
    Quantizer or None

    Examples
    --------
    >>> q = make_quantizer(QFormat(3, 8))
    >>> q.fraction, q.min_code, q.sigmoid_table.shape
    (8, -2048, (4096,))
    """
    if fmt is None:
        return None
    table = fmt.to_float(sigmoid_lut(fmt))
    return Quantizer(fmt.fraction, fmt.min_code, fmt.max_code, table, INPUT_BITS)


def one_hot(codes, n_classes):
    """Return the 0/1 float matrix of integer class codes.

    Parameters
    ----------
    codes : ndarray of int, shape (n_samples,)
    n_classes : int

    Returns
    -------
    ndarray of shape (n_samples, n_classes)

    Examples
    --------
    >>> one_hot(np.array([1, 0]), 3).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    """
    Y = np.zeros((codes.shape[0], n_classes))
    Y[np.arange(codes.shape[0]), codes] = 1.0
    return Y
