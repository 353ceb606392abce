"""Audit of the Python API of ``sparsenn.fixedpoint``: estimator-like behaviour of
``FixedPointNetwork``, ``train_on_device`` arguments and resumption, conversion
refusals, and agreement with the float model at high bit widths."""

import copy
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from test_fixedpoint_manifest_fields import _resigned, _setter

from sparsenn import PseudoInverseSparseClassifier, SparseMLPClassifier
from sparsenn.fixedpoint import (
    ExportError,
    QFormat,
    load,
    to_fixed_point,
    train_on_device,
)


def _data(n=300, n_features=16):
    rng = np.random.default_rng(0)
    X = rng.random((n, n_features))
    y = (X[:, 0] + X[:, 1] > X[:, 2] + X[:, 3]).astype(int) + (X[:, 4] > 0.5)
    return X, np.array(["cat", "dog", "emu"])[y]


def _fit(X, y, **params):
    kw = dict(
        hidden_layer_sizes=(16,),
        activation="logistic",
        connectivity="clash_free",
        density=0.25,
        parallelism=4,
        max_iter=30,
        random_state=0,
    )
    kw.update(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SparseMLPClassifier(**kw).fit(X, y)


@pytest.fixture(scope="module")
def frame_net():
    X, y = _data()
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    clf = _fit(df, y)
    return df, y, clf, to_fixed_point(clf)


def test_dataframe_with_reordered_columns_is_refused(frame_net, tmp_path):
    df, y, clf, net = frame_net
    assert list(net.feature_names_in_) == list(clf.feature_names_in_)
    assert (net.predict(df) == clf.predict(df)).mean() > 0.9
    shuffled = df[df.columns[::-1]]
    with pytest.raises(ValueError, match="column 0 is 'px15', expected 'px0'"):
        net.predict(shuffled)
    with pytest.raises(ValueError, match="feature_names_in_"):
        train_on_device(net, shuffled, y)
    # kept through training, pickling and an export round trip
    trained = train_on_device(net, df[:20], y[:20])
    loaded = load(net.save(tmp_path / "e"))
    for other in (trained, pickle.loads(pickle.dumps(net)), loaded):
        assert list(other.feature_names_in_) == list(df.columns)
        with pytest.raises(ValueError, match="feature_names_in_"):
            other.predict(shuffled)
    assert (loaded.predict(df) == net.predict(df)).all()
    assert (loaded.predict(df.to_numpy()) == net.predict(df)).all()  # by position


def test_train_on_device_flags_must_be_bool():
    X, y = _data(20)
    net = to_fixed_point(_fit(X, y))
    for name in ("pipelined", "rtl_quirk"):
        with pytest.raises(TypeError, match=f"{name}='no' must be a bool"):
            train_on_device(net, X, y, **{name: "no"})


def test_train_on_device_keeps_the_conversion_attributes():
    X, y = _data()
    net = to_fixed_point(_fit(X, y), calibration_X=X)
    net.output_scale_, net.output_shift_ = 0.25, 1.5  # as a calibration chooses
    trained = train_on_device(net, X[:10], y[:10])
    assert (trained.output_scale_, trained.output_shift_) == (0.25, 1.5)


def test_resume_after_save_load_is_exact(tmp_path):
    X, y = _data()
    net = to_fixed_point(_fit(X, y))
    shifts = np.r_[np.full(150, 3), np.full(150, 5)]
    once = train_on_device(net, X, y, lr_shift=shifts)
    half = load(train_on_device(net, X[:150], y[:150], lr_shift=3).save(tmp_path))
    resumed = train_on_device(half, X[150:], y[150:], lr_shift=5)
    pairs = zip(
        once.edge_weights + once.biases,
        resumed.edge_weights + resumed.biases,
        strict=True,
    )
    for a, b in pairs:
        np.testing.assert_array_equal(a, b)
    assert (resumed.predict(X) == once.predict(X)).all()


def test_score_with_wrong_length_y_names_y(frame_net):
    df, y, _, net = frame_net
    assert net.score(df, y) == np.mean(net.predict(df) == y)
    with pytest.raises(ValueError, match=r"y must have shape \(300,\)"):
        net.score(df, y[:10])


def test_model_without_mlp_layers_is_refused():
    X, y = _data()
    pinv = PseudoInverseSparseClassifier(16, activation="logistic", random_state=0)
    with pytest.raises(ValueError, match="PseudoInverseSparseClassifier has no"):
        to_fixed_point(pinv.fit(X, y))


def test_estimator_like_behaviour(frame_net):
    df, y, clf, net = frame_net
    assert net.n_features_in_ == 16 and list(net.classes_) == ["cat", "dog", "emu"]
    assert set(net.predict(df)) <= set(clf.classes_)
    for other in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert (other.predict(df) == net.predict(df)).all()
    X = df.to_numpy()
    assert (net.predict(X.astype(np.float32)) == net.predict(X)).all()
    for bad, match in ((X * 1.5, r"must lie in \[0, 1\]"), (X - 1, "must lie")):
        with pytest.raises(ValueError, match=match):
            net.predict(bad)
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="finite"):
        net.predict(X_nan)


