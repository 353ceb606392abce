"""On-device training model against a cycle-by-cycle plain-loop pipeline."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fixedpoint_reference import random_layout, ref_input_code, ref_mul, ref_sat

from sparsenn.fixedpoint import FixedPointNetwork, QFormat, train_on_device


def _net(rng, sizes, fmt, density=0.8):
    layouts = [
        random_layout(rng, a, b, density)
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    weights = [rng.integers(-400, 400, lay.n_edges) for lay in layouts]
    biases = [rng.integers(-200, 200, lay.n_out) for lay in layouts]
    return FixedPointNetwork(fmt, layouts, weights, biases, np.arange(sizes[-1]))


def _ref_shift(x, s):
    return math.floor(x / 2**s + 0.5)


def ref_pipeline(net, X, y, shift, lag):
    """Plain loops over clock cycles of the pipeline (or one input at a time).

    ``lag(i)``: the cycle at which junction i (1-based) runs FF for input k is
    ``k + i`` when pipelined; BP and UP of junction i run at ``k + 2L + 1 - i``.
    Within one cycle every FF reads the weights before that cycle's updates.
    """
    fmt, L, lays = net.fmt, len(net.layouts), net.layouts
    lut, dlut, lo = net.sigmoid_lut, net.sigmoid_derivative_lut, fmt.min_code
    W = [[int(v) for v in w] for w in net.edge_weights]
    B = [[int(v) for v in b] for b in net.biases]
    n = len(X)
    acts = [[[ref_input_code(float(x), fmt) for x in X[k]]] for k in range(n)]
    ders = [[None] for _ in range(n)]
    deltas = [[None] * (L + 1) for _ in range(n)]
    one = 1 << fmt.fraction

    def ff(i, k):  # junction i (1-based), input k
        lay, a = lays[i - 1], acts[k][i - 1]
        acc = [0] * lay.n_out
        for e in range(lay.n_edges):
            acc[lay.right[e]] += ref_mul(a[lay.left[e]], W[i - 1][e], fmt)
        s = [ref_sat(acc[r] + B[i - 1][r], fmt) for r in range(lay.n_out)]
        acts[k].append([int(lut[v - lo]) for v in s])
        ders[k].append([int(dlut[v - lo]) for v in s])
        if i == L:
            deltas[k][L] = [
                ref_sat(a_o - (one if o == y[k] else 0), fmt)
                for o, a_o in enumerate(acts[k][L])
            ]

    def bp_up(i, k):
        lay, d_right = lays[i - 1], deltas[k][i]
        if i >= 2:
            d_left = [0] * lay.n_in
            for e in range(lay.n_edges):  # weight order
                t = ref_mul(d_right[lay.right[e]], ders[k][i - 1][lay.left[e]], fmt)
                d_left[lay.left[e]] = ref_sat(
                    d_left[lay.left[e]] + ref_mul(t, W[i - 1][e], fmt), fmt
                )
            deltas[k][i - 1] = d_left
        g = [_ref_shift(ref_sat(-d, fmt), shift) for d in d_right]
        B[i - 1] = [ref_sat(b + gk, fmt) for b, gk in zip(B[i - 1], g, strict=True)]
        a = acts[k][i - 1]
        for e in range(lay.n_edges):
            step = ref_mul(g[lay.right[e]], a[lay.left[e]], fmt)
            W[i - 1][e] = ref_sat(W[i - 1][e] + step, fmt)

    if lag:
        for t in range(n + 2 * L + 1):
            for i in range(1, L + 1):
                if 0 <= t - i < n:
                    ff(i, t - i)
            for i in range(L, 0, -1):
                if 0 <= t - (2 * L + 1 - i) < n:
                    bp_up(i, t - (2 * L + 1 - i))
    else:
        for k in range(n):
            for i in range(1, L + 1):
                ff(i, k)
            for i in range(L, 0, -1):
                bp_up(i, k)
    return W, B


@given(
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(1, 5), min_size=2, max_size=4),
    st.booleans(),
    st.integers(0, 6),
    st.sampled_from([QFormat(3, 8), QFormat(2, 7)]),
)
@settings(max_examples=25, deadline=None)
def test_training_bit_exact_against_plain_loop(seed, sizes, pipelined, shift, fmt):
    rng = np.random.default_rng(seed)
    net = _net(rng, sizes, fmt)
    X = np.round(rng.random((9, sizes[0])), 3)
    y = rng.integers(0, sizes[-1], 9)
    trained = train_on_device(net, X, y, lr_shift=shift, pipelined=pipelined)
    W, B = ref_pipeline(net, X, y, shift, pipelined)
    for got, want in zip(trained.edge_weights, W, strict=True):
        assert got.tolist() == want
    for got, want in zip(trained.biases, B, strict=True):
        assert got.tolist() == want
    assert net.edge_weights[0] is not trained.edge_weights[0]


def test_pipelined_differs_from_sequential_and_both_learn():
    rng = np.random.default_rng(0)
    fmt = QFormat(3, 8)
    net = _net(rng, [6, 8, 3], fmt, density=1.0)
    X = rng.random((300, 6))
    y = np.argmax(X[:, :3], axis=1)
    seq = train_on_device(net, X, y, lr_shift=3)
    pipe = train_on_device(net, X, y, lr_shift=3, pipelined=True)
    assert any(
        np.any(a != b) for a, b in zip(seq.edge_weights, pipe.edge_weights, strict=True)
    )
    before = net.score(X, y)
    assert seq.score(X, y) > before and pipe.score(X, y) > before


def test_lr_shift_schedule_per_sample():
    rng = np.random.default_rng(1)
    net = _net(rng, [3, 4, 2], QFormat(3, 8))
    X, y = rng.random((6, 3)), rng.integers(0, 2, 6)
    a = train_on_device(net, X, y, lr_shift=[3, 3, 3, 4, 4, 4])
    b = train_on_device(
        train_on_device(net, X[:3], y[:3], lr_shift=3), X[3:], y[3:], lr_shift=4
    )
    for wa, wb in zip(a.edge_weights, b.edge_weights, strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_training_bad_input():
    rng = np.random.default_rng(2)
    net = _net(rng, [3, 4, 2], QFormat(3, 8))
    X = rng.random((4, 3))
    with pytest.raises(ValueError, match="lr_shift"):
        train_on_device(net, X, [0, 1, 0, 1], lr_shift=9)
    with pytest.raises(ValueError, match="lr_shift"):
        train_on_device(net, X, [0, 1, 0, 1], lr_shift=0.5)
    with pytest.raises(ValueError, match="labels"):
        train_on_device(net, X, [0, 1, 0, 7])
    with pytest.raises(ValueError, match="shape"):
        train_on_device(net, X, [0, 1])
    with pytest.raises(TypeError, match="FixedPointNetwork"):
        train_on_device("net", X, [0, 1, 0, 1])


def test_lr_shift_schedule_of_the_wrong_length_is_named():
    rng = np.random.default_rng(5)
    net = _net(rng, [6, 4, 2], QFormat(3, 8))
    X, y = rng.random((10, 6)), rng.integers(0, 2, 10)
    with pytest.raises(ValueError, match=r"lr_shift has shape \(2,\).*\(10,\)"):
        train_on_device(net, X, y, lr_shift=[3, 4])
    with pytest.raises(ValueError, match=r"lr_shift has shape \(1, 10\)"):
        train_on_device(net, X, y, lr_shift=[[3] * 10])


def test_unknown_labels_message_elides_the_classes_with_a_count():
    rng = np.random.default_rng(6)
    net = _net(rng, [6, 64], QFormat(3, 8))
    X = rng.random((10, 6))
    with pytest.raises(ValueError) as info:
        train_on_device(net, X, np.full(10, 99))
    message = str(info.value)
    assert "labels [99] " in message
    assert "[0, 1, 2, 3, 4, 5, 6, 7, ..., 63] (64 classes)" in message
