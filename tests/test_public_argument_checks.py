"""Bad arguments to the public helpers: named errors, no hangs, no giant allocations.

Covers the connectivity builders and helpers, the weight types and
``make_weights``, ``HMatrix``/``OffsetTridiagonal`` and the Morse helpers: a
bad value is a TypeError/ValueError naming the parameter and its value, and an
impossible size fails at once with a memory estimate (never numpy's
MemoryError, never minutes of looping).
"""

import contextlib
import math
import signal

import numpy as np
import pytest

import sparsenn.connectivity as cn
import sparsenn.datasets as ds
import sparsenn.layers as ly
import sparsenn.linalg as la
from sparsenn import _memory

BIG = 10**12


@contextlib.contextmanager
def _deadline(seconds):
    """Turn a Python-level loop that runs past ``seconds`` into a failure."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(*_):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def one_gib(monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: 2**30)


def _pattern():
    return cn.structured(20, 10, n_edges=40, random_state=0)


# ------------------------------------------------------------- huge n_levels


@pytest.mark.parametrize("build", [la.HMatrix, ly.HMatrixWeights])
def test_a_huge_n_levels_fails_fast_without_computing_the_power(build):
    # the old check formatted 2**n_levels (a 10**7-bit integer) into the message
    msg = r"n_levels=10000000 gives 2\*\*n_levels clusters, .*=64; .* <= 6"
    with _deadline(10), pytest.raises(ValueError, match=msg):
        build(64, 64, rank=2, leaf_size=16, n_levels=10**7)


def test_n_levels_bound_is_the_bit_length_of_the_smaller_side():
    assert la.HMatrix(64, 80, rank=1, n_levels=6).n_levels == 6
    with pytest.raises(ValueError, match=r"2\*\*n_levels=128 clusters.*<= 6\."):
        la.HMatrix(64, 80, rank=1, n_levels=7)
    with pytest.raises(ValueError, match="n_levels=-1 must be >= 0"):
        la.HMatrix(64, 80, rank=1, n_levels=-1)


# ------------------------------------------------- sizes that cannot fit


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: cn.structured(BIG, 10, n_edges=40), r"^n_in=1000000000000 \(a "),
        (
            lambda: cn.structured(BIG, 10, out_degree=2),
            r"^n_in=1000000000000 with out_degree=2 \(",
        ),
        (lambda: cn.random(BIG, 10, 40), r"^n_in=1000000000000 \("),
        (lambda: cn.clash_free(BIG, 10, 2, z=4), r"^n_in=1000000000000 with out"),
        (lambda: cn.circulant(BIG, 10, out_degree=2), r"^n_in=1000000000000 with"),
        (
            lambda: cn.connection_pattern("structured", BIG, 10, 0.2),
            r"^density=0.2 on the junction 1000000000000->10 ",
        ),
        (lambda: cn.windows_1d(BIG, 4), r"^n=1000000000000 \(250000000000 windows"),
        (
            lambda: cn.feasible_out_degrees(20, BIG, connectivity="random"),
            r"^n_out=1000000000000 \(1000000000000 feasible out-degrees\)",
        ),
        (
            lambda: cn.feasible_parallelisms(BIG, 10, 40),
            r"^n_in=1000000000000 \(a list of 1000000000000 feasible",
        ),
        (
            lambda: ly.make_weights("dense", BIG, 10),
            r"^DenseWeights\(n_in=1000000000000, n_out=10\) from make_weights\('dense",
        ),
        (
            lambda: ly.make_weights("hmatrix", BIG, BIG, rank=2),
            r"^HMatrixWeights\(n_in=1000000000000, n_out=1000000000000\) from",
        ),
    ],
)
def test_impossible_sizes_fail_fast_with_an_estimate(one_gib, build, match):
    with _deadline(20), pytest.raises(ValueError, match=match) as info:
        build()
    assert "needs about" in str(info.value) and "1.0 GiB" in str(info.value)


def test_make_weights_leaves_an_unusable_option_to_the_weight_type(one_gib):
    # the estimate cannot use rank="x": the type names the option, not memory
    with pytest.raises(TypeError, match="rank must be an integer"):
        ly.make_weights("lowrank", 10**6, 10**6, rank="x")


def test_size_helpers_answer_huge_junctions_without_arrays():
    with _deadline(20):
        # random() keeps nothing of size n_out: the check must not refuse it
        p = cn.random(20, BIG, 40, random_state=0)
        assert p.shape == (20, BIG) and p.nnz == 40
        step = BIG // math.gcd(20, BIG)
        degrees = cn.feasible_out_degrees(20, BIG)
        assert degrees.tolist() == [step * m for m in range(1, 21)]
        (problem,) = cn.junction_problems(20, BIG, 2)
        assert f"near 2 are {step}" in problem
        with pytest.raises(ValueError, match="n_out=1000000000000"):
            cn.check_junction(20, BIG, 2)
        with pytest.raises(ValueError, match="n_out=1000000000000"):
            cn.default_parallelism(20, BIG, 2)
        assert cn.default_window_size(BIG, 0.2) == 5
        assert cn.default_parallelism(BIG, in_degrees=[3]) == 4


# -------------------------------- O(sqrt n) enumerations match the old loops


def _old_feasible_out_degrees(n_in, n_out, connectivity, z, kind):
    d = np.arange(1, n_out + 1, dtype=np.int64)
    if connectivity == "random":
        return d
    ok = (n_in * d) % n_out == 0
    if connectivity == "clash_free":
        if z is not None and n_in % z != 0:
            ok[:] = False
        if kind in (1, 2):
            d_in = np.where(ok, n_in * d // n_out, 1)
            ok &= n_in % d_in == 0
    return d[ok]


def _old_near(values, target):
    below = values[values < target]
    above = values[values > target]
    near = ([below[-1]] if below.size else []) + ([above[0]] if above.size else [])
    return ", ".join(str(int(v)) for v in near) or "none"


def test_divisors_are_every_divisor_ascending():
    from sparsenn.connectivity._utils import divisors

    for n in range(1, 400):
        assert divisors(n) == [k for k in range(1, n + 1) if n % k == 0], n


@pytest.mark.parametrize("n", [1, 2, 7, 12, 36, 60, 64, 97, 120, 784])
def test_default_window_size_matches_the_linear_search(n):
    for density in (1.0, 0.5, 0.3, 0.2, 1 / 8, 0.1, 0.05, 0.01, 1e-6):
        target = 1.0 / density + 1e-9
        old = max(k for k in range(1, n + 1) if n % k == 0 and k <= target)
        assert cn.default_window_size(n, density) == old


@pytest.mark.parametrize("n_in", [1, 2, 5, 6, 12, 17, 24])
def test_feasible_parallelisms_match_the_geometry_search(n_in):
    from sparsenn.connectivity._padded import _geometries

    for n_out in (1, 3, 4, 10):
        for n_edges in {1, n_out, n_in * n_out, 2 * n_in * n_out}:
            old = [
                z
                for z in range(1, n_in + 1)
                if next(_geometries(n_in, n_out, n_edges, z), None) is not None
            ]
            assert cn.feasible_parallelisms(n_in, n_out, n_edges) == old


@pytest.mark.parametrize("n_in", [1, 4, 6, 12, 30, 36])
@pytest.mark.parametrize("n_out", [1, 4, 8, 9, 12, 18])
def test_degree_helpers_match_the_linear_searches(n_in, n_out):
    for connectivity in cn.CONNECTIVITIES:
        for z in (None, 1, 2, 3, 4):
            for kind in (1, 2, 3):
                new = cn.feasible_out_degrees(
                    n_in, n_out, connectivity=connectivity, z=z, kind=kind
                )
                old = _old_feasible_out_degrees(n_in, n_out, connectivity, z, kind)
                assert new.dtype == np.int64 and new.tolist() == old.tolist()
    structured = _old_feasible_out_degrees(n_in, n_out, "structured", None, 2)
    for d in range(1, n_out + 1):
        problems = cn.junction_problems(n_in, n_out, d)
        if (n_in * d) % n_out:
            assert problems[0].endswith(_old_near(structured, d))
        for z in (5, 7):
            probs = cn.junction_problems(n_in, n_out, d, connectivity="clash_free", z=z)
            if n_in % z:
                divs = np.array([k for k in range(1, n_in + 1) if n_in % k == 0])
                assert any(p.endswith(_old_near(divs, z)) for p in probs)
    for need in range(1, n_in + 1):
        old = next(k for k in range(need, n_in + 1) if n_in % k == 0)
        assert cn.default_parallelism(n_in, in_degrees=[need]) == old


# ---------------------------------------------- named errors for bad values


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: cn.right_neuron_order(5), TypeError, "pattern must be a scipy"),
        (lambda: cn.right_neuron_order([[1]]), TypeError, "got list"),
        (lambda: cn.right_neuron_order(None), TypeError, "got NoneType"),
        (lambda: cn.right_neuron_order(_pattern(), z=0), ValueError, "^z=0 must"),
        (lambda: cn.right_neuron_order(_pattern(), z=3), ValueError, "^z=3 must div"),
        (lambda: ly.SparseWeights(_pattern(), order=5), TypeError, "order must be"),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, length_scale=0),
            ValueError,
            "length_scale=0 must be >= 1e-150",
        ),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, length_scale=1e-300),
            ValueError,
            "length_scale=1e-300",
        ),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, length_scale=np.nan),
            ValueError,
            "length_scale=nan must be finite",
        ),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, length_scale=1e300),
            ValueError,
            r"length_scale=1e\+300 must be <= 1e\+150",
        ),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, length_scale=-1),
            ValueError,
            "length_scale=-1",
        ),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, length_scale=np.inf),
            ValueError,
            "length_scale=inf",
        ),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, image_shape=(4, np.inf)),
            TypeError,
            "image_shape must be an integer, got inf",
        ),
        (
            lambda: ly.FixedDictionaryWeights(20, 10, 4, image_shape=20),
            TypeError,
            "image_shape=20 must be a tuple of ints",
        ),
        (lambda: cn.default_window_size(20, 0), ValueError, "density=0 must lie"),
        (lambda: cn.default_window_size(20, -3), ValueError, "density=-3 must lie"),
        (lambda: cn.default_window_size(20, 2.5), ValueError, "density=2.5 must"),
        (lambda: cn.default_window_size(20, np.nan), ValueError, "density=nan"),
        (lambda: cn.default_window_size(0, 0.5), ValueError, "n=0 must be >= 1"),
        (lambda: cn.feasible_parallelisms(20, 10, 0), ValueError, "n_edges=0 must"),
        (lambda: cn.feasible_parallelisms(-3, 10, 40), ValueError, "n_in=-3 must"),
        (lambda: cn.feasible_parallelisms(20, 10, -3), ValueError, "n_edges=-3"),
        (lambda: cn.feasible_parallelisms(20, 10, np.nan), TypeError, "n_edges"),
        (lambda: cn.minimum_edges(-3, 10), ValueError, "n_in=-3 must be >= 1"),
        (lambda: cn.minimum_edges("x", 10), TypeError, "n_in must be an integer"),
        (lambda: cn.minimum_edges(20, np.inf), TypeError, "n_out must be an int"),
        (
            lambda: cn.default_parallelism(20, 10, 2, in_degrees=np.inf),
            ValueError,
            "in_degrees=inf must be a non-negative integer",
        ),
        (
            lambda: cn.default_parallelism(20, 10, 2, in_degrees=-3),
            ValueError,
            "in_degrees=-3 must be a non-negative integer",
        ),
        (
            lambda: cn.default_parallelism(20, in_degrees=[2, 1.5]),
            ValueError,
            r"in_degrees\[1\]=1.5 must be",
        ),
        (
            lambda: cn.default_parallelism(20, in_degrees="x"),
            TypeError,
            "in_degrees='x' must be an array",
        ),
        (lambda: ds.frame_lengths(dot_length="x"), TypeError, "dot_length='x'"),
        (
            lambda: ds.frame_lengths(dot_length=np.array([])),
            TypeError,
            "dot_length=array",
        ),
        (
            lambda: ds.frame_lengths(dash_length=np.float64(4)),
            TypeError,
            "dash_length=",
        ),
        (lambda: ds.frame_lengths(space_length=5), TypeError, "space_length=5 must"),
        (
            lambda: ds.frame_lengths(dot_length=(0, 3)),
            ValueError,
            r"dot_length\[0\]=0",
        ),
        (
            lambda: cn.random(20, 10, 40, cover_outputs="no"),
            TypeError,
            "cover_outputs='no' must be a bool",
        ),
        (
            lambda: cn.random(20, 10, 40, cover_outputs=np.array([])),
            TypeError,
            "cover_outputs=array",
        ),
        (
            lambda: cn.clash_free(20, 10, 2, z=4, return_order="x"),
            TypeError,
            "return_order='x' must be a bool",
        ),
        (
            lambda: cn.clash_free(20, 10, 2, z=4, kind=np.array([])),
            ValueError,
            "kind=array",
        ),
        (lambda: ds.make_morse(2, shuffle="x"), TypeError, "shuffle='x' must be"),
        (
            lambda: ly.CirculantWeights(20, 10, signs="x"),
            TypeError,
            "signs='x' must be a bool",
        ),
        (
            lambda: la.HMatrix(64, 64, leaf_size=16, admissibility=[1]),
            ValueError,
            r"admissibility must be one of \('weak', 'standard'\); got \[1\]",
        ),
        (
            lambda: ly.HMatrixWeights(64, 64, leaf_size=16, admissibility=[1]),
            ValueError,
            "admissibility must be one of",
        ),
        (lambda: ds.make_morse(2, style=[1]), ValueError, r"style=\[1\] is not"),
        (
            lambda: ds.morse_difficulty([[0.0], [1.0]], [0, 1], spread=[1]),
            ValueError,
            r"spread=\[1\] must be one of",
        ),
        (
            lambda: ds.relabel_morse(np.arange(64), source="x"),
            ValueError,
            "^source='x' must be one of",
        ),
        (
            lambda: ds.relabel_morse(np.arange(64), target=None),
            ValueError,
            "^target=None must be one of",
        ),
        (
            lambda: cn.feasible_out_degrees(20, 10, connectivity=np.array([])),
            ValueError,
            "connectivity=array",
        ),
        (
            lambda: la.OffsetTridiagonal(
                np.array([]), np.ones(5), np.ones(5), p=1, q=1
            ),
            ValueError,
            "diag must have length n >= 2",
        ),
        (lambda: ds.decode(None), TypeError, "codeword=None must be a str"),
        (lambda: ds.decode(-3), TypeError, "codeword=-3 must be a str"),
        (lambda: ds.decode(".x-"), ValueError, "codeword='.x-' must be"),
        (lambda: ds.encode(np.array([])), TypeError, "symbol=array"),
        (
            lambda: cn.connection_pattern(
                "clash_free", 20, 10, 0.2, rtl_compatible=np.array([])
            ),
            TypeError,
            "rtl_compatible=array",
        ),
        (lambda: cn.scatter(5), TypeError, "patterns must be a sparse matrix"),
    ],
)
def test_bad_values_raise_named_errors(build, error, match):
    with pytest.raises(error, match=match):
        build()


_WEIGHT_TYPES = {
    "SparseWeights": lambda **kw: ly.SparseWeights(_pattern(), **kw),
    "LowRankWeights": lambda **kw: ly.LowRankWeights(20, 10, 2, **kw),
    "FixedDictionaryWeights": lambda **kw: ly.FixedDictionaryWeights(20, 10, 4, **kw),
    "HashedWeights": lambda **kw: ly.HashedWeights(20, 10, n_weights=30, **kw),
    "CirculantWeights": lambda **kw: ly.CirculantWeights(20, 10, **kw),
    "HMatrixWeights": lambda **kw: ly.HMatrixWeights(64, 64, leaf_size=16, **kw),
    "HMatrix": lambda **kw: la.HMatrix(64, 64, leaf_size=16, **kw),
    "make_weights": lambda **kw: ly.make_weights("dense", 20, 10, **kw),
}


@pytest.mark.parametrize("name", sorted(_WEIGHT_TYPES))
@pytest.mark.parametrize("dtype", ["x", 2.5, [1, 2], True])
def test_an_unreadable_dtype_names_dtype(name, dtype):
    with pytest.raises(TypeError, match=r"^dtype=.* must be a numpy data type"):
        _WEIGHT_TYPES[name](dtype=dtype)


@pytest.mark.parametrize(
    "name", ["LowRankWeights", "FixedDictionaryWeights", "HMatrixWeights"]
)
@pytest.mark.parametrize(
    ("seed", "error", "match"),
    [
        (2.5, TypeError, "random_state must be None, a non-negative int"),
        (-3, ValueError, "random_state=-3 must be >= 0"),
        ("x", TypeError, "random_state must be None"),
    ],
)
def test_a_bad_random_state_names_random_state(name, seed, error, match):
    with pytest.raises(error, match=match):
        _WEIGHT_TYPES[name](random_state=seed)


def test_a_bad_length_scale_is_a_value_error_through_the_estimator():
    from sparsenn import StructuredMLPClassifier

    X = np.random.default_rng(0).normal(size=(30, 16))
    y = (X[:, 0] > 0).astype(int)
    weights = {"kind": "fixed_dictionary", "length_scale": 0}
    clf = StructuredMLPClassifier((8,), weights=weights, max_iter=1)
    with pytest.raises(ValueError, match="length_scale=0"):
        clf.fit(X, y)  # was an OverflowError from numpy's uniform
