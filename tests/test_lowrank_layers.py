"""HMatrixWeights, LowRankWeights and FixedDictionaryWeights against dense numpy."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenn.layers import (
    FixedDictionaryWeights,
    HMatrixWeights,
    LowRankWeights,
    WeightMatrix,
)

FACTORIES = {
    "hodlr": lambda n_in, n_out, seed: HMatrixWeights(
        n_in, n_out, rank=2, leaf_size=4, random_state=seed
    ),
    "standard": lambda n_in, n_out, seed: HMatrixWeights(
        n_in, n_out, rank=2, leaf_size=4, admissibility="standard", random_state=seed
    ),
    "lowrank": lambda n_in, n_out, seed: LowRankWeights(
        n_in, n_out, rank=min(3, n_in, n_out), random_state=seed
    ),
    "dict_se": lambda n_in, n_out, seed: FixedDictionaryWeights(
        n_in, n_out, min(3, n_in, n_out), random_state=seed
    ),
    "dict_dct": lambda n_in, n_out, seed: FixedDictionaryWeights(
        n_in, n_out, min(3, n_in, n_out), dictionary="dct", random_state=seed
    ),
    "dict_random": lambda n_in, n_out, seed: FixedDictionaryWeights(
        n_in, n_out, min(3, n_in, n_out), dictionary="random", random_state=seed
    ),
}


def _make(kind, n_in, n_out, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return FACTORIES[kind](n_in, n_out, seed)


cases = st.tuples(
    st.sampled_from(sorted(FACTORIES)),
    st.integers(1, 20),
    st.integers(1, 20),
    st.integers(1, 4),
    st.integers(0, 2**31 - 1),
)


@settings(max_examples=60, deadline=None)
@given(cases)
def test_forward_backward_match_dense(case):
    kind, n_in, n_out, n_samples, seed = case
    w = _make(kind, n_in, n_out, seed)
    assert isinstance(w, WeightMatrix) and w.shape == (n_in, n_out)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_in))
    D = rng.standard_normal((n_samples, n_out))
    W = w.to_dense()
    np.testing.assert_allclose(w.forward(X), X @ W, atol=1e-12)
    np.testing.assert_allclose(w.forward(np.asfortranarray(X)), X @ W, atol=1e-12)
    np.testing.assert_allclose(w.backward(D), D @ W.T, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(cases)
def test_grad_matches_finite_differences(case):
    kind, n_in, n_out, n_samples, seed = case
    w = _make(kind, n_in, n_out, seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((n_samples, n_in))
    D = rng.standard_normal((n_samples, n_out))
    g = w.grad(X, D)
    assert g.shape == w.params.shape
    numeric = np.empty_like(g)
    h = 1e-5
    for i in range(w.n_params):
        old = w.params[i]
        w.params[i] = old + h
        plus = np.sum(D * w.forward(X))
        w.params[i] = old - h
        minus = np.sum(D * w.forward(X))
        w.params[i] = old
        numeric[i] = (plus - minus) / (2 * h)
    np.testing.assert_allclose(g, numeric, atol=1e-6 * (1 + np.abs(numeric).max()))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_float32_and_astype(kind):
    w = _make(kind, 16, 12, 0).astype(np.float32)
    assert w.params.dtype == np.float32
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 16)).astype(np.float32)
    D = rng.standard_normal((3, 12)).astype(np.float32)
    assert w.forward(X).dtype == np.float32
    assert w.backward(D).dtype == np.float32
    assert w.grad(X, D).dtype == np.float32
    np.testing.assert_allclose(w.forward(X), X @ w.to_dense(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_in_place_update_changes_forward(kind):
    w = _make(kind, 16, 12, 0)
    X = np.ones((2, 16))
    before = w.forward(X).copy()
    dense_before = w.to_dense()
    w.params *= 2.0  # each factor doubles: every block doubles or quadruples
    after = w.forward(X)
    ratio = w.to_dense() / np.where(dense_before == 0, 1, dense_before)
    assert np.all(np.isclose(ratio, 2) | np.isclose(ratio, 4) | (dense_before == 0))
    np.testing.assert_allclose(after, X @ w.to_dense())
    assert not np.allclose(after, before)


@pytest.mark.parametrize(
    "make",
    [
        lambda: HMatrixWeights(512, 512, rank=8, leaf_size=64, random_state=0),
        lambda: HMatrixWeights(
            512, 512, rank=8, leaf_size=64, admissibility="standard", random_state=0
        ),
        lambda: LowRankWeights(512, 512, rank=16, random_state=0),
        lambda: FixedDictionaryWeights(512, 512, 64, dictionary="dct", random_state=0),
    ],
)
def test_init_variance_matches_glorot(make):
    W = make().to_dense()
    target = 2.0 / (512 + 512)
    assert abs(W.mean()) < 0.1 * np.sqrt(target)
    assert W.var() == pytest.approx(target, rel=0.25)


def test_hmatrix_weights_params_are_the_factors():
    w = HMatrixWeights(64, 32, rank=2, leaf_size=8, random_state=0)
    assert w.params is w.hmatrix.data
    w._set_params(np.zeros(w.n_params))
    assert not w.to_dense().any()
    assert w.n_params == w.hmatrix.n_params < 64 * 32


def test_lowrank_from_factors_and_rank():
    U, V = np.arange(6.0).reshape(3, 2), np.ones((2, 4))
    w = LowRankWeights.from_factors(U, V)
    np.testing.assert_allclose(w.to_dense(), U @ V)
    assert w.n_params == 14 and w.rank == 2
    with pytest.raises(ValueError, match="U.shape"):
        LowRankWeights.from_factors(U, np.ones((3, 4)))


def test_fixed_dictionary_only_trains_v():
    U = np.random.default_rng(0).standard_normal((10, 4))
    w = FixedDictionaryWeights(10, 6, 4, dictionary=U, random_state=0)
    np.testing.assert_allclose(w.U, U)
    assert w.n_params == 4 * 6
    assert w.n_mults == 4 * (10 + 6)
    with pytest.raises(ValueError, match="n_atoms"):
        FixedDictionaryWeights(10, 6, 3, dictionary=U)


def test_fixed_dictionary_keeps_atoms_beyond_n_out():
    """Denil et al.: each column of W ranges over span(U), so n_atoms > n_out counts."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = FixedDictionaryWeights(10, 2, 6, dictionary="random", random_state=0)
    assert w.U.shape == (10, 6) and w.n_params == 12
    # the map V -> U V is injective: 12 independent directions in W-space
    basis = []
    for k in range(w.n_params):
        w.params[:] = 0.0
        w.params[k] = 1.0
        basis.append(w.to_dense().ravel())
    assert np.linalg.matrix_rank(np.array(basis)) == 12


