"""``PseudoInverseSparseRegressor``: the pseudo-inverse network as a ridge regressor."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_friedman1
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.neural_network import MLPRegressor

from sparsenn import PseudoInverseSparseClassifier, PseudoInverseSparseRegressor


@pytest.fixture(scope="module")
def friedman():
    return make_friedman1(n_samples=600, noise=0.5, random_state=0)


def test_classifier_is_the_regressor_on_class_codes():
    X, y = load_iris(return_X_y=True)
    params = dict(n_hidden=40, n_layers=2, alpha=0.5, random_state=3)
    clf = PseudoInverseSparseClassifier(**params).fit(X, y)
    T = -np.ones((len(y), 3))
    T[np.arange(len(y)), y] = 1
    reg = PseudoInverseSparseRegressor(**params).fit(X, T)
    np.testing.assert_allclose(reg.output_coef_, clf.output_coef_)
    np.testing.assert_allclose(reg.predict(X), clf._scores(X))


def test_single_and_multi_output(friedman):
    X, y = friedman
    reg = PseudoInverseSparseRegressor(n_hidden=200, random_state=0).fit(X, y)
    assert reg.predict(X).shape == (len(X),) and reg.n_outputs_ == 1
    assert reg.score(X, y) > 0.85
    Y = np.column_stack([y, -y, X[:, 0] ** 2])
    multi = PseudoInverseSparseRegressor(n_hidden=200, random_state=0).fit(X, Y)
    P = multi.predict(X)
    assert P.shape == Y.shape and multi.output_coef_.shape == (200, 3)
    assert multi.score(X, Y) == pytest.approx(r2_score(Y, P))
    np.testing.assert_allclose(P[:, 0], reg.predict(X))  # outputs are independent


def test_column_y_warns(friedman):
    X, y = friedman
    with pytest.warns(DataConversionWarning):
        reg = PseudoInverseSparseRegressor(n_hidden=20).fit(X, y[:, None])
    assert reg.predict(X).shape == (len(X),)


def test_sample_weight_equals_repetition(friedman):
    X, y = friedman
    sw = np.ones(len(y))
    sw[:50] = 2
    weighted = PseudoInverseSparseRegressor(n_hidden=50, random_state=0)
    weighted.fit(X, y, sample_weight=sw)
    repeated = PseudoInverseSparseRegressor(n_hidden=50, random_state=0)
    repeated.fit(np.vstack([X, X[:50]]), np.concatenate([y, y[:50]]))
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6)


def test_refinement_never_raises_the_training_error(friedman):
    X, y = friedman
    params = dict(n_hidden=60, n_layers=2, random_state=0)
    plain = PseudoInverseSparseRegressor(**params).fit(X, y)
    refined = PseudoInverseSparseRegressor(refine_iter=3, **params).fit(X, y)
    assert mean_squared_error(y, refined.predict(X)) <= mean_squared_error(
        y, plain.predict(X)
    ) * (1 + 1e-9)


def test_object_labels_raise_sklearns_error(friedman):
    X, _ = friedman
    y = np.array(["a", "b"] * (len(X) // 2), dtype=object)
    with pytest.raises(ValueError) as ref:
        MLPRegressor().fit(X, y)
    with pytest.raises(ValueError) as ours:
        PseudoInverseSparseRegressor().fit(X, y)
    assert str(ours.value) == str(ref.value)


def test_multi_output_nan_is_refused_naming_y(friedman):
    X, y = friedman
    Y = np.column_stack([y, y])
    Y[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        PseudoInverseSparseRegressor().fit(X, Y)
