"""Output calibration: an argmax-preserving scale and shift of the last junction.

A softmax-trained network predicts ``argmax_k z_k``, which is unchanged by
``z -> scale * z - shift`` for any ``scale > 0``. The datapath instead compares
8-bit sigmoid outputs, which saturate (at 0 below about -5.5 and at 1 - LSB above
about +5.5, and the pre-activation itself at +-8), so when the two largest logits
of a sample both lie outside that window they tie. Scaling the output weights and
biases by ``scale`` and subtracting ``shift`` from the output biases moves the
winning logits into the window; the float model's predictions are unchanged.
"""

import numpy as np
import scipy.sparse as sp

from ..engine import forward
from ..layers import DenseWeights, SparseWeights
from ._lut import sigmoid_lut
from ._network import FixedPointNetwork
from ._simulate import JunctionKernel, hardware_argmax

__all__ = ["calibrate_output", "SCALES", "TARGETS"]

#: Candidate output scales, largest (least change) first.
SCALES = (1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.125, 0.09, 0.0625, 0.044, 0.03125)
#: Candidate positions of the median winning logit after scaling and shifting.
TARGETS = (0.0, -1.0, 1.0, -2.0, 2.0)
_MAX_SAMPLES = 2000


def float_logits(coefs, intercepts, X):
    """Return the float output pre-activations of a sigmoid network, (n, n_out).

    The engine's forward pass (logistic hidden layers, identity output) on
    weight objects built from ``coefs`` (scipy sparse or dense, (n_in, n_out)).
    """
    weights = [
        SparseWeights(sp.csr_matrix(c, dtype=np.float64))
        if sp.issparse(c)
        else DenseWeights(np.asarray(c, dtype=np.float64))
        for c in coefs
    ]
    biases = [np.asarray(b, dtype=np.float64) for b in intercepts]
    X = np.asarray(X, dtype=np.float64)
    return forward(weights, biases, X, "logistic", output="identity")[-1]


def calibrate_output(fmt, layouts, values, biases, X, **net_kw):
    """Choose ``(scale, shift)`` of the last junction on calibration inputs ``X``.

    Candidates are simulated bit-exactly on ``X`` and scored by how often their
    predictions agree with the float argmax: first every scale in ``SCALES`` with
    the median winning logit shifted to 0, then, at the best scale, the other
    ``TARGETS`` for that median (ties keep the earlier candidate, so the larger
    scale).

    Parameters
    ----------
    fmt : QFormat
    layouts : list of JunctionLayout
    values, biases : list of ndarray of float
        Float weights (weight order) and biases per junction.
    X : ndarray of shape (n_samples, n_features)
        Calibration inputs in [0, 1] (at most the first 2000 are used).
    **net_kw
        ``input_bits`` and ``lut_floor_lsb`` of the network.

    Returns
    -------
    scale, shift : float
    agreement : float
        Fraction of calibration samples whose fixed-point prediction matches the
        float argmax with the chosen pair.
    """
    X = np.asarray(X, dtype=np.float64)[:_MAX_SAMPLES]
    if layouts[-1].n_out == 1 or X.shape[0] == 0:
        return 1.0, 0.0, float("nan")  # a single output has no argmax to protect
    coefs = [_csr(lay, v) for lay, v in zip(layouts, values, strict=True)]
    logits = float_logits(coefs, biases, X)
    want = np.argmax(logits, axis=1)
    median_top = float(np.median(logits.max(axis=1)))
    hidden = _hidden_codes(fmt, layouts, values, biases, X, net_kw)
    last = layouts[-1]
    hidden_T = np.ascontiguousarray(hidden.T)
    lut = sigmoid_lut(fmt, net_kw.get("lut_floor_lsb", False))

    def agreement(scale, target):
        shift = scale * median_top - target
        w = fmt.to_codes(scale * values[-1])
        b = fmt.to_codes(scale * biases[-1] - shift)
        a_range = (0, int(hidden.max(initial=0)))
        kernel = JunctionKernel(last.left, last.right, w, b, last.n_out, fmt, a_range)
        out = lut[kernel(hidden_T.astype(kernel.dtype)) - fmt.min_code].T
        hits = hardware_argmax(out, last.neurons_per_clock()) == want
        return float(np.mean(hits)), scale, shift

    # coarse to fine: the scale at target 0, then the target at that scale
    best = max((agreement(s, TARGETS[0]) for s in SCALES), key=lambda r: r[0])
    for target in TARGETS[1:]:
        candidate = agreement(best[1], target)
        if candidate[0] > best[0]:
            best = candidate
    return best[1], best[2], best[0]


def _csr(layout, values):
    return sp.csr_matrix(
        (values, (layout.left, layout.right)), shape=(layout.n_in, layout.n_out)
    )


def _hidden_codes(fmt, layouts, values, biases, X, net_kw):
    """Integer activations of the last hidden layer (input codes if none)."""
    codes = [fmt.to_codes(v) for v in values[:-1]]
    bias_codes = [fmt.to_codes(b) for b in biases[:-1]]
    if not codes:
        probe = FixedPointNetwork(
            fmt,
            layouts[-1:],
            [np.zeros(layouts[-1].n_edges, np.int64)],
            [np.zeros(layouts[-1].n_out, np.int64)],
            np.arange(layouts[-1].n_out),
            **net_kw,
        )
        return probe.input_codes(X)
    net = FixedPointNetwork(
        fmt, layouts[:-1], codes, bias_codes, np.arange(layouts[-2].n_out), **net_kw
    )
    return net.output_codes(X)
