"""Edge sizes, parameter forms and reproducibility found by an audit.

Each test fails without its fix: per-junction ``parallelism`` entries are
validated (0 used to mean the default silently, -1 or 2.5 crashed inside numpy),
and an early-stopping split that cannot be made names ``validation_fraction``
and a value that works (too large a fraction used to be told ">=", a
multiclass fallback split leaked scikit-learn's raw message).
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sparsenn import (
    HMatrixMLPClassifier,
    HMatrixMLPRegressor,
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
X = RNG.rand(20, 7)
Y_CLASSES = np.arange(20) % 3
Y_VALUES = X.sum(axis=1)


# ------------------------------------------------------------ parallelism
@pytest.mark.parametrize("parallelism", [(7, 0), (7, -1), (7, 2.5), (7, True), True])
@pytest.mark.parametrize(
    "make, y",
    [(SparseMLPClassifier, Y_CLASSES), (SparseMLPRegressor, Y_VALUES)],
    ids=["classifier", "regressor"],
)
def test_bad_per_junction_parallelism_names_the_parameter(make, y, parallelism):
    est = make((5,), connectivity="clash_free", parallelism=parallelism, max_iter=1)
    with pytest.raises(ValueError, match=r"parallelism=.*int >= 1.*or None"):
        est.fit(X, y)


def test_per_junction_parallelism_none_keeps_the_default():
    est = SparseMLPClassifier(
        (5,), connectivity="clash_free", density=0.5, parallelism=(np.int64(7), None),
        max_iter=1, random_state=0,
    ).fit(X, Y_CLASSES)  # fmt: skip
    default = SparseMLPClassifier(
        (5,), connectivity="clash_free", density=0.5, max_iter=1, random_state=0
    ).fit(X, Y_CLASSES)
    assert [o.z for o in est.connection_orders_][0] == 7
    assert est.connection_orders_[1].z == default.connection_orders_[1].z


# ---------------------------------------------- early-stopping split advice
def _fit(make, y, fraction, n=20):
    est = make((3,), early_stopping=True, validation_fraction=fraction, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return est.set_params(random_state=0).fit(X[:n], y[:n])


@pytest.mark.parametrize(
    "make, y, fraction, advice, works",
    [
        # three classes: the fallback (unstratified) split fails too
        (SparseMLPClassifier, Y_CLASSES, 0.0, ">= 0.1", 0.1),
        (SparseMLPClassifier, Y_CLASSES, 0.999999, "<= 0.95", 0.95),
        (HMatrixMLPClassifier, Y_CLASSES, 0.0, ">= 0.1", 0.1),
        # two classes, stratified: 2 training samples needed
        (SparseMLPClassifier, Y_CLASSES % 2, 0.96, "<= 0.9", 0.9),
        # regressors: at least 2 validation samples, 1 training sample
        (SparseMLPRegressor, Y_VALUES, 0.999999, "<= 0.95", 0.95),
        (SparseMLPRegressor, Y_VALUES, 0.01, ">= 0.1", 0.1),
        (HMatrixMLPRegressor, Y_VALUES, 0.0, ">= 0.1", 0.1),
    ],
)
def test_impossible_validation_fraction_says_what_works(
    make, y, fraction, advice, works
):
    with pytest.raises(ValueError) as exc:
        _fit(make, y, fraction)
    message = str(exc.value)
    assert f"validation_fraction={fraction!r}" in message
    assert f"Use validation_fraction {advice} " in message
    assert len(_fit(make, y, works).validation_scores_) >= 1  # the advice works


def test_too_few_samples_for_any_validation_fraction():
    with pytest.raises(ValueError, match="No validation_fraction works"):
        _fit(SparseMLPRegressor, Y_VALUES, 0.5, n=2)


# ------------------------------------------------------- reproducibility
def _make(cls):
    if cls.__name__.startswith("PseudoInverse"):
        return cls(n_hidden=8, n_layers=2, refine_iter=2)
    if cls.__name__.startswith("HMatrix"):
        return cls((12, 5), rank=2, leaf_size=3, max_iter=3)
    return cls((9, 5), density=(0.5, 0.5, 1.0), max_iter=3)


def _state(est):
    if hasattr(est, "coefs_"):
        coefs = [c.toarray() if hasattr(c, "toarray") else c for c in est.coefs_]
        return coefs + list(est.intercepts_)
    return [est.output_coef_, est.output_intercept_, est.input_weights_.toarray()]


@pytest.mark.parametrize(
    "cls",
    [
        SparseMLPClassifier,
        SparseMLPRegressor,
        HMatrixMLPClassifier,
        HMatrixMLPRegressor,
        PseudoInverseSparseClassifier,
        PseudoInverseSparseRegressor,
    ],
)
def test_same_seed_clone_and_refit_are_bit_identical(cls):
    y = Y_CLASSES if "Classifier" in cls.__name__ else Y_VALUES
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = _make(cls).set_params(random_state=0).fit(X, y)
        b = clone(a).fit(X, y)
        c = _make(cls).set_params(random_state=np.random.RandomState(0)).fit(X, y)
        first = _state(a)
        a.fit(X, y)  # refitting re-initialises from the same seed
    for other in (_state(b), _state(c), _state(a)):
        assert all(np.array_equal(p, q) for p, q in zip(first, other, strict=True))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
