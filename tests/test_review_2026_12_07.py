"""Review of the 2026-12-07 audit fixes: regressions found in the new code."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsenn import SparseMLPClassifier, SparseMLPRegressor
from sparsenn.fixedpoint import to_fixed_point


@pytest.fixture
def float32_rounding():
    """float32 inputs in [0, 1] with MinMaxScaler's float32 rounding beyond 1."""
    rng = np.random.default_rng(0)
    clipped = rng.random((40, 6)).astype(np.float32)
    y = (clipped[:, 0] > 0.5).astype(int)
    rounded = clipped.copy()
    rounded[:5, 0] = np.nextafter(np.float32(1.0), np.float32(2.0))  # 1.0000001
    clipped[:5, 0] = 1.0
    return rounded, clipped, y


def _quantized_model(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SparseMLPClassifier(
            (8,), activation="logistic", output="sigmoid",
            quantize="ap_fixed<12,4>", max_iter=3, random_state=0,
        ).fit(X, y)  # fmt: skip


def test_float32_rounding_beyond_the_unit_range_reads_as_the_bound(float32_rounding):
    # in_unit_range allowed 1e-9, below float32's rounding at 1 (1.2e-7): the
    # MinMaxScaler output of float32 data was refused
    rounded, clipped, y = float32_rounding
    model = _quantized_model(clipped, y)
    np.testing.assert_array_equal(
        model.predict_proba(rounded), model.predict_proba(clipped)
    )
    net = to_fixed_point(model)
    np.testing.assert_array_equal(net.input_codes(rounded), net.input_codes(clipped))


def test_quantize_range_error_shows_the_extremes_unrounded(float32_rounding):
    # as the fixed-point port's error: ':.6g' printed 1.000002 as "1"
    _, clipped, y = float32_rounding
    model = _quantized_model(clipped, y)
    bad = clipped.astype(np.float64)
    bad[0, 0] = 1.000002
    with pytest.raises(ValueError, match=r"got values in \[.*, 1\.000002\d*\]"):
        model.predict(bad)


def test_validation_r2_is_free_of_overflow_as_score():
    # score() used the overflow-free r2; the early-stopping R^2 still called
    # r2_score, NaN (with numpy's warnings) for targets near 1e200
    Y = np.array([[1.0], [2.0], [4.0]]) * 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert SparseMLPRegressor()._score_output(Y, Y, None) == 1.0
