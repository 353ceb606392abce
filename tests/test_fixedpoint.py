"""Formats, arithmetic primitives, LUTs and the integer simulator."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from test_fixedpoint_reference import (
    StandInMLP,
    Unfitted,
    random_layout,
    ref_argmax,
    ref_forward,
    ref_mul,
    ref_sigmoid_code,
)

from sparsenn.fixedpoint import (
    FixedPointNetwork,
    QFormat,
    add_sat,
    mul_round,
    neg_sat,
    quantize_inputs,
    saturate,
    shift_round,
    sigmoid_derivative_lut,
    sigmoid_lut,
    to_fixed_point,
)
from sparsenn.fixedpoint._network import hardware_argmax
from sparsenn.fixedpoint._simulate import JunctionKernel

FMT = QFormat(3, 8)


# ---------------------------------------------------------------- QFormat
def test_qformat_default_is_ap_fixed_12_4():
    assert (FMT.integer, FMT.fraction, FMT.width) == (3, 8, 12)
    assert str(FMT) == "ap_fixed<12,4>"
    assert str(QFormat(2, 7)) == "ap_fixed<10,3>"
    assert (FMT.min_code, FMT.max_code) == (-2048, 2047)
    assert (FMT.min, FMT.max, FMT.step) == (-8.0, 8 - 2**-8, 2**-8)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(integer=3.0), TypeError, "integer"),
        (dict(fraction="8"), TypeError, "fraction"),
        (dict(integer=-1), ValueError, "integer"),
        (dict(fraction=1), ValueError, "fraction"),
        (dict(integer=12, fraction=12), ValueError, "width"),
    ],
)
def test_qformat_rejects_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        QFormat(**kwargs)


def test_to_codes_rounds_half_up_and_saturates():
    half = 2**-9
    codes, n = FMT.to_codes([half, -half, 3 * half, -3 * half, 8.0, -8.0, -9.0], True)
    assert codes.tolist() == [1, 0, 2, -1, 2047, -2048, -2048]
    assert n == 2  # 8.0 and -9.0; -8.0 is representable
    with pytest.raises(ValueError, match="finite"):
        FMT.to_codes([np.nan])


def test_quantize_inputs_places_pixels_in_top_fraction_bits():
    X = np.array([[0.0, 1 / 256, 0.5 / 256, 0.75, 255.4 / 256, 1.0]])
    assert quantize_inputs(X, FMT).tolist() == [[0, 1, 1, 192, 255, 255]]
    # wider fraction: shifted up; narrower: low bits truncated (spec 4.1)
    assert quantize_inputs(X, QFormat(4, 10)).tolist() == [[0, 4, 4, 768, 1020, 1020]]
    assert quantize_inputs(X, QFormat(2, 7)).tolist() == [[0, 0, 0, 96, 127, 127]]


@pytest.mark.parametrize("bad", [[[1.5]], [[-0.1]], [[np.inf]]])
def test_quantize_inputs_rejects_values_the_port_cannot_hold(bad):
    with pytest.raises(ValueError, match="X must"):
        quantize_inputs(bad, FMT)


# -------------------------------------------------------------- arithmetic
def test_mul_round_hand_values_and_saturation_corners():
    a = [128, -128, 384, -384, 256, 2047, -2048, -2048, 2047, 0]
    b = [1, 1, 1, 1, 256, 2047, 2047, -2048, -2048, -2048]
    # 0.5 LSB -> 1, -0.5 LSB -> 0, 1.5 -> 2, -1.5 -> -1, 1*1, then four corners
    expected = [1, 0, 2, -1, 256, 2047, -2048, 2047, -2048, 0]
    assert mul_round(a, b, FMT).tolist() == expected
    assert [ref_mul(x, y, FMT) for x, y in zip(a, b, strict=True)] == expected


def test_mul_round_rtl_quirk_only_changes_negative_saturation():
    a = np.array([-1500, -1500, -2048, 1500, 5])
    b = np.array([400, 402, 2047, 402, 3])
    clean = mul_round(a, b, FMT)
    quirk = mul_round(a, b, FMT, rtl_quirk=True)
    assert clean.tolist() == [-2048, -2048, -2048, 2047, 0]
    # -603000/256: dropped MSB is 1 -> min + 1; -2048*2047: dropped bits 0
    assert quirk.tolist() == [-2048, -2047, -2048, 2047, 0]


@given(
    st.integers(-2048, 2047),
    st.integers(-2048, 2047),
)
@settings(max_examples=300, deadline=None)
def test_mul_round_matches_exact_rational_rounding(a, b):
    assert int(mul_round(a, b, FMT)) == ref_mul(a, b, FMT)


def test_add_sat_and_neg_sat_corners():
    assert add_sat([2047, -2048, 2047, 1000], [1, -1, -2048, -999], FMT).tolist() == [
        2047,
        -2048,
        -1,
        1,
    ]
    assert neg_sat([-2048, 2047, 0, -1], FMT).tolist() == [2047, -2047, 0, 1]
    assert saturate([10**9, -(10**9)], FMT).tolist() == [2047, -2048]


def test_shift_round_is_round_half_up_learning_rate():
    x = np.array([5, -5, 6, -6, 7, -7, 2047, -2048, 1, -1])
    assert shift_round(x, 1).tolist() == [3, -2, 3, -3, 4, -3, 1024, -1024, 1, 0]
    assert shift_round(x, 0).tolist() == x.tolist()
    for s in range(1, 9):
        expect = [math.floor(v / 2**s + 0.5) for v in x.tolist()]
        assert shift_round(x, s).tolist() == expect
    with pytest.raises(ValueError, match="shift"):
        shift_round(x, -1)


# -------------------------------------------------------------------- LUTs
@pytest.mark.parametrize("fmt", [QFormat(3, 8), QFormat(2, 7), QFormat(1, 5)])
def test_sigmoid_lut_matches_formula_for_every_code(fmt):
    lut = sigmoid_lut(fmt)
    dlut = sigmoid_derivative_lut(fmt)
    assert lut.shape == dlut.shape == (2**fmt.width,)
    for s in range(fmt.min_code, fmt.max_code + 1):
        assert lut[s - fmt.min_code] == ref_sigmoid_code(s, fmt)
        sig = 1.0 / (1.0 + math.exp(-s / 2**fmt.fraction))
        d = min(
            math.floor(sig * (1 - sig) * 2**fmt.fraction + 0.5),
            2 ** (fmt.fraction - 2) - 1,
        )
        assert dlut[s - fmt.min_code] == d


def test_sigmoid_lut_spec_counts():
    # spec 4.3: the plain (1,3,8) tables have 452 / 903 zero entries; (1,2,7) none
    assert np.sum(sigmoid_lut(FMT) == 0) == 452
    assert np.sum(sigmoid_derivative_lut(FMT) == 0) == 903
    assert int(sigmoid_derivative_lut(FMT)[2048]) == 63  # h'(0) = 63/256
    assert int(sigmoid_lut(FMT)[2048]) == 128 and int(sigmoid_lut(FMT)[-1]) == 255
    assert np.all(sigmoid_lut(QFormat(2, 7)) > 0)
    assert sigmoid_lut(FMT, floor_lsb=True).min() == 1
    assert sigmoid_derivative_lut(FMT, floor_lsb=True).min() == 1
    assert np.all(np.diff(sigmoid_lut(FMT)) >= 0)


# --------------------------------------------------------------- simulator
def _random_net(rng, sizes, density, fmt, w_scale):
    layouts = [
        random_layout(rng, a, b, density)
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    lo, hi = fmt.min_code, fmt.max_code
    weights = [
        np.clip(np.round(rng.normal(0, w_scale, lay.n_edges)), lo, hi).astype(np.int64)
        for lay in layouts
    ]
    biases = [rng.integers(lo, hi + 1, lay.n_out) // 4 for lay in layouts]
    return FixedPointNetwork(fmt, layouts, weights, biases, np.arange(sizes[-1]))


FORMATS = st.sampled_from([QFormat(3, 8), QFormat(2, 7), QFormat(4, 11), QFormat(0, 5)])


@given(
    st.integers(0, 2**32 - 1),
    FORMATS,
    st.lists(st.integers(1, 9), min_size=2, max_size=4),
    st.floats(0.1, 1.0),
    st.sampled_from([4.0, 300.0, 3000.0]),
)
@settings(max_examples=40, deadline=None)
def test_activations_bit_exact_against_plain_loop(seed, fmt, sizes, density, w_scale):
    rng = np.random.default_rng(seed)
    net = _random_net(rng, sizes, density, fmt, w_scale)
    X = np.round(rng.random((5, sizes[0])), 3)
    X[0, :] = 1.0
    got = net.activations(X)
    want, n_prod, n_sum = ref_forward(net, X)
    assert len(got) == len(sizes)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == np.int64
        np.testing.assert_array_equal(g, w)
    assert net.saturation_["products"] == n_prod
    assert net.saturation_["sums"] == n_sum
    np.testing.assert_array_equal(net.output_codes(X), want[-1])
    group = net.layouts[-1].neurons_per_clock()
    assert net.predict(X).tolist() == [ref_argmax(list(r), group) for r in want[-1]]


def test_saturation_is_counted_when_it_happens():
    rng = np.random.default_rng(1)
    net = _random_net(rng, [6, 5, 3], 1.0, FMT, 3000.0)
    net.activations(rng.random((20, 6)))
    assert sum(net.saturation_["sums"]) > 0
    assert net.saturation_["n_samples"] == 20


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 12))
@settings(max_examples=60, deadline=None)
def test_hardware_argmax_matches_sequential_comparator(seed, group, n_out):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 3, (7, n_out))
    got = hardware_argmax(values, group)
    assert got.tolist() == [ref_argmax(list(r), group) for r in values]


def test_simulator_handles_empty_batches_and_wrong_widths():
    net = _random_net(np.random.default_rng(0), [4, 3, 2], 1.0, FMT, 50.0)
    assert [a.shape for a in net.activations(np.zeros((0, 4)))] == [
        (0, 4),
        (0, 3),
        (0, 2),
    ]
    with pytest.raises(ValueError, match="features"):
        net.predict(np.zeros((2, 5)))


# -------------------------------------------------------------- conversion
def _standin(rng, sizes=(8, 6, 3), density=0.6, scale=1.0, **kw):
    coefs = [
        (rng.random((a, b)) < density) * rng.normal(0, scale, (a, b))
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    intercepts = [rng.normal(0, 0.5, b) for b in sizes[1:]]
    return StandInMLP(coefs, intercepts, np.array(["a", "b", "c"][: sizes[-1]]), **kw)


def test_to_fixed_point_attributes_and_rounding():
    rng = np.random.default_rng(0)
    model = _standin(rng)
    net = to_fixed_point(model)
    assert net.fmt == FMT
    assert len(net.weights) == 2 and len(net.biases) == 2
    for W, Wf, b, bf in zip(
        net.weights, model.coefs_, net.biases, model.intercepts_, strict=True
    ):
        assert W.shape == Wf.shape and np.issubdtype(W.dtype, np.integer)
        assert W.nnz == Wf.nnz  # every edge kept, even those rounding to 0
        np.testing.assert_array_equal(W.toarray(), np.floor(Wf.toarray() * 256 + 0.5))
        np.testing.assert_array_equal(b, np.floor(bf * 256 + 0.5))
    assert net.sigmoid_lut.shape == (4096,)
    X = rng.random((50, 8))
    assert set(net.predict(X)) <= {"a", "b", "c"}
    agree = np.mean(net.predict(X) == model.predict_float(X))
    assert agree > 0.9


def test_to_fixed_point_saturates_counts_and_warns():
    model = _standin(np.random.default_rng(0), scale=6.0)
    with pytest.warns(UserWarning, match="saturated"):
        net = to_fixed_point(model)
    W = np.concatenate([c.data for c in model.coefs_])
    assert sum(net.conversion_saturation_["weights"]) == np.sum(np.abs(W) >= 8 - 2**-9)
    assert net.weights[0].max() <= 2047 and net.weights[0].min() >= -2048


def test_to_fixed_point_bad_input():
    model = _standin(np.random.default_rng(0))
    with pytest.raises(NotFittedError):
        to_fixed_point(Unfitted())
    model.activation = "relu"
    with pytest.raises(ValueError, match="'logistic'"):
        to_fixed_point(model)
    model.activation = "logistic"
    with pytest.raises(TypeError, match="QFormat"):
        to_fixed_point(model, fmt=(3, 8))
    with pytest.raises(ValueError, match="parallelism"):
        to_fixed_point(_standin(np.random.default_rng(0), parallelism=3))
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        to_fixed_point(model).predict(np.full((1, 8), 2.0))


def test_to_fixed_point_checks_lut_floor_lsb_and_empty_calibration():
    model = _standin(np.random.default_rng(0))
    for bad in ["no", 1, None]:
        with pytest.raises(TypeError, match=r"lut_floor_lsb=.* must be a bool"):
            to_fixed_point(model, lut_floor_lsb=bad)
    assert to_fixed_point(model, lut_floor_lsb=np.bool_(True)).lut_floor_lsb is True
    X = np.random.default_rng(1).random((10, 8))
    with pytest.raises(ValueError, match=r"calibration_X has 0 samples"):
        to_fixed_point(model, calibration_X=X[:0])


def test_to_fixed_point_takes_an_ap_fixed_string_like_quantize():
    model = _standin(np.random.default_rng(0))
    assert to_fixed_point(model, "ap_fixed<12,4>").fmt == QFormat(3, 8)
    assert to_fixed_point(model, fmt="ap_fixed<10,3>").fmt == QFormat(2, 7)
    with pytest.raises(ValueError, match=r"fmt='q3.8' is not a fixed-point format"):
        to_fixed_point(model, "q3.8")


def test_out_of_range_inputs_show_the_extremes_unrounded():
    net = to_fixed_point(_standin(np.random.default_rng(0)))
    with pytest.raises(ValueError, match=r"got values in \[1.0000001, 1.0000001\]"):
        net.predict(np.full((2, 8), 1.0000001))
    with pytest.raises(ValueError, match=r"in \[-1e-07, 0.5\]"):
        net.predict(np.array([[-1e-7] + [0.5] * 7]))
    # within a scaler's rounding of the range (INPUT_TOLERANCE): read as the bound
    np.testing.assert_array_equal(
        net.predict(np.array([[-1e-12] + [0.5] * 7])),
        net.predict(np.array([[0.0] + [0.5] * 7])),
    )


def test_default_parallelism_and_clash_report():
    model = _standin(np.random.default_rng(0), parallelism=(4, 2))
    net = to_fixed_point(model)
    assert [lay.z for lay in net.layouts] == [4, 2]
    lay = net.layouts[0]
    assert lay.kind == "right_order"
    assert np.all(np.diff(lay.right) >= 0)
    banks = np.concatenate([lay.left % 4, np.full(lay.n_clocks * 4 - lay.n_edges, -1)])
    by_clock = banks.reshape(-1, 4)
    want = sum(len(set(c)) < 4 or -1 in c for c in by_clock.tolist())
    assert lay.clash_clocks() == want


@given(st.integers(0, 2**32 - 1), FORMATS, st.integers(1, 7), st.integers(1, 6))
@settings(max_examples=40, deadline=None)
def test_kernel_saturates_each_product_for_signed_activations(seed, fmt, n_in, n_out):
    # the datapath's activations are >= 0, where products cannot saturate; the
    # kernel also takes signed codes, which exercises per-edge product saturation
    rng = np.random.default_rng(seed)
    lay = random_layout(rng, n_in, n_out, 0.7)
    lo, hi = fmt.min_code, fmt.max_code
    w = rng.integers(lo, hi + 1, lay.n_edges)
    b = rng.integers(lo, hi + 1, n_out)
    a = rng.integers(lo, hi + 1, (n_in, 4))
    kernel = JunctionKernel(lay.left, lay.right, w, b, n_out, fmt, (lo, hi))
    counts = {}
    got = kernel(a.astype(kernel.dtype), counts)
    want = np.zeros((n_out, 4), dtype=np.int64)
    n_prod = n_sum = 0
    for col in range(4):
        acc = [0] * n_out
        for e in range(lay.n_edges):
            x, y = int(a[lay.left[e], col]), int(w[e])
            p = ref_mul(x, y, fmt)
            n_prod += p != math.floor(Fraction(x * y, 2**fmt.fraction) + Fraction(1, 2))
            acc[lay.right[e]] += p
        for k in range(n_out):
            want[k, col] = max(lo, min(hi, acc[k] + int(b[k])))
            n_sum += want[k, col] != acc[k] + int(b[k])
    np.testing.assert_array_equal(got, want)
    assert counts.get("products", 0) == n_prod and counts["sums"] == n_sum


def test_calibration_preserves_argmax_and_removes_saturation_ties():
    # softmax logits shifted far up: every sigmoid output saturates at 1 - LSB
    rng = np.random.default_rng(3)
    model = _standin(rng, sizes=(8, 16, 3), density=1.0, scale=1.5)
    model.intercepts_[-1] = model.intercepts_[-1] + 12.0
    X = rng.random((400, 8))
    want = model.predict_float(X)
    with pytest.warns(UserWarning, match="saturated"):
        plain = to_fixed_point(model)  # output biases beyond +8
    assert (plain.output_scale_, plain.output_shift_) == (1.0, 0.0)
    calibrated = to_fixed_point(model, calibration_X=X[:200])
    assert calibrated.output_scale_ > 0
    assert np.mean(plain.predict(X) == want) < 0.6
    assert np.mean(calibrated.predict(X) == want) > 0.95
    # only the output junction changes
    np.testing.assert_array_equal(calibrated.edge_weights[0], plain.edge_weights[0])
    with pytest.raises(ValueError, match="X must"):
        to_fixed_point(model, calibration_X=X * 3)


@pytest.mark.parametrize("threads", [1, 2])
def test_chunked_and_threaded_simulation_matches_reference(monkeypatch, threads):
    import sparsenn.fixedpoint._network as network

    monkeypatch.setattr(network, "_CHUNK_ELEMENTS", 64)  # many small chunks
    monkeypatch.setattr(network, "_N_THREADS", threads)
    rng = np.random.default_rng(7)
    net = _random_net(rng, [6, 9, 4], 0.6, FMT, 900.0)
    X = rng.random((23, 6))
    want, n_prod, n_sum = ref_forward(net, X)
    for got, ref in zip(net.activations(X), want, strict=True):
        np.testing.assert_array_equal(got, ref)
    assert net.saturation_["sums"] == n_sum and net.saturation_["n_samples"] == 23
