"""HashedWeights and CirculantWeights against plain-loop dense references."""

import pickle
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenn.layers import CirculantWeights, HashedWeights, _hashed
from sparsenn.linalg import _hashing, _window_hash

MASK = (1 << 64) - 1
WORD = (1 << 32) - 1


def _splitmix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _mix(x):  # murmur3's 32-bit finaliser
    x = ((x ^ (x >> 16)) * 0x85EBCA6B) & WORD
    x = ((x ^ (x >> 13)) * 0xC2B2AE35) & WORD
    return x ^ (x >> 16)


def _salt_words(seed):
    gamma = 0x9E3779B97F4A7C15
    salt = _splitmix((seed * gamma + gamma) & MASK)
    return salt & WORD, salt >> 32


def _py_uniform(i, j, seed, n_buckets):
    """The documented uniform hash in Python integers, one entry at a time."""
    a, b = _salt_words(seed)
    z = _mix(((_mix(i ^ a) + j * 0x9E3779B1) & WORD) ^ b)
    return (z * n_buckets) >> 32, -1 if z & 1 else 1


def _py_window(i, j, seed, n_buckets):
    """The documented window hash in Python integers, one entry at a time."""
    a, b = _salt_words(seed)
    s, p = divmod(j, 256)
    z = _mix(((_mix(i ^ a) + s * 0x9E3779B1) & WORD) ^ b)
    start = (z * n_buckets) >> 32
    tau = -1 if _mix(((p * 0x9E3779B1) & WORD) ^ b ^ 0x68E31DA4) >> 31 else 1
    return (start + p) % n_buckets, (-1 if z & 1 else 1) * tau


PY_HASH = {"uniform": _py_uniform, "window": _py_window}


def _py_hash(i, j, seed, n_buckets, hashing="uniform"):
    return PY_HASH[hashing](i, j, seed, n_buckets)


def _hashed_reference(W):
    n_in, n_out = W.shape
    dense = np.empty(W.shape)
    for i in range(n_in):
        for j in range(n_out):
            k, s = _py_hash(i, j, W.seed, W.n_weights, W.hashing)
            dense[i, j] = s * W.w[k]
    return dense


