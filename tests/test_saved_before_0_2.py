"""Models saved by sparsenn before 0.2 load, predict and train on as they did.

Each test recreates the state an earlier version saved without its code: it
removes what 0.2 added (``_built_structure``, ``StoppingRule.best_structure``,
the manifest's ``feature_names_in``), renames what 0.2 renamed (``coef_`` to
``output_coef_``) and puts back what 0.2 removed (``RewiringRun.best``), then
loads through pickle or joblib as a user would.
"""

import json
import pickle
import shutil
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression

from sparsenn import (
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
)
from sparsenn.fixedpoint import load, to_fixed_point
from sparsenn.fixedpoint._manifest import MANIFEST_CHECKSUM, manifest_checksum

X, Y = make_classification(
    120, 8, n_informative=5, n_classes=3, n_clusters_per_class=1, random_state=0
)
X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))  # in [0, 1]
XR, YR = make_regression(120, 8, noise=0.1, random_state=0)


def _saved_as_before(model, tmp_path, edit, how):
    """``model`` saved with its state edited by ``edit`` (in place), then loaded."""
    state = pickle.loads(pickle.dumps(model)).__dict__  # a copy of every array
    edit(state)

    class Old:  # pickles as ``type(model)`` with the state of an earlier version
        def __reduce__(self):
            return (object.__new__, (type(model),), state)

    if how == "pickle":
        data = pickle.dumps(Old())
    else:
        joblib.dump(Old(), tmp_path / "old.joblib")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # loading says nothing
        if how == "pickle":
            return pickle.loads(data)
        return joblib.load(tmp_path / "old.joblib")


def _silently(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def _arrays(model):
    """Parameters and sparse patterns of an MLP (rewiring moves the patterns)."""
    out = [w.params for w in model.weights_] + list(model.intercepts_)
    return out + [getattr(w, "_indices", None) for w in model.weights_]


def _assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            assert x is y
        else:
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)


# ----------------------------------------------- pseudo-inverse: coef_ renamed
def _renamed_back(state):
    for new in ("output_coef_", "output_intercept_"):
        state[new.removeprefix("output_")] = state.pop(new)


PINV = {
    "classifier": lambda: PseudoInverseSparseClassifier(16, random_state=0).fit(X, Y),
    "regressor": lambda: PseudoInverseSparseRegressor(16, random_state=0).fit(XR, YR),
    "float32": lambda: PseudoInverseSparseClassifier(
        16, refine_iter=1, random_state=0
    ).fit(X.astype(np.float32), Y),
}


@pytest.mark.parametrize("how", ["pickle", "joblib"])
@pytest.mark.parametrize("kind", sorted(PINV))
def test_pinv_coef_saved_before_0_2_is_output_coef(kind, how, tmp_path):
    model = PINV[kind]()
    Xk = XR if kind == "regressor" else X.astype(model.output_coef_.dtype)
    old = _saved_as_before(model, tmp_path, _renamed_back, how)
    state = vars(old)
    assert "coef_" not in state and "intercept_" not in state
    for name in ("output_coef_", "output_intercept_"):
        assert state[name].dtype == vars(model)[name].dtype
        np.testing.assert_array_equal(state[name], vars(model)[name])
    np.testing.assert_array_equal(_silently(old.predict, Xk), model.predict(Xk))
    if kind != "regressor":
        np.testing.assert_array_equal(
            _silently(old.predict_proba, Xk), model.predict_proba(Xk)
        )
    _silently(old.score, Xk, YR if kind == "regressor" else Y)
    with pytest.warns(FutureWarning, match="renamed output_coef_"):
        assert old.coef_ is old.output_coef_
    again = _silently(pickle.loads, pickle.dumps(old))  # saved again by 0.2
    np.testing.assert_array_equal(again.predict(Xk), model.predict(Xk))


# --------------------------------------------- MLPs: no _built_structure yet
def _without_built_structure(state):
    del state["_built_structure"]


def _mlp(**kw):
    params = dict(density=0.5, max_iter=4, learning_rate_init=0.01, random_state=0)
    return SparseMLPClassifier((16,), **{**params, **kw})


