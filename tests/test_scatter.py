"""Tests for the scatter metric (sparsenn.connectivity.scatter)."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenn import connectivity as cn

# Worked example of Dey's slides (authors' orientation: rows = right neurons).
B1 = np.array(
    [
        [0, 1, 1, 0, 1, 0],
        [0, 0, 1, 0, 1, 1],
        [1, 0, 0, 1, 0, 1],
        [1, 1, 0, 1, 0, 0],
    ]
)
B2 = np.array([[0, 0, 1, 1], [1, 1, 0, 0]])


def reference_directional(adj, windows, ideal, n_matter):
    """Literal loops of spec 2.2: adj[u, v], windows = list of index lists."""
    per_neuron = []
    for u in range(n_matter):
        ratios = [min(sum(adj[u, v] for v in w) / ideal, 1.0) for w in windows]
        per_neuron.append(np.mean(ratios))
    return np.mean(per_neuron)


def reference_scatter(mats, sizes, net_size, in_matter, out_matter):
    """mats: dense (N_i x N_{i-1}) authors' orientation; sizes: window per layer."""
    n = [mats[0].shape[1]] + [m.shape[0] for m in mats]
    big_l = len(mats)

    def wins(layer, size):
        return [range(k, k + size) for k in range(0, n[layer] - size + 1, size)]

    out = []
    for i, a in enumerate(mats):
        rho = a.sum() / a.size
        d_out, d_in = a.sum(axis=0).mean(), a.sum(axis=1).mean()
        n_f = out_matter if i == big_l - 1 else n[i + 1]
        n_b = in_matter if i == 0 else n[i]
        f = reference_directional(a, wins(i, sizes[i]), sizes[i] * rho, n_f)
        b = reference_directional(
            a.T, wins(i + 1, sizes[i + 1]), sizes[i + 1] * rho, n_b
        )
        assert np.isclose(sizes[i] * d_out / n[i + 1], sizes[i] * rho)
        assert np.isclose(sizes[i + 1] * d_in / n[i], sizes[i + 1] * rho)
        out += [f, b]
    net = mats[0]
    for a in mats[1:]:
        net = a @ net
    prod_out = np.prod([a.sum(axis=0).mean() for a in mats])
    prod_in = np.prod([a.sum(axis=1).mean() for a in mats])
    out.append(
        reference_directional(
            net, wins(0, net_size), net_size * prod_out / n[-1], out_matter
        )
    )
    out.append(
        reference_directional(
            net.T, wins(big_l, net_size), net_size * prod_in / n[0], in_matter
        )
    )
    return np.array(out)


def test_worked_example_of_the_slides():
    res = cn.scatter([B1.T, B2.T], windows=2, net_windows=1)
    expected = [5 / 6, 2 / 3, 1 / 2, 1.0, 2 / 3, 2 / 3]
    np.testing.assert_allclose(res.values, expected)
    assert res.scalar == 0.5
    np.testing.assert_allclose(res.junction_forward, [5 / 6, 1 / 2])
    np.testing.assert_allclose(res.junction_backward, [2 / 3, 1.0])
    assert res.net_forward == pytest.approx(2 / 3)
    assert res.net_backward == pytest.approx(2 / 3)
    # the default windows reproduce the slides' choice (size 2 on every layer)
    np.testing.assert_allclose(cn.scatter([B1.T, B2.T]).values, expected)
    # sparse input gives the same
    sparse = [sp.csr_matrix(B1.T), sp.csc_matrix(B2.T)]
    np.testing.assert_allclose(cn.scatter(sparse).values, expected)


def test_fully_connected_scores_one():
    res = cn.scatter([np.ones((6, 4)), np.ones((4, 3))], windows=[2, 2, 3])
    np.testing.assert_allclose(res.values, 1.0)


def test_identity_hand_values():
    eye = np.eye(4)
    # windows of size 1: ideal 1/4, each neuron reaches 1 of 4 windows
    res = cn.scatter([eye], windows=1)
    np.testing.assert_allclose(res.values, 0.25)
    # one window covering the layer: ideal 1, reached -> 1
    np.testing.assert_allclose(cn.scatter([eye], windows=4).junction_forward, 1.0)


