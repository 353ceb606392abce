"""Magnitude pruning: SparseMLPClassifier/Regressor(connectivity="pruned")."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sparsenn import SparseMLPClassifier, SparseMLPRegressor
from sparsenn.layers import DenseWeights, SparseWeights
from sparsenn.neural_network._pruning import density_schedule, magnitude_prune


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float64), y


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_magnitude_prune_keeps_largest_and_every_output():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(20, 6))
    M[:, 3] *= 1e-3  # a column of tiny weights still keeps one input
    P, quality = magnitude_prune(DenseWeights(M), 0.2)
    D = P.to_dense()
    assert isinstance(P, SparseWeights) and P.n_params == 24
    assert np.all((D != 0).sum(axis=0) >= 1)
    kept = D != 0
    assert np.array_equal(D[kept], M[kept])  # trained values carried over
    # apart from the per-output minimum, nothing dropped beats anything kept
    col_max = np.abs(M).argmax(axis=0)
    rest = kept.copy()
    rest[col_max, np.arange(6)] = False
    assert np.abs(M[rest]).min() >= np.abs(M[~kept]).max()
    assert quality == pytest.approx(np.abs(M[rest]).min() / M.std())


def test_magnitude_prune_never_regrows_a_cut_edge():
    rng = np.random.default_rng(1)
    P1, _ = magnitude_prune(DenseWeights(rng.normal(size=(30, 8))), 0.5)
    P1.params[:] = rng.normal(size=P1.n_params) * 10
    P2, _ = magnitude_prune(P1, 0.25)
    assert not np.any((P2.to_dense() != 0) & (P1.to_dense() == 0))
    assert P2.n_params == 60


def test_density_schedule_is_geometric_and_ends_at_target():
    s = density_schedule([0.05, 1.0], 3)
    assert s[-1] == [0.05, 1.0]
    assert s[0][0] == pytest.approx(0.05 ** (1 / 3))


def test_pruned_classifier_is_a_fixed_pattern_sparse_network(digits):
    X, y = digits
    clf = SparseMLPClassifier(
        (64,), connectivity="pruned", density=(0.1, 0.5), max_iter=30,
        prune_steps=2, prune_epochs=10, random_state=0,
    )  # fmt: skip
    _fit(clf, X, y)
    assert all(isinstance(w, SparseWeights) for w in clf.weights_)
    assert clf.densities_.round(3).tolist() == [0.1, 0.5]
    assert [w.n_mults for w in clf.weights_] == [410, 320]
    assert clf.n_params_ == 410 + 320 + 64 + 10
    assert clf.coefs_[0].nnz == 410
    assert len(clf.pruning_history_) == 2
    assert clf.n_iter_ == len(clf.loss_curve_) == 2 * 10 + 30
    assert clf.score(X, y) > 0.85


def test_pruned_warm_start_trains_the_pruned_pattern(digits):
    X, y = digits
    clf = SparseMLPClassifier(
        (32,), connectivity="pruned", density=0.2, max_iter=5, prune_steps=1,
        prune_epochs=5, random_state=0,
    )  # fmt: skip
    _fit(clf, X, y)
    before = clf.coefs_[0].copy()
    _fit(clf.set_params(warm_start=True), X, y)
    after = clf.coefs_[0]
    assert np.array_equal(before.indices, after.indices)
    assert not np.allclose(before.data, after.data)
    assert len(clf.pruning_history_) == 1


def test_pruned_then_partial_fit(digits):
    X, y = digits
    clf = SparseMLPClassifier(
        (16,),
        connectivity="pruned",
        density=0.3,
        max_iter=2,
        prune_steps=1,
        prune_epochs=2,
    )
    with pytest.raises(ValueError, match="partial_fit cannot run the pruning"):
        clf.partial_fit(X, y, classes=np.unique(y))
    _fit(clf, X, y)
    nnz = clf.coefs_[0].nnz
    clf.partial_fit(X, y)
    assert clf.coefs_[0].nnz == nnz


def test_pruned_model_converts_to_fixed_point(digits):
    from sparsenn.fixedpoint import to_fixed_point

    X, y = digits
    clf = SparseMLPClassifier(
        (32,), activation="logistic", connectivity="pruned", density=0.25,
        max_iter=20, prune_steps=2, prune_epochs=5, random_state=0,
    )  # fmt: skip
    _fit(clf, X, y)
    net = to_fixed_point(clf)
    agree = np.mean(net.predict(X) == clf.predict(X))
    assert agree > 0.8


def test_grid_search_over_density_with_pruning(digits):
    X, y = digits
    base = SparseMLPClassifier(
        (32,), connectivity="pruned", max_iter=5, prune_steps=1, prune_epochs=3,
        random_state=0,
    )  # fmt: skip
    search = GridSearchCV(base, {"density": [0.1, 0.3]}, cv=2)
    _fit(search, X[:600], y[:600])
    assert search.best_params_["density"] in (0.1, 0.3)
    assert search.best_estimator_.densities_[0] == pytest.approx(
        search.best_params_["density"], abs=1e-3
    )


def test_pruned_regressor(digits):
    X, y = digits
    reg = SparseMLPRegressor(
        (32,), connectivity="pruned", density=(0.2, 1.0), max_iter=30,
        prune_epochs=5, learning_rate_init=0.01, random_state=0,
    )  # fmt: skip
    _fit(reg, X, y.astype(float))
    assert all(isinstance(w, SparseWeights) for w in reg.weights_)
    assert reg.score(X, y) > 0.6


def test_pruned_early_stopping_validation_split_is_held_out(digits):
    X, y = digits
    clf = SparseMLPClassifier(
        (32,), connectivity="pruned", density=0.2, max_iter=10, prune_steps=1,
        prune_epochs=3, early_stopping=True, random_state=0,
    )  # fmt: skip
    _fit(clf, X, y)
    assert clf.validation_scores_ and clf.best_validation_score_ is not None
    # every phase, the dense one included, trained on the 1617 training rows
    # only (180 held out): samples seen = epochs x 1617
    assert clf.t_ == clf.n_iter_ * 1617


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (dict(density=0.001), r"density=0\.001 prunes junction 0 \(64->16\)"),
        (dict(density=0.2, solver="lbfgs"), "solver='lbfgs' is not one of"),
        (dict(density=0.2, rtl_compatible=True), "rtl_compatible=True needs"),
        (dict(prune_steps=0), "prune_steps"),
        (dict(prune_epochs=1.5), "prune_epochs"),
    ],
)
def test_pruning_bad_input(digits, params, match):
    X, y = digits
    clf = SparseMLPClassifier((16,), connectivity="pruned", max_iter=2, **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
