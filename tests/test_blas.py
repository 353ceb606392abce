"""The compiled GEMM binding against numpy (hypothesis-generated cases)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenn.linalg import _blas

pytestmark = pytest.mark.skipif(not _blas.AVAILABLE, reason="numba not available")


def _strided(rng, rows, cols, dtype, pad):
    """A (rows, cols) column slice of a wider C-ordered array (row stride > cols)."""
    wide = rng.standard_normal((rows, cols + pad)).astype(dtype)
    return wide[:, pad // 2 : pad // 2 + cols]


@settings(max_examples=80, deadline=None)
@given(
    m=st.integers(1, 9),
    n=st.integers(1, 9),
    k=st.integers(0, 9),
    trans_a=st.booleans(),
    trans_b=st.booleans(),
    beta=st.sampled_from([0.0, 1.0, -0.5]),
    dtype=st.sampled_from([np.float32, np.float64]),
    pad=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_gemm_matches_numpy(m, n, k, trans_a, trans_b, beta, dtype, pad, seed):
    rng = np.random.default_rng(seed)
    A = _strided(rng, *((k, m) if trans_a else (m, k)), dtype, pad)
    B = _strided(rng, *((n, k) if trans_b else (k, n)), dtype, pad)
    C = _strided(rng, m, n, dtype, pad)
    expected = (A.T if trans_a else A) @ (B.T if trans_b else B) + beta * C
    parent = C.base.copy()
    _blas.gemm(A, B, C, trans_a, trans_b, beta)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(C, expected, rtol=tol, atol=tol)
    # nothing outside C's columns is touched
    lo = pad // 2
    np.testing.assert_array_equal(C.base[:, :lo], parent[:, :lo])
    np.testing.assert_array_equal(C.base[:, lo + n :], parent[:, lo + n :])
