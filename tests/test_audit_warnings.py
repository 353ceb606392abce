"""Audit: every warning of the public API is at the user's line, or not at all.

Each test records all warnings of a public call and checks that none is
attributed to a library file (numpy floating-point warnings from inside
sparsenn, scikit-learn's own ``r2_score``), and that the values that used to
come with them (a standardisation by ``inf``, a NaN R^2 or approximation
error) are right.
"""

import warnings

import numpy as np
import pytest

from sparsenn import (
    HMatrixMLPClassifier,
    HMatrixMLPRegressor,
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
    StructuredMLPClassifier,
    StructuredMLPRegressor,
)
from sparsenn.linalg import HMatrix, OffsetTridiagonal

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 6))
Y_CLASS = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
Y_REG = X[:, 0] + 0.1 * X[:, 1]


def recorded(call):
    """Return ``(result, warnings)`` of ``call()`` with every warning recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, caught


def foreign(caught):
    """The recorded warnings attributed to a file other than this one."""
    return [
        (w.category, w.filename, str(w.message))
        for w in caught
        if w.filename != __file__
    ]


@pytest.mark.parametrize(
    "make, y",
    [
        (lambda: PseudoInverseSparseRegressor(n_hidden=16, random_state=0), Y_REG),
        (lambda: PseudoInverseSparseClassifier(n_hidden=16, random_state=0), Y_CLASS),
    ],
    ids=["regressor", "classifier"],
)
def test_pinv_standardises_inputs_near_the_float_range(make, y):
    # the variance of columns near 1e200 overflowed: scale_ was inf, every
    # input standardised to 0 and the model predicted a constant
    model, caught = recorded(lambda: make().fit(X * 1e200, y))
    assert foreign(caught) == []
    assert np.isfinite(model.scale_).all()
    reference = make().fit(X, y)
    np.testing.assert_allclose(model.scale_, reference.scale_ * 1e200, rtol=1e-12)
    np.testing.assert_allclose(model.predict(X * 1e200), reference.predict(X))


def test_pinv_standardisation_is_unchanged_on_ordinary_data():
    # the rescaling is by powers of two: bit for bit the plain weighted moments
    Xs, sw = X * 3.0 + 1.0, np.linspace(0.5, 2.0, X.shape[0])
    model = PseudoInverseSparseRegressor(n_hidden=16, random_state=0)
    model.fit(Xs, Y_REG, sample_weight=sw)
    mean = (sw @ Xs) / sw.sum()
    np.testing.assert_array_equal(model.mean_, mean)
    np.testing.assert_array_equal(
        model.scale_, np.sqrt(sw @ (Xs - mean) ** 2 / sw.sum())
    )


@pytest.mark.parametrize(
    "model",
    [
        SparseMLPClassifier((8,), max_iter=3, random_state=0),
        PseudoInverseSparseClassifier(n_hidden=16, random_state=0),
    ],
    ids=["sparse", "pinv"],
)
def test_finite_inputs_near_the_float_range_give_no_reduce_warning(model):
    # scikit-learn's finiteness test sums X: +3e38 - 3e38 in float32 is
    # inf - inf, whose numpy "invalid value encountered in reduce" was passed
    # on to the user's line although X is finite
    big = (np.clip(X, -3, 3) * 1e38).astype(np.float32)
    _, caught = recorded(lambda: model.fit(big, Y_CLASS).predict(big))
    assert foreign(caught) == []
    assert not [w for w in caught if "encountered in reduce" in str(w.message)]


def test_regressor_score_of_float32_targets_near_1e20_is_finite():
    # r2_score squared float32 residuals near 1e20 to inf: NaN, with numpy's
    # overflow warnings at scikit-learn's line
    X32, y32 = X.astype(np.float32), (Y_REG * 1e20).astype(np.float32)
    model = PseudoInverseSparseRegressor(n_hidden=16, random_state=0).fit(X32, y32)
    score, caught = recorded(lambda: model.score(X32, y32))
    assert foreign(caught) == []
    reference = PseudoInverseSparseRegressor(n_hidden=16, random_state=0)
    reference.fit(X32, Y_REG.astype(np.float32))
    assert isinstance(score, float)
    assert score == pytest.approx(reference.score(X32, Y_REG), rel=1e-5)


def test_regressor_score_of_targets_near_1e200_is_finite():
    model = PseudoInverseSparseRegressor(n_hidden=16, random_state=0)
    model.fit(X, Y_REG * 1e200)
    score, caught = recorded(lambda: model.score(X, Y_REG * 1e200))
    assert foreign(caught) == []
    reference = PseudoInverseSparseRegressor(n_hidden=16, random_state=0)
    assert score == pytest.approx(reference.fit(X, Y_REG).score(X, Y_REG))


def test_structured_regressor_score_matches_r2_score_on_ordinary_data():
    from sklearn.metrics import r2_score

    model = SparseMLPRegressor((8,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y_REG)
    weights = np.linspace(0.5, 2.0, X.shape[0])
    expected = r2_score(Y_REG, model.predict(X), sample_weight=weights)
    assert model.score(X, Y_REG, sample_weight=weights) == expected


def test_offset_tridiagonal_det_overflow_warns_at_the_callers_line():
    n = 10
    A = OffsetTridiagonal(
        np.full(n, 1e300), np.full(n - 1, 1.0), np.full(n - 1, 1.0), p=1, q=1
    )
    det, caught = recorded(A.det)
    assert det == np.inf
    assert [(w.category, w.filename) for w in caught] == [(RuntimeWarning, __file__)]
    assert "slogdet" in str(caught[0].message)
    small, caught = recorded(
        OffsetTridiagonal(np.full(n, 2.0), np.ones(n - 1), np.ones(n - 1), p=1, q=1).det
    )
    assert caught == [] and np.isfinite(small)


@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_hmatrix_approximation_error_of_extreme_matrices(scale):
    # ||W||_F overflowed near 1e200: approximation_error was inf / inf = NaN
    W = rng.normal(size=(32, 32))
    reference = HMatrix.from_dense(W, rank=2, leaf_size=8).approximation_error
    H, caught = recorded(lambda: HMatrix.from_dense(W * scale, rank=2, leaf_size=8))
    assert foreign(caught) == []
    assert H.approximation_error == pytest.approx(reference, rel=1e-12)


def test_density_curve_with_an_all_nan_row_warns_at_the_callers_line():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sparsenn.plotting import DensityCurveDisplay

    scores = {"random": np.array([[np.nan, np.nan], [0.5, 0.7], [0.8, 0.9]])}
    display = DensityCurveDisplay([0.1, 0.5, 1.0], scores)
    _, caught = recorded(display.plot)
    assert [(w.category, w.filename) for w in caught] == [(UserWarning, __file__)]
    assert "density=0.1" in str(caught[0].message)
    mean = display.lines_["random"].get_ydata()
    assert np.isnan(mean[0])
    np.testing.assert_allclose(mean[1:], [0.6, 0.85])
    plt.close("all")


HUGE = {
    "float64 1e200": (X * 1e200, Y_REG),
    "float32 3e38": ((np.clip(X, -3, 3) * 1e38).astype(np.float32), Y_REG),
    "constant": (np.column_stack([X, np.ones(60)]), Y_REG),
}
ESTIMATORS = {
    "SparseMLPClassifier": lambda: SparseMLPClassifier((8,), max_iter=3),
    "HMatrixMLPClassifier": lambda: HMatrixMLPClassifier((8,), rank=2, max_iter=3),
    "StructuredMLPClassifier": lambda: StructuredMLPClassifier((8,), max_iter=3),
    "PseudoInverseSparseClassifier": lambda: PseudoInverseSparseClassifier(16),
    "SparseMLPRegressor": lambda: SparseMLPRegressor((8,), max_iter=3),
    "HMatrixMLPRegressor": lambda: HMatrixMLPRegressor((8,), rank=2, max_iter=3),
    "StructuredMLPRegressor": lambda: StructuredMLPRegressor((8,), max_iter=3),
    "PseudoInverseSparseRegressor": lambda: PseudoInverseSparseRegressor(16),
}


@pytest.mark.parametrize("data", HUGE.values(), ids=HUGE)
@pytest.mark.parametrize("make", ESTIMATORS.values(), ids=ESTIMATORS)
def test_estimator_warnings_are_all_at_the_callers_line(make, data):
    Xd, y = data
    model = make().set_params(random_state=0)
    if "Classifier" in type(model).__name__:
        y = Y_CLASS

    def calls():
        try:
            model.fit(Xd, y)
        except ValueError as exc:  # diverged on 1e200: refused, with a reason
            assert "non-finite" in str(exc)
            return None
        P = model.predict(Xd)
        model.score(Xd, y)
        if hasattr(model, "predict_proba"):
            P = model.predict_proba(Xd)
        return P

    P, caught = recorded(calls)
    assert foreign(caught) == []
    assert P is None or np.isfinite(P).all()
