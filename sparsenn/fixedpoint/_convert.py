"""Convert a fitted float ``SparseMLPClassifier`` to the integer datapath model."""

import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from ._format import INPUT_BITS, QFormat
from ._layout import JunctionLayout, default_parallelism
from ._lut import sigmoid_lut
from ._network import FixedPointNetwork

__all__ = ["to_fixed_point", "SUPPORTED_ACTIVATIONS"]

#: Hidden activations the datapath has, mapped to their table builder.
SUPPORTED_ACTIVATIONS = {"logistic": sigmoid_lut}


DEFAULT_FORMAT = QFormat(3, 8)


def to_fixed_point(
    model, fmt=DEFAULT_FORMAT, *, input_bits=INPUT_BITS, lut_floor_lsb=False
):
    """Integer model of a fitted sigmoid network on the FPGA datapath.

    Weights and biases are rounded half up to ``fmt``; values outside the format's
    range are saturated, counted in ``conversion_saturation_`` and reported with a
    ``UserWarning``. Clash-free junctions keep the generator's weight order and
    ``z``; other junctions are put in right-neuron order (by right neuron, then
    left neuron) with ``z`` taken from ``model.parallelism`` or, when that is
    ``None``, the smallest divisor of ``n_in`` that is at least the largest
    in-degree.

    Parameters
    ----------
    model : SparseMLPClassifier
        Fitted, with ``activation="logistic"``; inputs must be in [0, 1].
    fmt : QFormat, default=QFormat(3, 8)
        The one format of the datapath (``ap_fixed<12,4>``).
    input_bits : int, default=8
        Width of the unsigned input port.
    lut_floor_lsb : bool, default=False
        Raise zero LUT entries to 1 LSB (the RTL's alternative table).

    Returns
    -------
    FixedPointNetwork

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn import SparseMLPClassifier
    >>> from sparsenn.fixedpoint import to_fixed_point
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 8)); y = (X[:, 0] > X[:, 1]).astype(int)
    >>> clf = SparseMLPClassifier(hidden_layer_sizes=(16,), activation="logistic",
    ...                           density=0.5, max_iter=300, random_state=0).fit(X, y)
    >>> net = to_fixed_point(clf)
    >>> str(net.fmt), net.weights[0].dtype, net.activations(X[:2])[1].shape
    ('ap_fixed<12,4>', dtype('int64'), (2, 16))
    >>> bool(np.mean(net.predict(X) == clf.predict(X)) > 0.9)
    True
    """
    check_is_fitted(model)
    activation = getattr(model, "activation", None)
    if activation not in SUPPORTED_ACTIVATIONS:
        raise ValueError(
            f"activation={activation!r} is not supported by the fixed-point datapath; "
            f"supported: {sorted(SUPPORTED_ACTIVATIONS)}."
        )
    if not isinstance(fmt, QFormat):
        raise TypeError(f"fmt must be a QFormat, got {fmt!r}.")
    if not isinstance(input_bits, Integral) or not 1 <= input_bits <= 16:
        raise ValueError(f"input_bits must be an int in 1..16, got {input_bits!r}.")
    coefs, intercepts = model.coefs_, model.intercepts_
    orders = getattr(model, "connection_orders_", None) or [None] * len(coefs)
    zs = _parallelisms(getattr(model, "parallelism", None), len(coefs))
    layouts, weights, biases = [], [], []
    sat = {"weights": [], "biases": []}
    for i, (W, b, order, z) in enumerate(
        zip(coefs, intercepts, orders, zs, strict=True)
    ):
        layout, values = _junction(W, order, z, i)
        codes, n_w = fmt.to_codes(values, return_count=True)
        bias, n_b = fmt.to_codes(np.asarray(b, dtype=np.float64), return_count=True)
        layouts.append(layout)
        weights.append(codes)
        biases.append(bias)
        sat["weights"].append(n_w)
        sat["biases"].append(n_b)
    net = FixedPointNetwork(
        fmt,
        layouts,
        weights,
        biases,
        model.classes_,
        input_bits=input_bits,
        lut_floor_lsb=lut_floor_lsb,
    )
    net.conversion_saturation_ = sat
    n_sat = sum(sat["weights"]) + sum(sat["biases"])
    if n_sat:
        warnings.warn(
            f"{n_sat} weights/biases lie outside the range [{fmt.min}, {fmt.max}] of "
            f"{fmt} and were saturated (per junction: weights {sat['weights']}, "
            f"biases {sat['biases']}).",
            UserWarning,
            stacklevel=2,
        )
    return net


def _parallelisms(parallelism, n_junctions):
    if parallelism is None or isinstance(parallelism, Integral):
        return [parallelism] * n_junctions
    values = list(parallelism)
    if len(values) != n_junctions:
        raise ValueError(
            f"parallelism={parallelism!r} needs one value per junction ({n_junctions})."
        )
    return values


def _edges(W):
    """Left, right and float value of every stored edge of a coefs_ entry."""
    if sp.issparse(W):
        coo = sp.coo_matrix(W)
        coo.sum_duplicates()
        return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    W = np.asarray(W, dtype=np.float64)
    left, right = np.indices(W.shape).reshape(2, -1)
    return left, right, W.ravel()


def _junction(W, order, z, i):
    """JunctionLayout and float weights in weight order of junction ``i``."""
    n_in, n_out = W.shape
    left, right, values = _edges(W)
    values = np.asarray(values, dtype=np.float64)
    if order is None:
        perm = np.lexsort((left, right))
        left, right, values = left[perm], right[perm], values[perm]
        if z is None:
            z = default_parallelism(n_in, np.bincount(right, minlength=n_out))
        elif n_in % z:
            raise ValueError(
                f"parallelism={z} must divide n_in={n_in} of junction {i}."
            )
        return JunctionLayout(n_in, n_out, left, right, int(z)), values
    layout = JunctionLayout(
        n_in,
        n_out,
        np.asarray(order.left, np.int64),
        np.asarray(order.right, np.int64),
        int(order.z),
        "clash_free",
        np.asarray(order.seeds),
        np.asarray(order.dither),
    )
    return layout, _values_in_order(layout, left, right, values, i)


def _values_in_order(layout, left, right, values, i):
    """Float weights of ``layout``'s edges; stored entries must be edges."""
    key_w = left * layout.n_out + right
    key_o = layout.left * layout.n_out + layout.right
    sort = np.argsort(key_w)
    key_w, values = key_w[sort], values[sort]
    pos = np.minimum(np.searchsorted(key_w, key_o), max(key_w.size - 1, 0))
    found = key_w[pos] == key_o if key_w.size else np.zeros(key_o.size, bool)
    if np.count_nonzero(found) != key_w.size:
        raise ValueError(
            f"coefs_[{i}] has weights outside the edges of connection_orders_[{i}]."
        )
    return np.where(found, values[pos] if key_w.size else 0.0, 0.0)
