"""Training that matches the datapath: ``output="sigmoid"`` and ``quantize``."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from sparsenn import HMatrixMLPClassifier, SparseMLPClassifier
from sparsenn.engine._network import forward
from sparsenn.engine._quantize import Quantizer
from sparsenn.fixedpoint import QFormat, quantize_inputs, sigmoid_lut, to_fixed_point
from sparsenn.fixedpoint._format import parse_format
from sparsenn.layers import DenseWeights
from sparsenn.neural_network._datapath import make_quantizer


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.random((800, 16))
    y = X[:, :4].argmax(axis=1)
    return X, y


def _clf(**kw):
    params = dict(
        hidden_layer_sizes=(32,), activation="logistic", density=0.5,
        learning_rate_init=0.02, max_iter=60, random_state=0,
    )  # fmt: skip
    params.update(kw)
    return SparseMLPClassifier(**params)


def _fit(clf, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning
        return clf.fit(X, y)


@pytest.fixture(scope="module")
def models(data):
    X, y = data
    return {
        "sigmoid": _fit(_clf(output="sigmoid"), X, y),
        "qat": _fit(_clf(output="sigmoid", quantize="ap_fixed<12,4>"), X, y),
    }


# ---------------------------------------------------------------- the options
def test_defaults_and_params():
    clf = SparseMLPClassifier()
    assert clf.output == "softmax" and clf.quantize is None
    params = clone(_clf(output="sigmoid", quantize=QFormat(2, 7))).get_params()
    assert params["output"] == "sigmoid" and params["quantize"] == QFormat(2, 7)


def test_sigmoid_output_is_logistic_on_one_hot_targets(data, models):
    X, y = data
    clf = models["sigmoid"]
    assert clf.out_activation_ == "logistic"
    # the engine's logistic output on the one-hot indicator matrix (the
    # multi-label path) trains exactly the same parameters
    Y = np.eye(4)[y].astype(int)
    ref = _fit(_clf(), X, Y)
    assert ref.out_activation_ == "logistic"
    for w, v in zip(clf.weights_, ref.weights_, strict=True):
        np.testing.assert_array_equal(w.params, v.params)
    np.testing.assert_allclose(clf.loss_curve_, ref.loss_curve_)


def test_sigmoid_predict_proba_and_argmax(data, models):
    X, y = data
    clf = models["sigmoid"]
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    raw = clf._network_output(X)
    assert not np.allclose(raw.sum(axis=1), 1.0)  # independent sigmoids
    np.testing.assert_allclose(P, raw / raw.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[raw.argmax(axis=1)])
    assert clf.score(X, y) > 0.8


def test_sigmoid_with_string_labels_and_hmatrix(data):
    X, y = data
    labels = np.array(["a", "b", "c", "d"])[y]
    clf = _fit(_clf(output="sigmoid", max_iter=10), X, labels)
    assert set(clf.predict(X)) <= set(labels)
    hm = HMatrixMLPClassifier((32,), rank=2, leaf_size=8, output="sigmoid",
                              max_iter=10, random_state=0)  # fmt: skip
    hm = _fit(hm, X, y)
    assert hm.out_activation_ == "logistic"
    np.testing.assert_allclose(hm.predict_proba(X).sum(axis=1), 1.0)


def test_sigmoid_early_stopping_scores_accuracy(data):
    X, y = data
    clf = _fit(_clf(output="sigmoid", early_stopping=True, max_iter=5), X, y)
    assert all(0 <= s <= 1 for s in clf.validation_scores_)


def test_warm_start_with_other_output_raises(data):
    X, y = data
    clf = _fit(_clf(max_iter=2, warm_start=True), X, y)
    clf.set_params(output="sigmoid")
    with pytest.raises(ValueError, match="output='sigmoid'.*warm_start=False"):
        clf.fit(X, y)


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(output="tanh"), "output"),
        (dict(quantize=12), "quantize"),
        (dict(output="sigmoid", quantize="fixed<12,4>"), "quantize='fixed<12,4>'"),
        (
            dict(output="sigmoid", quantize="ap_fixed<40,4>"),
            "quantize='ap_fixed<40,4>'",
        ),
        (dict(quantize="ap_fixed<12,4>"), "quantize=.*needs output='sigmoid'"),
    ],
)
def test_bad_options_name_the_parameter(data, kw, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        _clf(max_iter=1, **kw).fit(X, y)


def test_quantize_needs_inputs_in_unit_interval(data, models):
    X, y = data
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        _clf(output="sigmoid", quantize="ap_fixed<12,4>", max_iter=1).fit(2 * X, y)
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        models["qat"].predict(X - 0.5)


def test_parse_format():
    assert parse_format("ap_fixed<12,4>") == QFormat(3, 8)
    assert parse_format(" ap_fixed< 10 , 3 > ") == QFormat(2, 7)
    with pytest.raises(ValueError, match="quantize='ap_fixed<12,0>'"):
        parse_format("ap_fixed<12,0>")


# ------------------------------------------------------------- the quantizer
def test_quantizer_rounds_half_up_and_saturates():
    q = make_quantizer(QFormat(3, 8))
    x = np.array([0.5 / 256, -0.5 / 256, 1.5 / 256, 9.0, -9.0, -8.0, 7.999])
    # 7.999 * 256 = 2047.7 rounds to 2048, then saturates to 2047
    expected = np.array([1, 0, 2, 2047, -2048, -2048, 2047]) / 256
    np.testing.assert_array_equal(q.round(x), expected)


@pytest.mark.parametrize("fmt", [QFormat(3, 8), QFormat(2, 7), QFormat(4, 11)])
def test_quantizer_inputs_and_table_match_fixedpoint(fmt):
    q = make_quantizer(fmt)
    X = np.random.default_rng(1).random((50, 7))
    X[0, :3] = [0.0, 1.0, 0.5 / 256]
    np.testing.assert_array_equal(q.inputs(X), quantize_inputs(X, fmt) * fmt.step)
    codes = np.arange(fmt.min_code, fmt.max_code + 1)
    a = q.activation("logistic", codes * fmt.step, None)
    np.testing.assert_array_equal(a, sigmoid_lut(fmt) * fmt.step)


def test_quantizer_parameters_are_copies_and_other_activations_round():
    q = Quantizer(2, -8, 7, np.zeros(16))
    w = DenseWeights(np.array([[0.3, -5.0]]))
    (qw,), (qb,) = q.parameters([w], [np.array([0.1, 0.2])])
    np.testing.assert_array_equal(w.params, [0.3, -5.0])  # untouched
    np.testing.assert_array_equal(qw.W, [[0.25, -2.0]])
    np.testing.assert_array_equal(qb, [0.0, 0.25])
    relu = q.activation("relu", np.array([-1.0, 0.4]), lambda z: np.maximum(z, 0))
    np.testing.assert_array_equal(relu, [0.0, 0.5])


def test_mask_gradients_stops_outward_drift():
    q = Quantizer(2, -8, 7, np.zeros(16))  # range [-2, 1.75]
    p = np.array([1.75, 1.75, -2.0, -2.0, 0.0])
    g = np.array([-1.0, 1.0, 1.0, -1.0, -1.0])
    q.mask_gradients([p], [g])
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0, -1.0, -1.0])


def test_qat_forward_is_the_datapath_for_exact_products(data, models):
    # integer weights make every product exact, so per-edge rounding does not
    # matter: the quantised forward pass is then the integer datapath, bit for bit
    X, _ = data
    clf = pickle.loads(pickle.dumps(models["qat"]))
    rng = np.random.default_rng(2)
    for w, b in zip(clf.weights_, clf.intercepts_, strict=True):
        w.params[:] = rng.integers(-3, 4, w.params.size)
        b[:] = rng.integers(-600, 600, b.size) / 256
    net = to_fixed_point(clf)
    P = forward(clf.weights_, clf.intercepts_, X, "logistic", output="logistic",
                quantizer=clf._quantizer())[-1]  # fmt: skip
    np.testing.assert_array_equal(P * 256, net.output_codes(X))
    assert sum(net.saturation_["sums"]) > 0  # saturation exercised


def test_qat_straight_through_training_learns(data, models):
    X, y = data
    clf = models["qat"]
    assert clf.score(X, y) > 0.8
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    # float parameters, off the grid: the optimizer holds them in float
    assert np.any(clf.weights_[0].params * 256 % 1 != 0)


# ------------------------------------------------------------- to_fixed_point
@pytest.mark.parametrize("kind", ["sigmoid", "qat"])
def test_to_fixed_point_without_calibration_agrees(data, models, kind):
    X, _ = data
    clf = models[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no calibration hint, no saturation
        net = to_fixed_point(clf)
    assert net.output_scale_ == 1.0 and net.output_shift_ == 0.0
    assert np.mean(net.predict(X) == clf.predict(X)) > 0.95


def test_calibration_not_used_for_sigmoid_models(data, models):
    X, _ = data
    with pytest.warns(UserWarning, match="calibration_X is not used"):
        net = to_fixed_point(models["sigmoid"], calibration_X=X[:100])
    assert net.output_scale_ == 1.0


def test_fmt_defaults_to_the_quantize_format(data):
    X, y = data
    clf = _fit(_clf(output="sigmoid", quantize="ap_fixed<10,3>", max_iter=5), X, y)
    assert to_fixed_point(clf).fmt == QFormat(2, 7)
    assert to_fixed_point(clf, QFormat(3, 8)).fmt == QFormat(3, 8)


def test_multilabel_model_still_refused(data):
    X, y = data
    clf = _fit(_clf(max_iter=2), X, np.eye(4)[y].astype(int))
    with pytest.raises(ValueError, match="multi-label"):
        to_fixed_point(clf)


# ------------------------------------------------------------- persistence
@pytest.mark.parametrize("kind", ["sigmoid", "qat"])
def test_pickle_round_trip(data, models, kind):
    X, _ = data
    clf = models[kind]
    back = pickle.loads(pickle.dumps(clf))
    assert back.get_params() == clf.get_params()
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(
        to_fixed_point(back).output_codes(X), to_fixed_point(clf).output_codes(X)
    )


def test_pickle_with_qformat_and_partial_fit(data):
    X, y = data
    clf = _clf(output="sigmoid", quantize=QFormat(3, 8))
    clf.partial_fit(X, y, classes=np.arange(4))
    back = pickle.loads(pickle.dumps(clf))
    back.partial_fit(X, y)
    clf.partial_fit(X, y)
    for w, v in zip(clf.weights_, back.weights_, strict=True):
        np.testing.assert_array_equal(w.params, v.params)
