"""Training semantics against scikit-learn's MLPs, from the same initial weights.

``SparseMLP*(density=1.0)`` and ``HMatrixMLP*(leaf_size=512)`` (one dense leaf)
claim ``MLPClassifier`` / ``MLPRegressor`` semantics for the shared parameters.
Both sides start from the same weights (scikit-learn's ``_init_coef`` and our
``_initialize`` are overridden; both still draw from ``random_state`` as usual,
so the H-matrix family also gets scikit-learn's validation split) and train
with ``shuffle=False``; the arithmetic is the same, so the trajectories agree
to rounding.  The documented differences (``docs/sparse_mlp.md``, "Training-engine
semantics") are pinned as such.
"""

import contextlib
import io
import re
import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sparsenn import (
    HMatrixMLPClassifier,
    HMatrixMLPRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
)

HIDDEN = (5,)
FAMILIES = {
    "sparse": (SparseMLPClassifier, SparseMLPRegressor, {"density": 1.0}),
    "hmatrix": (HMatrixMLPClassifier, HMatrixMLPRegressor, {"leaf_size": 512}),
}
RTOL, ATOL = 1e-10, 1e-13


def _initial_weights(sizes, seed=0):
    rng = np.random.RandomState(seed)
    shapes = zip(sizes[:-1], sizes[1:], strict=True)
    coefs = [rng.uniform(-0.5, 0.5, shape) for shape in shapes]
    intercepts = [rng.uniform(-0.5, 0.5, n) for n in sizes[1:]]
    return coefs, intercepts


def _sklearn_from(cls, coefs, intercepts):
    class FromWeights(cls):
        def _init_coef(self, fan_in, fan_out, dtype):
            super()._init_coef(fan_in, fan_out, dtype)  # the same draws
            i = self._layer = (getattr(self, "_layer", -1) + 1) % len(coefs)
            return coefs[i].astype(dtype), intercepts[i].astype(dtype)

    return FromWeights


def _ours_from(cls, coefs, intercepts):
    class FromWeights(cls):
        def _initialize(self, *args, **kwargs):
            super()._initialize(*args, **kwargs)
            for w, c in zip(self.weights_, coefs, strict=True):
                w.params[...] = c.ravel()  # dense pattern / one leaf: C order
                np.testing.assert_array_equal(w.to_dense(), c)
            for b, c in zip(self.intercepts_, intercepts, strict=True):
                b[...] = c

    return FromWeights


def _pair(task, family, n_features, n_outputs, **params):
    """Return (scikit-learn's, ours) from the same initial weights."""
    classifier, regressor, structure = FAMILIES[family]
    coefs, intercepts = _initial_weights([n_features, *HIDDEN, n_outputs])
    theirs = MLPClassifier if task == "clf" else MLPRegressor
    ours = classifier if task == "clf" else regressor
    common = dict(hidden_layer_sizes=HIDDEN, random_state=0, shuffle=False, **params)
    return (
        _sklearn_from(theirs, coefs, intercepts)(**common),
        _ours_from(ours, coefs, intercepts)(**common, **structure),
    )


