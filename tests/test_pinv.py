"""PseudoInverseSparseClassifier: accuracy, closed forms, weights, structure."""

import os

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_blobs, make_classification
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import InvalidParameterError

from sparsenn import PseudoInverseSparseClassifier
from sparsenn.linalg import OffsetTridiagonal
from sparsenn.neural_network._pinv import ACTIVATIONS

FASHION = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def _small(n=120, n_classes=3, seed=0):
    return make_classification(
        n, 8, n_informative=5, n_classes=n_classes, random_state=seed
    )


def test_digits_default_accuracy(digits):
    Xtr, Xte, ytr, yte = digits
    clf = PseudoInverseSparseClassifier(random_state=0).fit(Xtr, ytr)
    assert clf.score(Xte, yte) >= 0.95


def test_blobs_default_accuracy():
    X, y = make_blobs(n_samples=300, random_state=0)
    clf = PseudoInverseSparseClassifier(random_state=0).fit(X, y)
    assert clf.score(X, y) >= 0.83


@pytest.mark.parametrize("refine_iter", [0, 2])
def test_deterministic_under_random_state(refine_iter):
    X, y = _small()
    kw = dict(n_hidden=40, random_state=3, refine_iter=refine_iter)
    a = PseudoInverseSparseClassifier(**kw).fit(X, y).decision_function(X)
    b = PseudoInverseSparseClassifier(**kw).fit(X, y).decision_function(X)
    np.testing.assert_array_equal(a, b)
    kw["random_state"] = 4
    c = PseudoInverseSparseClassifier(**kw).fit(X, y).decision_function(X)
    assert not np.allclose(a, c)


def test_proba_and_decision_are_consistent():
    X, y = _small(n_classes=4)
    clf = PseudoInverseSparseClassifier(n_hidden=50, random_state=0).fit(X, y)
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[P.argmax(axis=1)], clf.predict(X))
    np.testing.assert_array_equal(
        clf.decision_function(X).argmax(axis=1), P.argmax(axis=1)
    )
    Xb, yb = _small(n_classes=2)
    clf = PseudoInverseSparseClassifier(n_hidden=50, random_state=0).fit(Xb, yb)
    d = clf.decision_function(Xb)
    assert d.shape == (Xb.shape[0],)
    np.testing.assert_array_equal(clf.classes_[(d > 0).astype(int)], clf.predict(Xb))


def test_ridge_output_matches_closed_form():
    X, y = _small()
    w = np.random.default_rng(0).random(X.shape[0])
    clf = PseudoInverseSparseClassifier(n_hidden=30, alpha=0.7, random_state=0)
    clf.fit(X, y, sample_weight=w)
    H = clf._hidden(X)
    Z = np.hstack([H, np.ones((H.shape[0], 1))])
    T = np.where(y[:, None] == clf.classes_, 1.0, -1.0)
    penalty = 0.7 * np.diag(np.r_[np.ones(30), 0.0])  # intercept not penalised
    B = np.linalg.solve(Z.T @ (w[:, None] * Z) + penalty, Z.T @ (w[:, None] * T))
    np.testing.assert_allclose(clf.output_coef_, B[:30], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(clf.output_intercept_, B[30], rtol=1e-7, atol=1e-9)


def test_alpha_zero_is_the_pseudo_inverse_solution():
    X, y = _small(n=200)
    clf = PseudoInverseSparseClassifier(n_hidden=20, alpha=0.0, random_state=0)
    clf.fit(X, y)
    H = clf._hidden(X)
    Z = np.hstack([H, np.ones((H.shape[0], 1))])
    T = np.where(y[:, None] == clf.classes_, 1.0, -1.0)
    B = np.linalg.pinv(Z) @ T
    np.testing.assert_allclose(clf.output_coef_, B[:20], rtol=1e-6, atol=1e-8)


def test_sample_weight_two_equals_duplicate_and_zero_equals_removal():
    X, y = _small(n=60)
    w = np.ones(60)
    w[:10] = 2.0
    w[50:] = 0.0
    kw = dict(n_hidden=25, random_state=0)
    a = PseudoInverseSparseClassifier(**kw).fit(X, y, sample_weight=w)
    Xd = np.vstack([X[:50], X[:10]])
    yd = np.concatenate([y[:50], y[:10]])
    b = PseudoInverseSparseClassifier(**kw).fit(Xd, yd)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-7)


