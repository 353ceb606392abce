"""Convert a fitted float ``SparseMLPClassifier`` to the integer datapath model."""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from .._validation import check_bool
from .._warnings import warn
from ..connectivity import default_parallelism, right_neuron_order
from ._calibrate import calibrate_output
from ._format import INPUT_BITS, QFormat, check_inputs, parse_format
from ._layout import JunctionLayout
from ._lut import sigmoid_lut
from ._network import FixedPointNetwork

__all__ = ["to_fixed_point", "SUPPORTED_ACTIVATIONS"]

#: Hidden activations the datapath has, mapped to their table builder.
SUPPORTED_ACTIVATIONS = {"logistic": sigmoid_lut}


DEFAULT_FORMAT = QFormat(3, 8)


def to_fixed_point(
    model,
    fmt=None,
    *,
    calibration_X=None,
    input_bits=INPUT_BITS,
    lut_floor_lsb=False,
):
    """Integer model of a fitted sigmoid network on the FPGA datapath.

    Weights and biases are rounded half up to ``fmt``; values outside the format's
    range are saturated, counted in ``conversion_saturation_`` and reported with a
    ``UserWarning`` (not for a model trained with ``quantize`` in ``fmt``, whose
    forward pass saturates them already). Clash-free junctions keep the generator's
    weight order and ``z`` (read from the edge order the sparse weights carry, with
    any zero-valued padding, which the layout and the memory images keep); other
    junctions are put in right-neuron order (by right neuron, then left neuron) with
    ``z`` taken from ``model.parallelism`` or, when that is ``None``,
    :func:`sparsenn.connectivity.default_parallelism` (the smallest divisor of
    ``n_in`` that is at least the largest in-degree).

    Parameters
    ----------
    model : SparseMLPClassifier
        Fitted, with ``activation="logistic"``; inputs must be in [0, 1].
        A model trained with ``output="sigmoid"`` (and optionally
        ``quantize``) already has the datapath's output layer and needs no
        calibration data.
    fmt : QFormat, str or None, default=None
        The one format of the datapath: a QFormat or an ``"ap_fixed<W,I>"``
        string, as ``quantize`` takes. None: the model's ``quantize``
        format when it was trained quantisation-aware, else ``QFormat(3, 8)``
        (``ap_fixed<12,4>``).
    calibration_X : array-like of shape (n_samples, n_features), optional
        For softmax-trained models: inputs (for example a slice of the
        training set) used to choose an argmax-preserving scale and shift of
        the output junction, so that the winning logits fall where the 8-bit
        sigmoid outputs do not saturate and tie (see Notes). Without it the
        output junction is converted unchanged. Not used (``UserWarning``)
        for a model trained with ``output="sigmoid"``. At least one sample.
    input_bits : int, default=8
        Width of the unsigned input port.
    lut_floor_lsb : bool, default=False
        Raise zero LUT entries to 1 LSB (the RTL's alternative table).

    Returns
    -------
    FixedPointNetwork
        With ``output_scale_`` and ``output_shift_``: the last junction computes
        ``output_scale_ * z - output_shift_`` for the float logits ``z``; and
        the model's ``feature_names_in_`` when it has them.

    Notes
    -----
    Softmax predictions are unchanged when all logits are scaled by a positive
    factor and shifted by a constant, but the datapath's output sigmoid is flat
    outside about [-5.5, 5.5] at 8 bits: two classes whose logits both lie
    beyond it get the same code and tie. ``calibration_X`` picks the scale and
    shift (from a small grid, simulated bit-exactly) under which the integer
    predictions agree most often with the float ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn import SparseMLPClassifier
    >>> from sparsenn.fixedpoint import to_fixed_point
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 8)); y = (X[:, 0] > X[:, 1]).astype(int)
    >>> clf = SparseMLPClassifier(hidden_layer_sizes=(16,), activation="logistic",
    ...                           density=0.5, max_iter=50, random_state=0).fit(X, y)
    >>> net = to_fixed_point(clf)
    >>> str(net.fmt), net.weights[0].dtype, net.activations(X[:2])[1].shape
    ('ap_fixed<12,4>', dtype('int64'), (2, 16))
    >>> bool(np.mean(net.predict(X) == clf.predict(X)) > 0.9)
    True
    """
    check_is_fitted(model)
    if not (hasattr(model, "coefs_") and hasattr(model, "intercepts_")):
        raise ValueError(
            "to_fixed_point converts a fitted MLP classifier with coefs_ and "
            "intercepts_ (SparseMLPClassifier, HMatrixMLPClassifier, "
            f"StructuredMLPClassifier); {type(model).__name__} has no such layers."
        )
    sigmoid = _check_output(model)
    fmt = _model_format(model) if fmt is None else _check_format(fmt)
    lut_floor_lsb = check_bool(lut_floor_lsb, "lut_floor_lsb")
    activation = getattr(model, "activation", None)
    if activation not in SUPPORTED_ACTIVATIONS:
        raise ValueError(
            f"activation={activation!r} is not supported by the fixed-point datapath; "
            f"supported: {sorted(SUPPORTED_ACTIVATIONS)}."
        )
    if not isinstance(input_bits, Integral) or not 1 <= input_bits <= 16:
        raise ValueError(f"input_bits must be an int in 1..16, got {input_bits!r}.")
    intercepts = model.intercepts_
    weights = _weight_sources(model)
    zs = _parallelisms(getattr(model, "parallelism", None), len(weights))
    junctions = [
        _junction(W, order, z, i)
        for i, ((W, order), z) in enumerate(zip(weights, zs, strict=True))
    ]
    layouts = [layout for layout, _ in junctions]
    values = [v for _, v in junctions]
    float_biases = [np.asarray(b, dtype=np.float64) for b in intercepts]
    scale, shift = 1.0, 0.0
    if calibration_X is not None and sigmoid:
        warn(
            "calibration_X is not used: the model was trained with output='sigmoid', "
            "the datapath's output layer, so its output junction is converted "
            "unchanged.",
            UserWarning,
        )
    elif calibration_X is not None:
        calibration_X = _check_calibration(calibration_X, layouts[0].n_in, input_bits)
        scale, shift, _ = calibrate_output(
            fmt,
            layouts,
            values,
            float_biases,
            calibration_X,
            input_bits=input_bits,
            lut_floor_lsb=lut_floor_lsb,
        )
        values[-1] = scale * values[-1]
        float_biases[-1] = scale * float_biases[-1] - shift
    weights, biases = [], []
    sat = {"weights": [], "biases": []}
    for w, b in zip(values, float_biases, strict=True):
        codes, n_w = fmt.to_codes(w, return_count=True)
        bias, n_b = fmt.to_codes(b, return_count=True)
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
    net.output_scale_, net.output_shift_ = float(scale), float(shift)
    if hasattr(model, "feature_names_in_"):
        net.feature_names_in_ = np.asarray(model.feature_names_in_, dtype=object)
    n_sat = sum(sat["weights"]) + sum(sat["biases"])
    # a model trained quantisation-aware in fmt saturates these values in its
    # own forward pass already: converting them changes nothing it computes
    trained_in_fmt = getattr(model, "quantize", None) is not None and (
        _model_format(model) == fmt
    )
    if n_sat and not trained_in_fmt:
        warn(
            f"{n_sat} weights/biases lie outside the range [{fmt.min}, {fmt.max}] of "
            f"{fmt} and were saturated (per junction: weights {sat['weights']}, "
            f"biases {sat['biases']}).",
            UserWarning,
        )
    return net


