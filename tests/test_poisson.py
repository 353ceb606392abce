"""``loss="poisson"`` of the MLP regressors: MLPRegressor's exponential output."""

import pickle
import warnings

import numpy as np
import pytest
from _gradients import assert_matches_central_differences
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics import mean_poisson_deviance
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor

from sparsenn import HMatrixMLPRegressor, SparseMLPRegressor, StructuredMLPRegressor
from sparsenn.engine import loss_and_grads
from sparsenn.engine._outputs import poisson_loss
from sparsenn.layers import DenseWeights

FULL = {
    "sparse": lambda **kw: SparseMLPRegressor(density=1.0, **kw),
    "hmatrix": lambda **kw: HMatrixMLPRegressor(leaf_size=64, **kw),
    "structured": lambda **kw: StructuredMLPRegressor(**kw),
}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _counts(n=400, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, n_features))
    rate = np.exp(0.3 + X @ np.linspace(1.0, -0.5, n_features))
    return X, rng.poisson(rate).astype(float)


# ------------------------------------------------------------- the engine
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3))
def test_poisson_loss_is_half_the_mean_poisson_deviance(seed, n_outputs):
    rng = np.random.default_rng(seed)
    P = rng.uniform(0.1, 5, size=(9, n_outputs))
    Y = rng.poisson(2.0, size=(9, n_outputs)).astype(float)
    sw = rng.uniform(0.5, 2, size=9)
    expected = sum(
        mean_poisson_deviance(Y[:, k], P[:, k], sample_weight=sw) / 2
        for k in range(n_outputs)
    )
    assert poisson_loss(P, Y, sw) == pytest.approx(expected, rel=1e-10)


def test_exp_output_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    weights = [
        DenseWeights(rng.normal(size=(4, 5)) / 2),
        DenseWeights(rng.normal(size=(5, 2)) / 2),
    ]
    biases = [rng.normal(size=5), rng.normal(size=2)]
    X, sw = rng.normal(size=(6, 4)), rng.uniform(0.5, 2, 6)
    Y = rng.poisson(1.5, size=(6, 2)).astype(float)

    def loss_at():
        return loss_and_grads(weights, biases, X, Y, "tanh", 0.1, sw, output="exp")

    _, wg, bg = loss_at()
    assert_matches_central_differences(
        lambda: loss_at()[0],
        [(weights[0].params, wg[0]), (weights[1].params, wg[1]), (biases[1], bg[1])],
    )


# ---------------------------------------------------------- the estimators
@pytest.mark.parametrize("make", FULL.values(), ids=FULL)
def test_one_identity_unit_equals_the_poisson_glm(make):
    X, y = _counts(n=150, n_features=3)
    glm = PoissonRegressor(alpha=0, tol=1e-8).fit(X, y)
    reg = make(
        loss="poisson", hidden_layer_sizes=(1,), activation="identity", alpha=0,
        solver="lbfgs", tol=1e-8, random_state=1,
    ).fit(X, y)  # fmt: skip
    assert reg.out_activation_ == "exp"
    np.testing.assert_allclose(reg.predict(X), glm.predict(X), rtol=1e-4)
    # loss_curve_ in scikit-learn's units: half the mean Poisson deviance
    assert reg.loss_curve_[-1] == pytest.approx(
        mean_poisson_deviance(y, reg.predict(X)) / 2, rel=1e-6
    )


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_full_hmatrix_reproduces_mlpregressor(solver):
    # leaves larger than the layers: the junctions are dense, initialised from the
    # random state as scikit-learn does, so both follow the same trajectory
    X, y = _counts(n=150, n_features=3)
    common = dict(
        loss="poisson", hidden_layer_sizes=(4,), activation="tanh", alpha=1e-3,
        solver=solver, max_iter=30, tol=1e-8, random_state=0,
    )  # fmt: skip
    ref = MLPRegressor(**common).fit(X, y)
    ours = HMatrixMLPRegressor(leaf_size=64, **common).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7)
    assert ours.loss_ == pytest.approx(ref.loss_, rel=1e-7)
    if solver == "adam":  # scikit-learn keeps no loss_curve_ for lbfgs
        np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-7)


