"""Rewiring moves: counts kept, degrees exact, clash-freedom held (hypothesis)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparsenn.connectivity import check_junction, connection_pattern
from sparsenn.connectivity._matching import greedy_match
from sparsenn.connectivity._rewire import (
    rewire_edges,
    smallest_first,
    smallest_magnitude,
)


def _edges(pattern):
    coo = pattern.tocoo()
    idx = np.lexsort((coo.col, coo.row))
    return coo.row[idx].astype(np.int64), coo.col[idx].astype(np.int64)


def _degrees(rows, cols, shape):
    return np.bincount(rows, minlength=shape[0]), np.bincount(cols, minlength=shape[1])


junctions = st.tuples(
    st.integers(2, 40), st.integers(2, 40), st.floats(0.05, 0.9),
    st.floats(0.01, 0.9), st.integers(0, 2**16), st.booleans(),
)  # fmt: skip


def _draw(connectivity, n_in, n_out, rho, seed):
    rho = max(rho, n_out / (n_in * n_out))
    pattern, order = connection_pattern(
        connectivity, n_in, n_out, rho, random_state=seed
    )
    rows, cols = _edges(pattern)
    rng = np.random.default_rng(seed)
    values = rng.normal(size=rows.size)
    return rows, cols, values, order, rng


def _check_common(out, rows, cols, shape):
    assert out.rows.size == rows.size
    key = out.rows * shape[1] + out.cols
    assert np.all(np.diff(key) > 0)  # distinct, canonical
    assert out.rows.max() < shape[0] and out.cols.max() < shape[1]
    old = rows * shape[1] + cols
    kept = out.source >= 0
    assert np.array_equal(old[out.source[kept]], key[kept])
    assert not np.isin(key[~kept], old).any()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junctions)
def test_structured_keeps_every_degree(case):
    n_in, n_out, rho, frac, seed, rigl = case
    rows, cols, values, _, rng = _draw("structured", n_in, n_out, rho, seed)
    before = _degrees(rows, cols, (n_in, n_out))
    scores = rng.normal(size=(n_in, n_out)) if rigl else None
    for step in range(3):  # several steps in a row, degrees exact after each
        k = int(round(frac * rows.size))
        out = rewire_edges("structured", rows, cols, values, (n_in, n_out), k,
                           scores=scores, random_state=seed + step)  # fmt: skip
        _check_common(out, rows, cols, (n_in, n_out))
        after = _degrees(out.rows, out.cols, (n_in, n_out))
        assert np.array_equal(before[0], after[0])
        assert np.array_equal(before[1], after[1])
        values = np.where(out.source >= 0, values[out.source], 0.0)
        rows, cols = out.rows, out.cols


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junctions)
def test_clash_free_stays_clash_free(case):
    n_in, n_out, rho, frac, seed, rigl = case
    rows, cols, values, order, rng = _draw("clash_free", n_in, n_out, rho, seed)
    in_deg = np.bincount(cols, minlength=n_out)
    scores = rng.normal(size=(n_in, n_out)) if rigl else None
    for step in range(3):
        k = int(round(frac * rows.size))
        out = rewire_edges("clash_free", rows, cols, values, (n_in, n_out), k,
                           scores=scores, order=order,
                           random_state=seed + step)  # fmt: skip
        _check_common(out, rows, cols, (n_in, n_out))
        new = out.order
        assert new.is_clash_free()
        assert new.z == order.z and new.padded_sizes == order.padded_sizes
        n_in_p, n_out_p = new.padded_sizes
        check_junction(n_in_p, n_out_p, new.out_degree, connectivity="clash_free",
                       z=new.z, kind=new.kind)  # fmt: skip
        # every sweep visits every padded input once; slots keep their outputs
        sweeps = np.sort(np.asarray(new.left).reshape(new.out_degree, n_in_p), axis=1)
        assert np.array_equal(sweeps, np.tile(np.arange(n_in_p), (new.out_degree, 1)))
        assert np.array_equal(new.right, order.right)
        assert np.array_equal(np.bincount(out.cols, minlength=n_out), in_deg)
        key = np.sort(new.stored_left * n_out + new.stored_right)
        assert np.array_equal(key, out.rows * n_out + out.cols)
        assert np.all(new.stored_left < n_in) and np.all(new.stored_right < n_out)
        values = np.where(out.source >= 0, values[out.source], 0.0)
        rows, cols, order = out.rows, out.cols, new


@settings(max_examples=40, deadline=None)
@given(junctions)
def test_random_keeps_the_count_and_grows_new_positions(case):
    n_in, n_out, rho, frac, seed, rigl = case
    rows, cols, values, _, rng = _draw("random", n_in, n_out, rho, seed)
    scores = rng.normal(size=(n_in, n_out)) if rigl else None
    k = int(round(frac * rows.size))
    out = rewire_edges("random", rows, cols, values, (n_in, n_out), k,
                       scores=scores, random_state=seed)  # fmt: skip
    _check_common(out, rows, cols, (n_in, n_out))
    assert out.n_moved == min(k, rows.size, n_in * n_out - rows.size)


def test_magnitude_drop_and_rigl_growth():
    values = np.array([5.0, -0.1, 3.0, 0.2, -4.0, 1.0])
    rng = np.random.default_rng(0)
    assert sorted(smallest_magnitude(values, 2, rng).tolist()) == [1, 3]
    rows, cols = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 0, 1, 0, 1])
    scores = np.zeros((3, 3))
    scores[2, 2], scores[0, 2] = 10.0, -9.0
    out = rewire_edges("random", rows, cols, values, (3, 3), 2, scores=scores)
    # the two smallest |w| (edges (0,1), (1,1)) go; the two largest |g| grow
    assert set(zip(out.rows.tolist(), out.cols.tolist(), strict=True)) == {
        (0, 0), (0, 2), (1, 0), (2, 0), (2, 1), (2, 2)}  # fmt: skip
    assert out.n_moved == 2


def test_structured_rigl_grows_at_the_largest_gradient():
    # two stubs per side; the gradient prefers (0, 3) and (3, 0)
    rows, cols = np.array([0, 1, 2, 3]), np.array([0, 1, 2, 3])
    values = np.array([0.0, 9.0, 9.0, 0.0])
    scores = np.zeros((4, 4))
    scores[0, 3] = scores[3, 0] = 1.0
    out = rewire_edges("structured", rows, cols, values, (4, 4), 2, scores=scores)
    assert set(zip(out.rows.tolist(), out.cols.tolist(), strict=True)) == {
        (0, 3), (1, 1), (2, 2), (3, 0)}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 40_000),
    st.integers(0, 40_001),
    st.integers(1, 50),
    st.floats(0.0, 0.6),
    st.integers(0, 2**32 - 1),
)
def test_smallest_first_is_a_stable_sort_prefix(size, n, levels, inf_share, seed):
    """The ``n`` smallest, ties by position, as the first ``n`` of a stable sort
    (the strided-sample bound must never change the answer: few levels make
    ties at the bound, ``inf`` entries stand for used-up candidates)."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, levels, size).astype(np.float64)
    values[rng.random(size) < inf_share] = np.inf
    n = min(n, int(np.isfinite(values).sum()))
    expected = np.sort(np.argsort(values, kind="stable")[:n])
    np.testing.assert_array_equal(smallest_first(values, n), expected)


