"""SparseWeights and the sparse kernels against the dense numpy reference."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenn.layers import DenseWeights, SparseWeights
from sparsenn.linalg import sddmm, spmm
from sparsenn.linalg.sparse._kernels import NUMBA_AVAILABLE, feature_major

KERNELS = ["numba", "scipy", "dense"] if NUMBA_AVAILABLE else ["scipy", "dense"]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: 2e-5, np.float64: 1e-12}


def random_pattern(n_in, n_out, density, seed):
    rng = np.random.default_rng(seed)
    mask = rng.random((n_in, n_out)) < density
    values = rng.standard_normal((n_in, n_out)) * mask
    return sp.csr_matrix(values), rng


def assert_close(actual, desired, dtype):
    scale = max(1.0, float(np.abs(desired).max(initial=0.0)))
    np.testing.assert_allclose(actual, desired, rtol=0, atol=TOL[dtype] * scale * 10)


def check_contract(W, rng, n_samples, order):
    """Forward, backward and grad of W against its dense matrix."""
    dtype = W.params.dtype.type
    n_in, n_out = W.shape
    Wd = W.to_dense().astype(np.float64)
    X = np.asarray(rng.standard_normal((n_samples, n_in)), dtype=dtype, order=order)
    D = np.asarray(rng.standard_normal((n_samples, n_out)), dtype=dtype, order=order)
    A = W.to_scipy().tocoo()
    Y, B, G = W.forward(X), W.backward(D), W.grad(X, D)
    assert Y.dtype == B.dtype == G.dtype == dtype
    assert Y.shape == (n_samples, n_out) and B.shape == (n_samples, n_in)
    assert G.shape == W.params.shape
    assert_close(Y, X.astype(np.float64) @ Wd, dtype)
    assert_close(B, D.astype(np.float64) @ Wd.T, dtype)
    full = X.astype(np.float64).T @ D
    assert_close(G, full[A.row, A.col], dtype)
    G2, B2 = W.grad_and_backward(X, D)  # the fused path gives the same numbers
    assert G2.dtype == B2.dtype == dtype and B2.shape == B.shape
    assert_close(G2, G, dtype)
    assert_close(B2, B, dtype)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("density", [0.0, 0.05, 0.3, 1.0])
def test_contract_against_dense(kernel, dtype, order, density):
    P, rng = random_pattern(37, 29, density, seed=int(density * 100))
    W = SparseWeights(P, kernel=kernel, dtype=dtype)
    assert W.kernel == kernel
    check_contract(W, rng, n_samples=11, order=order)


@pytest.mark.parametrize("kernel", KERNELS)
def test_finite_difference_gradient(kernel):
    P, rng = random_pattern(9, 7, 0.5, seed=3)
    W = SparseWeights(P, kernel=kernel, dtype=np.float64)
    X = rng.standard_normal((5, 9))
    D = rng.standard_normal((5, 7))
    G = W.grad(X, D)
    h = 1e-6
    for j in range(W.n_params):
        old = W.params[j]
        W.params[j] = old + h
        up = np.sum(D * W.forward(X))
        W.params[j] = old - h
        down = np.sum(D * W.forward(X))
        W.params[j] = old
        assert abs((up - down) / (2 * h) - G[j]) < 1e-6 * max(1.0, abs(G[j]))


@st.composite
def patterns(draw):
    n_in = draw(st.integers(0, 13))
    n_out = draw(st.integers(0, 13))
    cells = st.sampled_from([0.0, 0.0, 1.0, -2.5, 0.75])
    entries = draw(st.lists(cells, min_size=n_in * n_out, max_size=n_in * n_out))
    mask = np.array(entries, dtype=np.float64).reshape(n_in, n_out)
    return sp.csr_matrix(mask)


@settings(max_examples=60, deadline=None)
@given(
    P=patterns(),
    n_samples=st.integers(0, 9),
    seed=st.integers(0, 2**16),
    kernel=st.sampled_from(KERNELS),
    dtype=st.sampled_from(DTYPES),
    order=st.sampled_from(["C", "F"]),
)
def test_random_patterns(P, n_samples, seed, kernel, dtype, order):
    rng = np.random.default_rng(seed)
    W = SparseWeights(P, kernel=kernel, dtype=dtype)
    np.testing.assert_array_equal(W.to_dense(), P.toarray().astype(dtype))
    check_contract(W, rng, n_samples, order)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kernels_agree_on_all_degree_remainders(dtype):
    # Columns with 0..19 edges (rows with ~0..15) exercise the 8- and 4-edge passes
    # and the remainders of the unrolled loops.
    rng = np.random.default_rng(0)
    mask = np.zeros((40, 30), dtype=bool)
    for k in range(30):
        mask[rng.choice(40, size=k % 20, replace=False), k] = True
    P = sp.csr_matrix(mask * rng.standard_normal(mask.shape))
    X = rng.standard_normal((67, 40)).astype(dtype)
    D = rng.standard_normal((67, 30)).astype(dtype)
    outs = [
        (W.forward(X), W.backward(D), W.grad(X, D), *W.grad_and_backward(X, D))
        for W in (SparseWeights(P, kernel=k, dtype=dtype) for k in KERNELS)
    ]
    for other in outs[1:]:
        for a, b in zip(outs[0], other, strict=True):
            assert_close(a, b, dtype)


def test_empty_rows_and_columns():
    P = sp.csr_matrix(
        np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    )
    for kernel in KERNELS:
        W = SparseWeights(P, kernel=kernel)
        Y = W.forward(np.ones((2, 3)))
        np.testing.assert_array_equal(Y, [[0, 2, 0, 0], [0, 2, 0, 0]])
        np.testing.assert_array_equal(W.backward(np.ones((2, 4))), [[0, 2, 0]] * 2)
        np.testing.assert_array_equal(W.grad(np.ones((2, 3)), np.ones((2, 4))), [2])


@pytest.mark.parametrize("kernel", KERNELS)
def test_in_place_params_edit_changes_forward(kernel):
    P, rng = random_pattern(12, 8, 0.4, seed=1)
    W = SparseWeights(P, kernel=kernel)
    X = rng.standard_normal((4, 12))
    before = W.forward(X).copy()
    W.params *= 2.0
    np.testing.assert_allclose(W.forward(X), 2 * before, rtol=1e-12, atol=1e-12)
    W.params[:] = 0.0
    np.testing.assert_array_equal(W.forward(X), 0.0)
    np.testing.assert_array_equal(W.backward(rng.standard_normal((4, 8))), 0.0)


@pytest.mark.parametrize("kernel", KERNELS)
def test_astype(kernel):
    P, rng = random_pattern(10, 6, 0.5, seed=2)
    W = SparseWeights(P, kernel=kernel, dtype=np.float64)
    W32 = W.astype(np.float32)
    assert W32.params.dtype == np.float32 and W.params.dtype == np.float64
    assert W32.kernel == W.kernel
    np.testing.assert_allclose(W32.to_dense(), W.to_dense(), rtol=1e-6)
    W32.params[:] = 1.0  # the copy owns its params
    assert not np.all(W.params == 1.0)
    check_contract(W32, rng, 5, "C")
    assert W32.forward(np.ones((2, 10), dtype=np.float32)).dtype == np.float32


def test_to_scipy_round_trip_and_canonical_order():
    rows = np.array([2, 0, 1, 0, 2])
    cols = np.array([0, 3, 1, 1, 2])
    P = sp.coo_matrix((np.ones(5), (rows, cols)), shape=(3, 4))
    # canonical order of the edges: (0,1) (0,3) (1,1) (2,0) (2,2)
    values = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    W = SparseWeights(P, values)
    dense = np.zeros((3, 4))
    dense[[0, 0, 1, 2, 2], [1, 3, 1, 0, 2]] = values
    np.testing.assert_array_equal(W.to_dense(), dense)
    S = W.to_scipy()
    assert isinstance(S, sp.csr_matrix) and S.shape == (3, 4)
    np.testing.assert_array_equal(S.data, values)
    np.testing.assert_array_equal(S.toarray(), dense)
    S.data[:] = 0.0  # a copy: W unaffected
    np.testing.assert_array_equal(W.params, values)
    W2 = SparseWeights(W.to_scipy())
    np.testing.assert_array_equal(W2.params, W.params)
    np.testing.assert_array_equal(W2.to_dense(), W.to_dense())


def test_pattern_values_explicit_zeros_and_duplicates():
    P = sp.coo_matrix(([1.0, 2.0, 0.0], ([0, 0, 1], [1, 1, 0])), shape=(2, 2))
    W = SparseWeights(P)
    assert W.n_params == 2 and W.n_mults == 2
    np.testing.assert_array_equal(W.params, [3.0, 0.0])  # duplicates summed
    assert W.density == 0.5
    W.params[1] = 5.0  # the explicit zero is a trainable edge
    np.testing.assert_array_equal(W.to_dense(), [[0.0, 3.0], [5.0, 0.0]])


def test_dtype_defaults_and_mixed_inputs():
    P = sp.csr_matrix(np.eye(3, dtype=bool))
    W = SparseWeights(P)
    assert W.params.dtype == np.float64
    np.testing.assert_array_equal(W.params, 1.0)
    W32 = SparseWeights(P, dtype="float32")
    assert W32.forward(np.ones((2, 3))).dtype == np.float64  # like X @ W in numpy
    assert W32.forward(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


def test_full_density_matches_dense_weights():
    rng = np.random.default_rng(4)
    M = rng.standard_normal((6, 5))
    W = SparseWeights(sp.csr_matrix(np.ones((6, 5))), M.ravel())
    assert W.kernel == "dense"  # auto at density 1
    ref = DenseWeights(M)
    X, D = rng.standard_normal((3, 6)), rng.standard_normal((3, 5))
    np.testing.assert_allclose(W.forward(X), ref.forward(X))
    np.testing.assert_allclose(W.grad(X, D), ref.grad(X, D))


def test_auto_kernel_by_density():
    low = SparseWeights(sp.random(50, 50, density=0.02, random_state=0))
    assert low.kernel == ("numba" if NUMBA_AVAILABLE else "scipy")
    assert "kernel=" in repr(low)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("order", ["C", "F"])
def test_outputs_are_feature_major(kernel, order):
    P, rng = random_pattern(8, 6, 0.5, seed=5)
    W = SparseWeights(P, kernel=kernel)
    Y = W.forward(np.asarray(rng.standard_normal((4, 8)), order=order))
    B = W.backward(np.asarray(rng.standard_normal((4, 6)), order=order))
    assert Y.flags.f_contiguous and B.flags.f_contiguous
    assert np.shares_memory(feature_major(Y, Y.dtype), Y)  # next layer: no copy


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"pattern": np.eye(3)}, TypeError, "pattern"),
        ({"values": np.ones(2)}, ValueError, "values"),
        ({"kernel": "cuda"}, ValueError, "kernel"),
        ({"dtype": np.int32}, ValueError, "dtype"),
    ],
)
def test_bad_arguments(kwargs, err, match):
    args = {"pattern": sp.eye(3, format="csr")} | kwargs
    with pytest.raises(err, match=match):
        SparseWeights(**args)


def test_bad_shapes():
    W = SparseWeights(sp.eye(3, 4, format="csr"))
    with pytest.raises(ValueError, match="X"):
        W.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="D"):
        W.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="same number of samples"):
        W.grad(np.ones((2, 3)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="same number of samples"):
        W.grad_and_backward(np.ones((2, 3)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="params"):
        W._set_params(np.ones(5))
    with pytest.raises(ValueError, match="dtype"):
        W.astype(np.int64)


@settings(max_examples=40, deadline=None)
@given(
    P=patterns(),
    n_b=st.integers(0, 6),
    seed=st.integers(0, 2**16),
    kernel=st.sampled_from([k for k in KERNELS if k != "dense"]),
)
def test_linalg_spmm_sddmm(P, n_b, seed, kernel):
    rng = np.random.default_rng(seed)
    n_rows, n_cols = P.shape
    Yt = rng.standard_normal((n_cols, n_b))
    Pt = rng.standard_normal((n_rows, n_b))
    out = spmm(P.indptr, P.indices, P.data, Yt, kernel=kernel)
    np.testing.assert_allclose(out, P.toarray() @ Yt, atol=1e-12)
    A = P.tocoo()
    g = sddmm(P.indptr, P.indices, Pt, Yt, kernel=kernel)
    np.testing.assert_allclose(g, (Pt @ Yt.T)[A.row, A.col], atol=1e-12)


def test_linalg_bad_kernel():
    P = sp.eye(2, format="csr")
    with pytest.raises(ValueError, match="kernel"):
        spmm(P.indptr, P.indices, P.data, np.ones((2, 1)), kernel="dense")


def test_linalg_rejects_bad_structure():
    Yt = np.ones((3, 2))
    with pytest.raises(ValueError, match="indices"):
        spmm([0, 1], [3], [1.0], Yt)
    with pytest.raises(ValueError, match="indptr"):
        spmm([0, 2], [0], [1.0], Yt)
    with pytest.raises(ValueError, match="data"):
        spmm([0, 1], [0], [1.0, 2.0], Yt)
    with pytest.raises(ValueError, match="rows"):
        sddmm([0, 1], [0], np.ones((2, 2)), Yt)
    assert spmm([0, 1], [0], np.ones(1, np.float32), Yt.astype(np.float32)).dtype == (
        np.float32
    )


@pytest.mark.parametrize("kernel", KERNELS)
def test_nan_and_inf_propagate_along_edges(kernel):
    P, rng = random_pattern(20, 16, 0.4, seed=6)
    W = SparseWeights(P, kernel=kernel, dtype=np.float32)
    X = rng.standard_normal((5, 20)).astype(np.float32)
    X[1, 3], X[2, 7] = np.nan, np.inf
    D = rng.standard_normal((5, 16)).astype(np.float32)
    A = W.to_scipy().tocoo()
    ref_y = np.zeros((5, 16), dtype=np.float32)  # sum over the edges only
    for i, k, v in zip(A.row, A.col, A.data, strict=True):
        ref_y[:, k] += X[:, i] * v
    ref_g = np.array([X[:, i] @ D[:, k] for i, k in zip(A.row, A.col, strict=True)])
    with np.errstate(invalid="ignore"):
        y, g = W.forward(X), W.grad(X, D)
    np.testing.assert_array_equal(np.isnan(g), np.isnan(ref_g))
    if kernel == "dense":  # 0 * inf off the edges: NaN spreads over the sample
        assert np.isnan(y[1]).all() and not np.isfinite(y[2]).any()
        return
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ref_y))
    np.testing.assert_array_equal(np.isinf(y), np.isinf(ref_y))


@pytest.mark.parametrize("kernel", KERNELS)
def test_pickle_round_trip(kernel):
    import pickle

    P, rng = random_pattern(10, 7, 0.4, seed=7)
    W = SparseWeights(P, kernel=kernel, dtype=np.float32)
    W2 = pickle.loads(pickle.dumps(W))
    X = rng.standard_normal((3, 10)).astype(np.float32)
    np.testing.assert_array_equal(W2.forward(X), W.forward(X))
    W2.params[:] = 0.0  # independent copy
    assert np.any(W.forward(X) != 0)
