"""Plain-loop reference implementations and stand-ins for the fixed-point tests.

Imported by the other ``test_fixedpoint*`` files; the checks of the reference
itself are at the bottom.

Deliberately written element by element with Python ints, independent of the
vectorised code in ``sparsenn.fixedpoint``.
"""

import math
from fractions import Fraction

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from sparsenn.fixedpoint import JunctionLayout


def ref_sat(x, fmt):
    return max(fmt.min_code, min(fmt.max_code, x))


def ref_mul(a, b, fmt):
    # value a*b / 2**f rounded half up, with exact rational arithmetic
    return ref_sat(math.floor(Fraction(a * b, 2**fmt.fraction) + Fraction(1, 2)), fmt)


def ref_sigmoid_code(s, fmt):
    sig = 1.0 / (1.0 + math.exp(-s / 2**fmt.fraction))
    return min(math.floor(sig * 2**fmt.fraction + 0.5), 2**fmt.fraction - 1)


def ref_input_code(x, fmt):
    p = min(math.floor(x * 256 + 0.5), 255)
    return (
        p * 2 ** (fmt.fraction - 8)
        if fmt.fraction >= 8
        else p // 2 ** (8 - fmt.fraction)
    )


def ref_forward(net, X):
    """Per-sample, per-neuron, per-edge loop; returns activations and counts."""
    fmt = net.fmt
    acts = [[[ref_input_code(float(x), fmt) for x in row] for row in X]]
    n_prod = [0] * len(net.layouts)
    n_sum = [0] * len(net.layouts)
    for i, (lay, w, b) in enumerate(
        zip(net.layouts, net.edge_weights, net.biases, strict=True)
    ):
        layer = []
        for a in acts[-1]:
            acc = [0] * lay.n_out
            for e in range(lay.n_edges):
                x, y = a[int(lay.left[e])], int(w[e])
                p = ref_mul(x, y, fmt)
                n_prod[i] += p != math.floor(
                    Fraction(x * y, 2**fmt.fraction) + Fraction(1, 2)
                )
                acc[int(lay.right[e])] += p
            out = []
            for k in range(lay.n_out):
                s = ref_sat(acc[k] + int(b[k]), fmt)
                n_sum[i] += s != acc[k] + int(b[k])
                out.append(int(net.sigmoid_lut[s - fmt.min_code]))
            layer.append(out)
        acts.append(layer)
    return (
        [np.array(a, dtype=np.int64).reshape(len(X), -1) for a in acts],
        n_prod,
        n_sum,
    )


def ref_argmax(values, group):
    """Sequential comparator: lower index wins within a clock, later clock on ties."""
    best, best_k = None, 0
    for c0 in range(0, len(values), group):
        clock = list(values[c0 : c0 + group])
        k = c0 + clock.index(max(clock))
        if best is None or values[k] >= best:
            best, best_k = values[k], k
    return best_k


def random_layout(rng, n_in, n_out, density, z=None, empty_ok=True):
    """Random edge set in right-neuron order (some neurons may have no edges)."""
    mask = rng.random((n_in, n_out)) < density
    if not empty_ok:
        mask[rng.integers(0, n_in, n_out), np.arange(n_out)] = True
    left, right = np.nonzero(mask)
    order = np.lexsort((left, right))
    return JunctionLayout(n_in, n_out, left[order], right[order], z or 1)


class StandInMLP(BaseEstimator):
    """Fitted-estimator stand-in carrying the attributes ``to_fixed_point`` reads."""

    def __init__(
        self,
        coefs,
        intercepts,
        classes,
        activation="logistic",
        parallelism=None,
        orders=None,
    ):
        self.coefs_ = [sp.csr_matrix(W) for W in coefs]
        self.intercepts_ = [np.asarray(b, dtype=np.float64) for b in intercepts]
        self.classes_ = np.asarray(classes)
        self.activation = activation
        self.parallelism = parallelism
        self.connection_orders_ = orders or [None] * len(self.coefs_)

    def fit(self, X, y):  # present so scikit-learn's check_is_fitted accepts it
        return self

    def predict_float(self, X):
        a = np.asarray(X, dtype=np.float64)
        for W, b in zip(self.coefs_, self.intercepts_, strict=True):
            a = 1.0 / (1.0 + np.exp(-(np.asarray(a @ W.toarray()) + b)))
        return self.classes_[np.argmax(a, axis=1)]


class Unfitted(BaseEstimator):
    activation = "logistic"

    def fit(self, X, y):
        return self


def test_reference_mul_hand_values():
    from sparsenn.fixedpoint import QFormat

    fmt = QFormat(3, 8)
    assert ref_mul(128, 1, fmt) == 1  # +0.5 LSB rounds up
    assert ref_mul(-128, 1, fmt) == 0  # -0.5 LSB rounds up too
    assert ref_mul(2047, 2047, fmt) == 2047
    assert ref_mul(-2048, 2047, fmt) == -2048


def test_reference_argmax_tie_rule():
    assert ref_argmax([3, 3, 1, 3], 2) == 3
    assert ref_argmax([3, 3, 1, 3], 4) == 0
    assert ref_argmax([1, 2, 2], 1) == 2