def _circulant_reference(W):
    n_in, n_out = W.shape
    p = W.block_size
    dense = np.empty(W.shape)
    for i in range(n_in):
        for j in range(n_out):
            dense[i, j] = W.signs_[i] * W.c[i // p, j // p, (j % p - i % p) % p]
    return dense


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 16 entries: many blocks, split between the workers."""
    monkeypatch.setattr(_hashed, "BLOCK_ENTRIES", 16)


# ------------------------------------------------------------------ hashed
def _check_against_reference(W, n_samples, block):
    n_in, n_out = W.shape
    dense = _hashed_reference(W)
    np.testing.assert_array_equal(W.to_dense(), dense)
    rng = np.random.default_rng(W.seed % 1000)
    X = rng.standard_normal((n_samples, n_in))
    D = rng.standard_normal((n_samples, n_out))
    old = _hashed.BLOCK_ENTRIES
    try:
        _hashed.BLOCK_ENTRIES = block
        np.testing.assert_allclose(W.forward(X), X @ dense, atol=1e-12)
        np.testing.assert_allclose(W.backward(D), D @ dense.T, atol=1e-12)
        G = X.T @ D
        expected = np.zeros(W.n_weights)
        for i in range(n_in):
            for j in range(n_out):
                k, s = _py_hash(i, j, W.seed, W.n_weights, W.hashing)
                expected[k] += s * G[i, j]
        np.testing.assert_allclose(W.grad(X, D), expected, atol=1e-12)
        g, back = W.grad_and_backward(X, D)
        np.testing.assert_allclose(g, expected, atol=1e-12)
        np.testing.assert_allclose(back, D @ dense.T, atol=1e-12)
    finally:
        _hashed.BLOCK_ENTRIES = old


@settings(max_examples=30, deadline=None)
@given(
    n_in=st.integers(1, 17),
    n_out=st.integers(1, 17),
    n_samples=st.integers(1, 5),
    fraction=st.floats(0.05, 1.0),
    seed=st.integers(0, 2**64 - 1),
    kernel=st.sampled_from(["numba", "numpy"]),
    block=st.sampled_from([4, 16, 1 << 18]),
    hashing=st.sampled_from(["window", "uniform"]),
)
def test_hashed_matches_the_loop_reference(
    n_in, n_out, n_samples, fraction, seed, kernel, block, hashing
):
    n_weights = max(1, int(fraction * n_in * n_out))
    W = HashedWeights(
        n_in,
        n_out,
        n_weights=n_weights,
        random_state=1,
        seed=seed,
        kernel=kernel,
        hashing=hashing,
    )
    _check_against_reference(W, n_samples, block)


@settings(max_examples=20, deadline=None)
@given(
    n_in=st.integers(2, 3),
    n_out=st.integers(200, 700),
    n_weights=st.sampled_from([1, 7, 255, 256, 257, 300, 399]),
    seed=st.integers(0, 2**64 - 1),
    kernel=st.sampled_from(["numba", "numpy"]),
    block=st.sampled_from([100, 333, 1 << 18]),
)
def test_window_runs_cross_segments_and_wrap_at_k(
    n_in, n_out, n_weights, seed, kernel, block
):
    # rows longer than one 256-column segment, blocks that start inside a
    # segment, and K below, at and above the window (runs that wrap at K)
    W = HashedWeights(
        n_in, n_out, n_weights=n_weights, random_state=1, seed=seed, kernel=kernel
    )
    assert W.hashing == "window"
    _check_against_reference(W, 2, block)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("K", [1, 7, 255, 256, 300, 5000, 131072])
def test_window_numba_and_numpy_agree_bit_for_bit(dtype, K):
    rng = np.random.default_rng(K)
    salt = _hashing.salt_of(K)
    w = rng.standard_normal(K).astype(dtype)
    tau = _window_hash.sign_table(salt, dtype)
    shape, i0, j0 = (5, 601), 3, 250
    a = _window_hash.fill(w, tau, salt, i0, j0, np.empty(shape, dtype))
    b = _window_hash.fill(w, tau, salt, i0, j0, np.empty(shape, dtype), use_numba=False)
    np.testing.assert_array_equal(a, b)
    G = rng.standard_normal(shape).astype(dtype)
    acc_a, acc_b = np.zeros(K, dtype), np.zeros(K, dtype)
    _window_hash.scatter(G, tau, salt, i0, j0, acc_a)
    _window_hash.scatter(G, tau, salt, i0, j0, acc_b, use_numba=False)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(acc_a, acc_b, rtol=tol, atol=tol)


def test_numba_and_numpy_fill_agree_bit_for_bit():
    w = np.random.default_rng(0).standard_normal(97)
    salt = _hashing.salt_of(12345)
    a = _hashing.fill_block(w, salt, 3, 7, np.empty((13, 11)))
    b = _hashing.fill_block(w, salt, 3, 7, np.empty((13, 11)), use_numba=False)
    np.testing.assert_array_equal(a, b)
    at = _hashing.fill_block_t(w, salt, 3, 7, np.empty((11, 13)))
    bt = _hashing.fill_block_t(w, salt, 3, 7, np.empty((11, 13)), use_numba=False)
    np.testing.assert_array_equal(at, a.T)
    np.testing.assert_array_equal(bt, a.T)


HASH_OF = {
    "uniform": _hashing.bucket_and_sign,
    "window": _window_hash.window_bucket_and_sign,
}


@pytest.mark.parametrize("hashing", ["uniform", "window"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_many_blocks(small_blocks, dtype, hashing):
    # uniform: blocks split between worker threads; window: blocks in turn
    W = HashedWeights(
        40, 30, compression=0.3, random_state=0, seed=9, dtype=dtype, hashing=hashing
    )
    assert len(sum(W._groups(axis=1), [])) > 2 and len(W._steps(axis=0)) > 2
    rng = np.random.default_rng(1)
    X = rng.standard_normal((70, 40)).astype(dtype)
    D = rng.standard_normal((70, 30)).astype(dtype)
    dense = W.to_dense().astype(np.float64)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(atol=1e-12)
    np.testing.assert_allclose(W.forward(X), X @ dense, **tol)
    np.testing.assert_allclose(W.backward(D), D @ dense.T, **tol)
    grad = W.grad(X, D)
    assert grad.dtype == dtype
    G = X.astype(np.float64).T @ D
    b, s = HASH_OF[hashing](
        np.arange(40)[:, None], np.arange(30)[None, :], W._salt, W.n_weights
    )
    expected = np.bincount(b.ravel(), (G * s).ravel(), minlength=W.n_weights)
    np.testing.assert_allclose(grad, expected, **tol)


@pytest.mark.parametrize("n_out", [200, 600])
@pytest.mark.parametrize("hashing", ["uniform", "window"])
def test_buckets_are_used_evenly_and_signs_balanced(hashing, n_out):
    n_in, K = 300, n_out * 5 // 2
    b, s = HASH_OF[hashing](
        np.arange(n_in)[:, None],
        np.arange(n_out)[None, :],
        _hashing.salt_of(0),
        K,
    )
    counts = np.bincount(b.ravel(), minlength=K)
    mean = n_in * n_out / K  # 120 per bucket; a Poisson spread is ~11
    assert counts.min() > mean - 6 * np.sqrt(mean)
    assert counts.max() < mean + 6 * np.sqrt(mean)
    assert abs(s.mean()) < 0.02
    # signs independent of buckets: every bucket sees both signs
    plus = np.bincount(b.ravel(), weights=(s.ravel() > 0), minlength=K)
    assert (plus > 0).all() and (plus < counts).all()


def test_seeds_change_the_layout_and_the_layout_is_deterministic():
    a = HashedWeights(20, 20, n_weights=50, random_state=0, seed=1)
    b = HashedWeights(20, 20, n_weights=50, random_state=0, seed=2)
    c = HashedWeights(20, 20, n_weights=50, random_state=0, seed=1)
    assert not np.array_equal(a.to_dense(), b.to_dense())
    np.testing.assert_array_equal(a.to_dense(), c.to_dense())


def test_pickle_stores_the_real_weights_only():
    W = HashedWeights(500, 400, compression=1 / 64, random_state=0, seed=5)
    blob = pickle.dumps(W)
    assert len(blob) < 8 * W.n_weights + 4096  # no index arrays, no dense matrix
    W2 = pickle.loads(blob)
    X = np.random.default_rng(0).standard_normal((3, 500))
    np.testing.assert_array_equal(W2.forward(X), W.forward(X))
    W2.params += 1.0
    assert not np.allclose(W2.forward(X), W.forward(X))


# window hash: one block (2 MiB) and one bucket accumulator (K = n*n/8
# values, 4 MiB); the uniform hash's workers hold one of each per worker,
# ~17 MiB on two workers: about half the 32 MiB dense matrix
@pytest.mark.parametrize("hashing, bound", [("window", 0.3), ("uniform", 0.6)])
def test_products_never_hold_the_dense_matrix(hashing, bound):
    n = 2048  # the dense float64 matrix would take 32 MiB
    W = HashedWeights(n, n, compression=1 / 8, random_state=0, seed=1, hashing=hashing)
    X = np.ones((2, n))
    small = HashedWeights(300, 300, random_state=0, hashing=hashing)
    small.grad_and_backward(X[:, :300], X[:, :300])  # compile outside the trace
    small.forward(X[:, :300])
    tracemalloc.start()
    try:
        W.forward(X)
        W.backward(X)
        W.grad(X, X)
        W.grad_and_backward(X, X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < bound * 8 * n * n, peak


def test_compression_and_counts():
    W = HashedWeights(64, 32, random_state=0)
    assert W.n_weights == 64 * 32 // 8 and W.compression == 1 / 8
    assert W.n_params == W.n_weights and W.n_mults == 64 * 32
    assert HashedWeights(10, 10, compression=0.333).n_weights == 33
    assert HashedWeights(10, 10, compression=0.01).n_weights == 1
    assert "n_weights=33" in repr(HashedWeights(10, 10, compression=0.333))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(compression=0.005), ValueError, "compression=0.005 leaves fewer than"),
        (dict(compression=0.0), ValueError, "compression"),
        (dict(compression=1.5), ValueError, "compression=1.5 must be <= 1"),
        (dict(compression="1/8"), TypeError, "compression must be a real"),
        (dict(n_weights=0), ValueError, "n_weights=0 must be >= 1"),
        (dict(n_weights=101), ValueError, "n_weights=101 must be <= 100"),
        (dict(n_weights=5, compression=0.5), ValueError, "not both"),
        (dict(seed=-1), ValueError, "seed=-1 must be >= 0"),
        (dict(kernel="cuda"), ValueError, "kernel must be one of"),
        (dict(dtype=np.int32), TypeError, "dtype must be a floating"),
        (dict(init_var=-1.0), ValueError, "init_var"),
    ],
)
def test_hashed_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        HashedWeights(10, 10, **kwargs)


def test_hashed_bad_sizes_and_shapes():
    with pytest.raises(ValueError, match="n_in=0 must be >= 1"):
        HashedWeights(0, 3)
    W = HashedWeights(4, 3, random_state=0)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 4\)"):
        W.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="n_out=4294967297 must be <= 4294967296"):
        HashedWeights(1, 2**32 + 1, n_weights=1)


def test_indices_near_the_32_bit_limit_hash_like_the_reference():
    w = np.random.default_rng(0).standard_normal(1000)
    salt = _hashing.salt_of(3)
    i0, j0 = 2**32 - 5, 2**32 - 4
    block = _hashing.fill_block(w, salt, i0, j0, np.empty((5, 4)))
    for r in range(5):
        for c in range(4):
            k, sign = _py_hash(i0 + r, j0 + c, 3, 1000)
            assert block[r, c] == sign * w[k]
    tau = _window_hash.sign_table(salt)
    for kernel in (True, False):
        out = np.empty((5, 300))
        block = _window_hash.fill(w, tau, salt, i0, j0 - 296, out, use_numba=kernel)
        for r in range(5):
            for c in range(300):
                k, sign = _py_window(i0 + r, j0 - 296 + c, 3, 1000)
                assert block[r, c] == sign * w[k]


def test_window_is_the_default_and_a_pickle_without_hashing_loads_as_uniform():
    W = HashedWeights(30, 20, random_state=0, seed=4, hashing="uniform")
    assert HashedWeights(30, 20, random_state=0).hashing == "window"
    state = dict(W.__dict__)
    del state["hashing"]  # pickled before the window hash existed
    old = HashedWeights.__new__(HashedWeights)
    old.__setstate__(state)
    assert old.hashing == "uniform"
    np.testing.assert_array_equal(old.to_dense(), W.to_dense())
    X = np.random.default_rng(0).standard_normal((3, 30))
    np.testing.assert_array_equal(old.forward(X), W.forward(X))
    assert "hashing='uniform'" in repr(old)


@pytest.mark.parametrize("bad", ["Window", "random", None, 1])
def test_a_bad_hashing_is_refused_naming_it(bad):
    with pytest.raises(
        ValueError, match=r"hashing must be one of \('window', 'uniform'\)"
    ):
        HashedWeights(4, 3, hashing=bad)


def test_a_pickle_of_the_earlier_64_bit_hash_is_refused():
    W = HashedWeights(6, 5, random_state=0, seed=2)
    state = dict(W.__dict__, _salt=12345)  # the earlier versions stored an int
    restored = HashedWeights.__new__(HashedWeights)
    with pytest.raises(ValueError, match="earlier development version"):
        restored.__setstate__(state)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(W)).to_dense(), W.to_dense()
    )


# --------------------------------------------------------------- circulant
@settings(max_examples=30, deadline=None)
@given(
    p=st.integers(1, 9),
    r=st.integers(1, 3),
    q=st.integers(1, 3),
    n_samples=st.integers(1, 4),
    signs=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_circulant_matches_the_loop_reference(p, r, q, n_samples, signs, seed):
    W = CirculantWeights(r * p, q * p, block_size=p, signs=signs, random_state=seed)
    dense = _circulant_reference(W)
    np.testing.assert_allclose(W.to_dense(), dense, atol=1e-15)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, r * p))
    D = rng.standard_normal((n_samples, q * p))
    np.testing.assert_allclose(W.forward(X), X @ dense, atol=1e-12)
    np.testing.assert_allclose(W.backward(D), D @ dense.T, atol=1e-12)
    # grad by linearity: the coefficient of each parameter in sum(D * X @ W)
    expected = np.empty(W.n_params)
    saved = W.params.copy()
    for k in range(W.n_params):
        W.params[:] = 0.0
        W.params[k] = 1.0
        expected[k] = np.sum(D * (X @ _circulant_reference(W)))
    W.params[:] = saved
    np.testing.assert_allclose(W.grad(X, D), expected, atol=1e-10)


def test_circulant_default_block_is_the_gcd():
    assert CirculantWeights(16, 16, random_state=0).block_size == 16
    assert CirculantWeights(16, 48, random_state=0).n_params == 48
    W = CirculantWeights(784, 1024, random_state=0)
    assert W.block_size == 16 and W.n_params == 784 * 1024 // 16
    assert CirculantWeights(1, 1).block_size == 1


def test_circulant_is_fast_for_large_square_junctions():
    W = CirculantWeights(1024, 1024, random_state=0)
    assert W.n_params == 1024 and W.n_mults < 1024 * 1024 // 10


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((7, 10), {}, ValueError, "cannot serve a 7x10 junction"),
        ((12, 8), dict(block_size=3), ValueError, "block_size=3 must divide both"),
        ((12, 8), dict(block_size=0), ValueError, "block_size=0 must be >= 1"),
        ((12, 8), dict(block_size=2.0), TypeError, "block_size must be an integer"),
        ((0, 8), {}, ValueError, "n_in=0 must be >= 1"),
        ((8, 8), dict(dtype=int), TypeError, "dtype must be a floating"),
    ],
)
def test_circulant_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        CirculantWeights(*args, **kwargs)


def test_circulant_keeps_float32_and_pickles():
    W = CirculantWeights(8, 16, random_state=0, dtype=np.float32)
    X = np.ones((2, 8), dtype=np.float32)
    assert W.forward(X).dtype == np.float32 and W.signs_.dtype == np.float32
    W2 = pickle.loads(pickle.dumps(W))
    W2.params += 1.0
    np.testing.assert_allclose(W2.forward(X), X @ W2.to_dense(), rtol=1e-5)
