"""The released RTL's quirks as options: hand-built cases for each quirk."""

import numpy as np
import pytest

from sparsenn.connectivity import clash_free
from sparsenn.fixedpoint import (
    RELEASED_PIPELINED_RTL,
    FixedPointNetwork,
    JunctionLayout,
    QFormat,
    load,
    train_on_device,
)
from sparsenn.fixedpoint._quirks import check_rtl_quirks, hazard_sources

FMT = QFormat(3, 8)


def _hazard_net(slots, z2):
    """4-4-4 net; junction 2 fully connected, edge w: left w mod 4, right w div 4.

    Junction-1 weights and biases are 0, so every hidden neuron has s = 0
    (a = 128, h' = 63). Junction 2 has weight 1.0 (code 256) on the edges of the
    listed sweeps ``slots`` (edges ``4 s .. 4 s + 3``, the s-th access of every
    hidden neuron) and 0 elsewhere.
    """
    w = np.arange(16)
    lay1 = JunctionLayout(4, 4, w % 4, w // 4, 4)
    lay2 = JunctionLayout(4, 4, w % 4, w // 4, z2)
    w2 = np.where(np.isin(w // 4, slots), 256, 0)
    return FixedPointNetwork(
        FMT,
        [lay1, lay2],
        [np.zeros(16, int), w2],
        [np.zeros(4, int), np.zeros(4, int)],
        np.arange(4),
    )


def _train(net, quirks):
    X, y = np.ones((1, 4)), np.array([3])
    return train_on_device(net, X, y, lr_shift=3, rtl_quirks=quirks)


@pytest.mark.parametrize(
    ("slots", "z2", "proctime", "survives"),
    [
        # D = 4 / z2 clocks between the accesses of one hidden neuron; the read in
        # clock c sees writes of clocks < c, a write lands in c + 1 + PROCTIME.
        ([0], 2, 2, False),  # D=2 <= 3: access 2 reads 0, 3 reads 1: slot 0 lost
        ([2], 2, 2, False),  # slot 2 is on the chain 0-2, which is overwritten
        ([1, 3], 2, 2, True),  # the surviving chain 1-3
        ([0], 2, 1, False),  # D=2 <= 2
        ([0], 2, 0, True),  # D=2 > 1: the non-pipelined build has no hazard
        ([0], 4, 0, False),  # D=1 <= 1: even PROCTIME 0 loses sums
        ([3], 4, 0, True),  # the last access always survives
    ],
)
def test_delta_hazard_hand_built(slots, z2, proctime, survives):
    net = _hazard_net(slots, z2)
    intended = _train(net, None)
    quirky = _train(net, {"delta_hazard": proctime})
    # junction 2 is updated from the output deltas: identical either way
    np.testing.assert_array_equal(quirky.edge_weights[1], intended.edge_weights[1])
    # intended: every hidden neuron has a non-zero delta (hand value below)
    assert np.all(intended.edge_weights[0] != 0)
    if survives:
        np.testing.assert_array_equal(quirky.edge_weights[0], intended.edge_weights[0])
        np.testing.assert_array_equal(quirky.biases[0], intended.biases[0])
    else:  # every term of the hidden deltas was lost: junction 1 does not learn
        np.testing.assert_array_equal(quirky.edge_weights[0], np.zeros(16, int))
        np.testing.assert_array_equal(quirky.biases[0], np.zeros(4, int))


def test_delta_hazard_hand_computed_value():
    # slot 0 only, no hazard: output 0 has s = 4 * mul(128, 256) = 512, a = 225
    # (sigma(2) = 0.8808), y_0 = 0 so delta_0 = 225; t = mul(225, 63) = 55,
    # u = mul(55, 256) = 55 = delta of every hidden neuron;
    # g = shift_round(-55, 3) = -7; W1 += mul(-7, 255) = -7; b1 += -7
    trained = _train(_hazard_net([0], 2), None)
    np.testing.assert_array_equal(trained.biases[0], [-7] * 4)
    np.testing.assert_array_equal(trained.edge_weights[0], [-7] * 16)


def test_board_build_keeps_8_of_16_terms():
    # spec 4.8a: junction 2 of the board build, 64 -> 32, d_out 16, z 32, zero
    # start vectors; PROCTIME 2: each hidden neuron's delta keeps 8 of 16 terms
    _, order = clash_free(
        64, 32, 16, z=32, seeds=np.zeros((16, 32), int), return_order=True
    )
    lay = JunctionLayout(64, 32, order.left, order.right, 32)
    from sparsenn.fixedpoint._training import _bp_slots

    slots = _bp_slots(lay)
    src = hazard_sources(slots // lay.z, np.full(64, 16), 2)
    for row in src:
        chain, j = 0, row.size - 1
        while j >= 0:
            chain, j = chain + 1, row[j]
        assert chain == 8
    no_hazard = hazard_sources(slots // lay.z, np.full(64, 16), None)
    assert no_hazard[:, -1].tolist() == [14] * 64


def _argmax_net(biases, z):
    lay = JunctionLayout(2, 4, np.tile([0, 1], 4), np.repeat(np.arange(4), 2), z)
    return FixedPointNetwork(
        FMT, [lay], [np.zeros(8, int)], [np.array(biases)], np.array(list("abcd"))
    )


def test_argmax_last_group_never_wins():
    # z = 2, d_in = 2: one neuron per clock, groups (0) (1) (2) (3)
    net = _argmax_net([0, 100, 50, 200], z=2)
    assert net.layouts[0].neurons_per_clock() == 1
    assert net.predict([[0.0, 0.0]]).tolist() == ["d"]
    net.rtl_quirks = {"argmax_last_group": True}
    assert net.predict([[0.0, 0.0]]).tolist() == ["b"]
    # z = 4 would not divide n_in = 2; neurons per clock 2 with n_in = 4:
    lay = JunctionLayout(4, 4, np.tile([0, 1], 4), np.repeat(np.arange(4), 2), 4)
    net = FixedPointNetwork(
        FMT,
        [lay],
        [np.zeros(8, int)],
        [np.array([0, 100, 200, 50])],
        np.array(list("abcd")),
        rtl_quirks={"argmax_last_group": True},
    )
    assert lay.neurons_per_clock() == 2  # groups (0, 1) (2, 3)
    assert net.predict([[0.0] * 4]).tolist() == ["b"]
    net.rtl_quirks = None
    assert net.predict([[0.0] * 4]).tolist() == ["c"]


def test_argmax_single_group_predicts_the_reset_value():
    lay = JunctionLayout(4, 2, np.tile([0, 1], 2), np.repeat(np.arange(2), 2), 4)
    net = FixedPointNetwork(
        FMT, [lay], [np.zeros(4, int)], [np.array([0, 300])], np.array([7, 8])
    )
    assert net.predict([[0.0] * 4]).tolist() == [8]
    net.rtl_quirks = {"argmax_last_group": True}
    assert net.predict([[0.0] * 4]).tolist() == [7]


def test_quirks_default_off_travel_with_training_and_export(tmp_path):
    net = _argmax_net([0, 100, 50, 200], z=2)
    assert net.rtl_quirks == {
        "delta_hazard": None,
        "argmax_last_group": False,
        "mul_saturation": False,
    }
    X, y = np.zeros((3, 2)), np.array(["a", "b", "c"])
    trained = train_on_device(net, X, y, rtl_quirks=RELEASED_PIPELINED_RTL)
    assert trained.rtl_quirks["delta_hazard"] == 2
    assert trained.rtl_quirks["argmax_last_group"]
    back = load(trained.save(tmp_path / "e"))
    assert back.rtl_quirks == trained.rtl_quirks
    # rtl_quirk=True is the same as the mul_saturation quirk
    assert train_on_device(net, X, y, rtl_quirk=True).rtl_quirks["mul_saturation"]


@pytest.mark.parametrize(
    ("quirks", "exc", "match"),
    [
        ({"delta_hazzard": 2}, ValueError, r"unknown keys \['delta_hazzard'\]"),
        ({"delta_hazard": -1}, ValueError, r"delta_hazard.*PROCTIME.*-1"),
        ({"delta_hazard": 2.0}, ValueError, r"delta_hazard.*2\.0"),
        ({"delta_hazard": True}, ValueError, r"delta_hazard.*True"),
        ({"argmax_last_group": 1}, ValueError, r"argmax_last_group.*True or False"),
        ({"mul_saturation": "yes"}, ValueError, r"mul_saturation"),
        ("delta_hazard", TypeError, r"rtl_quirks must be a dict"),
        ([("delta_hazard", 2)], TypeError, r"rtl_quirks must be a dict"),
    ],
)
def test_bad_rtl_quirks_are_named(quirks, exc, match):
    with pytest.raises(exc, match=match):
        check_rtl_quirks(quirks)
    net = _argmax_net([0, 0, 0, 0], z=2)
    with pytest.raises(exc, match=match):
        train_on_device(net, np.zeros((1, 2)), ["a"], rtl_quirks=quirks)
    with pytest.raises(exc, match=match):
        net.rtl_quirks = quirks