def test_smallest_first_on_a_large_grid_with_a_skewed_order():
    # values rising along the index: the strided sample's bound is tight
    values = np.linspace(0.0, 1.0, 300_000) ** 3
    values[::7] = np.inf
    got = smallest_first(values, 20_000)
    np.testing.assert_array_equal(
        got, np.sort(np.argsort(values, kind="stable")[:20_000])
    )


def test_greedy_match_respects_capacities():
    cap_a, cap_b = np.array([2, 1]), np.array([1, 1, 1])
    chosen = greedy_match(np.array([0, 0, 0, 1]), np.array([0, 1, 2, 0]), cap_a, cap_b)
    assert chosen.tolist() == [True, True, False, False]
    assert cap_a.tolist() == [0, 1]


def test_bad_input():
    rows, cols, values = np.array([0, 1]), np.array([0, 1]), np.ones(2)
    with pytest.raises(ValueError, match="connectivity='circulant' cannot be rewired"):
        rewire_edges("circulant", rows, cols, values, (2, 2), 1)
    with pytest.raises(ValueError, match="needs the junction's order"):
        rewire_edges("clash_free", rows, cols, values, (2, 2), 1)
    with pytest.raises(ValueError, match="canonical"):
        rewire_edges("random", rows[::-1], cols[::-1], values, (2, 2), 1)
    with pytest.raises(ValueError, match="n_moves"):
        rewire_edges("random", rows, cols, values, (2, 2), -1)


@pytest.mark.parametrize("rigl", [False, True])
def test_structured_sampled_candidates_keep_degrees(monkeypatch, rigl):
    import sparsenn.connectivity._rewire_structured as rw

    monkeypatch.setattr(rw, "MAX_CANDIDATES", 50)
    rows, cols, values, _, rng = _draw("structured", 40, 30, 0.3, 3)
    scores = rng.normal(size=(40, 30)) if rigl else None
    out = rewire_edges("structured", rows, cols, values, (40, 30), 100,
                       scores=scores, random_state=0)  # fmt: skip
    _check_common(out, rows, cols, (40, 30))
    assert out.n_moved > 0
    for a, b in zip(_degrees(rows, cols, (40, 30)),
                    _degrees(out.rows, out.cols, (40, 30)), strict=True):  # fmt: skip
        assert np.array_equal(a, b)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=40), st.integers(0, 2**31))
def test_clash_free_random_assignment_is_one_cycle_per_group(groups, seed):
    from sparsenn.connectivity._rewire_clash_free import _random_assignment

    group = np.asarray(groups, dtype=np.int64)
    slots = np.random.default_rng(seed).permutation(group.size)
    receivers, givers = _random_assignment(group, slots, np.random.default_rng(seed))
    assert sorted(receivers) == sorted(slots) == sorted(givers)
    assert np.array_equal(group[receivers], group[givers])  # inputs stay in the bank
    sizes = np.bincount(group, minlength=6)
    # a slot keeps its input only in a group of one (a shuffle would keep ~1 per group)
    assert np.array_equal(receivers == givers, sizes[group[receivers]] == 1)
    step = dict(zip(receivers.tolist(), givers.tolist(), strict=True))
    for g in np.flatnonzero(sizes):  # following the givers visits the whole group
        start = slots[group[slots] == g][0]
        seen, node = {start}, step[start]
        while node != start:
            seen.add(node)
            node = step[node]
        assert len(seen) == sizes[g]
