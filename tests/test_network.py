"""Engine: activations, optimizers and whole-network gradients."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit

from sparsenn.engine._activations import ACTIVATIONS, DERIVATIVES, log_loss, softmax
from sparsenn.engine._network import forward, loss_and_grads, predict_proba
from sparsenn.engine._optimizers import AdamOptimizer, SGDOptimizer
from sparsenn.layers import DenseWeights

REFERENCE = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_and_derivative(name):
    z = np.linspace(-3, 3, 13) + 0.01
    a = ACTIVATIONS[name](z.copy())
    np.testing.assert_allclose(a, REFERENCE[name](z))
    h = 1e-6
    numeric = (REFERENCE[name](z + h) - REFERENCE[name](z - h)) / (2 * h)
    np.testing.assert_allclose(
        DERIVATIVES[name](a, np.ones_like(z)), numeric, atol=1e-6
    )


def test_softmax_rows_sum_to_one_and_are_stable():
    P = softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(P, [[0.5, 0.5], [0.25, 0.75]])


def test_log_loss_weighted():
    P = np.array([[0.25, 0.75], [0.5, 0.5]])
    got = log_loss(P, np.array([1, 0]), np.array([1.0, 3.0]))
    assert got == pytest.approx(-(np.log(0.75) + 3 * np.log(0.5)) / 4)


def test_sgd_momentum_and_nesterov_by_hand():
    p = [np.array([1.0])]
    opt = SGDOptimizer(p, 0.1, momentum=0.5, nesterov=False)
    opt.update([np.array([1.0])])  # v = -0.1, p = 0.9
    opt.update([np.array([1.0])])  # v = -0.05 - 0.1 = -0.15, p = 0.75
    assert p[0][0] == pytest.approx(0.75)
    q = [np.array([1.0])]
    SGDOptimizer(q, 0.1, momentum=0.5, nesterov=True).update([np.array([1.0])])
    assert q[0][0] == pytest.approx(1 + 0.5 * -0.1 - 0.1)


def test_sgd_invscaling_schedule():
    opt = SGDOptimizer([np.zeros(1)], 1.0, learning_rate="invscaling", power_t=0.5)
    opt.iteration_ends(3)
    assert opt.learning_rate == pytest.approx(0.5)


def test_adam_first_steps_by_hand():
    p = [np.array([0.0])]
    opt = AdamOptimizer(p, learning_rate_init=0.01)
    for _ in range(3):
        opt.update([np.array([2.0])])
    # with a constant gradient every bias-corrected step is lr * g / |g| = lr
    assert p[0][0] == pytest.approx(-0.03, rel=1e-5)


def test_optimizers_update_in_place():
    arr = np.ones(3)
    for opt in (SGDOptimizer([arr], 0.1), AdamOptimizer([arr], 0.1)):
        before = id(arr)
        opt.update([np.ones(3)])
        assert id(opt.params[0]) == before and arr[0] < 1


def _network(rng, sizes, dtype=np.float64, sparse_first=False):
    weights = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if sparse_first and i == 0:
            from sparsenn.layers import SparseWeights

            pattern = sp.random(a, b, density=0.5, random_state=1, format="csr")
            weights.append(SparseWeights(pattern, dtype=dtype))
        else:
            weights.append(DenseWeights(rng.normal(size=(a, b)).astype(dtype)))
    biases = [rng.normal(size=b).astype(dtype) for b in sizes[1:]]
    return weights, biases


@pytest.mark.parametrize("activation", sorted(REFERENCE))
@pytest.mark.parametrize("sparse_first", [False, True])
def test_whole_network_gradient_matches_finite_differences(activation, sparse_first):
    rng = np.random.default_rng(0)
    weights, biases = _network(rng, [4, 5, 3, 3], sparse_first=sparse_first)
    X = rng.normal(size=(7, 4))
    y = rng.integers(0, 3, 7)
    sw = rng.uniform(0.5, 2, 7)
    alpha = 0.3
    _, wg, bg = loss_and_grads(weights, biases, X, y, activation, alpha, sw)
    params = [w.params for w in weights] + biases
    grads = wg + bg

    def loss():
        return loss_and_grads(weights, biases, X, y, activation, alpha, sw)[0]

    h = 1e-6
    for p, g in zip(params, grads, strict=True):
        for k in range(p.size):
            old = p[k]
            p[k] = old + h
            up = loss()
            p[k] = old - h
            down = loss()
            p[k] = old
            assert g[k] == pytest.approx((up - down) / (2 * h), abs=1e-6)


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    weights, biases = _network(rng, [4, 5, 3], dtype=np.float32)
    X = rng.normal(size=(6, 4)).astype(np.float32)
    acts = forward(weights, biases, X, "relu")
    assert all(a.dtype == np.float32 for a in acts)
    _, wg, bg = loss_and_grads(
        weights, biases, X, np.zeros(6, int), "relu", 1e-3, np.ones(6)
    )
    assert all(g.dtype == np.float32 for g in wg + bg)


def test_predict_proba_chunks_and_sparse_input_agree():
    rng = np.random.default_rng(0)
    weights, biases = _network(rng, [6, 4, 3])
    X = rng.normal(size=(11, 6))
    full = forward(weights, biases, X, "tanh")[-1]
    np.testing.assert_allclose(predict_proba(weights, biases, X, "tanh", 4), full)
    np.testing.assert_allclose(
        predict_proba(weights, biases, sp.csr_matrix(X), "tanh", 3), full
    )
