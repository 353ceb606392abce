"""Input types a scikit-learn user passes, checked against MLPClassifier/Regressor.

Each test reproduces one finding of an audit of the six exported estimators
with pandas, sparse and mixed-dtype input: labels that lost their dtype, a
numpy warning from a library line, a sparse ``y`` that crashed inside.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.neural_network import MLPRegressor

from sparsenn import (
    HMatrixMLPClassifier,
    HMatrixMLPRegressor,
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
)

CLASSIFIERS = [
    lambda: SparseMLPClassifier((8,), max_iter=2, random_state=0),
    lambda: HMatrixMLPClassifier((8,), max_iter=2, random_state=0),
    lambda: PseudoInverseSparseClassifier(n_hidden=8, random_state=0),
]
REGRESSORS = [
    lambda: SparseMLPRegressor((8,), max_iter=2, random_state=0),
    lambda: HMatrixMLPRegressor((8,), max_iter=2, random_state=0),
    lambda: PseudoInverseSparseRegressor(n_hidden=8, random_state=0),
]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6))
    return X, np.tile([0, 1, 2, 1], 10), X @ rng.normal(size=6)


@pytest.mark.parametrize("make", CLASSIFIERS)
@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: pd.Series(s, dtype="category"),
        lambda s: pd.Series(s, dtype="string"),
        lambda s: pd.Series(s, dtype=object),
    ],
    ids=["category", "string", "object"],
)
def test_pandas_string_labels_give_str_classes(data, make, wrap):
    # PseudoInverseSparseClassifier kept the object dtype (np.unique), unlike
    # MLPClassifier and the other estimators (unique_labels)
    X, y, _ = data
    labels = np.array(["a", "b", "c"])[y]
    est = make().fit(X, wrap(labels))
    assert est.classes_.dtype.kind == "U"
    assert est.predict(X).dtype.kind == "U"
    assert set(est.predict(X)) <= {"a", "b", "c"}


@pytest.mark.parametrize(
    "make, target",
    [(CLASSIFIERS[0], 1), (CLASSIFIERS[1], 1), (REGRESSORS[0], 2), (REGRESSORS[1], 2)],
)
def test_float32_model_on_huge_float64_input_warns_once_at_users_line(
    data, make, target
):
    # the cast of X to the model's float32 overflowed with numpy's warning from
    # _base.py, besides the package's own saturation warning
    X = data[0]
    est = make().fit(X.astype(np.float32), data[target])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = est.predict(X * 1e200)
    assert np.isfinite(out.astype(float)).all()
    assert [w.filename for w in caught] == [__file__]
    assert "overflowed" in str(caught[0].message)


@pytest.mark.parametrize("make", REGRESSORS)
@pytest.mark.parametrize("fmt", ["csr_matrix", "csr_array", "coo_array"])
def test_sparse_multioutput_y_is_fitted_like_a_dense_one(data, make, fmt):
    # "setting an array element with a sequence" from inside fit; MLPRegressor
    # fits a sparse Y of several outputs
    X, _, yr = data
    Y = np.c_[yr, np.where(yr > 0, yr, 0.0)]
    dense = make().fit(X, Y).predict(X)
    est = make().fit(X, getattr(sp, fmt)(Y))
    np.testing.assert_allclose(est.predict(X), dense)
    if fmt == "csr_array":  # (MLPRegressor fails on a coo or a csr_matrix Y)
        reference = MLPRegressor(hidden_layer_sizes=(8,), max_iter=2, random_state=0)
        assert reference.fit(X, sp.csr_array(Y)).predict(X).shape == dense.shape


@pytest.mark.parametrize("make", CLASSIFIERS + REGRESSORS)
def test_sparse_column_y_is_refused_as_by_mlp(data, make):
    # np.ravel of a sparse column gave a one-element object array: "Unknown label
    # type", "truth value ... ambiguous" or "setting an array element" followed
    X, y, _ = data
    with pytest.raises(TypeError, match="Sparse data was passed for y"):
        make().fit(X, sp.csr_matrix(y.reshape(-1, 1)))