def test_fixed_dictionary_warning_points_at_the_caller():
    with pytest.warns(UserWarning, match="n_atoms=30 exceeds n_in=10") as record:
        FixedDictionaryWeights(10, 4, 30, random_state=0)
    assert record[0].filename == __file__


def test_se_dictionary_on_image_grid():
    w = FixedDictionaryWeights(
        784, 20, 10, length_scale=2.0, image_shape=(28, 28), random_state=0
    )
    assert w.U.shape == (784, 10)
    assert np.isclose(w.U.max(), 1.0)  # each atom peaks at its centre
    assert np.all((w.U > 0.5).sum(axis=0) >= 5)  # and is spatially local
    with pytest.raises(ValueError, match="image_shape"):
        FixedDictionaryWeights(784, 20, 10, image_shape=(20, 20))


@pytest.mark.parametrize(
    "make, match, block",
    [
        (lambda: LowRankWeights(10, 4, rank=6), "rank=6 exceeds", np.s_[:, :]),
        (lambda: FixedDictionaryWeights(10, 4, 12), "n_atoms=12 exceeds", np.s_[:, :]),
        (
            lambda: HMatrixWeights(16, 12, rank=9, n_levels=1),
            "rank exceeds",
            np.s_[:8, 6:],  # an off-diagonal 8 x 6 block
        ),
    ],
)
def test_rank_above_size_warns_once_and_caps(make, match, block):
    with pytest.warns(UserWarning, match=match) as record:
        w = make()
    assert len(record) == 1
    B = w.to_dense()[block]
    assert np.linalg.matrix_rank(B) == min(B.shape)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: LowRankWeights(10, 4, rank=0), ValueError, "rank"),
        (lambda: LowRankWeights(0, 4, rank=1), ValueError, "n_in"),
        (lambda: LowRankWeights(10, 4, rank=1.5), TypeError, "rank"),
        (lambda: FixedDictionaryWeights(10, 4, 0), ValueError, "n_atoms"),
        (lambda: FixedDictionaryWeights(10, 4, 2, dictionary="x"), ValueError, "dict"),
        (lambda: HMatrixWeights(10, 4, rank=0), ValueError, "rank"),
        (lambda: HMatrixWeights(10, 4, leaf_size=0), ValueError, "leaf_size"),
        (lambda: HMatrixWeights(10, -4), ValueError, "n_out"),
        (lambda: HMatrixWeights(10, 4, admissibility="x"), ValueError, "admissib"),
    ],
)
def test_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_mismatched_product_shapes_raise(kind):
    w = _make(kind, 16, 12, 0)
    with pytest.raises(ValueError):
        w.forward(np.ones((2, 15)))
    with pytest.raises(ValueError):
        w.backward(np.ones((2, 11)))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_products_split_over_threads_match_dense(kind, monkeypatch):
    from sparsenn.linalg import _threads

    w = _make(kind, 20, 12, 0)
    rng = np.random.default_rng(0)
    X, D = rng.standard_normal((200, 20)), rng.standard_normal((200, 12))
    monkeypatch.setitem(_threads._STATE, "workers", 1)
    g_single = w.grad(X, D)
    monkeypatch.setitem(_threads._STATE, "workers", 3)  # 3 row chunks
    W = w.to_dense()
    np.testing.assert_allclose(w.forward(X), X @ W, atol=1e-12)
    np.testing.assert_allclose(w.backward(D), D @ W.T, atol=1e-12)
    np.testing.assert_allclose(w.grad(X, D), g_single, atol=1e-10)
