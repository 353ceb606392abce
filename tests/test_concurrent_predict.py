"""One fitted model serving predictions from several threads at once.

A served model is shared between request threads; its products must not share
scratch buffers or BLAS settings between calls.  Every result must equal the
serial one bit for bit.
"""

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sparsenn import (
    HMatrixMLPClassifier,
    PseudoInverseSparseClassifier,
    SparseMLPClassifier,
)
from sparsenn.fixedpoint import to_fixed_point
from sparsenn.neural_network import StructuredMLPClassifier

RNG = np.random.default_rng(0)
X = RNG.random((600, 32)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 1).astype(int) + (X[:, 2] > 0.5)

MODELS = {
    "sparse": lambda: SparseMLPClassifier((64, 64), density=0.2, max_iter=2),
    "clash_free": lambda: SparseMLPClassifier(
        (32,),
        density=0.25,
        connectivity="clash_free",
        activation="logistic",
        max_iter=2,
    ),  # fmt: skip
    "hmatrix": lambda: HMatrixMLPClassifier((64,), leaf_size=8, max_iter=2),
    "hashed": lambda: StructuredMLPClassifier((64,), weights="hashed", max_iter=2),
    "circulant": lambda: StructuredMLPClassifier(
        (64,), weights="circulant", max_iter=2
    ),
    "pinv": lambda: PseudoInverseSparseClassifier(n_hidden=40),
}


def _fit(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make().set_params(random_state=0).fit(X, Y)


def _in_threads(call, n_calls=8):
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: call(), range(n_calls)))


@pytest.mark.parametrize("name", MODELS)
def test_concurrent_predictions_equal_the_serial_ones(name):
    model = _fit(MODELS[name])
    serial = model.predict_proba(X)
    for result in _in_threads(lambda: model.predict_proba(X)):
        np.testing.assert_array_equal(result, serial)


def test_a_fixed_point_network_serves_threads():
    net = to_fixed_point(_fit(MODELS["clash_free"]))
    serial = net.predict(X)
    for result in _in_threads(lambda: net.predict(X)):
        np.testing.assert_array_equal(result, serial)
