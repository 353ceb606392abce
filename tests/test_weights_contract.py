"""One contract for every weight type, checked against its dense reference.

Each factory builds a small instance; every type must agree with ``to_dense()``
in ``forward`` and ``backward``, return the finite-difference gradient of
``sum(D * forward(X))`` from ``grad``, own its ``params`` (an in-place edit changes
``forward``) and keep float32 as float32.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from sparsenn.layers import (
    CirculantWeights,
    DenseWeights,
    FixedDictionaryWeights,
    HashedWeights,
    HMatrixWeights,
    LowRankWeights,
    SparseWeights,
    TridiagonalWeights,
)


def _pattern(n_in, n_out, density, seed):
    return sp.random(
        n_in,
        n_out,
        density=density,
        random_state=seed,
        format="csr",
        data_rvs=np.random.default_rng(seed).standard_normal,
    )


def _tridiagonal(dt, p=2, q=3, n=9):
    from sparsenn.linalg import OffsetTridiagonal

    rng = np.random.default_rng(7)
    A = OffsetTridiagonal(
        rng.normal(size=n), rng.normal(size=n - p), rng.normal(size=n - q), p=p, q=q
    )
    return TridiagonalWeights(A).astype(dt)


FACTORIES = {
    "tridiagonal": _tridiagonal,
    "dense": lambda dt: DenseWeights(
        np.random.default_rng(0).normal(size=(7, 5)).astype(dt)
    ),
    "sparse-numba": lambda dt: SparseWeights(
        _pattern(9, 6, 0.3, 1), kernel="numba", dtype=dt
    ),
    "sparse-scipy": lambda dt: SparseWeights(
        _pattern(9, 6, 0.3, 2), kernel="scipy", dtype=dt
    ),
    "sparse-dense-kernel": lambda dt: SparseWeights(
        _pattern(9, 6, 0.6, 3), kernel="dense", dtype=dt
    ),
    "lowrank": lambda dt: LowRankWeights(8, 6, 2, random_state=0, dtype=dt),
    "fixed-dictionary": lambda dt: FixedDictionaryWeights(
        8, 6, 3, random_state=0, dtype=dt
    ),
    "hmatrix-weak": lambda dt: HMatrixWeights(
        16, 16, rank=2, leaf_size=4, random_state=0, dtype=dt
    ),
    "hmatrix-standard": lambda dt: HMatrixWeights(
        16, 8, rank=2, leaf_size=4, admissibility="standard", random_state=0, dtype=dt
    ),
    "hashed-numba": lambda dt: HashedWeights(
        9, 7, compression=0.25, random_state=0, dtype=dt, seed=3, kernel="numba"
    ),
    "hashed-numpy": lambda dt: HashedWeights(
        9, 7, n_weights=20, random_state=0, dtype=dt, seed=4, kernel="numpy"
    ),
    "hashed-uniform-numba": lambda dt: HashedWeights(
        9, 7, n_weights=20, random_state=0, dtype=dt, seed=5, hashing="uniform"
    ),
    "hashed-uniform-numpy": lambda dt: HashedWeights(
        9,
        300,
        n_weights=300,
        random_state=0,
        dtype=dt,
        seed=6,
        kernel="numpy",
        hashing="uniform",
    ),
    "hashed-window-long-rows": lambda dt: HashedWeights(
        5, 600, n_weights=700, random_state=0, dtype=dt, seed=7
    ),
    "circulant-square": lambda dt: CirculantWeights(8, 8, random_state=0, dtype=dt),
    "circulant-stacked": lambda dt: CirculantWeights(
        12, 8, block_size=4, random_state=0, dtype=dt
    ),
}
TOL = {np.float32: dict(rtol=2e-4, atol=2e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}


@pytest.fixture(params=sorted(FACTORIES))
def make(request):
    return FACTORIES[request.param]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_products_match_dense_reference(make, dtype):
    W = make(dtype)
    n_in, n_out = W.shape
    rng = np.random.default_rng(5)
    X = rng.normal(size=(4, n_in)).astype(dtype)
    D = rng.normal(size=(4, n_out)).astype(dtype)
    dense = W.to_dense()
    assert dense.shape == (n_in, n_out)
    np.testing.assert_allclose(W.forward(X), X @ dense, **TOL[dtype])
    np.testing.assert_allclose(W.backward(D), D @ dense.T, **TOL[dtype])
    np.testing.assert_allclose(W.forward(np.asfortranarray(X)), X @ dense, **TOL[dtype])
    assert W.forward(X).dtype == dtype and W.grad(X, D).dtype == dtype
    g, back = W.grad_and_backward(X, D)
    np.testing.assert_allclose(g, W.grad(X, D), **TOL[dtype])
    np.testing.assert_allclose(back, D @ dense.T, **TOL[dtype])


def test_gradient_matches_finite_differences(make):
    W = make(np.float64)
    n_in, n_out = W.shape
    rng = np.random.default_rng(6)
    X, D = rng.normal(size=(3, n_in)), rng.normal(size=(3, n_out))
    g = W.grad(X, D)
    assert g.shape == W.params.shape and W.n_params == W.params.size
    h = 1e-6
    for k in rng.choice(W.params.size, size=min(W.params.size, 25), replace=False):
        old = W.params[k]
        W.params[k] = old + h
        up = float(np.sum(D * W.forward(X)))
        W.params[k] = old - h
        down = float(np.sum(D * W.forward(X)))
        W.params[k] = old
        assert g[k] == pytest.approx((up - down) / (2 * h), abs=1e-6)


def test_params_are_owned_and_updated_in_place(make):
    W = make(np.float64)
    X = np.ones((1, W.shape[0]))
    before = W.forward(X).copy()
    W.params += 0.5
    assert not np.allclose(W.forward(X), before)


def test_astype_converts_every_view(make):
    W = make(np.float64)
    W32 = W.astype(np.float32)
    assert W32.params.dtype == np.float32
    np.testing.assert_allclose(W32.to_dense(), W.to_dense(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_forward_then_gradient_matches_the_plain_calls(make, dtype):
    """``forward_for_training`` then ``grad``/``grad_and_backward``, as the engine."""
    w = make(dtype)
    rng = np.random.default_rng(4)
    X = rng.standard_normal((5, w.shape[0])).astype(dtype)
    D = rng.standard_normal((5, w.shape[1])).astype(dtype)
    Y, g, back = w.forward(X), w.grad(X, D), w.backward(D)
    np.testing.assert_allclose(w.forward_for_training(X), Y, **TOL[dtype])
    g2, back2 = w.grad_and_backward(X, D)
    np.testing.assert_allclose(g2, g, **TOL[dtype])
    np.testing.assert_allclose(back2, back, **TOL[dtype])
    w.forward_for_training(X)
    np.testing.assert_allclose(w.grad(X, D), g, **TOL[dtype])
    # kept intermediates belong to that X object only, and are used once
    X2 = rng.standard_normal(X.shape).astype(dtype)
    g_X2 = w.grad(X2, D)
    w.forward_for_training(X)
    np.testing.assert_allclose(w.grad(X2, D), g_X2, **TOL[dtype])
    np.testing.assert_allclose(w.grad(X, D), g, **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_pair_passes_its_context_explicitly(make, dtype):
    """``Y, ctx = forward_train(X)`` then ``grad_and_backward(X, D, ctx)``."""
    w = make(dtype)
    rng = np.random.default_rng(8)
    X = rng.standard_normal((6, w.shape[0])).astype(dtype)
    D = rng.standard_normal((6, w.shape[1])).astype(dtype)
    Y, ctx = w.forward_train(X)
    np.testing.assert_allclose(Y, w.forward(X), **TOL[dtype])
    g, back = w.grad_and_backward(X, D, ctx)
    np.testing.assert_allclose(g, w.grad(X, D), **TOL[dtype])
    np.testing.assert_allclose(back, w.backward(D), **TOL[dtype])
    # the context belongs to that X: a second pair on other data is independent
    X2 = rng.standard_normal(X.shape).astype(dtype)
    _, ctx2 = w.forward_train(X2)
    g2, _ = w.grad_and_backward(X2, D, ctx2)
    np.testing.assert_allclose(g2, w.grad(X2, D), **TOL[dtype])
    g_again, _ = w.grad_and_backward(X, D, ctx)
    np.testing.assert_allclose(g_again, g, **TOL[dtype])


def test_to_coef_is_the_matrix_users_see(make):
    import scipy.sparse as sparse

    w = make(np.float64)
    coef = w.to_coef()
    assert coef.shape == w.shape
    dense = coef.toarray() if sparse.issparse(coef) else np.asarray(coef)
    np.testing.assert_allclose(dense, w.to_dense(), **TOL[np.float64])
    assert sparse.issparse(coef) == isinstance(w, SparseWeights)


def test_public_methods_check_shapes_for_every_type(make):
    w = make(np.float64)
    n_in, n_out = w.shape
    bad_X, bad_D = np.ones((2, n_in + 1)), np.ones((2, n_out + 1))
    for call in (
        lambda: w.forward(bad_X),
        lambda: w.forward_train(bad_X),
        lambda: w.backward(bad_D),
        lambda: w.grad(bad_X, np.ones((2, n_out))),
        lambda: w.grad(np.ones((2, n_in)), bad_D),
        lambda: w.grad_and_backward(np.ones((3, n_in)), np.ones((2, n_out))),
    ):
        with pytest.raises(ValueError, match="must have|same number of samples"):
            call()