def test_poisson_fits_counts_better_than_squared_error():
    X, y = _counts(n=3000, n_features=6, seed=3)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    common = dict(
        density=(0.5, 1.0), connectivity="random", max_iter=60, random_state=0
    )
    poisson = SparseMLPRegressor((32,), loss="poisson", **common).fit(X_train, y_train)
    squared = SparseMLPRegressor((32,), **common).fit(X_train, y_train)
    pred_p, pred_s = poisson.predict(X_test), squared.predict(X_test)
    assert (pred_p > 0).all()
    # the squared-error net may predict rates <= 0, where the deviance is undefined
    clipped = np.clip(pred_s, 1e-3, None)
    assert mean_poisson_deviance(y_test, pred_p) < mean_poisson_deviance(
        y_test, clipped
    )


def test_poisson_multi_output():
    X, y = _counts(n=300)
    Y = np.column_stack([y, 2 * y + 1, np.round(np.exp(X[:, 0]))])
    reg = SparseMLPRegressor((16,), loss="poisson", density=(0.5, 1.0), max_iter=50,
                             random_state=0).fit(X, Y)  # fmt: skip
    P = reg.predict(X)
    assert P.shape == Y.shape and P.dtype == np.float64 and (P > 0).all()
    assert reg.n_outputs_ == 3


def test_poisson_partial_fit_rewiring_and_pickle():
    X, y = _counts(n=500)
    reg = SparseMLPRegressor(
        (32,), loss="poisson", density=0.3, connectivity="random", rewiring="rigl",
        rewire_every=5, max_iter=20, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert sum(sum(step["moved"]) for step in reg.rewiring_history_) > 0
    before = reg.loss_curve_[-1]
    reg.partial_fit(X, y)
    assert len(reg.loss_curve_) == 21 and np.isfinite(reg.loss_curve_[-1])
    assert reg.loss_curve_[-1] < before * 1.5
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_lbfgs_sample_weight_equals_repetition():
    X, y = _counts(n=200)
    sw = np.ones(len(y))
    sw[:20] = 3
    make = lambda: SparseMLPRegressor(  # noqa: E731
        (8,), loss="poisson", density=(0.5, 1.0), solver="lbfgs", max_iter=30,
        random_state=0,
    )  # fmt: skip
    repeated = make().fit(
        np.vstack([X, X[:20], X[:20]]), np.concatenate([y, y[:20], y[:20]])
    )
    weighted = make().fit(X, y, sw)
    np.testing.assert_allclose(repeated.predict(X), weighted.predict(X), rtol=1e-6)


def test_early_stopping_watches_the_validation_r2():
    X, y = _counts(n=600)
    reg = SparseMLPRegressor((16,), loss="poisson", density=(0.5, 1.0),
                             early_stopping=True, max_iter=40,
                             random_state=0).fit(X, y)  # fmt: skip
    assert len(reg.validation_scores_) == reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)


def test_predictions_stay_finite_where_exp_overflows():
    X, y = _counts(n=200)
    reg = SparseMLPRegressor((8,), loss="poisson", density=(0.5, 1.0), max_iter=20,
                             random_state=0).fit(X, y)  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        P = reg.predict(np.vstack([X[:2] * 1e6, -X[:2] * 1e6, X[:1]]))
    assert np.isfinite(P).all() and (P >= 0).all()
    # one warning, at this line, counting the saturated rows; nothing from numpy
    assert [(w.category, w.filename) for w in caught] == [(RuntimeWarning, __file__)]
    assert str(caught[0].message).startswith("2 of the 5 rows of X overflowed")


# -------------------------------------------------------------- bad input
def test_negative_targets_are_refused_naming_loss_and_y():
    X, y = _counts(n=50)
    with pytest.raises(ValueError, match=r"loss='poisson' needs targets y >= 0.*-2"):
        SparseMLPRegressor((4,), loss="poisson").fit(X, y - 2)


def test_unknown_loss_is_refused():
    X, y = _counts(n=50)
    with pytest.raises(ValueError, match="'loss' parameter .* among .*'huber'"):
        SparseMLPRegressor((4,), loss="huber").fit(X, y)


def test_warm_start_with_another_loss_is_refused():
    X, y = _counts(n=50)
    reg = SparseMLPRegressor((4,), loss="poisson", max_iter=3, random_state=0)
    reg.fit(X, y).set_params(loss="squared_error", warm_start=True)
    with pytest.raises(ValueError, match="out_activation_='exp'"):
        reg.fit(X, y)
