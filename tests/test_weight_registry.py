"""make_weights and WEIGHT_TYPES: every weight type by name."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sparsenn.engine._init import glorot_bound
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
from sparsenn.neural_network._base import BaseStructuredMLP

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
        "hashing": "window",
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


# ---------------------------------------------------- through the engine
class _RegistryMLP(BaseStructuredMLP):
    """Test-only estimator: hidden junctions by name (what ``weights=`` will do)."""

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        weights="dense",
        *,
        max_iter=30,
        learning_rate_init=0.01,
        random_state=None,
    ):
        super().__init__(
            hidden_layer_sizes,
            max_iter=max_iter,
            learning_rate_init=learning_rate_init,
            random_state=random_state,
        )
        self.weights = weights

    def _validate_structure(self, layer_sizes):
        self._n_junctions = len(layer_sizes) - 1

    def _make_weights(self, layer_index, n_in, n_out, rng, dtype):
        if layer_index == self._n_junctions - 1:
            return super()._make_weights(layer_index, n_in, n_out, rng, dtype)
        var = glorot_bound(n_in, n_out, self.activation) ** 2 / 3
        return make_weights(
            self.weights, n_in, n_out, rng=rng, dtype=dtype, init_var=var
        )


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


@pytest.mark.parametrize("kind", ["hashed", "circulant", "lowrank", "fixed_dictionary"])
def test_every_type_trains_in_the_engine(digits, kind):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = _RegistryMLP(weights=kind, random_state=0).fit(X[:1200], y[:1200])
    assert type(clf.weights_[0]) is CLASSES[kind]
    assert clf.weights_[0].params.dtype == np.float32
    assert clf.score(X[1200:], y[1200:]) > 0.5  # chance is 0.1
    assert (
        np.isfinite(clf.loss_curve_).all() and clf.loss_curve_[-1] < clf.loss_curve_[0]
    )


def test_grid_search_across_weight_types(digits):
    X, y = digits
    grid = {"weights": ["dense", "hashed", "circulant"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(_RegistryMLP(max_iter=5, random_state=0), grid, cv=2)
        search.fit(X[:600], y[:600])
    assert len(search.cv_results_["params"]) == 3
    assert search.best_params_["weights"] in grid["weights"]
