"""``rtl_compatible=True``: the released RTL's connection order and its export."""

import warnings

import numpy as np
import pytest

from sparsenn import SparseMLPClassifier
from sparsenn.connectivity import connection_pattern
from sparsenn.fixedpoint import to_fixed_point
from sparsenn.fixedpoint._memfiles import read_mem


def _fit(**kw):
    rng = np.random.default_rng(0)
    X = rng.random((300, 64))
    y = np.argmax(X[:, :4], axis=1)
    params = dict(
        hidden_layer_sizes=(32,),
        activation="logistic",
        connectivity="clash_free",
        rtl_compatible=True,
        density=0.25,
        max_iter=5,
        random_state=0,
    )
    params.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SparseMLPClassifier(**params).fit(X, y), X


def _assert_rtl_order(order):
    w = np.arange(order.left.size)
    assert order.kind == 2
    assert not order.seeds.any()  # all start vectors zero
    np.testing.assert_array_equal(
        order.dither, np.tile(np.arange(order.z), (order.out_degree, 1))
    )
    np.testing.assert_array_equal(order.left, w % order.n_in)  # w mod n_in
    np.testing.assert_array_equal(order.right, w // order.in_degree)  # w div d_in
    assert order.z % order.in_degree == 0 and order.is_clash_free()


def test_rtl_compatible_order_is_the_released_rtl_order():
    clf, _ = _fit()
    for order in clf.connection_orders_:
        _assert_rtl_order(order)
    assert [o.z for o in clf.connection_orders_] == [16, 8]  # z = d_in by default
    other, _ = _fit(random_state=5)  # deterministic pattern
    for a, b in zip(clf.connection_orders_, other.connection_orders_, strict=True):
        np.testing.assert_array_equal(a.left, b.left)


def test_rtl_compatible_with_a_multiple_of_the_in_degree():
    clf, _ = _fit(parallelism=(32, 8))
    assert [o.z for o in clf.connection_orders_] == [32, 8]
    for order in clf.connection_orders_:
        _assert_rtl_order(order)


def test_rtl_compatible_bad_input_is_named():
    with pytest.raises(
        ValueError, match=r"parallelism=7 .*feasible parallelism .*\[16, 32, 64\]"
    ):
        _fit(parallelism=(7, 8))
    with pytest.raises(
        ValueError, match=r"rtl_compatible=True needs connectivity='clash_free'"
    ):
        _fit(connectivity="structured")
    with pytest.raises(ValueError, match=r"rtl_compatible"):
        _fit(rtl_compatible="yes")
    with pytest.raises(ValueError, match=r"rtl_compatible=True needs"):
        connection_pattern("random", 8, 4, 0.5, rtl_compatible=True)


def test_export_banks_are_the_rtl_memories(tmp_path):
    # spec 4.8a: of z + z/d_in banks of depth C, bank b < g = z/d_in holds biases
    # (address c = neuron c*g + b), bank b >= g weights (address c = edge
    # c*z + b - g, which joins left (c*z + b - g) mod n_in to right ... div d_in)
    clf, X = _fit(parallelism=(32, 8))
    net = to_fixed_point(clf)
    path = net.save(tmp_path / "e")
    fmt = net.fmt
    for i, (W, b) in enumerate(zip(clf.coefs_, clf.intercepts_, strict=True)):
        order = clf.connection_orders_[i]
        z, d_in, n_in = order.z, order.in_degree, order.n_in
        g, depth = z // d_in, order.left.size // z
        dense = W.toarray()
        for bank in range(g + z):
            if bank < g:
                words = read_mem(path / f"junction{i}" / f"bias_bank{bank:03d}.mem", 12)
                want = [fmt.to_codes(b[c * g + bank]) for c in range(depth)]
            else:
                lane = bank - g
                words = read_mem(
                    path / f"junction{i}" / f"weights_bank{lane:03d}.mem", 12
                )
                edges = [c * z + lane for c in range(depth)]
                want = [fmt.to_codes(dense[e % n_in, e // d_in]) for e in edges]
            assert words.tolist() == [int(v) for v in want]
    # C = 64 * 8 / 32 and 32 * 1 / 8
    assert net.to_verilog(tmp_path / "v", X=X[:3])["clocks_per_sample"] == 16
