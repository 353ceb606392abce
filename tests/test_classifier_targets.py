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


def test_single_sample_class_split_error_does_not_suggest_a_fraction():
    # binary, as MLPClassifier: no validation_fraction puts a one-sample class
    # in both parts
    X = np.arange(40.0).reshape(20, 2)
    y = np.array(["a"] * 19 + ["c"])
    with pytest.raises(ValueError) as exc:
        MAKERS["sparse"](early_stopping=True).fit(X, y)
    assert "too few members are: ['c']" in str(exc.value)
    assert "1 class(es) have one" in str(exc.value)
    assert "Use validation_fraction" not in str(exc.value)
    with pytest.raises(ValueError, match="too few members"):
        MLPClassifier(early_stopping=True).fit(X, y)


def test_multiclass_split_that_cannot_be_stratified_warns_and_fits():
    # more than two classes: MLPClassifier does not stratify and fits; we
    # stratify where we can, and fall back with a warning where we cannot
    X = np.arange(40.0).reshape(20, 2)
    y = np.array(["a"] * 10 + ["b"] * 9 + ["c"])
    MLPClassifier(early_stopping=True, max_iter=5).fit(X, y)
    with pytest.warns(UserWarning, match="not stratified instead"):
        clf = MAKERS["sparse"](early_stopping=True, max_iter=5).fit(X, y)
    assert set(clf.predict(X)) <= {"a", "b", "c"}


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_partial_fit_takes_mlpclassifiers_argument_order(make, iris):
    # scikit-learn >= 1.7: partial_fit(X, y, sample_weight=None, classes=None)
    X, y = iris
    weights = np.linspace(0.5, 1.5, y.size)
    positional = make().partial_fit(X, y, weights, np.unique(y))
    keywords = make().partial_fit(X, y, classes=np.unique(y), sample_weight=weights)
    np.testing.assert_array_equal(
        positional.predict_proba(X), keywords.predict_proba(X)
    )
    reference = MLPClassifier((8,), random_state=0)
    reference.partial_fit(X, y, weights, np.unique(y))  # the same call works there


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


# ------------------------------------------------------------ multi-label
@pytest.fixture(scope="module")
def multilabel():
    from sklearn.datasets import make_multilabel_classification

    return make_multilabel_classification(
        n_samples=300, n_features=20, n_classes=5, random_state=0
    )


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_multilabel_logistic_outputs(make, multilabel):
    X, Y = multilabel
    clf = make(solver="lbfgs", max_iter=300, alpha=1e-5)
    clf = clf.set_params(hidden_layer_sizes=(64,)).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 5
    np.testing.assert_array_equal(clf.classes_, np.arange(5))
    P = clf.predict_proba(X)
    assert P.shape == Y.shape and ((P >= 0) & (P <= 1)).all()
    assert not np.allclose(P.sum(axis=1), 1)  # independent labels, not a softmax
    pred = clf.predict(X)
    assert pred.dtype == np.int64 and pred.shape == Y.shape
    np.testing.assert_array_equal(pred, (P > 0.5).astype(int))
    assert clf.score(X, Y) == np.mean((pred == Y).all(axis=1))
    assert clf.score(X, Y) > 0.9  # subset accuracy on the training data


def test_multilabel_matches_mlpclassifier_quality(multilabel):
    X, Y = multilabel
    common = dict(solver="lbfgs", max_iter=300, random_state=0)
    ref = MLPClassifier((64,), **common).fit(X[:200], Y[:200])
    ours = SparseMLPClassifier((64,), density=0.5, **common).fit(X[:200], Y[:200])
    # measured: sklearn 0.29, ours 0.32 subset accuracy on the held-out rows
    assert ours.score(X[200:], Y[200:]) >= ref.score(X[200:], Y[200:]) - 0.1


def test_multilabel_partial_fit_and_early_stopping(multilabel):
    X, Y = multilabel
    clf = MAKERS["sparse"](learning_rate_init=0.01)
    for _ in range(30):
        clf.partial_fit(X, Y, classes=np.arange(5))
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.predict(X).shape == Y.shape
    es = MAKERS["sparse"](early_stopping=True, max_iter=200).fit(X, Y)
    assert len(es.validation_scores_) == es.n_iter_  # split is not stratified


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS)
def test_sparse_multilabel_targets_give_sparse_predictions(make, multilabel):
    import scipy.sparse as sp

    X, Y = multilabel
    reference = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, sp.csr_matrix(Y))
    ours = make(max_iter=5).fit(X, sp.csr_matrix(Y))
    assert sp.issparse(reference.predict(X)) and sp.issparse(ours.predict(X))
    assert ours.predict(X).dtype == reference.predict(X).dtype
    dense = make(max_iter=5).fit(X, Y)
    np.testing.assert_array_equal(ours.predict(X).toarray(), dense.predict(X))


def test_switching_between_1d_and_multilabel_is_refused(multilabel):
    X, Y = multilabel
    clf = MAKERS["sparse"](warm_start=True, max_iter=3).fit(X, Y)
    with pytest.raises(ValueError, match="multi-label indicator matrix"):
        clf.fit(X, Y[:, 0])