def test_high_width_approaches_the_float_model():
    """At 20 bits the integer outputs are the float sigmoid outputs of the same
    (8-bit) inputs up to rounding; predictions agree."""
    X, y = _data()
    clf = _fit(X, y, output="sigmoid")
    Xq = np.minimum(np.floor(X * 256 + 0.5), 255) / 256  # the input port
    a = Xq
    for W, b in zip(clf.coefs_, clf.intercepts_, strict=True):
        a = expit(np.asarray(a @ W) + b)
    errors = {}
    for fmt in (QFormat(3, 8), QFormat(7, 12)):
        net = to_fixed_point(clf, fmt)
        errors[fmt.width] = np.abs(net.output_codes(X) * fmt.step - a).max()
        if fmt.width == 20:
            assert (net.predict(X) == clf.predict(Xq)).mean() > 0.97
    assert errors[20] < 2e-3 and errors[20] < errors[12] / 4


def test_malformed_feature_names_in_an_export_are_refused(frame_net, tmp_path):
    _, _, _, net = frame_net
    path = net.save(tmp_path / "src")
    for k, bad in enumerate((["a"], list(range(16)), "px0")):
        folder = tmp_path / str(k)
        folder.mkdir()
        edited = _resigned(path, folder, _setter("feature_names_in", bad))
        with pytest.raises(ExportError, match="feature_names_in must be null"):
            load(edited)


def test_a_scalers_rounding_beyond_the_unit_range_reads_as_the_bound():
    from sklearn.preprocessing import MinMaxScaler

    X, y = _data()
    X = X * 7.3 - 2.1  # MinMaxScaler then gives 1.0000000000000002 on some rows
    Xs = MinMaxScaler().fit_transform(X)
    Xs[0, 0], Xs[1, 1] = 1.0 + 2e-16, -1e-17  # rounding on both sides
    clipped = np.clip(Xs, 0.0, 1.0)
    net = to_fixed_point(_fit(clipped, y))
    np.testing.assert_array_equal(net.input_codes(Xs), net.input_codes(clipped))
    np.testing.assert_array_equal(net.predict(Xs), net.predict(clipped))
    qat = _fit(clipped, y, quantize="ap_fixed<12,4>", output="sigmoid", max_iter=3)
    np.testing.assert_array_equal(qat.predict_proba(Xs), qat.predict_proba(clipped))
    for bad in (1.0 + 1e-6, -1e-6):  # beyond rounding: still refused, naming X
        Xb = clipped.copy()
        Xb[0, 0] = bad
        with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
            net.predict(Xb)
        with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
            qat.predict(Xb)
