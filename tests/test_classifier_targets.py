"""Class labels as MLPClassifier takes them: one class, every dtype, messages."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sparsenn import HMatrixMLPClassifier, SparseMLPClassifier

MAKERS = {
    "sparse": lambda **kw: SparseMLPClassifier(
        (8,), density=0.5, connectivity="random", random_state=0, **kw
    ),
    "hmatrix": lambda **kw: HMatrixMLPClassifier(
        (8,), rank=2, leaf_size=4, random_state=0, **kw
    ),
}


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("label", [1, "a", True, 2.0])
def test_one_class_fits_and_predicts_it(make, solver, label, iris):
    X, _ = iris
    y = np.full(len(X), label, dtype=object if isinstance(label, str) else None)
    clf = make(solver=solver, max_iter=20).fit(X, y)
    ref = MLPClassifier(max_iter=20, solver=solver).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ref.classes_)
    np.testing.assert_array_equal(clf.predict(X), ref.predict(X))
    P = clf.predict_proba(X)
    assert P.shape == (len(X), 1)  # one column per class of classes_
    np.testing.assert_allclose(P, 1.0)
    assert clf.score(X, y) == 1.0


def test_one_class_with_early_stopping(iris):
    X, _ = iris
    clf = MAKERS["sparse"](early_stopping=True, max_iter=30).fit(X, np.ones(len(X)))
    assert clf.best_validation_score_ == 1.0


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["setosa", "versicolor", "virginica"], dtype=object),
        np.array(["setosa", "versicolor", "virginica"]),
        np.array([-1.0, 0.0, 7.0]),
        np.array([10, 20, 30], dtype=np.uint8),
        np.array([False, True, True]),
    ],
    ids=["object", "str", "float", "uint8", "bool"],
)
@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_labels_of_every_dtype(make, labels, iris):
    X, y = iris
    y = labels[y]
    clf = make(max_iter=200, solver="lbfgs").fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.unique(y))
    assert clf.predict(X).dtype == clf.classes_.dtype
    assert set(clf.predict(X)) <= set(np.unique(y))
    assert clf.score(X, y) > 0.6


def test_stratified_split_error_names_the_users_labels():
    X = np.arange(8.0).reshape(4, 2)
    y = np.array(["no", "no", "no", "yes"], dtype=object)
    with pytest.raises(ValueError, match=r"too few members are: \['yes'\]"):
        MAKERS["sparse"](early_stopping=True).fit(X, y)


def test_warm_start_needs_the_same_classes(iris):
    X, y = iris
    names = np.array(["a", "b", "c"], dtype=object)
    clf = MAKERS["sparse"](warm_start=True, max_iter=5).fit(X, names[y])
    clf.fit(X, names[y])  # same classes: fine
    message = (
        "warm_start can only be used where `y` has the same classes as in the "
        "previous call to fit. Previously got ['a' 'b' 'c'], `y` has ['a' 'b']"
    )
    with pytest.raises(ValueError) as exc:
        clf.fit(X[y < 2], names[y[y < 2]])
    assert str(exc.value) == message


def test_partial_fit_unknown_class_names_both(iris):
    X, y = iris
    names = np.array(["a", "b", "c"], dtype=object)
    clf = MAKERS["sparse"]().partial_fit(X, names[y], classes=names)
    with pytest.raises(ValueError, match=r"classes not in `self.classes_`.*'zz'"):
        clf.partial_fit(X[:2], np.array(["a", "zz"], dtype=object))
