"""Peak memory of whole-data steps, measured with tracemalloc on small data."""

import tracemalloc

import numpy as np

from sparsenn.engine._pinv import standardisation
from sparsenn.neural_network import PseudoInverseSparseClassifier


def _peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _data(n=20_000, d=100):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d), dtype=np.float32)
    return X, rng.integers(0, 2, n)


def test_pinv_fit_does_not_copy_x_to_standardise():
    # the weighted moments used to build |X|, X rescaled and its float64
    # deviations for the whole X at once: about 3 x X.nbytes
    X, y = _data()
    model = PseudoInverseSparseClassifier(n_hidden=16, chunk_size=1000, random_state=0)
    model.fit(X[:2000], y[:2000])  # imports and first-call caches: not measured
    peak = _peak(lambda: model.fit(X, y))
    assert peak < 0.5 * X.nbytes


def test_blocked_standardisation_matches_the_plain_moments():
    X, _ = _data(n=10_000, d=20)
    X = X.astype(np.float64) * 3.0 + 1.0
    sw = np.linspace(0.5, 2.0, X.shape[0])
    peak = _peak(lambda: standardisation(X, sw, block=1000))
    assert peak < 0.5 * X.nbytes
    mean, scale = standardisation(X, sw, block=1000)
    plain_mean = (sw @ X) / sw.sum()
    np.testing.assert_allclose(mean, plain_mean, rtol=1e-12)
    plain_scale = np.sqrt(sw @ (X - plain_mean) ** 2 / sw.sum())
    np.testing.assert_allclose(scale, plain_scale, rtol=1e-12)
