"""learning_rate_scaling="fan_in": per-junction learning rates from the fan-in."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sparsenn import SparseMLPClassifier, SparseMLPRegressor
from sparsenn.engine._optimizers import AdamOptimizer, SGDOptimizer
from sparsenn.neural_network._training import fan_in_scale


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


@pytest.mark.parametrize("make", [AdamOptimizer, SGDOptimizer])
def test_scaled_step_equals_step_at_scaled_rate(make):
    rng = np.random.default_rng(0)
    g = [rng.normal(size=5), rng.normal(size=3)]
    plain = [np.zeros(5), np.zeros(3)]
    scaled = [np.zeros(5), np.zeros(3)]
    fast = [np.zeros(5)]
    opt_plain = make(plain, learning_rate_init=0.01)
    opt_scaled = make(scaled, learning_rate_init=0.01, lr_scales=[3.0, 1.0])
    opt_fast = make(fast, learning_rate_init=0.03)
    for _ in range(3):
        opt_plain.update(g)
        opt_scaled.update(g)
        opt_fast.update(g[:1])
    np.testing.assert_allclose(scaled[0], fast[0], rtol=1e-12)
    np.testing.assert_array_equal(scaled[1], plain[1])
    assert not np.allclose(scaled[0], plain[0])


def test_dense_network_is_unchanged(digits):
    X, y = digits
    kw = dict(density=1.0, max_iter=3, random_state=0)
    a = SparseMLPClassifier((32,), **kw).fit(X, y)
    b = SparseMLPClassifier((32,), learning_rate_scaling="fan_in", **kw).fit(X, y)
    for ca, cb in zip(a.coefs_, b.coefs_, strict=True):
        np.testing.assert_array_equal(ca.toarray(), cb.toarray())


def test_sparse_junction_steps_by_inverse_sqrt_density(digits):
    X, y = digits
    kw = dict(density=(0.25, 1.0), max_iter=1, batch_size=400, random_state=0)
    inits = {}
    steps = {}
    for scaling in (None, "fan_in"):
        clf = SparseMLPClassifier((32,), learning_rate_scaling=scaling, **kw)
        clf.set_params(max_iter=1)
        clf.partial_fit(X, y, classes=np.unique(y))  # one full-batch Adam step
        first = clf.coefs_[0].data.copy()
        clf.partial_fit(X, y)
        steps[scaling] = clf.coefs_[0].data - first
        inits[scaling] = first
    scale = fan_in_scale(clf.weights_[0])
    assert scale == pytest.approx(2.0, rel=0.01)
    ratio = np.abs(steps["fan_in"]).sum() / np.abs(steps[None]).sum()
    assert ratio == pytest.approx(scale, rel=0.05)


def test_regressor_accepts_fan_in(digits):
    X, y = digits
    reg = SparseMLPRegressor((16,), density=0.3, learning_rate_scaling="fan_in",
                             max_iter=5, random_state=0)  # fmt: skip
    reg.fit(X, y.astype(float))
    assert np.isfinite(reg.predict(X)).all()


def test_bad_value_names_the_parameter(digits):
    X, y = digits
    with pytest.raises(ValueError, match="learning_rate_scaling"):
        SparseMLPClassifier(learning_rate_scaling="fanin").fit(X, y)