def test_over_connection_is_not_rewarded():
    a = np.zeros((4, 2))
    a[:2, 0] = 1  # output 0 gets both edges from the first window of inputs
    a[2:, 1] = 1
    # windows of 2 inputs: ideal 2 * 0.5 = 1; output 0 counts (2, 0) -> (1 + 0) / 2
    res = cn.scatter([a], windows=[2, 1])
    assert res.junction_forward[0] == pytest.approx(0.5)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 7), min_size=2, max_size=4),
    st.integers(0, 10_000),
    st.data(),
)
def test_matches_literal_reference(sizes, seed, data):
    rng = np.random.default_rng(seed)
    mats = []
    for n_prev, n_next in zip(sizes[:-1], sizes[1:], strict=True):
        a = (rng.random((n_next, n_prev)) < 0.5).astype(int)
        a[rng.integers(n_next), rng.integers(n_prev)] = 1  # never empty
        mats.append(a)
    win = [data.draw(st.sampled_from(_divisors(n))) for n in sizes]
    net_size = data.draw(st.sampled_from(_common_divisors(sizes[0], sizes[-1])))
    in_matter = data.draw(st.integers(1, sizes[0]))
    out_matter = data.draw(st.integers(1, sizes[-1]))
    res = cn.scatter(
        [a.T for a in mats],
        windows=win,
        net_windows=net_size,
        in_matter=in_matter,
        out_matter=out_matter,
    )
    ref = reference_scatter(mats, win, net_size, in_matter, out_matter)
    np.testing.assert_allclose(res.values, ref, rtol=1e-12)
    assert res.scalar == pytest.approx(ref.min())


def _divisors(n):
    return [k for k in range(1, n + 1) if n % k == 0]


def _common_divisors(a, b):
    return [k for k in _divisors(a) if b % k == 0]


def test_index_table_windows_equal_int_windows():
    p = cn.structured(12, 8, 4, random_state=0)
    q = cn.structured(8, 6, 3, random_state=1)
    by_int = cn.scatter([p, q], windows=[3, 2, 2])
    tables = [cn.windows_1d(12, 3), cn.windows_1d(8, 2), cn.windows_1d(6, 2)]
    by_table = cn.scatter([p, q], windows=tables)
    np.testing.assert_allclose(by_int.values, by_table.values)
    pair = cn.scatter([p, q], windows=[3, 2, 2], net_windows=(3, 2))
    three = cn.scatter([p, q], windows=[3, 2, 2], net_windows=3)
    two = cn.scatter([p, q], windows=[3, 2, 2], net_windows=2)
    assert pair.net_forward == three.net_forward  # input windows of size 3
    assert pair.net_backward == two.net_backward  # output windows of size 2


def test_morse_default_windows_are_eight():
    p1 = cn.structured(64, 1024, 128, random_state=0)
    p2 = cn.structured(1024, 64, 8, random_state=0)
    default = cn.scatter([p1, p2])
    np.testing.assert_allclose(default.values, cn.scatter([p1, p2], windows=8).values)
    assert 0 < default.scalar <= 1


def test_windows_helpers():
    with pytest.warns(UserWarning, match="leave the last 1 of 7"):
        table = cn.windows_1d(7, 2)
    assert table.tolist() == [[0, 1], [2, 3], [4, 5]]
    assert cn.windows_1d(5, 3, stride=1).tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    patches = cn.windows_2d((4, 6), (2, 3))
    assert patches.shape == (4, 6)
    assert patches[1].tolist() == [3, 4, 5, 9, 10, 11]
    with pytest.raises(ValueError, match="size=5"):
        cn.windows_1d(4, 5)


def test_scatter_errors():
    with pytest.raises(ValueError, match="patterns\\[1\\] has 3 inputs"):
        cn.scatter([np.ones((4, 2)), np.ones((3, 2))])
    with pytest.raises(ValueError, match="no edges"):
        cn.scatter([np.zeros((4, 2))])
    with pytest.raises(ValueError, match="one entry per layer"):
        cn.scatter([np.ones((4, 2))], windows=[1, 1, 1])
    with pytest.raises(ValueError, match="in_matter=5"):
        cn.scatter([np.ones((4, 2))], in_matter=5)
    with pytest.raises(ValueError, match="at least one junction"):
        cn.scatter([])
    with pytest.raises(
        ValueError, match=r"windows\[1\]=3 must be a window size in 1..2"
    ):
        cn.scatter([np.ones((4, 2))], windows=[1, 3])
    with pytest.raises(ValueError, match="indices must lie in"):
        cn.scatter([np.ones((4, 2))], windows=[np.array([[0, 4]]), 1])
