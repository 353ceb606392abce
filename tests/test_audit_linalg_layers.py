"""Audit of the lower-level API against dense references: regression tests.

Each test pins one finding of the audit of ``sparsenn.linalg``,
``sparsenn.layers`` and ``sparsenn.connectivity`` used directly.
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenn.connectivity import connection_pattern, junction_edges
from sparsenn.layers import (
    CirculantWeights,
    DenseWeights,
    HMatrixWeights,
    LowRankWeights,
    SparseWeights,
)
from sparsenn.linalg import HMatrix, OffsetTridiagonal
from sparsenn.linalg.tridiagonal import _tridiagonal


@pytest.mark.parametrize(
    ("admissibility", "h_dtype", "x_dtype"),
    [
        ("standard", np.float64, np.float64),  # grouped numpy kernels
        ("weak", np.float32, np.float64),  # mixed dtypes: fused numpy kernels
        ("weak", np.float64, np.float64),  # compiled loops
    ],
)
def test_hmatrix_empty_batch(admissibility, h_dtype, x_dtype):
    # an empty batch used to fail inside the numpy kernels with "cannot reshape
    # array of size 0 into shape (0,2,newaxis)"
    H = HMatrix(12, 10, rank=2, n_levels=2, admissibility=admissibility, dtype=h_dtype)
    H.data[:] = np.random.default_rng(0).standard_normal(H.n_params)
    X = np.zeros((0, 12), dtype=x_dtype)
    D = np.zeros((0, 10), dtype=x_dtype)
    assert H.forward(X).shape == (0, 10)
    assert H.backward(D).shape == (0, 12)
    g, dX = H.grad_and_backward(X, D)
    assert g.shape == (H.n_params,) and not g.any() and dX.shape == (0, 12)
    assert not H.grad(X, D).any()


def test_hmatrix_weights_empty_batch_standard():
    W = HMatrixWeights(
        16, 8, rank=2, leaf_size=4, admissibility="standard", random_state=0
    )
    X, D = np.zeros((0, 16)), np.zeros((0, 8))
    assert W.forward(X).shape == (0, 8)
    g, back = W.grad_and_backward(X, D, W.forward_train(X)[1])
    assert back.shape == (0, 16) and not g.any()


_TYPES = {
    "dense": lambda: DenseWeights(np.arange(12.0).reshape(3, 4)),
    "sparse": lambda: SparseWeights(sp.random(6, 4, density=0.5, random_state=0)),
    "lowrank": lambda: LowRankWeights(6, 4, 2, random_state=0),
    "circulant": lambda: CirculantWeights(8, 4, random_state=0),
    "hmatrix": lambda: HMatrixWeights(8, 8, rank=2, leaf_size=4, random_state=0),
}


@pytest.mark.parametrize("name", sorted(_TYPES))
def test_astype_same_dtype_is_a_copy(name):
    # astype(W.dtype) returned an object sharing params with W: training the
    # "copy" changed the original
    W = _TYPES[name]()
    before = W.to_dense()
    C = W.astype(W.dtype)
    assert not np.shares_memory(C.params, W.params)
    C.params[...] = 0
    np.testing.assert_array_equal(W.to_dense(), before)
    assert not C.to_dense().any()


@pytest.mark.parametrize(
    "make",
    [
        lambda: DenseWeights(np.random.default_rng(0).standard_normal((5, 3))),
        lambda: SparseWeights(
            sp.random(5, 3, density=0.6, random_state=0), kernel="dense"
        ),
        lambda: SparseWeights(sp.random(5, 3, density=0.6, random_state=0)),
    ],
    ids=["dense", "sparse-dense-kernel", "sparse-auto"],
)
def test_grad_dtype_is_that_of_the_products(make):
    # float32 input to float64 weights gave a float32 gradient on the dense
    # code paths, a float64 one on every other weight type and kernel
    W = make()
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 5)).astype(np.float32)
    D = rng.standard_normal((4, 3)).astype(np.float32)
    g = W.grad(X, D)
    g2, back = W.grad_and_backward(X, D)
    assert g.dtype == g2.dtype == back.dtype == W.forward(X).dtype == np.float64
    full = X.astype(np.float64).T @ D.astype(np.float64)
    np.testing.assert_allclose(g, full.ravel()[np.flatnonzero(W.to_dense())], 1e-12)


def test_junction_edges_round_half_up_both_orientations():
    # 0.7 * 15 = 10.5 -> 11; (0.7 * 3) * 5 rounded to 10.499999999999998 -> 10
    assert junction_edges(3, 5, 0.7) == junction_edges(5, 3, 0.7) == 11
    assert connection_pattern("random", 3, 5, 0.7, random_state=0)[0].nnz == 11
    assert junction_edges(2, 2, 0.625) == 3  # the documented example


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(1, 100).map(lambda k: k / 100),
)
def test_junction_edges_symmetric(n_in, n_out, density):
    assert junction_edges(n_in, n_out, density) == junction_edges(n_out, n_in, density)


@pytest.fixture(params=["compiled", "lapack"])
def backend(request, monkeypatch):
    if request.param == "lapack":
        monkeypatch.setattr(_tridiagonal, "NUMBA_AVAILABLE", False)
    return request.param


@pytest.mark.parametrize(
    "diag",
    [
        [1e-149, 1e-300, 1.0],  # product underflowed to 0: logdet was -inf
        [1e149, 1e300, -1.0],  # product overflowed to inf
        [5e-324, 2.0, 3.0],  # a subnormal pivot
        [1e-160, 1e-160, 1e-160, 1e300],
    ],
)
@pytest.mark.parametrize("p", [1, 2])
def test_slogdet_extreme_pivots(backend, diag, p):
    n = len(diag)
    A = OffsetTridiagonal(diag, np.zeros(n - p), np.zeros(n - p), p=p, q=p)
    sign, logdet = A.slogdet()
    ref_sign, ref_logdet = np.linalg.slogdet(A.to_dense())
    assert sign == ref_sign
    assert np.isclose(logdet, ref_logdet, rtol=1e-12)


def test_slogdet_extreme_pivots_with_coupling():
    # coupled chain, no row swap: the second pivot is about 1e-200
    A = OffsetTridiagonal(
        [1e-149, -1e-200, 2.0, 3.0], [1e-260, 1e-260, 1.0], [1e-260, 1e-260, 1.0],
        p=1, q=1,
    )  # fmt: skip
    B = copy.deepcopy(A)
    B._factor()  # the cached-factor path
    ref_sign, ref_logdet = np.linalg.slogdet(A.to_dense())
    for M in (A, B):
        sign, logdet = M.slogdet()
        assert sign == ref_sign and np.isclose(logdet, ref_logdet, rtol=1e-12)
