"""The ``"lbfgs"`` solver: the engine driver and the estimators' semantics."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sparsenn import HMatrixMLPClassifier, SparseMLPClassifier
from sparsenn._sklearn import InvalidParameterError
from sparsenn.engine._lbfgs import fit_lbfgs, pack, unpack_into

ESTIMATORS = [
    lambda **kw: SparseMLPClassifier(
        (16,), density=0.5, connectivity="random", random_state=0, **kw
    ),
    lambda **kw: HMatrixMLPClassifier((16,), rank=2, leaf_size=4, random_state=0, **kw),
]


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


# ------------------------------------------------------------------ engine
def test_pack_unpack_round_trip_keeps_views():
    base = np.zeros(6)
    view = base[2:].reshape(2, 2)  # a structured part that views ``base``
    arrays = [base, np.zeros(3, dtype=np.float32)]
    unpack_into(np.arange(9.0), arrays)
    np.testing.assert_array_equal(view, [[2, 3], [4, 5]])
    assert arrays[1].dtype == np.float32
    np.testing.assert_array_equal(pack(arrays), np.arange(9.0))


def test_fit_lbfgs_minimises_in_place():
    target = [np.array([1.0, -2.0]), np.array([[0.5], [3.0]])]
    params = [np.zeros(2), np.zeros((2, 1))]
    ids = [id(p) for p in params]

    def objective():
        diffs = [p - t for p, t in zip(params, target, strict=True)]
        return float(sum((d**2).sum() for d in diffs)), [2 * d for d in diffs]

    result, history = fit_lbfgs(params, objective, max_iter=100, max_fun=200, tol=1e-10)
    assert result.status == 0
    assert [id(p) for p in params] == ids
    for p, t in zip(params, target, strict=True):
        np.testing.assert_allclose(p, t, atol=1e-6)
    assert len(history) == result.nit
    assert history[-1].loss == pytest.approx(result.fun)


def test_fit_lbfgs_respects_max_iter():
    params = [np.array([5.0, 5.0])]

    def objective():  # Rosenbrock: needs many iterations
        x, y = params[0]
        loss = (1 - x) ** 2 + 100 * (y - x**2) ** 2
        grad = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
        return loss, [grad]

    result, history = fit_lbfgs(params, objective, max_iter=3, max_fun=100, tol=0)
    assert result.nit == 3 and len(history) == 3 and result.status == 1


# -------------------------------------------------------------- estimators
def test_digits_accuracy_close_to_sklearn():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, random_state=0, stratify=y
    )
    ref = MLPClassifier((256,), solver="lbfgs", random_state=0)
    ours = SparseMLPClassifier((256,), density=0.2, solver="lbfgs", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # density rounding
        ref_score = ref.fit(X_train, y_train).score(X_test, y_test)
        our_score = ours.fit(X_train, y_train).score(X_test, y_test)
    # measured: sklearn 0.967, ours 0.960 (the target is 1 point)
    assert our_score >= ref_score - 0.015, (our_score, ref_score)
    assert our_score > 0.94


@pytest.mark.parametrize("make", ESTIMATORS)
def test_partial_fit_unavailable_with_lbfgs(make):
    est = make(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit") as exc:
        est.partial_fit(None, None)
    assert "solver='lbfgs' is not stochastic" in str(exc.value.__cause__)
    assert hasattr(make(solver="adam"), "partial_fit")


@pytest.mark.parametrize("make", ESTIMATORS)
def test_max_iter_counts_iterations_and_warns(make, iris):
    X, y = iris
    est = make(solver="lbfgs", max_iter=4)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge") as rec:
        est.fit(X, y)
    (caught,) = [r for r in rec if r.category is ConvergenceWarning]
    assert caught.filename == __file__  # attributed to the user's line
    assert "max_iter=4" in str(caught.message)
    assert est.n_iter_ == 4
    assert len(est.loss_curve_) == 4 and est.loss_ == pytest.approx(est.loss_curve_[-1])
    assert all(np.diff(est.loss_curve_) <= 0)


def test_max_fun_limits_evaluations(iris):
    X, y = iris
    est = SparseMLPClassifier(
        (16,), density=0.5, connectivity="random", solver="lbfgs", max_iter=500
    )
    est.set_params(max_fun=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        est.fit(X, y)
    assert est.n_iter_ <= 5


def test_tol_stops_earlier(iris):
    X, y = iris
    common = dict(
        density=0.5,
        connectivity="random",
        solver="lbfgs",
        max_iter=1000,
        random_state=0,
    )
    loose = SparseMLPClassifier((16,), tol=1e-1, **common).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tight = SparseMLPClassifier((16,), tol=1e-7, **common).fit(X, y)
    assert loose.n_iter_ < tight.n_iter_
    assert tight.loss_ < loose.loss_


@pytest.mark.parametrize("make", ESTIMATORS)
def test_parameters_written_in_place(make, iris):
    X, y = iris
    est = make(solver="lbfgs", max_iter=5, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        arrays = [w.params for w in est.weights_] + list(est.intercepts_)
        before = [a.copy() for a in arrays]
        est.fit(X, y)
    now = [w.params for w in est.weights_] + list(est.intercepts_)
    assert all(a is b for a, b in zip(arrays, now, strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(before, now, strict=True))
    # the structured views (coefs_) see the new values: a dense forward pass agrees
    A = X
    for i, (W, b) in enumerate(zip(est.coefs_, est.intercepts_, strict=True)):
        W = W.toarray() if hasattr(W, "toarray") else W
        A = A @ W + b
        if i < len(est.coefs_) - 1:
            A = np.maximum(A, 0)
    np.testing.assert_array_equal(est.predict(X), est.classes_[A.argmax(1)])


def test_lbfgs_ignores_batch_size_and_early_stopping(iris):
    X, y = iris
    common = dict(
        density=0.5, connectivity="random", solver="lbfgs", max_iter=30, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = SparseMLPClassifier((16,), **common).fit(X, y)
        b = SparseMLPClassifier((16,), batch_size=7, early_stopping=True, **common).fit(
            X, y
        )
    for wa, wb in zip(a.weights_, b.weights_, strict=True):
        np.testing.assert_array_equal(wa.params, wb.params)
    assert b.validation_scores_ is None and b.best_validation_score_ is None


def test_lbfgs_sparse_input_and_sample_weight(iris):
    import scipy.sparse as sp

    X, y = iris
    common = dict(
        density=0.5, connectivity="random", solver="lbfgs", max_iter=20, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = SparseMLPClassifier((16,), **common).fit(X, y)
        sparse = SparseMLPClassifier((16,), **common).fit(sp.csr_matrix(X), y)
        sw = np.ones(len(y))
        sw[:10] = 2
        doubled = SparseMLPClassifier((16,), **common).fit(
            np.vstack([X, X[:10]]), np.concatenate([y, y[:10]])
        )
        weighted = SparseMLPClassifier((16,), **common).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(dense.weights_[0].params, sparse.weights_[0].params)
    np.testing.assert_allclose(
        doubled.weights_[0].params, weighted.weights_[0].params, rtol=1e-6, atol=1e-8
    )


def test_max_fun_is_validated(iris):
    X, y = iris
    with pytest.raises(InvalidParameterError, match="max_fun"):
        SparseMLPClassifier(solver="lbfgs", max_fun=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="solver"):
        SparseMLPClassifier(solver="newton").fit(X, y)


def test_verbose_prints_one_line_per_iteration(iris, capsys):
    X, y = iris
    est = SparseMLPClassifier(
        (16,), density=0.5, connectivity="random", solver="lbfgs", max_iter=3
    )
    est.set_params(verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == est.n_iter_ == 3
    assert lines[0].startswith("Iteration 1, loss = ")


@pytest.mark.parametrize("make", ESTIMATORS)
def test_float32_stays_float32(make, iris):
    X, y = iris
    est = make(solver="lbfgs", max_iter=20).fit(X.astype(np.float32), y)
    assert all(w.params.dtype == np.float32 for w in est.weights_)
    assert all(b.dtype == np.float32 for b in est.intercepts_)
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32