def test_float32_stays_float32_and_agrees_with_float64():
    X, y = _small()
    kw = dict(n_hidden=40, random_state=0)
    c32 = PseudoInverseSparseClassifier(**kw).fit(X.astype(np.float32), y)
    c64 = PseudoInverseSparseClassifier(**kw).fit(X, y)
    assert c32.hidden_layers_[0].dtype == np.float32
    assert c32._hidden(X[:5].astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(
        c32.decision_function(X), c64.decision_function(X), atol=2e-3
    )


@pytest.mark.parametrize("offsets,density", [((2, 2), 1.0), ((1, 3), 0.5)])
def test_hidden_layers_are_invertible_structured_and_pruned(offsets, density):
    X, y = _small(n=150)
    clf = PseudoInverseSparseClassifier(
        n_hidden=200, n_layers=2, offsets=offsets, density=density, random_state=0
    ).fit(X, y)
    assert len(clf.hidden_layers_) == 2 and np.all(np.isfinite(clf.hidden_logdets_))
    for A in clf.hidden_layers_:
        assert isinstance(A, OffsetTridiagonal) and (A.p, A.q) == offsets
        off = np.abs(A.to_dense()).sum(axis=1) - np.abs(A.diag)
        assert np.all(np.abs(A.diag) > off)  # strictly diagonally dominant
        kept = (np.count_nonzero(A.sub) + np.count_nonzero(A.sup)) / (
            A.sub.size + A.sup.size
        )
        assert abs(kept - density) < 0.1
    # the structured layer equals its dense reference
    H = np.random.default_rng(0).standard_normal((7, 200))
    A, c = clf.hidden_layers_[0], clf.hidden_biases_[0]
    np.testing.assert_allclose(
        clf._layer(H.copy(), 0), np.tanh(H @ A.to_dense().T + c), atol=1e-12
    )


def test_input_lift_is_sparse_with_fixed_in_degree():
    X, y = _small()
    clf = PseudoInverseSparseClassifier(
        n_hidden=30, input_density=0.25, random_state=0
    ).fit(X, y)
    W = clf.input_weights_
    assert W.shape == (8, 30)
    np.testing.assert_array_equal(np.diff(W.tocsc().indptr), 2)  # 0.25 * 8


def test_chunk_size_does_not_change_the_result():
    X, y = _small()
    a = PseudoInverseSparseClassifier(n_hidden=30, random_state=0).fit(X, y)
    b = PseudoInverseSparseClassifier(n_hidden=30, chunk_size=7, random_state=0)
    b.fit(X, y)
    np.testing.assert_allclose(
        a.decision_function(X), b.decision_function(X), rtol=1e-9, atol=1e-10
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_refinement_runs_and_never_lowers_training_accuracy(activation, digits):
    Xtr, _, ytr, _ = digits
    Xtr, ytr = Xtr[:400], ytr[:400]
    kw = dict(n_hidden=60, n_layers=2, activation=activation, random_state=0)
    base = PseudoInverseSparseClassifier(**kw).fit(Xtr, ytr)
    ref = PseudoInverseSparseClassifier(refine_iter=3, **kw).fit(Xtr, ytr)
    assert ref.score(Xtr, ytr) >= base.score(Xtr, ytr)
    assert np.all(np.isfinite(ref.hidden_logdets_))
    assert np.all(np.isfinite(ref.predict_proba(Xtr)))


@pytest.mark.parametrize(
    "params,error,match",
    [
        (dict(offsets=(0, 2)), ValueError, "offsets"),
        (dict(offsets=(2,)), ValueError, "offsets"),
        (dict(n_hidden=10, offsets=(2, 10)), ValueError, "n_hidden=10"),
        (dict(offsets=(1.5, 2)), ValueError, "offsets"),
        (dict(n_hidden=1), InvalidParameterError, "n_hidden"),
        (dict(density=0.0), InvalidParameterError, "density"),
        (dict(activation="softmax"), InvalidParameterError, "activation"),
        (dict(alpha=-1.0), InvalidParameterError, "alpha"),
    ],
)
def test_bad_parameters(params, error, match):
    X, y = _small()
    with pytest.raises(error, match=match):
        PseudoInverseSparseClassifier(**params).fit(X, y)


@pytest.mark.skipif(not os.path.exists(FASHION), reason="Fashion-MNIST not installed")
def test_fashion_mnist_subset():
    from sparsenn.datasets import load_fashion_mnist

    X, y = load_fashion_mnist(subset="train", return_X_y=True)
    Xte, yte = load_fashion_mnist(subset="test", return_X_y=True)
    clf = PseudoInverseSparseClassifier(n_hidden=500, random_state=0)
    clf.fit(X[:6000], y[:6000])
    assert clf.score(Xte[:2000], yte[:2000]) >= 0.78


# ------------------------------------------------- coef_, the name before 0.2
def test_coef_is_a_deprecated_name_of_output_coef():
    import pickle
    import warnings

    X, y = _small()
    clf = PseudoInverseSparseClassifier(n_hidden=16, random_state=0)
    assert not hasattr(clf, "coef_")  # unfitted: no attribute, no warning
    clf.fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        coef, intercept = clf.coef_, clf.intercept_
    assert [(w.category, w.filename) for w in caught] == [(FutureWarning, __file__)] * 2
    assert "output_coef_" in str(caught[0].message)
    assert "not one weight per input feature" in str(caught[0].message)
    assert coef is clf.output_coef_ and intercept is clf.output_intercept_
    with pytest.warns(FutureWarning, match="renamed output_intercept_"):
        clf.intercept_ = intercept + 1.0
    np.testing.assert_array_equal(clf.output_intercept_, intercept + 1.0)

    # a pickle made before 0.2 stored the output weights as coef_ / intercept_
    old = clf.__getstate__()
    old["coef_"], old["intercept_"] = (
        old.pop("output_coef_"),
        old.pop("output_intercept_"),
    )
    loaded = PseudoInverseSparseClassifier.__new__(PseudoInverseSparseClassifier)
    loaded.__setstate__(old)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    again = pickle.loads(pickle.dumps(loaded))
    np.testing.assert_array_equal(again.output_coef_, clf.output_coef_)


def test_feature_selectors_are_told_coef_is_not_per_feature():
    import warnings

    from sklearn.feature_selection import RFE

    X, y = _small()
    rfe = RFE(PseudoInverseSparseClassifier(n_hidden=16), n_features_to_select=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            rfe.fit(X, y)
        except (ValueError, IndexError):
            pass  # a later scikit-learn may refuse the shape: also not silent
    told = [w for w in caught if "RFE, SelectFromModel" in str(w.message)]
    assert told and {(w.category, w.filename) for w in told} == {
        (FutureWarning, __file__)
    }
