"""Saved models resume training exactly, and no NaN leaves a model (issue: trust).

For every gradient-trained estimator and solver: after pickle, joblib (also
``mmap_mode="r"``, where arrays come back read-only) and ``copy.deepcopy``,
``partial_fit`` and ``warm_start`` continue exactly as the never-saved model.
"""

import copy
import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification

from sparsenn import (
    HMatrixMLPClassifier,
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
)

X, Y = make_classification(
    300, 40, n_informative=12, n_classes=3, random_state=0, n_clusters_per_class=1
)
X = X.astype(np.float64)

ESTIMATORS = {
    "sparse": lambda **kw: SparseMLPClassifier((32,), density=0.3, **kw),
    "hmatrix": lambda **kw: HMatrixMLPClassifier((64,), rank=2, leaf_size=8, **kw),
}
SOLVERS = {
    "adam": {"solver": "adam", "learning_rate_init": 0.01},
    "sgd": {"solver": "sgd", "learning_rate_init": 0.05, "momentum": 0.9},
}


def _pickle(m, tmp_path):
    return pickle.loads(pickle.dumps(m))


def _joblib(m, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(m, path)
    return joblib.load(path)


def _joblib_mmap(m, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(m, path)
    return joblib.load(path, mmap_mode="r")


def _deepcopy(m, tmp_path):
    return copy.deepcopy(m)


SAVERS = {
    "pickle": _pickle,
    "joblib": _joblib,
    "joblib_mmap": _joblib_mmap,
    "deepcopy": _deepcopy,
}


def _state(model):
    return [np.array(w.params) for w in model.weights_] + [
        np.array(b) for b in model.intercepts_
    ]


def _continue(model, how):
    if how == "partial_fit":
        for _ in range(3):
            model.partial_fit(X, Y)
    else:
        model.set_params(warm_start=True, max_iter=3)
        model.fit(X, Y)
    return model


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
@pytest.mark.parametrize("saver", sorted(SAVERS))
@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_saved_model_resumes_exactly(kind, solver, saver, how, tmp_path):
    params = dict(SOLVERS[solver], max_iter=4, random_state=0)
    if how == "partial_fit":
        fitted = ESTIMATORS[kind](**params)
        for _ in range(2):
            fitted.partial_fit(X, Y, classes=np.unique(Y))
    else:
        fitted = ESTIMATORS[kind](**params).fit(X, Y)
    saved = SAVERS[saver](fitted, tmp_path)
    np.testing.assert_array_equal(saved.predict_proba(X), fitted.predict_proba(X))
    before = saved.predict_proba(X)
    reference = _continue(fitted, how)
    resumed = _continue(saved, how)
    for a, b in zip(_state(resumed), _state(reference), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(resumed.predict_proba(X), reference.predict_proba(X))
    assert np.abs(resumed.predict_proba(X) - before).max() > 0  # it did train
    assert resumed.n_iter_ == reference.n_iter_
    assert resumed.loss_curve_ == reference.loss_curve_


def test_hmatrix_views_survive_pickling():
    model = HMatrixMLPClassifier((64,), rank=2, leaf_size=8, max_iter=2, random_state=0)
    model.fit(X, Y)
    restored = pickle.loads(pickle.dumps(model))
    w = restored.weights_[0]
    w.params[:] = 0  # the products must see a change of params
    np.testing.assert_array_equal(w.forward(X), np.zeros((len(X), 64)))
    H = w.hmatrix
    H2 = pickle.loads(pickle.dumps(H))
    H2.data[:] = 0
    assert not H2.to_dense().any()


@pytest.mark.parametrize(
    "make",
    [
        lambda: HMatrixMLPClassifier(
            (64,), solver="sgd", learning_rate_init=10, max_iter=5, random_state=0
        ),
        lambda: SparseMLPClassifier(
            (64, 64),
            activation="identity",
            solver="sgd",
            learning_rate_init=3,
            density=0.5,
            max_iter=5,
            random_state=0,
        ),
    ],
    ids=["hmatrix-lr10", "sparse-identity-lr3"],
)
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_divergence_restores_finite_parameters(make):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    Xs = X * 10
    model = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(Xs, Y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    if isinstance(model, SparseMLPClassifier):  # this one always blows up
        assert any("diverged" in m for m in messages), messages
    for p in _state(model):
        assert np.isfinite(p).all()
    P = model.predict_proba(Xs)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


def test_unrecoverable_divergence_raises_naming_solver_and_learning_rate():
    model = SparseMLPClassifier(
        (16,),
        density=1.0,
        solver="sgd",
        learning_rate_init=1.0,
        max_iter=2,
        random_state=0,
    )
    with pytest.raises(ValueError, match="solver='sgd'.*learning_rate_init=1.0"):
        model.fit(np.full((50, 64), 1.7e308), np.arange(50) % 2)  # X @ W overflows


@pytest.mark.parametrize("scale", [1e3, 1e30, 1e150, 1e300, 1e307])
def test_predict_is_finite_for_any_finite_input(scale):
    model = SparseMLPClassifier((32,), density=0.3, max_iter=3, random_state=0)
    model.fit(X, Y)
    huge = np.clip(X * scale, -1.7e308, 1.7e308)
    P = model.predict_proba(huge)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert set(model.predict(huge)) <= set(model.classes_)
    log_P = model.predict_log_proba(huge)  # -inf where P is 0, never NaN
    assert not np.isnan(log_P).any()
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(log_P, np.log(P))


SATURATING = {
    "sparse": lambda: SparseMLPClassifier((32,), density=0.3, max_iter=3),
    "hmatrix": lambda: HMatrixMLPClassifier((32,), rank=2, leaf_size=8, max_iter=3),
    "pinv": lambda: PseudoInverseSparseClassifier(n_hidden=32),
    "pinv-regressor": lambda: PseudoInverseSparseRegressor(n_hidden=32),
}


@pytest.mark.parametrize("make", SATURATING.values(), ids=SATURATING)
def test_saturated_rows_warn_once_at_the_callers_line(make):
    model = make().set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y)
    huge = np.vstack([np.full((3, X.shape[1]), 1.7e308), X[:4]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        P = model.predict(huge)
    assert [(w.category, w.filename) for w in caught] == [(RuntimeWarning, __file__)]
    assert str(caught[0].message).startswith("3 of the 7 rows of X overflowed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = model.predict(X[:4])
    # the finite rows are untouched by the saturated ones: labels equal, values
    # to rounding (BLAS may sum a 7-row and a 4-row product in another order)
    if P.dtype.kind == "f":
        np.testing.assert_allclose(P[3:], clean, rtol=1e-12, atol=0)
    else:
        np.testing.assert_array_equal(P[3:], clean)


def test_saved_bytes_do_not_depend_on_the_optimizer_holding_params():
    model = SparseMLPClassifier((16,), density=0.5, max_iter=2, random_state=0)
    model.fit(X, Y)
    buffer = io.BytesIO()
    pickle.dump(model._training.optimizer, buffer)
    assert pickle.loads(buffer.getvalue()).params is None
