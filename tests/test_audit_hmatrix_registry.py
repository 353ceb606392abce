"""Audit of the H-matrix estimators and the estimators that take any weight type.

Regression tests for the memory guard of ``StructuredMLPClassifier`` /
``StructuredMLPRegressor``: it must estimate what a weight spec really stores
(a per-level H-matrix rank included) and leave an option the type cannot use to
the type's own error, which names the option.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import sparsenn._memory
from sparsenn import StructuredMLPClassifier, StructuredMLPRegressor
from sparsenn.layers._registry import weight_bytes


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.random((40, 64)), rng.integers(0, 2, 40)


@pytest.fixture
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_per_level_rank_is_estimated_as_an_hmatrix():
    # docs/hmatrix.md: rank is an int or one int per level; the estimate of a
    # per-level rank was the dense one, 18x too large here
    per_level = weight_bytes("hmatrix", 4096, 4096, 8, rank=[8] * 6, leaf_size=64)
    assert per_level == weight_bytes("hmatrix", 4096, 4096, 8, rank=8, leaf_size=64)
    assert per_level < 4096 * 4096 * 8 / 10


def test_per_level_rank_fits_where_its_hmatrix_fits(data, quiet, monkeypatch):
    # 64 -> 64 -> 2: the H-matrix estimate needs 219,008 bytes, the dense one
    # 259,968; with 240,000 available the per-level rank must train
    monkeypatch.setattr(sparsenn._memory, "available_memory", lambda: 240_000)
    X, y = data
    spec = {"kind": "hmatrix", "rank": [2, 2], "leaf_size": 16}
    clf = StructuredMLPClassifier((64,), weights=spec, max_iter=2, random_state=0)
    clf.fit(X, y)
    assert clf.weights_[0].hmatrix.ranks == (2, 2)


@pytest.mark.parametrize(
    "hidden, spec, match",
    [
        ((511,), "circulant", "no common block_size"),
        ((512,), {"kind": "circulant", "block_size": 3}, "block_size=3"),
        ((512,), {"kind": "hashed", "compression": 2}, "compression=2"),
        ((512,), {"kind": "hmatrix", "leaf_size": 0}, "leaf_size=0"),
        ((512,), {"kind": "lowrank", "rank": "8"}, "rank"),
    ],
)
@pytest.mark.parametrize("Estimator", [StructuredMLPClassifier, StructuredMLPRegressor])
def test_unusable_option_is_named_not_reported_as_memory(
    data, monkeypatch, Estimator, hidden, spec, match
):
    # an option the type refuses gave the dense estimate, so a network whose
    # dense twin does not fit got "needs about ... of memory" instead of the
    # type's own error naming the option
    monkeypatch.setattr(sparsenn._memory, "available_memory", lambda: 1_000_000)
    X, y = data
    with pytest.raises((TypeError, ValueError), match=match) as info:
        Estimator(hidden, weights=spec, max_iter=1).fit(X, y)
    assert "of memory" not in str(info.value)
    assert "weights=" in str(info.value)


def test_memory_guard_still_refuses_a_usable_spec(data, monkeypatch):
    monkeypatch.setattr(sparsenn._memory, "available_memory", lambda: 1_000_000)
    X, y = data
    spec = {"kind": "circulant", "block_size": 1}  # valid, stores n_in * n_out
    with pytest.raises(ValueError, match="hidden_layer_sizes=.*needs about"):
        StructuredMLPClassifier((512,), weights=spec, max_iter=1).fit(X, y)