def _fit(est, X, y, **kwargs):
    """Fit; return the warnings' (category name, message)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y, **kwargs)
    return [(w.category.__name__, str(w.message)) for w in caught]


def _dense(c):
    return c.toarray() if hasattr(c, "toarray") else np.asarray(c)


def _assert_same(theirs, ours, rtol=RTOL, n_iter=True):
    if n_iter:
        assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=rtol)
    for a, b in zip(theirs.coefs_, ours.coefs_, strict=True):
        np.testing.assert_allclose(_dense(b), a, rtol=rtol, atol=ATOL)
    for a, b in zip(theirs.intercepts_, ours.intercepts_, strict=True):
        np.testing.assert_allclose(b, a, rtol=rtol, atol=ATOL)
    if theirs.best_loss_ is None:
        assert ours.best_loss_ is None
    else:
        np.testing.assert_allclose(ours.best_loss_, theirs.best_loss_, rtol=rtol)
    if theirs.validation_scores_ is None:
        assert ours.validation_scores_ is None
        assert ours.best_validation_score_ is None
    else:
        np.testing.assert_allclose(
            ours.validation_scores_, theirs.validation_scores_, rtol=rtol, atol=ATOL
        )
        np.testing.assert_allclose(
            ours.best_validation_score_, theirs.best_validation_score_, rtol=rtol
        )
    assert ours._training.stopping.count == theirs._no_improvement_count


def _regression(n=90, d=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d)
    return X, X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2] ** 2 + 0.1 * rng.randn(n)


def _multiclass(n=80, d=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d)
    return X, (X[:, 0] + X[:, 1] ** 2 > 0.5) + (X[:, 2] > 0.8).astype(int)


STOCHASTIC = {
    "sgd": dict(solver="sgd"),
    "sgd-no-nesterov": dict(solver="sgd", nesterovs_momentum=False),
    "sgd-no-momentum": dict(solver="sgd", momentum=0.0),
    "sgd-invscaling": dict(
        solver="sgd", learning_rate="invscaling", learning_rate_init=0.05, power_t=0.3
    ),
    "sgd-alpha": dict(solver="sgd", alpha=0.5, learning_rate_init=0.01),
    "adam": dict(solver="adam"),
    "adam-betas": dict(
        solver="adam", beta_1=0.5, beta_2=0.9, epsilon=1e-3, learning_rate_init=0.01
    ),
    "adam-alpha": dict(solver="adam", alpha=0.5),
    "poisson": dict(solver="adam", loss="poisson", learning_rate_init=0.01),
}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("config", STOCHASTIC)
def test_regressor_trajectory_is_sklearns(family, config):
    # 90 samples in batches of 25: the last batch is short
    X, y = _regression()
    if config == "poisson":
        y = np.random.RandomState(1).poisson(np.exp(0.3 * X[:, 0])).astype(float)
    theirs, ours = _pair(
        "reg", family, 5, 1, batch_size=25, max_iter=12, **STOCHASTIC[config]
    )
    assert [w[0] for w in _fit(theirs, X, y)] == [w[0] for w in _fit(ours, X, y)]
    _assert_same(theirs, ours)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_multiclass_trajectory_is_sklearns(family, activation, solver):
    X, y = _multiclass()
    theirs, ours = _pair(
        "clf", family, 5, 3, solver=solver, activation=activation, alpha=0.01,
        batch_size=20, max_iter=10,
    )  # fmt: skip
    _fit(theirs, X, y), _fit(ours, X, y)
    assert ours.out_activation_ == theirs.out_activation_ == "softmax"
    _assert_same(theirs, ours)


def test_multi_output_regression_and_multilabel_are_sklearns():
    X, y = _regression()
    Y = np.c_[y, 2 * X[:, 3]]
    theirs, ours = _pair("reg", "hmatrix", 5, 2, batch_size=30, max_iter=10, alpha=0.1)
    _fit(theirs, X, Y), _fit(ours, X, Y)
    _assert_same(theirs, ours)
    rng = np.random.RandomState(0)
    X = rng.randn(120, 5)
    Y = np.c_[X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] > 0.5].astype(int)
    theirs, ours = _pair("clf", "hmatrix", 5, 3, batch_size=30, max_iter=10)
    _fit(theirs, X, Y), _fit(ours, X, Y)
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"
    _assert_same(theirs, ours)


@pytest.mark.parametrize("family", FAMILIES)
def test_max_iter_warning_has_sklearns_text(family):
    # was "Stochastic optimizer: maximum iterations (3) ..."; pytest.warns(match=...)
    # written for scikit-learn's text is case-sensitive
    X, y = _regression()
    theirs, ours = _pair("reg", family, 5, 1, max_iter=3)
    expected = _fit(theirs, X, y)
    assert expected == [
        (
            "ConvergenceWarning",
            "Stochastic Optimizer: Maximum iterations (3) reached and the "
            "optimization hasn't converged yet.",
        )
    ]
    assert _fit(ours, X, y) == expected


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd", tol=1e-2, n_iter_no_change=3, learning_rate_init=0.01),
        dict(solver="adam", tol=1e-3, n_iter_no_change=2, learning_rate_init=0.02),
        dict(n_iter_no_change=np.inf, max_iter=20, learning_rate_init=0.02),
    ],
    ids=["sgd", "adam", "inf"],
)
def test_tol_rule_stops_at_sklearns_epoch(family, params):
    X, y = _regression()
    theirs, ours = _pair("reg", family, 5, 1, batch_size=25, **params)
    caught = _fit(theirs, X, y)
    assert _fit(ours, X, y) == caught  # no warning when the tol rule stops
    assert bool(caught) == (params["n_iter_no_change"] == np.inf)
    _assert_same(theirs, ours)


def _verbose_fit(est, X, y):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _fit(est, X, y)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    "family, early_stopping",
    # the sparse family draws another validation split (documented)
    [("sparse", False), ("hmatrix", False), ("hmatrix", True)],
)
def test_adaptive_schedule_divides_by_5_and_stops_below_1e_6(family, early_stopping):
    X, y = _regression()
    theirs, ours = _pair(
        "reg", family, 5, 1, solver="sgd", learning_rate="adaptive", tol=1e-2,
        n_iter_no_change=2, learning_rate_init=0.01, batch_size=25, max_iter=2000,
        verbose=True, early_stopping=early_stopping, validation_fraction=0.2,
    )  # fmt: skip
    theirs_lines, ours_lines = _verbose_fit(theirs, X, y), _verbose_fit(ours, X, y)
    _assert_same(theirs, ours)
    final = ours._training.optimizer.learning_rate
    assert final == theirs._optimizer.learning_rate
    assert final <= 1e-6 < final * 5
    assert ours.n_iter_ < 2000  # stopped by the schedule, not by max_iter

    def rates(lines):
        return re.findall(r"Setting learning rate to ([0-9.]+)", "\n".join(lines))

    # 0.01 / 5 ** k down to 6.4e-7, then "Learning rate too small"
    expected = ["0.002000", "0.000400", "0.000080", "0.000016", "0.000003", "0.000001"]
    assert rates(ours_lines) == rates(theirs_lines) == expected
    assert ours_lines[-1].endswith("Learning rate too small. Stopping.")
    assert theirs_lines[-1].endswith("Learning rate too small. Stopping.")
    # "Iteration k, loss = ..." as scikit-learn, then (documented) our extra fields
    theirs_iters = [line for line in theirs_lines if line.startswith("Iteration")]
    ours_iters = [line for line in ours_lines if line.startswith("Iteration")]
    assert len(ours_iters) == len(theirs_iters) == ours.n_iter_
    for a, b in zip(theirs_iters, ours_iters, strict=True):
        assert b.startswith(a + ", ")  # the same "%.8f" loss


@pytest.mark.parametrize(
    "task, params",
    [
        ("reg", dict(solver="adam", n_iter_no_change=4)),
        ("reg", dict(solver="sgd", n_iter_no_change=100, max_iter=40)),
        ("multilabel", dict(solver="adam", n_iter_no_change=4)),
    ],
    ids=["reg-stopped", "reg-max_iter", "multilabel"],
)
def test_early_stopping_restores_sklearns_best_weights(task, params):
    # the H-matrix family draws scikit-learn's (unstratified) validation split
    params = {"max_iter": 300, "tol": 1e-3, "learning_rate_init": 0.05, **params}
    if task == "reg":
        X, y = _regression()
        theirs, ours = _pair("reg", "hmatrix", 5, 1, **params)
    else:
        rng = np.random.RandomState(0)
        X = rng.randn(120, 5)
        y = np.c_[X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] > 0.5].astype(int)
        theirs, ours = _pair("clf", "hmatrix", 5, 3, **params)
    for est in (theirs, ours):
        est.set_params(early_stopping=True, validation_fraction=0.2, batch_size=24)
    caught = _fit(theirs, X, y)
    assert [w[0] for w in _fit(ours, X, y)] == [w[0] for w in caught]
    _assert_same(theirs, ours)  # restored weights included
    best = int(np.argmax(ours.validation_scores_))
    assert best < ours.n_iter_ - 1  # the restored weights are not the last epoch's


@pytest.mark.parametrize("family", FAMILIES)
def test_early_stopping_keeps_the_best_epoch(family):
    # independent of scikit-learn's split: a fit stopped right after the best epoch
    # (same split, same path) ends on the weights the full fit restores
    X, y = _multiclass(n=150)
    params = dict(solver="sgd", learning_rate_init=0.3, n_iter_no_change=40,
                  early_stopping=True, validation_fraction=0.3)  # fmt: skip
    full = _pair("clf", family, 5, 3, max_iter=40, **params)[1]
    _fit(full, X, y)
    best = int(np.argmax(full.validation_scores_))
    assert best < full.n_iter_ - 1 and full.best_loss_ is None
    assert full.best_validation_score_ == full.validation_scores_[best]
    short = _pair("clf", family, 5, 3, max_iter=best + 1, **params)[1]
    _fit(short, X, y)
    assert short.validation_scores_ == full.validation_scores_[: best + 1]
    for a, b in zip(short.coefs_, full.coefs_, strict=True):
        np.testing.assert_array_equal(_dense(b), _dense(a))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_warm_start_and_partial_fit_continue_as_sklearn(family, solver):
    X, y = _regression()
    theirs, ours = _pair(
        "reg", family, 5, 1, solver=solver, learning_rate="invscaling",
        learning_rate_init=0.05, batch_size=25, max_iter=4, warm_start=True,
    )  # fmt: skip
    for _ in range(2):
        _fit(theirs, X, y), _fit(ours, X, y)
    _assert_same(theirs, ours)
    for _ in range(3):
        theirs.partial_fit(X, y), ours.partial_fit(X, y)
    _assert_same(theirs, ours, n_iter=False)
    # documented: MLPRegressor reports 1 after partial_fit, ours counts the epochs
    assert (theirs.n_iter_, ours.n_iter_) == (1, 4 + 3)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    "params", [dict(max_iter=7), dict(max_iter=500, max_fun=9), dict(max_iter=25)]
)
@pytest.mark.parametrize("task", ["reg", "clf"])
def test_lbfgs_counts_and_warnings_are_sklearns(family, params, task):
    X, y = _regression() if task == "reg" else _multiclass()
    theirs, ours = _pair(task, family, 5, 1 if task == "reg" else 3, solver="lbfgs",
                         alpha=0.1, **params)  # fmt: skip
    caught = _fit(theirs, X, y)
    assert _fit(ours, X, y) == caught
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=1e-9)
    for a, b in zip(theirs.coefs_, ours.coefs_, strict=True):
        np.testing.assert_allclose(_dense(b), a, rtol=1e-7, atol=1e-9)


def test_sample_weight_updates_are_sklearns_epoch_loss_is_weighted():
    X, y = _regression()
    w = np.random.RandomState(1).uniform(0.1, 3.0, len(y))
    for batch_size in (len(y), 25):
        theirs, ours = _pair(
            "reg", "hmatrix", 5, 1, batch_size=batch_size, learning_rate_init=0.02,
            alpha=0.1, max_iter=6,
        )  # fmt: skip
        _fit(theirs, X, y, sample_weight=w), _fit(ours, X, y, sample_weight=w)
        for a, b in zip(theirs.coefs_, ours.coefs_, strict=True):
            np.testing.assert_allclose(b, a, rtol=RTOL, atol=ATOL)
        if batch_size == len(y):
            np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
        else:  # documented: batch losses averaged by weight, not by batch size
            assert not np.allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-3)


def test_binary_output_is_a_two_unit_softmax_as_documented():
    X, y = _multiclass()
    y = (y > 0).astype(int)
    for cls in (SparseMLPClassifier, HMatrixMLPClassifier):
        clf = cls(HIDDEN, max_iter=2, random_state=0)
        _fit(clf, X, y)
        assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 2
        assert clf.coefs_[-1].shape == (HIDDEN[0], 2)
    sk = MLPClassifier(HIDDEN, max_iter=2, random_state=0)
    _fit(sk, X, y)
    assert (sk.out_activation_, sk.n_outputs_) == ("logistic", 1)
