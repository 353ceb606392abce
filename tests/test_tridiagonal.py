"""OffsetTridiagonal against dense numpy (hypothesis), worked examples, bad input."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.linalg import LinearOperator, aslinearoperator

from sparsenn.linalg import OffsetTridiagonal
from sparsenn.linalg.tridiagonal import _lstsq as _tri_lstsq
from sparsenn.linalg.tridiagonal import _tridiagonal

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
EPS = np.finfo(np.float64).eps


@pytest.fixture(params=["compiled", "lapack"])
def backend(request, monkeypatch):
    """Run a test with the numba k-chain kernels and with the LAPACK-only path."""
    if request.param == "lapack":
        monkeypatch.setattr(_tridiagonal, "NUMBA_AVAILABLE", False)
    return request.param


@st.composite
def matrices(draw, kind="normal", max_n=30, same_offsets=None):
    """Random offset-tridiagonal matrices.

    kind: "normal" (standard normal), "dominant" (strictly diagonally
    dominant), "integer" (entries in {-1, 0, 1}: often exactly singular),
    "zero_pivot" (normal with some zeroed diagonal entries).
    """
    n = draw(st.integers(2, max_n))
    p = draw(st.integers(1, n - 1))
    q = p if same_offsets else draw(st.integers(1, n - 1))
    if same_offsets is None and draw(st.booleans()):
        q = p
    density = draw(st.sampled_from([1.0, 0.7, 0.3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "integer":
        d = rng.integers(-1, 2, n).astype(float)
        sub = rng.integers(-1, 2, n - p).astype(float)
        sup = rng.integers(-1, 2, n - q).astype(float)
    else:
        d = rng.standard_normal(n)
        sub = rng.standard_normal(n - p) * (rng.random(n - p) < density)
        sup = rng.standard_normal(n - q) * (rng.random(n - q) < density)
    if kind == "dominant":
        row = np.zeros(n)
        row[p:] += np.abs(sub)
        row[: n - q] += np.abs(sup)
        d = np.sign(d + 0.5) * (row + 0.5 + np.abs(d))
    if kind == "zero_pivot":
        d[rng.random(n) < 0.4] = 0.0
    return OffsetTridiagonal(d, sub, sup, p=p, q=q)


def _cond(M):
    return np.linalg.cond(M) if np.all(np.isfinite(M)) else np.inf


# ------------------------------------------------------------------ structure
@SETTINGS
@given(matrices())
def test_dense_products_and_views(A):
    M = A.to_dense()
    n, p, q = A.n, A.p, A.q
    expect = np.diag(A.diag) + np.diag(A.sub, -p) + np.diag(A.sup, q)
    np.testing.assert_array_equal(M, expect)
    rng = np.random.default_rng(0)
    x, X = rng.standard_normal(n), rng.standard_normal((n, 3))
    np.testing.assert_allclose(A @ x, M @ x, atol=1e-12)
    np.testing.assert_allclose(A.matvec(X), M @ X, atol=1e-12)
    np.testing.assert_allclose(A.rmatvec(X), M.T @ X, atol=1e-12)
    np.testing.assert_allclose(X.T @ A, X.T @ M, atol=1e-12)
    np.testing.assert_array_equal(A.T.to_dense(), M.T)
    np.testing.assert_array_equal(A.tosparse().toarray(), M)
    op = A.aslinearoperator()
    assert isinstance(op, LinearOperator)
    np.testing.assert_allclose(op.rmatvec(x), M.T @ x, atol=1e-12)
    np.testing.assert_allclose(aslinearoperator(A) @ X, M @ X, atol=1e-12)
    B = OffsetTridiagonal.from_dense(M, p=p, q=q)
    np.testing.assert_array_equal(B.to_dense(), M)


def test_from_dense_infers_offsets_and_rejects_other_patterns():
    M = np.diag([1.0, 2, 3, 4, 5]) + np.diag([6.0, 7, 8], -2) + np.diag([9.0], 4)
    A = OffsetTridiagonal.from_dense(M)
    assert (A.p, A.q) == (2, 4)
    M[4, 3] = 1.0  # a second sub-diagonal
    with pytest.raises(ValueError, match="not offset-tridiagonal"):
        OffsetTridiagonal.from_dense(M)
    with pytest.raises(ValueError, match="offset 4"):
        OffsetTridiagonal.from_dense(np.diag([9.0], 4), q=3)


def test_float32_storage_and_matvec_dtype():
    A = OffsetTridiagonal(
        np.ones(5, np.float32), np.ones(3, np.float32), np.ones(4, np.float32), p=2, q=1
    )
    assert A.dtype == np.float32
    assert (A @ np.ones(5, np.float32)).dtype == np.float32
    assert A.solve(np.ones(5)).dtype == np.float64


# ---------------------------------------------------------- solve and inverse
@SETTINGS
@given(matrices(), st.booleans())
def test_solve_matches_numpy(backend, A, many):
    M = A.to_dense()
    kappa = _cond(M)
    if kappa > 1e10:
        return
    rng = np.random.default_rng(1)
    b = rng.standard_normal((A.n, 3) if many else A.n)
    x = A.solve(b)
    assert x.shape == b.shape
    ref = np.linalg.solve(M, b)
    tol = 1e3 * kappa * EPS * max(1.0, np.abs(ref).max())
    np.testing.assert_allclose(x, ref, atol=tol, rtol=0)
    np.testing.assert_allclose(A.solve(b), ref, atol=tol, rtol=0)  # cached factors


@SETTINGS
@given(matrices(kind="zero_pivot"))
def test_zero_pivots_are_pivoted_not_divided(backend, A):
    M = A.to_dense()
    b = np.arange(A.n, dtype=float)
    if np.any(~M.any(axis=0)) or np.any(~M.any(axis=1)):  # a zero row or column
        with pytest.raises(np.linalg.LinAlgError, match="lstsq"):
            A.solve(b)
        assert A.slogdet() == (0.0, -np.inf)
        return
    kappa = _cond(M)
    if kappa > 1e10:
        return
    ref = np.linalg.solve(M, b)
    tol = 1e3 * kappa * EPS * max(1.0, np.abs(ref).max())
    np.testing.assert_allclose(A.solve(b), ref, atol=tol, rtol=0)
    assert A.slogdet()[0] == np.linalg.slogdet(M)[0]


@SETTINGS
@given(matrices())
def test_inv_matches_numpy_and_block_pattern(backend, A):
    M = A.to_dense()
    kappa = _cond(M)
    if kappa > 1e10:
        return
    inv = A.inv()
    ref = np.linalg.inv(M)
    np.testing.assert_allclose(inv, ref, atol=1e3 * kappa * EPS * np.abs(ref).max())
    g = math.gcd(A.p, A.q)
    i, j = np.indices(inv.shape)
    assert np.all(inv[(i - j) % g != 0] == 0.0)


@SETTINGS
@given(matrices())
def test_slogdet_matches_numpy(backend, A):
    M = A.to_dense()
    sign, logdet = A.slogdet()
    ref_sign, ref_logdet = np.linalg.slogdet(M)
    if _cond(M) > 1e10:
        return
    assert sign == ref_sign
    assert abs(logdet - ref_logdet) <= 1e-9 * max(1.0, abs(ref_logdet))
    np.testing.assert_allclose(A.det(), np.linalg.det(M), rtol=1e-9, atol=1e-300)
    # the factorisation-based and the factor-free determinants agree
    A.inv()
    assert A.slogdet()[0] == sign
    assert abs(A.slogdet()[1] - logdet) <= 1e-9 * max(1.0, abs(logdet))


@SETTINGS
@given(matrices(kind="integer"))
def test_exact_singularity_is_detected(backend, A):
    M = A.to_dense()
    singular = np.linalg.matrix_rank(M) < A.n
    sign, logdet = A.slogdet()
    assert (sign == 0.0) == singular
    if singular:
        assert logdet == -np.inf
        with pytest.raises(np.linalg.LinAlgError, match="lstsq"):
            A.solve(np.ones(A.n))
        with pytest.raises(np.linalg.LinAlgError, match="pinv"):
            A.inv()
    else:
        assert sign == np.linalg.slogdet(M)[0]


# ------------------------------------------------------------ least squares
@SETTINGS
@given(matrices(kind="integer"))
def test_pinv_and_lstsq_match_numpy_on_singular_matrices(backend, A):
    M = A.to_dense()
    ref = np.linalg.pinv(M)
    np.testing.assert_allclose(A.pinv(), ref, atol=1e-9)
    b = np.random.default_rng(2).standard_normal((A.n, 2))
    # the minimum-norm least-squares solution is pinv(M) @ b; numpy's lstsq
    # uses another rcond than its pinv and, on rank-deficient integer matrices
    # such as n=26, p=25, q=17, returned entries of 1e13 (not a reference)
    np.testing.assert_allclose(A.lstsq(b), ref @ b, atol=1e-9)
    np.testing.assert_allclose(A.lstsq(b[:, 0]), ref @ b[:, 0], atol=1e-9)


@SETTINGS
@given(matrices(), st.sampled_from([1e-3, 0.5, 10.0]))
def test_ridge_lstsq_matches_closed_form(A, alpha):
    M = A.to_dense()
    b = np.random.default_rng(3).standard_normal((A.n, 2))
    ref = np.linalg.solve(M.T @ M + alpha * np.eye(A.n), M.T @ b)
    kappa = _cond(M.T @ M + alpha * np.eye(A.n))
    x = A.lstsq(b, alpha=alpha)
    np.testing.assert_allclose(
        x, ref, atol=1e3 * kappa * EPS * max(1, np.abs(ref).max())
    )


@settings(max_examples=15, deadline=None)
@given(matrices(kind="dominant"))
def test_lstsq_nonsingular_equals_solve(A):
    b = np.linspace(-1, 1, A.n)
    np.testing.assert_allclose(A.lstsq(b), np.linalg.solve(A.to_dense(), b), atol=1e-10)
    np.testing.assert_allclose(A.pinv(), np.linalg.inv(A.to_dense()), atol=1e-10)


def test_rcond_cuts_small_singular_values():
    A = OffsetTridiagonal([1.0, 1e-8, 1.0], [0.0], [0.0], p=2, q=2)
    M = A.to_dense()
    np.testing.assert_allclose(A.pinv(rcond=1e-6), np.linalg.pinv(M, rcond=1e-6))
    np.testing.assert_allclose(A.lstsq(np.ones(3), rcond=1e-6), [1.0, 0.0, 1.0])


def test_large_singular_component_uses_lsmr(monkeypatch):
    monkeypatch.setattr(_tri_lstsq, "MAX_DENSE_BLOCK", 4)
    rng = np.random.default_rng(4)
    n = 40
    d = 3.0 + rng.random(n)
    d[17] = 0.0
    sub = np.zeros(n - 1)  # upper bidiagonal with one zero pivot: rank n - 1
    sup = rng.standard_normal(n - 1)
    A = OffsetTridiagonal(d, sub, sup, p=1, q=1)
    M = A.to_dense()
    b = rng.standard_normal(n)
    np.testing.assert_allclose(A.lstsq(b), np.linalg.pinv(M) @ b, atol=1e-7)
    np.testing.assert_allclose(A.pinv(), np.linalg.pinv(M), atol=1e-9)


# --------------------------------------------------------- worked examples
def test_worked_examples_of_the_notes():
    A = OffsetTridiagonal(
        np.arange(1.0, 7), np.arange(7.0, 11), np.arange(11.0, 15), p=2, q=2
    )
    expect = np.array(
        [
            [1, 0, 11, 0, 0, 0],
            [0, 2, 0, 12, 0, 0],
            [7, 0, 3, 0, 13, 0],
            [0, 8, 0, 4, 0, 14],
            [0, 0, 9, 0, 5, 0],
            [0, 0, 0, 10, 0, 6],
        ]
    )
    np.testing.assert_array_equal(A.to_dense(), expect)
    np.testing.assert_allclose(A.det(), np.linalg.det(expect), rtol=1e-12)

    B = OffsetTridiagonal(
        np.arange(1.0, 8), [10.0, 20, 30, 40, 50], [100.0, 200, 300, 400], p=2, q=3
    )
    M = B.to_dense()
    assert M[2, 0] == 10 and M[6, 4] == 50 and M[0, 3] == 100 and M[3, 6] == 400
    np.testing.assert_allclose(B.inv(), np.linalg.inv(M), rtol=1e-10, atol=1e-14)

    # the singular pruned example: rank 5, det 0, pinv = numpy's
    C = OffsetTridiagonal(np.ones(6), [1.0, 0, 1, 0], [1.0, 0, 0, 0], p=2, q=2)
    Mc = C.to_dense()
    assert np.linalg.matrix_rank(Mc) == 5
    assert C.slogdet() == (0.0, -np.inf) and C.det() == 0.0
    y = np.arange(6.0)
    np.testing.assert_allclose(C.lstsq(y), np.linalg.pinv(Mc) @ y, atol=1e-12)
    np.testing.assert_allclose(C.pinv(), np.linalg.pinv(Mc), atol=1e-12)


def test_permutation_matrix_zero_pivot_has_det_minus_one(backend):
    A = OffsetTridiagonal([0.0, 0.0], [1.0], [1.0], p=1, q=1)
    assert A.slogdet() == (-1.0, 0.0)
    np.testing.assert_allclose(A.solve([1.0, 2.0]), [2.0, 1.0])
    A = OffsetTridiagonal(np.zeros(6), np.ones(3), np.ones(3), p=3, q=3)
    np.testing.assert_allclose(A.det(), np.linalg.det(A.to_dense()))


@pytest.mark.parametrize("p,q", [(2, 3), (3, 5), (2, 5), (4, 6)])
def test_small_n_determinant_is_product_of_diagonal(p, q):
    rng = np.random.default_rng(5)
    for extra, equal in [(0, True), (1, False)]:
        n = p + q - math.gcd(p, q) + extra
        d = rng.standard_normal(n)
        A = OffsetTridiagonal(
            d, rng.standard_normal(n - p), rng.standard_normal(n - q), p=p, q=q
        )
        assert np.isclose(A.det(), np.prod(d), rtol=1e-12) == equal
        np.testing.assert_allclose(A.det(), np.linalg.det(A.to_dense()), rtol=1e-10)


@pytest.mark.parametrize("p,q", [(1, 1), (3, 3), (2, 5)])
def test_slogdet_does_not_overflow_at_one_million(backend, p, q):
    n = 10**6
    rng = np.random.default_rng(6)
    d = 2.0 + rng.random(n)
    A = OffsetTridiagonal(d, rng.random(n - p), np.zeros(n - q), p=p, q=q)
    sign, logdet = A.slogdet()  # lower triangular: det = prod(d), ~10^400000
    assert sign == 1.0
    np.testing.assert_allclose(logdet, np.sum(np.log(d)), rtol=1e-12)
    A = OffsetTridiagonal(-d, rng.random(n - p), rng.random(n - q), p=p, q=q)
    sign, logdet = A.slogdet()
    assert sign in (-1.0, 1.0) and np.isfinite(logdet)


def test_components_match_gcd():
    for p, q, g in [(2, 4, 2), (3, 6, 3), (4, 6, 2), (2, 3, 1), (3, 3, 3)]:
        A = OffsetTridiagonal(np.ones(20), np.ones(20 - p), np.ones(20 - q), p=p, q=q)
        ncomp, _ = _tri_lstsq._components(A)
        assert ncomp == g
        assert sp.csgraph.connected_components(A.tosparse(), directed=False)[0] == g


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "args,kwargs,error,match",
    [
        (([1.0, 2, 3], [1.0], [1.0, 2]), dict(p=1, q=1), ValueError, "sub has len"),
        (([1.0, 2, 3], [1.0, 2], [1.0]), dict(p=1, q=1), ValueError, "sup has len"),
        (([1.0, 2, 3], [1.0, 2], [1.0, 2]), dict(p=0, q=1), ValueError, "p=0"),
        (([1.0, 2, 3], [], [1.0, 2]), dict(p=3, q=1), ValueError, "p=3"),
        (([1.0, 2, 3], [1.0, 2], [1.0]), dict(p=1, q=5), ValueError, "q=5"),
        (([1.0, 2, 3], [1.0, 2], [1.0, 2]), dict(p=1.5, q=1), TypeError, "p must be"),
        (([1.0, np.nan, 3], [1.0, 2], [1.0, 2]), dict(p=1, q=1), ValueError, "diag"),
        (([1.0, 2, 3], [np.inf, 2], [1.0, 2]), dict(p=1, q=1), ValueError, "sub"),
        (([1.0], [], []), dict(p=1, q=1), ValueError, "n >= 2"),
        (([[1.0, 2]], [1.0], [1.0]), dict(p=1, q=1), ValueError, "1-D"),
        ((["a", "b"], [1.0], [1.0]), dict(p=1, q=1), TypeError, "numeric"),
    ],
)
def test_bad_construction(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        OffsetTridiagonal(*args, **kwargs)


def test_bad_right_hand_sides_and_parameters():
    A = OffsetTridiagonal([2.0, 2, 2], [1.0, 1], [1.0, 1], p=1, q=1)
    with pytest.raises(ValueError, match=r"b must have shape \(3,\)"):
        A.solve(np.ones(4))
    with pytest.raises(ValueError, match="NaN"):
        A.lstsq([1.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="alpha"):
        A.lstsq(np.ones(3), alpha=-1.0)
    with pytest.raises(ValueError, match="square"):
        OffsetTridiagonal.from_dense(np.ones((2, 3)))