def _check_output(model):
    """Return whether the output is the datapath's sigmoid; raise if no argmax."""
    output = getattr(model, "out_activation_", "softmax")
    multilabel = getattr(model, "_multilabel", False)
    if output == "softmax" or (output == "logistic" and not multilabel):
        return output == "logistic"
    raise ValueError(
        f"The fixed-point datapath ends in an argmax over classes; the model's "
        f"output layer is {output!r} (a regressor or a multi-label classifier). "
        "Give a single-label classifier (out_activation_='softmax', or 'logistic' "
        "from output='sigmoid')."
    )


def _model_format(model):
    """Return the model's quantisation-aware training format, else the default."""
    quantize = getattr(model, "quantize", None)
    if quantize is None:
        return DEFAULT_FORMAT
    return parse_format(quantize) if isinstance(quantize, str) else quantize


def _check_format(fmt):
    """``fmt`` as a QFormat (an ``"ap_fixed<W,I>"`` string is parsed)."""
    if isinstance(fmt, str):
        return parse_format(fmt, name="fmt")
    if not isinstance(fmt, QFormat):
        raise TypeError(
            f"fmt must be a QFormat or an 'ap_fixed<W,I>' string, got {fmt!r}."
        )
    return fmt


def _check_calibration(calibration_X, n_features, input_bits):
    """``calibration_X`` as a 2-D float array in [0, 1] with the model's features."""
    if sp.issparse(calibration_X) or np.iscomplexobj(calibration_X):
        check_inputs(calibration_X, name="calibration_X")  # raises the TypeError
    cal = np.asarray(calibration_X, dtype=np.float64)
    if cal.ndim != 2 or cal.shape[1] != n_features:
        raise ValueError(
            f"calibration_X has shape {cal.shape}; expected (n_samples, "
            f"{n_features}): the model has {n_features} input features."
        )
    if cal.shape[0] == 0:
        raise ValueError(
            "calibration_X has 0 samples; give at least one (for example a slice "
            "of the training set), or None to convert without calibration."
        )
    return check_inputs(cal, input_bits, "calibration_X")  # finite, in [0, 1]


