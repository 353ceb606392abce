"""Tests for sparsenn.connectivity pattern generators and the density rule."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sparsenn import connectivity as cn

SETTINGS = settings(max_examples=60, deadline=None)


def assert_canonical(p, n_in, n_out, n_edges):
    assert sp.issparse(p) and p.format == "csr"
    assert p.shape == (n_in, n_out)
    assert p.dtype == np.int8
    assert p.nnz == n_edges
    assert np.all(p.data == 1)
    for r in range(n_in):  # strictly increasing => sorted, no duplicates
        cols = p.indices[p.indptr[r] : p.indptr[r + 1]]
        assert np.all(np.diff(cols) > 0)


def degrees(p):
    a = p.toarray().astype(int)
    return a.sum(axis=1), a.sum(axis=0)


@st.composite
def feasible_junction(draw, max_n=12, connectivity="structured", kind=2):
    n_in = draw(st.integers(1, max_n))
    n_out = draw(st.integers(1, max_n))
    feas = cn.feasible_out_degrees(n_in, n_out, connectivity=connectivity, kind=kind)
    assume(feas.size > 0)
    return n_in, n_out, int(draw(st.sampled_from(feas.tolist())))


# ---------------------------------------------------------------- random ----


@SETTINGS
@given(st.integers(1, 12), st.integers(1, 12), st.floats(0, 1), st.integers(0, 2**31))
def test_random_exact_count(n_in, n_out, frac, seed):
    n_edges = int(frac * n_in * n_out)
    p = cn.random(n_in, n_out, n_edges, random_state=seed)
    assert_canonical(p, n_in, n_out, n_edges)
    q = cn.random(n_in, n_out, n_edges, random_state=seed)
    assert (p != q).nnz == 0


def test_random_is_uniform_over_positions():
    rng = np.random.default_rng(1)
    counts = sum(
        cn.random(2, 3, 2, random_state=rng).toarray().astype(int) for _ in range(3000)
    )
    # each position is present with probability 1/3: mean 1000, sd ~26
    assert np.all(np.abs(counts - 1000) < 130)


def test_random_dense_side_and_bounds():
    p = cn.random(30, 40, 1190, random_state=0)  # complement branch
    assert_canonical(p, 30, 40, 1190)
    with pytest.raises(ValueError, match="n_edges=13"):
        cn.random(3, 4, 13)
    with pytest.raises(TypeError, match="n_edges"):
        cn.random(3, 4, 2.0)


@pytest.mark.parametrize(
    "state",
    [3, np.random.default_rng(3), np.random.RandomState(3)],
    ids=["int", "Generator", "RandomState"],
)
def test_random_state_kinds_accepted(state):
    assert cn.random(5, 5, 7, random_state=state).nnz == 7


def test_random_state_rejects_garbage():
    with pytest.raises(TypeError, match="random_state"):
        cn.random(5, 5, 7, random_state="seed")
    with pytest.raises(ValueError, match="random_state=-1"):
        cn.random(5, 5, 7, random_state=-1)


def test_randomstate_is_deterministic():
    a = cn.structured(8, 8, 3, random_state=np.random.RandomState(5))
    b = cn.structured(8, 8, 3, random_state=np.random.RandomState(5))
    assert (a != b).nnz == 0


# ------------------------------------------------------------ structured ----


@SETTINGS
@given(feasible_junction(), st.integers(0, 2**31))
def test_structured_exact_degrees(junction, seed):
    n_in, n_out, d_out = junction
    p = cn.structured(n_in, n_out, d_out, random_state=seed)
    assert_canonical(p, n_in, n_out, n_in * d_out)
    rows, cols = degrees(p)
    assert np.all(rows == d_out)
    assert np.all(cols == n_in * d_out // n_out)
    assert (p != cn.structured(n_in, n_out, d_out, random_state=seed)).nnz == 0


@pytest.mark.parametrize("d_out", [64, 512, 1024])
def test_structured_large(d_out):
    p = cn.structured(784, 1024, d_out, random_state=0)
    rows, cols = degrees(p)
    assert np.all(rows == d_out) and np.all(cols == 784 * d_out // 1024)


def test_structured_square_dense():
    p = cn.structured(1024, 1024, 1024, random_state=0)
    assert p.nnz == 1024 * 1024


def test_structured_infeasible_message():
    with pytest.raises(ValueError, match=r"784\*7=5488 is not divisible by n_out=1024"):
        cn.structured(784, 1024, 7)
    with pytest.raises(ValueError, match="between 1 and n_out=4"):
        cn.structured(6, 4, 5)


# ------------------------------------------------------------- circulant ----


@SETTINGS
@given(feasible_junction(connectivity="circulant"), st.integers(0, 2**31))
def test_circulant_exact_degrees_and_shift_invariance(junction, seed):
    n_in, n_out, d_out = junction
    p = cn.circulant(n_in, n_out, d_out, random_state=seed)
    assert_canonical(p, n_in, n_out, n_in * d_out)
    rows, cols = degrees(p)
    assert np.all(rows == d_out) and np.all(cols == n_in * d_out // n_out)
    g = np.gcd(n_in, n_out)
    a = p.toarray()
    shifted = np.roll(np.roll(a, n_in // g, axis=0), n_out // g, axis=1)
    assert np.array_equal(shifted, a)


def test_circulant_square_is_ordinary_circulant():
    p = cn.circulant(7, 7, 3, random_state=2).toarray()
    for row in range(1, 7):
        assert np.array_equal(p[row], np.roll(p[0], row))


def test_circulant_rectangular_formula():
    # 4 -> 6: g = 2, a = 2, b = 3, N = 12; P[l, r] = 1 iff (2 r - 3 l) mod 12 in S
    with pytest.raises(ValueError, match="residue class"):
        cn.circulant(4, 6, 3, offsets=[0, 1, 2, 3])
    offsets = [0, 1, 2, 3, 4, 5]  # three per class mod 2, two per class mod 3
    p = cn.circulant(4, 6, 3, offsets=offsets).toarray()
    expected = np.array(
        [[((2 * r - 3 * i) % 12) in offsets for r in range(6)] for i in range(4)]
    )
    assert np.array_equal(p, expected.astype(np.int8))


def test_circulant_offsets_validation():
    with pytest.raises(ValueError, match="distinct"):
        cn.circulant(4, 4, 2, offsets=[1, 1])
    with pytest.raises(ValueError, match=r"0\.\.3"):
        cn.circulant(4, 4, 2, offsets=[1, 4])
    with pytest.raises(TypeError, match="offsets"):
        cn.circulant(4, 4, 2, offsets=[0.0, 1.0])


# ------------------------------------------------------------ clash-free ----


@st.composite
def clash_free_case(draw):
    kind = draw(st.sampled_from([1, 2, 3]))
    n_in, n_out, d_out = draw(feasible_junction(connectivity="clash_free", kind=kind))
    z = draw(st.sampled_from([k for k in range(1, n_in + 1) if n_in % k == 0]))
    return n_in, n_out, d_out, z, kind, draw(st.booleans()), draw(st.integers(0, 99))


@settings(max_examples=150, deadline=None)
@given(clash_free_case())
def test_clash_free_properties(case):
    n_in, n_out, d_out, z, kind, dither, seed = case
    p, order = cn.clash_free(
        n_in,
        n_out,
        d_out,
        z=z,
        kind=kind,
        dither=dither,
        random_state=seed,
        return_order=True,
    )
    n_edges = n_in * d_out
    d_in = n_edges // n_out
    assert_canonical(p, n_in, n_out, n_edges)
    rows, cols = degrees(p)
    assert np.all(rows == d_out) and np.all(cols == d_in)
    # order: weight order, clock c reads edges c*z .. c*z+z-1 in z distinct banks
    assert order.left.shape == order.right.shape == (n_edges,)
    assert np.array_equal(order.right, np.arange(n_edges) // d_in)
    assert np.all(p.toarray()[order.left, order.right] == 1)
    assert (order.depth, order.n_clocks) == (n_in // z, n_edges // z)
    for c in range(order.n_clocks):
        lefts = order.left[c * z : (c + 1) * z]
        assert len(set((lefts % z).tolist())) == z
    assert order.is_clash_free()
    # every sweep visits every input exactly once
    sweeps = np.sort(order.left.reshape(d_out, n_in), axis=1)
    assert np.all(sweeps == np.arange(n_in))
    assert order.seeds.shape == order.dither.shape == (d_out, z)
    assert np.array_equal(order.banks, order.left.reshape(-1, z) % z)
    if kind in (2, 3):  # seed + increment addressing
        m = np.arange(order.depth)[None, :, None]
        expect = (order.seeds[:, None, :] + m) % order.depth
        assert np.array_equal(order.rows.reshape(d_out, order.depth, z), expect)
    if kind == 3:
        assert np.all(order.seeds == order.seeds[0])
        assert np.all(order.dither == order.dither[0])
    if not dither:
        assert np.all(order.dither == np.arange(z))
    again = cn.clash_free(
        n_in, n_out, d_out, z=z, kind=kind, dither=dither, random_state=seed
    )
    assert (again != p).nnz == 0


def test_clash_free_order_detects_a_clash():
    _, order = cn.clash_free(12, 6, 2, z=4, random_state=0, return_order=True)
    left = order.left.copy()
    left[1] = (left[0] + 4) % 12  # another input in the bank of left[0]
    bad = cn.ClashFreeOrder(
        left, order.right, 4, 2, order.seeds, order.dither, 12, 6, 2, 4
    )
    assert np.array_equal(bad.clash_free_clocks(), np.arange(6) != 0)
    assert not bad.is_clash_free()


def test_clash_free_all_zero_seeds_is_identity_interleaver():
    _, order = cn.clash_free(
        12, 6, 2, z=4, kind=2, seeds=np.zeros((2, 4), dtype=int), return_order=True
    )
    assert np.array_equal(order.left, np.arange(24) % 12)
    assert order.rtl_compatible  # in-degree 4 divides z = 4


def test_clash_free_explicit_seeds_and_dither():
    seeds = np.array([1, 0, 2, 2])  # the slide example: 12 inputs, z = 4, D = 3
    dither = np.array([3, 2, 1, 0])
    _, order = cn.clash_free(
        12, 12, 2, z=4, kind=3, seeds=seeds, dither=dither, return_order=True
    )
    # clock 0 lane j reads bank dither[j] at row seeds[j]
    assert np.array_equal(order.left[:4], seeds * 4 + dither)
    assert np.array_equal(order.rows[1], (seeds + 1) % 3)


@pytest.mark.parametrize(("kind", "expected"), [(2, 729), (3, 27)])
def test_clash_free_pattern_counts_match_theory(kind, expected):
    # spec 1.4: p=9, fo=2, n=6, z=3 (D = 3) -> 729 / 27 distinct matrices
    shape = (2, 3) if kind == 2 else (3,)
    seen = set()
    for flat in itertools.product(range(3), repeat=int(np.prod(shape))):
        p = cn.clash_free(9, 6, 2, z=3, kind=kind, seeds=np.reshape(flat, shape))
        seen.add(p.toarray().tobytes())
    assert len(seen) == expected


def test_clash_free_kind3_straddling_never_duplicates():
    # in-degree 3 does not divide n_in = 10: outputs straddle two sweeps
    for seed in range(30):
        p = cn.clash_free(10, 10, 3, z=5, kind=3, dither=True, random_state=seed)
        rows, cols = degrees(p)
        assert np.all(rows == 3) and np.all(cols == 3)


def test_clash_free_rejections():
    with pytest.raises(ValueError, match="straddle two sweeps"):
        cn.clash_free(10, 10, 3, z=5, kind=2)
    with pytest.raises(ValueError, match="z=3 does not divide n_in=10"):
        cn.clash_free(10, 10, 2, z=3)
    with pytest.raises(ValueError, match="kind=4"):
        cn.clash_free(10, 10, 2, z=5, kind=4)
    with pytest.raises(ValueError, match="only used by kind=2 and kind=3"):
        cn.clash_free(10, 10, 2, z=5, kind=1, seeds=np.zeros((2, 5), int))
    with pytest.raises(ValueError, match=r"shape \(2, 5\)"):
        cn.clash_free(10, 10, 2, z=5, kind=2, seeds=np.zeros(5, int))
    with pytest.raises(ValueError, match=r"0\.\.1"):
        cn.clash_free(10, 10, 2, z=5, kind=3, seeds=np.full(5, 2))
    with pytest.raises(ValueError, match="permutation"):
        cn.clash_free(10, 10, 2, z=5, kind=3, dither=np.zeros(5, int))


# ------------------------------------------------ validator and densities ----


def test_junction_problems_messages():
    (msg,) = cn.junction_problems(784, 1024, 7)
    assert "784*7=5488 is not divisible by n_out=1024" in msg
    assert "feasible out-degrees near 7 are 64" in msg
    (msg,) = cn.junction_problems(10, 4, 3)
    assert "near 3 are 2, 4" in msg
    assert cn.junction_problems(784, 1024, 64) == []
    assert cn.junction_problems(784, 1024, 7, connectivity="random") == []
    probs = cn.junction_problems(10, 4, 3, connectivity="clash_free", z=3)
    assert len(probs) == 2 and "divisors of n_in near 3 are 2, 5" in probs[1]
    with pytest.raises(ValueError, match="allowed: random, structured"):
        cn.junction_problems(4, 4, 1, connectivity="banded")
    with pytest.raises(TypeError, match="out_degree"):
        cn.junction_problems(4, 4, 1.5)


def test_check_junction_raises_with_reasons():
    cn.check_junction(6, 4, 2)
    with pytest.raises(ValueError, match="not realisable: n_in\\*out_degree=6\\*3"):
        cn.check_junction(6, 4, 3)


@pytest.mark.parametrize(
    ("connectivity", "n_edges", "d_out", "d_in"),
    [
        ("random", 80282, None, None),
        ("structured", 100352, 128, 98),
        ("clash_free", 100352, 128, 98),
        ("circulant", 100352, 128, 98),
    ],
)
def test_degrees_for_density_784_1024(connectivity, n_edges, d_out, d_in):
    deg = cn.degrees_for_density(784, 1024, 0.1, connectivity=connectivity)
    assert (deg.n_edges, deg.out_degree, deg.in_degree) == (n_edges, d_out, d_in)
    assert deg.density == pytest.approx(n_edges / (784 * 1024))


@SETTINGS
@given(
    feasible_junction(),
    st.floats(1e-6, 1.0),
    st.sampled_from(["structured", "clash_free", "circulant"]),
)
def test_degrees_for_density_is_nearest_feasible(junction, density, connectivity):
    n_in, n_out, _ = junction
    deg = cn.degrees_for_density(n_in, n_out, density, connectivity=connectivity)
    feas = [
        d
        for d in range(1, n_out + 1)
        if not cn.junction_problems(n_in, n_out, d, connectivity=connectivity)
    ]
    best = min(abs(d - density * n_out) for d in feas)
    assert abs(deg.out_degree - density * n_out) <= best + 1e-9
    assert deg.n_edges == n_in * deg.out_degree >= 1
    assert deg.in_degree * n_out == deg.n_edges


def test_degrees_for_density_ties_and_minimum():
    # 10 -> 4: feasible 2, 4; density 0.75 -> target 3: tie goes to the larger
    assert (
        cn.degrees_for_density(10, 4, 0.75, connectivity="structured").out_degree == 4
    )
    assert (
        cn.degrees_for_density(10, 4, 1e-9, connectivity="structured").out_degree == 2
    )
    assert cn.degrees_for_density(10, 4, 1e-9).n_edges == 1
    assert cn.degrees_for_density(2, 2, 0.625).n_edges == 3  # 2.5 rounds half up


@pytest.mark.parametrize("bad", [0, 0.0, -0.1, 1.5, float("nan"), float("inf")])
def test_degrees_for_density_rejects_bad_density(bad):
    with pytest.raises(ValueError, match="density="):
        cn.degrees_for_density(10, 4, bad)


def test_degrees_for_density_type_and_z_errors():
    with pytest.raises(TypeError, match="density"):
        cn.degrees_for_density(10, 4, "0.5")
    with pytest.raises(ValueError, match="z=3 does not divide n_in=10"):
        cn.degrees_for_density(10, 4, 0.5, connectivity="clash_free", z=3)


def test_default_parallelism():
    assert cn.default_parallelism(1024, 64, 4) == 64  # in-degree 64
    assert cn.default_parallelism(784, 1024, 128) == 98
    assert cn.default_parallelism(12, 6, 2) == 4  # in-degree 4
    # straddling (kind 3): the smallest divisor of n_in above the in-degree 3,
    # the one rule shared with the fixed-point export (z >= in-degree)
    assert cn.default_parallelism(10, 10, 3) == 5
    assert cn.default_parallelism(64, in_degrees=[3, 5, 4]) == 8
    assert cn.default_parallelism(8, 8, 8) == 8  # fully connected: D = 1


# ----------------------------------------------------- connection_pattern ----


def test_patterns_dict_matches_names():
    assert tuple(cn.PATTERNS) == cn.CONNECTIVITIES


@pytest.mark.parametrize("connectivity", cn.CONNECTIVITIES)
def test_connection_pattern_each(connectivity):
    p, order = cn.connection_pattern(connectivity, 64, 48, 0.2, random_state=0)
    assert_canonical(p, 64, 48, round(0.2 * 64 * 48))
    assert (order is not None) == (connectivity == "clash_free")
    q, _ = cn.connection_pattern(connectivity, 64, 48, 0.2, random_state=0)
    assert (p != q).nnz == 0


def test_connection_pattern_parallelism():
    p, order = cn.connection_pattern("clash_free", 64, 48, 0.25, parallelism=8)
    assert order.z == 8 and order.is_clash_free()
    with pytest.warns(UserWarning, match="parallelism=8 is ignored"):
        cn.connection_pattern("structured", 64, 48, 0.25, parallelism=8)
    with pytest.raises(ValueError, match="allowed: random, structured, clash_free"):
        cn.connection_pattern("dense", 64, 48, 0.25)
