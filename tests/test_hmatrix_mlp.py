"""HMatrixMLPClassifier: estimator checks with real hierarchical junctions."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsenn import HMatrixMLPClassifier
from sparsenn.layers import DenseWeights, HMatrixWeights

# tests/test_common.py runs the checks with the defaults, where the tiny check
# datasets give single-leaf (dense) junctions; leaf_size=2 makes every hidden
# junction a real multi-level H-matrix on those datasets too.
STRUCTURED = [
    HMatrixMLPClassifier((16,), rank=1, leaf_size=2, max_iter=100, random_state=0),
    HMatrixMLPClassifier(
        (16,),
        rank=1,
        leaf_size=2,
        admissibility="standard",
        max_iter=100,
        random_state=0,
    ),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@parametrize_with_checks(STRUCTURED)
def test_sklearn_compatible_with_hierarchical_junctions(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.mark.parametrize("admissibility", ["weak", "standard"])
def test_learns_digits(digits, admissibility):
    X, y = digits
    clf = HMatrixMLPClassifier(
        (128, 64),
        rank=4,
        leaf_size=16,
        admissibility=admissibility,
        max_iter=40,
        random_state=0,
    ).fit(X[:1200], y[:1200])
    assert clf.score(X[1200:], y[1200:]) > 0.85
    hidden, out = clf.weights_[:-1], clf.weights_[-1]
    assert all(isinstance(w, HMatrixWeights) for w in hidden)
    assert all(w.hmatrix.n_levels >= 1 for w in hidden)
    assert isinstance(out, DenseWeights)
    sizes = [64, 128, 64, 10]
    assert clf.n_params_ == sum(w.n_params for w in clf.weights_) + sum(sizes[1:])
    assert clf.n_params_ < sum(
        a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    )
    for coef, w in zip(clf.coefs_, clf.weights_, strict=True):
        np.testing.assert_allclose(coef, w.to_dense())


def test_float32_training_stays_float32(digits):
    X, y = digits
    clf = HMatrixMLPClassifier((64,), rank=2, leaf_size=16, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X.astype(np.float32), y)
    assert all(w.params.dtype == np.float32 for w in clf.weights_)
    assert clf.predict_proba(X[:5]).dtype == np.float32


def test_partial_fit_and_warm_start(digits):
    X, y = digits
    clf = HMatrixMLPClassifier((32,), rank=2, leaf_size=8, random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.unique(y))
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_same_seed_same_model(digits):
    X, y = digits
    kw = dict(rank=2, leaf_size=8, max_iter=2, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = HMatrixMLPClassifier((32,), **kw).fit(X, y)
        b = HMatrixMLPClassifier((32,), **kw).fit(X, y)
    np.testing.assert_array_equal(a.weights_[0].params, b.weights_[0].params)


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(rank=0), "rank"),
        (dict(leaf_size=0), "leaf_size"),
        (dict(admissibility="strong"), "admissibility"),
        (dict(rank=2.5), "rank"),
    ],
)
def test_bad_parameters(digits, params, name):
    X, y = digits
    with pytest.raises(ValueError, match=name):
        HMatrixMLPClassifier(**params).fit(X[:50], y[:50])


def test_rank_larger_than_blocks_warns(digits):
    X, y = digits
    clf = HMatrixMLPClassifier((32,), rank=20, leaf_size=4, max_iter=1)
    with pytest.warns(UserWarning, match="rank exceeds the block size"):
        clf.fit(X[:100], y[:100])
    assert max(clf.weights_[0].hmatrix.ranks) <= 16


def test_training_forward_passes_projections_explicitly():
    import pickle

    w = HMatrixWeights(64, 64, rank=3, leaf_size=8, random_state=0)
    rng = np.random.default_rng(0)
    X, D = rng.standard_normal((6, 64)), rng.standard_normal((6, 64))
    expected_g, expected_b = w.grad(X, D), w.backward(D)
    Y, ctx = w.forward_train(X)
    assert ctx is not None  # the projections of X, handed back explicitly
    np.testing.assert_allclose(Y, w.forward(X), atol=1e-12)
    restored = pickle.loads(pickle.dumps(w))
    assert "_saved" not in vars(restored)  # no hidden per-call state at all
    g, b = w.grad_and_backward(X, D, ctx)
    np.testing.assert_allclose(g, expected_g, atol=1e-12)
    np.testing.assert_allclose(b, expected_b, atol=1e-12)
    # the same call without ctx computes the same thing from scratch
    g2, _ = w.grad_and_backward(X, D)
    np.testing.assert_allclose(g2, expected_g, atol=1e-12)