def _parallelisms(parallelism, n_junctions):
    if parallelism is None or isinstance(parallelism, Integral):
        return [parallelism] * n_junctions
    values = list(parallelism)
    if len(values) != n_junctions:
        raise ValueError(
            f"parallelism={parallelism!r} needs one value per junction ({n_junctions})."
        )
    return values


def _weight_sources(model):
    """Per junction ``(weights, order)``: the weight objects of a fitted model.

    A model's sparse weight objects carry their edge order (``order``) and
    their values in canonical order (``params``), read directly; a model with
    only ``coefs_`` (and optionally ``connection_orders_``) is read from those.
    """
    weights = getattr(model, "weights_", None)
    if weights is not None and all(hasattr(w, "order") for w in weights):
        return [(w, w.order) for w in weights]
    coefs = model.coefs_
    orders = getattr(model, "connection_orders_", None) or [None] * len(coefs)
    return list(zip(coefs, orders, strict=True))


def _canonical(W):
    """Pattern (canonical CSR) and float values in canonical order of one junction."""
    if hasattr(W, "order"):  # SparseWeights: params are in canonical order
        P = sp.csr_matrix((W.params, W._indices, W._indptr), shape=W.shape)
        return P, np.asarray(W.params, dtype=np.float64)
    P = sp.csr_matrix(W) if sp.issparse(W) else sp.csr_matrix(np.ones(np.shape(W)))
    P.sum_duplicates()
    if not sp.issparse(W):
        return P, np.asarray(W, dtype=np.float64).ravel()
    return P, np.asarray(P.data, dtype=np.float64)


def _junction(W, order, z, i):
    """JunctionLayout and float weights in weight order of junction ``i``."""
    P, values = _canonical(W)
    n_in, n_out = P.shape
    if order is None:
        if z is None:
            z = default_parallelism(n_in, in_degrees=np.diff(P.tocsc().indptr))
        elif n_in % z:
            divisors = [k for k in range(1, n_in + 1) if n_in % k == 0]
            raise ValueError(
                f"parallelism={z} must divide n_in={n_in} of junction {i} (a "
                f"{type(W).__name__} junction without a clash-free order is not "
                f"padded); feasible values: {divisors}."
            )
        order = right_neuron_order(P, int(z))
        return JunctionLayout.from_order(order), values[order.canonical_index()]
    layout = JunctionLayout.from_order(order)
    if hasattr(W, "order"):  # the weight object's own order: same edges
        return layout, values[order.canonical_index()]
    left = np.repeat(np.arange(n_in, dtype=np.int64), np.diff(P.indptr))
    right = P.indices.astype(np.int64)
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
