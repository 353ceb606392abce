"""HMatrix against the dense matrix it represents (hypothesis-generated cases)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.linalg import aslinearoperator

from sparsenn.linalg import HMatrix
from sparsenn.linalg.hmatrix._cluster import block_groups

ADMISSIBILITIES = ["weak", "standard"]


@st.composite
def hmatrices(draw, max_size=24):
    n_in = draw(st.integers(1, max_size))
    n_out = draw(st.integers(1, max_size))
    max_levels = min(int(np.log2(min(n_in, n_out))), 3)
    n_levels = draw(st.integers(0, max_levels))
    per_level = draw(st.booleans())
    if per_level:
        rank = draw(st.lists(st.integers(1, 5), min_size=n_levels, max_size=n_levels))
    else:
        rank = draw(st.integers(1, 5))
    admissibility = draw(st.sampled_from(ADMISSIBILITIES))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rank capped to block size
        H = HMatrix(
            n_in, n_out, rank=rank, n_levels=n_levels, admissibility=admissibility
        )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    H.data[:] = rng.standard_normal(H.n_params)
    H._zero_padding()
    n_samples = draw(st.integers(1, 5))
    return H, rng, n_samples


@settings(max_examples=60, deadline=None)
@given(hmatrices())
def test_products_match_dense(case):
    H, rng, n_samples = case
    W = H.to_dense()
    n_in, n_out = H.shape
    X = rng.standard_normal((n_samples, n_in))
    D = rng.standard_normal((n_samples, n_out))
    np.testing.assert_allclose(X @ H, X @ W, atol=1e-12)
    np.testing.assert_allclose(H.forward(np.asfortranarray(X)), X @ W, atol=1e-12)
    np.testing.assert_allclose(H.backward(D), D @ W.T, atol=1e-12)
    np.testing.assert_allclose(H @ D.T, W @ D.T, atol=1e-12)
    np.testing.assert_allclose(H.rmatmat(X.T), W.T @ X.T, atol=1e-12)
    np.testing.assert_allclose(H @ D[0], W @ D[0], atol=1e-12)
    np.testing.assert_allclose(X[0] @ H, X[0] @ W, atol=1e-12)
    op = aslinearoperator(H)
    np.testing.assert_allclose(op.matvec(D[0]), W @ D[0], atol=1e-12)
    np.testing.assert_allclose(op.rmatvec(X[0]), W.T @ X[0], atol=1e-12)
    lo = H.aslinearoperator()
    np.testing.assert_allclose(lo.T @ X.T, W.T @ X.T, atol=1e-12)
    np.testing.assert_allclose(lo @ D.T, W @ D.T, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(hmatrices(max_size=16))
def test_grad_matches_finite_differences(case):
    H, rng, n_samples = case
    X = rng.standard_normal((n_samples, H.shape[0]))
    D = rng.standard_normal((n_samples, H.shape[1]))
    g = H.grad(X, D)
    assert g.shape == H.data.shape
    numeric = np.empty_like(g)
    h = 1e-5
    for i in range(H.n_params):  # the objective is linear in each entry
        old = H.data[i]
        H.data[i] = old + h
        plus = np.sum(D * (X @ H))
        H.data[i] = old - h
        minus = np.sum(D * (X @ H))
        H.data[i] = old
        numeric[i] = (plus - minus) / (2 * h)
    np.testing.assert_allclose(g, numeric, atol=1e-6 * (1 + np.abs(numeric).max()))


@settings(max_examples=40, deadline=None)
@given(hmatrices())
def test_grad_of_each_block_is_the_projection_of_the_dense_grad(case):
    H, rng, n_samples = case
    X = rng.standard_normal((n_samples, H.shape[0]))
    D = rng.standard_normal((n_samples, H.shape[1]))
    dW = np.zeros(H._pad)
    dW[: H.shape[0], : H.shape[1]] = X.T @ D
    grads = H.like(H.grad(X, D)).factors
    for group, views, gviews in zip(H.groups, H.factors, grads, strict=True):
        c = 2**group.level
        m_l, n_l = H._block_size(group.level)
        rows, cols = H._block_index(group)
        dW_b = dW.reshape(c, m_l, c, n_l)[rows, :, cols, :]
        if group.lowrank:  # dU = dW V^T, dV = U^T dW
            U, V = views
            np.testing.assert_allclose(gviews[0], dW_b @ V.transpose(0, 2, 1))
            np.testing.assert_allclose(gviews[1], U.transpose(0, 2, 1) @ dW_b)
        else:
            np.testing.assert_allclose(gviews[0], dW_b)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(1, 8),
    st.sampled_from(ADMISSIBILITIES),
    st.integers(0, 2**32 - 1),
)
def test_from_dense_is_exact_at_full_rank(n_in, n_out, leaf_size, adm, seed):
    W = np.random.default_rng(seed).standard_normal((n_in, n_out))
    H = HMatrix.from_dense(
        W, rank=max(n_in, n_out), leaf_size=leaf_size, admissibility=adm
    )
    np.testing.assert_allclose(H.to_dense(), W, atol=1e-12)
    assert H.approximation_error < 1e-13


def test_from_dense_error_is_the_discarded_singular_values():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((32, 20))
    H = HMatrix.from_dense(W, rank=3, n_levels=1)
    tail = 0.0
    for block in (W[:16, 10:], W[16:, :10]):  # the two admissible blocks
        tail += np.sum(np.linalg.svd(block, compute_uv=False)[3:] ** 2)
    assert H.approximation_error == pytest.approx(np.sqrt(tail) / np.linalg.norm(W))
    np.testing.assert_allclose(H.to_dense()[:16, :10], W[:16, :10])  # dense leaf


def test_from_dense_caps_rank_without_warning():
    W = np.arange(12.0).reshape(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        H = HMatrix.from_dense(W, rank=100, leaf_size=1)
    assert H.ranks == (2,)  # one level of 2x2 blocks (3 padded to 4)
    np.testing.assert_allclose(H.to_dense(), W)


@pytest.mark.parametrize("adm", ADMISSIBILITIES)
@pytest.mark.parametrize("n_levels", [0, 1, 2, 4, 5])
def test_blocks_tile_the_matrix_exactly_once(adm, n_levels):
    c = 2**n_levels
    cover = np.zeros((c, c), dtype=int)
    for g in block_groups(n_levels, adm):
        scale = 2 ** (n_levels - g.level)
        for i in range(g.start, g.start + g.step * g.count, g.step):
            j = i + g.offset
            cover[i * scale : (i + 1) * scale, j * scale : (j + 1) * scale] += 1
    assert np.all(cover == 1)


def test_parameter_counts_match_the_spec():
    # structured-layers.md §1.2: n = 1024, leaf 32, k = 8
    assert HMatrix(1024, 1024, rank=8, leaf_size=32).n_params == 114_688
    standard = HMatrix(1024, 1024, rank=8, leaf_size=32, admissibility="standard")
    assert standard.n_params == 246_784
    # §1.3 table: 784 x 512, L = 4, k = 8
    assert HMatrix(784, 512, rank=8, n_levels=4).n_params == 66_560


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    H = HMatrix.from_dense(rng.standard_normal((40, 24)), rank=3, leaf_size=8)
    H32 = H.astype(np.float32)
    X = rng.standard_normal((5, 40)).astype(np.float32)
    D = rng.standard_normal((5, 24)).astype(np.float32)
    assert (X @ H32).dtype == np.float32
    assert H32.backward(D).dtype == np.float32
    assert H32.grad(X, D).dtype == np.float32
    np.testing.assert_allclose(X @ H32, X @ H.to_dense(), rtol=1e-4, atol=1e-4)


def test_padding_is_inert():
    rng = np.random.default_rng(1)
    H = HMatrix(37, 21, rank=2, n_levels=2)  # padded to 40 x 24
    H.data[:] = 1.0
    H._zero_padding()
    g = H.grad(rng.standard_normal((3, 37)), rng.standard_normal((3, 21)))
    assert np.all(g[H.data == 0] == 0)
    assert np.count_nonzero(H.data == 0) > 0


def test_factors_are_views_of_data():
    H = HMatrix(64, 64, rank=2, leaf_size=16)
    for views in H.factors:
        for v in views:
            assert np.shares_memory(v, H.data)
    H.data[:] = 1.0
    assert all(np.all(v == 1.0) for views in H.factors for v in views)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_in=0, n_out=4), ValueError, "n_in"),
        (dict(n_in=4, n_out=-1), ValueError, "n_out"),
        (dict(n_in=4.0, n_out=4), TypeError, "n_in"),
        (dict(n_in=8, n_out=8, rank=0), ValueError, "rank"),
        (dict(n_in=8, n_out=8, rank=True), TypeError, "rank"),
        (dict(n_in=8, n_out=8, leaf_size=0), ValueError, "leaf_size"),
        (dict(n_in=8, n_out=8, n_levels=4), ValueError, "n_levels"),
        (dict(n_in=8, n_out=8, n_levels=2, rank=[1, 2, 3]), ValueError, "rank"),
        (dict(n_in=8, n_out=8, admissibility="strong"), ValueError, "admissibility"),
        (dict(n_in=8, n_out=8, eta=0), ValueError, "eta"),
        (dict(n_in=8, n_out=8, data=np.zeros(3)), ValueError, "data"),
    ],
)
def test_bad_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        HMatrix(**kwargs)


def test_mismatched_shapes_raise():
    H = HMatrix(8, 6, rank=1, leaf_size=2)
    with pytest.raises(ValueError, match="expected"):
        np.ones((2, 6)) @ H
    with pytest.raises(ValueError, match="expected"):
        H @ np.ones((8, 2))
    with pytest.raises(ValueError, match="same number of rows"):
        H.grad(np.ones((2, 8)), np.ones((3, 6)))
    with pytest.raises(ValueError, match="2-D"):
        HMatrix.from_dense(np.ones(3))


def test_rank_above_block_size_warns_once_and_caps():
    with pytest.warns(UserWarning, match="rank exceeds the block size") as record:
        H = HMatrix(16, 16, rank=6, n_levels=2)
    assert len(record) == 1
    assert H.ranks == (6, 4)


@pytest.mark.parametrize("adm", ADMISSIBILITIES)
def test_products_split_over_threads_match_dense(adm, monkeypatch):
    from sparsenn.linalg import _threads
    from sparsenn.linalg.hmatrix import _kernels as _hmatrix_kernels

    _threads._controller()
    monkeypatch.setattr(_hmatrix_kernels, "PARALLEL_WORK", 0)  # always split
    rng = np.random.default_rng(2)
    H = HMatrix.from_dense(
        rng.standard_normal((50, 70)), rank=3, n_levels=2, admissibility=adm
    )
    W = H.to_dense()
    X, D = rng.standard_normal((200, 50)), rng.standard_normal((200, 70))
    monkeypatch.setitem(_threads._STATE, "workers", 1)
    g_single = H.grad(X, D)
    monkeypatch.setitem(_threads._STATE, "workers", 3)  # 3 row chunks of >= 64
    assert len(_threads.row_chunks(200)) == 3
    np.testing.assert_allclose(X @ H, X @ W, atol=1e-12)
    np.testing.assert_allclose(H.backward(D), D @ W.T, atol=1e-12)
    np.testing.assert_allclose(H.grad(X, D), g_single, atol=1e-10)
    g, dX = H.grad_and_backward(X, D)
    np.testing.assert_allclose(g, g_single, atol=1e-10)
    np.testing.assert_allclose(dX, D @ W.T, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(hmatrices(), st.sampled_from([np.float32, np.float64]))
def test_compiled_and_numpy_kernels_agree(case, dtype):
    """HODLR products by the compiled loops and by the numpy kernels agree."""
    from sparsenn.linalg.hmatrix import _kernels as kernels

    H, rng, n_samples = case
    H = H.astype(dtype)
    X = rng.standard_normal((n_samples, H.shape[0])).astype(dtype)
    D = rng.standard_normal((n_samples, H.shape[1])).astype(dtype)
    compiled = [H.forward(X), H.backward(D), H.grad(X, D), *H.grad_and_backward(X, D)]
    assert H._compiled(np.dtype(dtype)) == (
        H.admissibility == "weak" and kernels.loops.AVAILABLE
    )
    H._compiled = lambda dtype: False
    numpy = [H.forward(X), H.backward(D), H.grad(X, D), *H.grad_and_backward(X, D)]
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for got, want in zip(compiled, numpy, strict=True):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_mixed_dtypes_use_the_numpy_kernels():
    rng = np.random.default_rng(5)
    H = HMatrix.from_dense(rng.standard_normal((40, 24)), rank=3, n_levels=2)
    H32 = H.astype(np.float32)
    X = rng.standard_normal((7, 40))
    assert not H32._compiled(X.dtype)
    Y = H32.forward(X)  # float64 input, float32 factors: promoted to float64
    assert Y.dtype == np.float64
    np.testing.assert_allclose(Y, X @ H32.to_dense().astype(np.float64), atol=1e-5)