@pytest.mark.parametrize("how", ["pickle", "joblib"])
def test_mlp_saved_before_0_2_predicts_and_trains_on(how, tmp_path):
    model = _mlp().fit(X, Y)
    old = _saved_as_before(model, tmp_path, _without_built_structure, how)
    assert not hasattr(old, "_built_structure")
    np.testing.assert_array_equal(
        _silently(old.predict_proba, X), model.predict_proba(X)
    )
    new = pickle.loads(pickle.dumps(model))
    _silently(old.partial_fit, X, Y)  # no "parameters not applied" warning
    new.partial_fit(X, Y)
    _assert_same(_arrays(old), _arrays(new))
    for m in (old, new):
        m.set_params(warm_start=True, max_iter=2)
        m.fit(X, Y)
    _assert_same(_arrays(old), _arrays(new))


def test_mlp_saved_before_0_2_warm_starts_silently_after_set_params(tmp_path):
    # what the network was built with is unknown: it is kept, and nothing is
    # claimed about the parameters (0.2 warns only when it knows)
    model = _mlp().fit(X, Y)
    old = _saved_as_before(model, tmp_path, _without_built_structure, "pickle")
    old.set_params(density=0.8, warm_start=True, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", "Stochastic Optimizer: Maximum iterations")
        old.fit(X, Y)
    assert old.n_params_ == model.n_params_
    model.set_params(density=0.8, warm_start=True, max_iter=1)
    with pytest.warns(UserWarning, match=r"density=0\.8 \(built with 0\.5\)"):
        model.fit(X, Y)


# -------------------- early stopping with rewiring: no best_structure yet
def _stopping_before_0_2(state):
    del state["_built_structure"]
    del state["_training"].stopping.__dict__["best_structure"]
    state["_rewiring"].__dict__["best"] = None  # a field of RewiringRun before 0.2


def test_rewired_early_stopping_saved_before_0_2_warm_starts_as_in_0_2(tmp_path):
    model = _mlp(
        connectivity="random",
        rewiring="rigl",
        rewire_every=2,
        batch_size=20,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=2,
        max_iter=8,
    ).fit(X, Y)
    old = _saved_as_before(model, tmp_path, _stopping_before_0_2, "pickle")
    assert old._training.stopping.best_structure is None  # the class default
    np.testing.assert_array_equal(
        _silently(old.predict_proba, X), model.predict_proba(X)
    )
    before, best = _arrays(model), model.best_validation_score_
    for m in (old, model):
        m.set_params(warm_start=True, max_iter=3, learning_rate_init=0.5)
        m.fit(X, Y)
    assert len(old.rewiring_history_) > 0  # edges moved in the warm start
    _assert_same(_arrays(old), _arrays(model))
    assert old.validation_scores_ == model.validation_scores_
    # a warm start that never beats the earlier best restores its weights on
    # the pattern they were saved on (before 0.2: on the pattern rewired since)
    assert old.best_validation_score_ == best
    _assert_same(_arrays(old), before)


# ----------------------- fixed point: no feature_names_in in the manifest yet
@pytest.fixture(scope="module")
def dataframe_net():
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = _mlp(activation="logistic", connectivity="clash_free", density=0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(frame, Y)
    return to_fixed_point(clf, calibration_X=frame)


def test_export_saved_before_0_2_has_no_feature_names(dataframe_net, tmp_path):
    net = dataframe_net
    path = net.save(tmp_path / "new", X[:4])
    old = shutil.copytree(path, tmp_path / "old")
    manifest = json.loads((old / "manifest.json").read_text())
    assert manifest.pop("feature_names_in") == list(net.feature_names_in_)
    manifest[MANIFEST_CHECKSUM] = manifest_checksum(manifest)
    (old / "manifest.json").write_text(json.dumps(manifest))
    back = _silently(load, old)
    assert not hasattr(back, "feature_names_in_")
    np.testing.assert_array_equal(_silently(back.predict, X), net.predict(X))
    other = pd.DataFrame(X, columns=[f"g{i}" for i in range(X.shape[1])])
    np.testing.assert_array_equal(back.predict(other), net.predict(X))  # by position


def test_fixed_point_network_pickled_before_0_2(dataframe_net):
    state = dict(vars(dataframe_net))
    del state["feature_names_in_"]
    old = object.__new__(type(dataframe_net))
    old.__dict__.update(state)
    old = _silently(pickle.loads, pickle.dumps(old))
    frame = pd.DataFrame(X, columns=[f"g{i}" for i in range(X.shape[1])])
    np.testing.assert_array_equal(
        _silently(old.predict, frame), dataframe_net.predict(X)
    )
