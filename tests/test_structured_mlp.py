"""StructuredMLPClassifier / StructuredMLPRegressor: weight types by name."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sparsenn import StructuredMLPClassifier, StructuredMLPRegressor
from sparsenn.layers import (
    CirculantWeights,
    DenseWeights,
    FixedDictionaryWeights,
    HashedWeights,
    HMatrixWeights,
    LowRankWeights,
)

CLASSES = {
    "dense": DenseWeights,
    "hashed": HashedWeights,
    "circulant": CirculantWeights,
    "lowrank": LowRankWeights,
    "fixed_dictionary": FixedDictionaryWeights,
    "hmatrix": HMatrixWeights,
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_every_kind_trains_and_the_output_stays_dense(digits, kind):
    X, y = digits
    clf = _fit(
        StructuredMLPClassifier((64,), weights=kind, max_iter=40, random_state=0),
        X, y,
    )  # fmt: skip
    assert type(clf.weights_[0]) is CLASSES[kind]
    assert type(clf.weights_[1]) is DenseWeights
    assert clf.n_params_ == sum(w.n_params for w in clf.weights_) + 64 + 10
    assert clf.score(X, y) > 0.6


def test_options_in_a_dict_reach_the_type(digits):
    X, y = digits
    clf = StructuredMLPClassifier(
        (64, 32),
        weights={"kind": "lowrank", "rank": 3},
        output_weights={"kind": "hashed", "n_weights": 40},
        max_iter=2,
        random_state=0,
    )
    _fit(clf, X, y)
    assert [w.rank for w in clf.weights_[:2]] == [3, 3]
    assert clf.weights_[2].n_params == 40
    assert clf.weights == {"kind": "lowrank", "rank": 3}  # not mutated


def test_grid_search_across_methods(digits):
    X, y = digits
    grid = {
        "weights": [
            "dense",
            {"kind": "hashed", "compression": 1 / 8},
            {"kind": "circulant"},
            {"kind": "lowrank", "rank": 4},
        ]
    }
    base = StructuredMLPClassifier((64,), max_iter=15, random_state=0)
    search = _fit(GridSearchCV(base, grid, cv=2), X[:800], y[:800])
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    best = search.best_estimator_
    assert best.weights in grid["weights"]


def test_regressor_with_circulant(digits):
    X, y = digits
    reg = StructuredMLPRegressor(
        (64,), weights="circulant", learning_rate_init=0.01, max_iter=60,
        random_state=0,
    )  # fmt: skip
    _fit(reg, X, y.astype(float))
    assert type(reg.weights_[0]) is CirculantWeights
    assert reg.weights_[0].n_params == 64
    assert reg.score(X, y) > 0.5


def test_warm_start_keeps_the_junctions(digits):
    X, y = digits
    clf = StructuredMLPClassifier(
        (32,), weights="hashed", max_iter=3, warm_start=True, random_state=0
    )
    _fit(clf, X, y)
    first = clf.weights_[0]
    before = first.params.copy()
    _fit(clf, X, y)
    assert clf.weights_[0] is first and not np.allclose(before, first.params)


@pytest.mark.parametrize(
    ("weights", "error", "match"),
    [
        ("hash", ValueError, "weights"),
        ({"rank": 3}, ValueError, r"weights=\{'rank': 3\} must be a weight type"),
        ({"kind": "hashd"}, ValueError, "kind must be one of"),
        ({"kind": "lowrank", "rnk": 3}, TypeError, r"takes no option 'rnk'"),
        (
            {"kind": "hashed", "compression": 1e-9},
            ValueError,
            r"weights=.*cannot build junction 0 \(64->8\): compression=1e-09",
        ),
        (
            {"kind": "circulant", "block_size": 3},
            ValueError,
            r"junction 0 \(64->8\): block_size=3 must divide",
        ),
    ],
)
def test_bad_weight_specs_name_the_parameter(digits, weights, error, match):
    X, y = digits
    clf = StructuredMLPClassifier((8,), weights=weights, max_iter=1)
    with pytest.raises(error, match=match):
        clf.fit(X, y)


def test_bad_output_weights_named(digits):
    X, y = digits
    clf = StructuredMLPClassifier(
        (8,), output_weights={"kind": "circulant", "block_size": 3}, max_iter=1
    )
    with pytest.raises(ValueError, match=r"output_weights=.*junction 1 \(8->10\)"):
        clf.fit(X, y)
