"""make_weights and WEIGHT_TYPES: every weight type by name."""

import pickle

import numpy as np
import pytest

from sparsenn.layers import (
    WEIGHT_TYPES,
    CirculantWeights,
    DenseWeights,
    FixedDictionaryWeights,
    HashedWeights,
    HMatrixWeights,
    LowRankWeights,
    make_weights,
    weight_options,
)

CLASSES = {
    "dense": DenseWeights,
    "hashed": HashedWeights,
    "circulant": CirculantWeights,
    "lowrank": LowRankWeights,
    "fixed_dictionary": FixedDictionaryWeights,
    "hmatrix": HMatrixWeights,
}


def test_every_name_is_registered():
    assert set(WEIGHT_TYPES) == set(CLASSES)


@pytest.mark.parametrize("kind", sorted(CLASSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_defaults_build_the_class_with_the_shape_and_dtype(kind, dtype):
    W = make_weights(kind, 32, 16, rng=0, dtype=dtype)
    assert type(W) is CLASSES[kind] and W.shape == (32, 16)
    assert W.params.dtype == dtype
    X = np.random.default_rng(0).standard_normal((3, 32)).astype(dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(W.forward(X), X @ W.to_dense(), rtol=tol, atol=tol)
    pickle.loads(pickle.dumps(W))


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_same_rng_same_weights_and_init_var_is_honoured(kind):
    a = make_weights(kind, 64, 64, rng=3)
    b = make_weights(kind, 64, 64, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.to_dense(), b.to_dense())
    small = make_weights(kind, 64, 64, rng=3, init_var=1e-6)
    assert small.to_dense().var() < 1e-4 < a.to_dense().var()


def test_options_reach_the_type():
    W = make_weights("hashed", 40, 20, rng=0, n_weights=50, seed=7, kernel="numpy")
    assert (W.n_weights, W.seed, W.kernel) == (50, 7, "numpy")
    assert make_weights("circulant", 12, 8, rng=0, block_size=2).block_size == 2
    assert make_weights("lowrank", 12, 8, rng=0, rank=3).rank == 3
    D = make_weights("fixed_dictionary", 16, 8, rng=0, n_atoms=5, dictionary="dct")
    assert D.U.shape == (16, 5)
    assert make_weights("hmatrix", 32, 32, rng=0, rank=2, leaf_size=8).n_params > 0


def test_hashed_junctions_get_their_own_hash():
    rng = np.random.default_rng(0)
    a = make_weights("hashed", 30, 30, rng=rng)
    b = make_weights("hashed", 30, 30, rng=rng)
    assert a.seed != b.seed


def test_weight_options_lists_defaults():
    assert weight_options("hashed") == {
        "n_weights": None,
        "compression": None,
        "seed": None,
        "kernel": "auto",
    }
    assert weight_options("dense") == {}
    assert weight_options("lowrank") == {"rank": 8}


def test_bad_kind_and_options():
    with pytest.raises(ValueError, match=r"kind must be one of .*got 'hash'"):
        make_weights("hash", 4, 4)
    with pytest.raises(TypeError, match="'dense' takes no option 'rank'"):
        make_weights("dense", 4, 4, rank=2)
    with pytest.raises(TypeError, match=r"its options are \['block_size', 'signs'\]"):
        make_weights("circulant", 4, 4, compression=0.5)
    with pytest.raises(ValueError, match="compression=0.01 leaves fewer than one"):
        make_weights("hashed", 4, 4, compression=0.01)
    with pytest.raises(ValueError, match="cannot serve a 7x10 junction"):
        make_weights("circulant", 7, 10)
