"""Warm starts and partial_fit keep the fitted net, and say so if asked otherwise."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsenn import (
    HMatrixMLPClassifier,
    HMatrixMLPRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
)
from sparsenn.neural_network import StructuredMLPClassifier

RNG = np.random.default_rng(0)
X = RNG.random((120, 8))
Y = (X[:, 0] > 0.5).astype(int)

CASES = [
    (SparseMLPClassifier, dict(density=0.3), dict(connectivity="clash_free")),
    (SparseMLPClassifier, dict(density=0.3), dict(density=0.5)),
    (SparseMLPRegressor, dict(density=0.3), dict(connectivity="random")),
    (SparseMLPClassifier, {}, dict(hidden_layer_sizes=(8,))),
    (HMatrixMLPClassifier, dict(leaf_size=4), dict(rank=1)),
    (HMatrixMLPRegressor, dict(leaf_size=4), dict(leaf_size=8)),
    (StructuredMLPClassifier, {}, dict(weights="lowrank")),
]


def _quiet_fit(est, method="fit"):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        getattr(est, method)(X, Y)
    return [w for w in caught if "not applied" in str(w.message)]


@pytest.mark.parametrize(("cls", "params", "change"), CASES)
def test_a_changed_structure_parameter_is_named_not_silently_ignored(
    cls, params, change
):
    est = cls((16,), max_iter=2, warm_start=True, random_state=0, **params)
    _quiet_fit(est)
    shapes = [np.shape(c) for c in est.coefs_]
    assert _quiet_fit(est) == []  # nothing changed: nothing said
    est.set_params(**change)
    told = _quiet_fit(est)
    (name,) = change
    assert len(told) == 1 and told[0].category is UserWarning
    assert told[0].filename == __file__  # the user's line (here: _quiet_fit)
    assert f"{name}=" in str(told[0].message) and "warm_start=True" in str(
        told[0].message
    )
    assert [np.shape(c) for c in est.coefs_] == shapes  # the fitted net was kept
    told = _quiet_fit(est, "partial_fit")
    assert len(told) == 1 and "partial_fit trains" in str(told[0].message)
    est.set_params(warm_start=False)
    assert _quiet_fit(est) == []  # a fresh fit builds what the parameters say


def test_equal_values_in_another_form_are_not_a_change():
    est = SparseMLPClassifier((16, 8), density=0.3, max_iter=2, warm_start=True)
    _quiet_fit(est)
    est.set_params(hidden_layer_sizes=[np.int64(16), 8], density=np.float64(0.3))
    assert _quiet_fit(est) == []


def test_weight_specs_holding_arrays_compare_by_value():
    X16 = RNG.random((120, 16))
    spec = {"kind": "hmatrix", "rank": np.array([2, 2]), "leaf_size": 4}
    est = StructuredMLPClassifier((16,), weights=spec, max_iter=2, warm_start=True)

    def fit():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X16, Y)
        return [w for w in caught if "not applied" in str(w.message)]

    fit()
    est.set_params(weights=dict(spec, rank=[2, 2]))
    assert fit() == []
    est.set_params(weights=dict(spec, rank=np.array([1, 1])))
    (told,) = fit()
    assert "weights=" in str(told.message)
