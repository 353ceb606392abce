"""scikit-learn meta-estimators, configuration and metadata routing.

An audit of the six exported estimators inside scikit-learn's searches,
ensembles, wrappers and inspection tools, each compared with
``MLPClassifier``/``MLPRegressor``. Two tests reproduce findings (the
pseudo-inverse estimators validated their parameters under
``skip_parameter_validation=True``; NaN rows let through by
``assume_finite=True`` were reported as an overflow); the others pin the
interoperability that held, so that a regression shows.
"""

import dataclasses
import tempfile
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import (
    BaggingClassifier,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
)
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    HalvingGridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_validate,
    learning_curve,
    validation_curve,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import MultiOutputClassifier, MultiOutputRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.utils import estimator_html_repr, get_tags

from sparsenn import (
    HMatrixMLPClassifier,
    HMatrixMLPRegressor,
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

_MLP = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
CLASSIFIERS = {
    "sparse": lambda: SparseMLPClassifier(**_MLP),
    "hmatrix": lambda: HMatrixMLPClassifier(**_MLP),
    "pinv": lambda: PseudoInverseSparseClassifier(n_hidden=8, random_state=0),
}
REGRESSORS = {
    "sparse": lambda: SparseMLPRegressor(**_MLP),
    "hmatrix": lambda: HMatrixMLPRegressor(**_MLP),
    "pinv": lambda: PseudoInverseSparseRegressor(n_hidden=8, random_state=0),
}
ALL = [
    *(pytest.param(make, True, id=f"clf-{k}") for k, make in CLASSIFIERS.items()),
    *(pytest.param(make, False, id=f"reg-{k}") for k, make in REGRESSORS.items()),
]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    return X, y, X @ rng.normal(size=6), rng.uniform(0, 3, size=60)


def _xy(data, classifier):
    X, y, t, w = data
    return X, (y if classifier else t), w


def _params(est):
    """The fitted parameters of one estimator, as one flat array."""
    if hasattr(est, "output_coef_"):
        return np.ravel(est.output_coef_)
    return np.concatenate(
        [np.ravel(c.toarray() if hasattr(c, "toarray") else c) for c in est.coefs_]
    )


# ------------------------------------------------------------------ findings
@pytest.mark.parametrize("make, classifier", ALL)
def test_fit_honours_skip_parameter_validation(data, make, classifier, monkeypatch):
    # PseudoInverseSparse* called self._validate_params() in fit, so
    # config_context(skip_parameter_validation=True) (which MLPClassifier and
    # the other estimators honour through _fit_context) still validated
    X, y, _ = _xy(data, classifier)
    est = make()

    def boom():
        raise AssertionError("parameters validated although skipped")

    monkeypatch.setattr(type(est), "_validate_params", lambda self: boom())
    with sklearn.config_context(skip_parameter_validation=True):
        est.fit(X, y)
    with pytest.raises(AssertionError, match="validated although skipped"):
        clone(est).fit(X, y)


@pytest.mark.parametrize("make, classifier", ALL)
def test_nan_rows_under_assume_finite_are_named(data, make, classifier):
    # a NaN row of X let through by assume_finite=True was reported as "rows of
    # X overflowed ... (inputs or weights too large)"; it is now named for what
    # it is, at the user's line, and still no NaN leaves predict
    X, y, _ = _xy(data, classifier)
    est = make().fit(X, y)
    X_bad = X[:5].copy()
    X_bad[1, :] = np.nan
    with sklearn.config_context(assume_finite=True):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pred = est.predict(X_bad)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(runtime) == 1, [str(w.message) for w in caught]
    message = str(runtime[0].message)
    assert message.startswith("1 of the 5 rows of X hold NaN (not checked")
    assert "assume_finite=True" in message and "overflowed" not in message
    assert runtime[0].filename == __file__
    if not classifier:
        assert np.isfinite(pred).all()


# ------------------------------------------------- metadata routing (held)
@pytest.mark.parametrize("make, classifier", ALL)
def test_routed_sample_weight_reaches_fit(data, make, classifier):
    X, y, w = _xy(data, classifier)
    cv = KFold(2)
    train = next(cv.split(X))[0]
    with sklearn.config_context(enable_metadata_routing=True):
        est = make().set_fit_request(sample_weight=True)
        est.set_score_request(sample_weight=False)
        weighted = cross_validate(
            est, X, y, cv=cv, params={"sample_weight": w}, return_estimator=True
        )["estimator"][0]
        plain = cross_validate(make(), X, y, cv=cv, return_estimator=True)
        search = GridSearchCV(est, {"random_state": [0]}, cv=cv)
        search.fit(X, y, sample_weight=w)
    by_hand = make().fit(X[train], y[train], sample_weight=w[train])
    np.testing.assert_allclose(_params(weighted), _params(by_hand))
    assert not np.allclose(_params(weighted), _params(plain["estimator"][0]))
    refit = make().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(_params(search.best_estimator_), _params(refit))


@pytest.mark.parametrize("make, classifier", ALL)
def test_unrequested_sample_weight_raises_as_sklearn(data, make, classifier):
    X, y, w = _xy(data, classifier)
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError, match=r"\.fit, which"):
            cross_validate(make(), X, y, cv=2, params={"sample_weight": w})
        est = make().set_fit_request(sample_weight=True)
        with pytest.raises(UnsetMetadataPassedError, match=r"\.score, which"):
            GridSearchCV(est, {"random_state": [0]}, cv=2).fit(X, y, sample_weight=w)
        # the request survives clone
        assert clone(est).get_metadata_routing().fit.requests == {"sample_weight": True}


@pytest.mark.parametrize("make, classifier", ALL)
def test_routed_score_weight_changes_the_score(data, make, classifier):
    X, y, w = _xy(data, classifier)
    with sklearn.config_context(enable_metadata_routing=True):
        est = make().set_fit_request(sample_weight=False)
        weighted = cross_validate(
            clone(est).set_score_request(sample_weight=True),
            X, y, cv=2, params={"sample_weight": w},
        )["test_score"]  # fmt: skip
        plain = cross_validate(clone(est), X, y, cv=2)["test_score"]
    # the same models (fit ignores the weights), scored with and without them
    assert not np.allclose(weighted, plain)


@pytest.mark.parametrize("classifier", [True, False], ids=["clf", "reg"])
def test_routed_partial_fit_weight_in_multioutput(data, classifier):
    X, y, w = _xy(data, classifier)
    est = CLASSIFIERS["sparse"]() if classifier else REGRESSORS["sparse"]()
    est.set_params(learning_rate_init=0.1)  # one epoch: let the weights show

    def make():
        return clone(est)

    Y = np.c_[y, y]
    kwargs = {"classes": [np.unique(y)] * 2} if classifier else {}
    meta = MultiOutputClassifier if classifier else MultiOutputRegressor
    with sklearn.config_context(enable_metadata_routing=True):
        request = dict(sample_weight=True, **({"classes": True} if classifier else {}))
        weighted = meta(make().set_partial_fit_request(**request))
        weighted.partial_fit(X, Y, sample_weight=w, **kwargs)
        plain = meta(make().set_partial_fit_request(**request))
        plain.partial_fit(X, Y, **kwargs)
    by_hand = make().partial_fit(X, Y[:, 0], sample_weight=w, **(
        {"classes": np.unique(y)} if classifier else {}
    ))  # fmt: skip
    np.testing.assert_allclose(_params(weighted.estimators_[0]), _params(by_hand))
    assert not np.allclose(
        _params(weighted.estimators_[0]), _params(plain.estimators_[0])
    )


# ------------------------------------------------------- searches (held)
GRIDS = {
    SparseMLPClassifier: {
        "density": [0.5, 1.0],
        "connectivity": ["random", "clash_free"],
        "rewiring": [None, "set"],
        "rewire_every": [1],
    },
    SparseMLPRegressor: {"density": [0.5, 1.0], "connectivity": ["structured"]},
    HMatrixMLPClassifier: {"rank": [1, 2], "leaf_size": [2, 4]},
    HMatrixMLPRegressor: {"rank": [1, 2], "admissibility": ["weak", "standard"]},
    PseudoInverseSparseClassifier: {"density": [0.5, 1.0], "offsets": [(1, 1)]},
    PseudoInverseSparseRegressor: {"n_layers": [0, 2], "input_density": [0.5]},
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("make, classifier", ALL)
@pytest.mark.parametrize("search", ["grid", "random", "halving"])
def test_searches_fit_every_candidate(data, make, classifier, search):
    X, y, _ = _xy(data, classifier)
    est = make()
    grid = GRIDS[type(est)]
    if search == "grid":
        cv = GridSearchCV(est, grid, cv=2, error_score="raise")
    elif search == "random":
        cv = RandomizedSearchCV(est, grid, n_iter=2, cv=2, random_state=0)
        cv.set_params(error_score="raise")
    else:
        cv = HalvingGridSearchCV(est, grid, cv=2, min_resources=20, random_state=0)
        cv.set_params(error_score="raise")
    cv.fit(X, y)
    assert np.isfinite(cv.cv_results_["mean_test_score"]).all()
    assert set(cv.best_params_) == set(grid)
    for name, value in cv.best_params_.items():
        assert cv.best_estimator_.get_params()[name] == value


@pytest.mark.parametrize("make, classifier", ALL)
def test_curves_and_cross_validate(data, make, classifier):
    X, y, _ = _xy(data, classifier)
    est = make()
    out = cross_validate(est, X, y, cv=2, return_estimator=True)
    a, b = out["estimator"]
    assert type(a) is type(est) and a is not b
    assert not np.allclose(_params(a), _params(b))
    sizes, train, test = learning_curve(est, X, y, cv=2, train_sizes=[0.5, 1.0])
    assert test.shape == (2, 2) and np.isfinite(test).all()
    train, test = validation_curve(
        est, X, y, param_name="random_state", param_range=[0, 1], cv=2
    )
    assert test.shape == (2, 2) and np.isfinite(test).all()


# -------------------------------------------- meta-estimators (held)
@pytest.mark.parametrize("make", CLASSIFIERS.values(), ids=list(CLASSIFIERS))
def test_classifier_meta_estimators(data, make):
    X, y, _, _ = data
    est = make()
    n_classes = np.unique(y).size
    metas = [
        CalibratedClassifierCV(est, cv=2),
        StackingClassifier([("a", est), ("b", LogisticRegression())], cv=2),
        VotingClassifier([("a", est), ("b", LogisticRegression())], voting="soft"),
        BaggingClassifier(est, n_estimators=2, max_features=0.5, random_state=0),
        OneVsRestClassifier(est),
        Pipeline([("s", StandardScaler()), ("m", est)], memory=tempfile.mkdtemp()),
    ]
    for meta in metas:
        P = meta.fit(X, y).predict_proba(X[:4])
        assert P.shape == (4, n_classes) and np.isfinite(P).all(), meta
        np.testing.assert_allclose(P.sum(axis=1), 1.0)
    y_semi = y.copy()
    y_semi[::2] = -1
    SelfTrainingClassifier(est, max_iter=2).fit(X, y_semi).predict(X[:3])
    binary = (y > 0).astype(int)
    fixed = FixedThresholdClassifier(est, threshold=0.3).fit(X, binary)
    assert set(fixed.predict(X)) <= {0, 1}


@pytest.mark.parametrize("make", REGRESSORS.values(), ids=list(REGRESSORS))
def test_regressor_meta_estimators(data, make):
    X, _, t, w = data
    est = make()
    T = np.c_[t, 2 * t]
    metas = [
        (StackingRegressor([("a", est), ("b", Ridge())], cv=2), t),
        (MultiOutputRegressor(est), T),
        (TransformedTargetRegressor(est, transformer=StandardScaler()), t),
        (TransformedTargetRegressor(est, transformer=StandardScaler()), T),
        (Pipeline([("s", StandardScaler()), ("m", est)], memory=tempfile.mkdtemp()), t),
    ]
    for meta, target in metas:
        pred = meta.fit(X, target).predict(X[:4])
        assert pred.shape == (4,) + target.shape[1:] and np.isfinite(pred).all()
    a = MultiOutputRegressor(est).fit(X, T, sample_weight=w).predict(X)
    b = MultiOutputRegressor(est).fit(X, T).predict(X)
    assert not np.allclose(a, b)  # sample_weight forwarded without routing


@pytest.mark.parametrize("make, classifier", ALL)
def test_inspection(data, make, classifier):
    X, y, _ = _xy(data, classifier)
    est = make().fit(X, y)
    imp = permutation_importance(est, X, y, n_repeats=2, random_state=0)
    assert imp.importances_mean.shape == (6,)
    pd_ = partial_dependence(est, X, [0], grid_resolution=4)
    expected = (np.unique(y).size, 4) if classifier else (1, 4)
    assert pd_["average"].shape == expected


# ------------------------------------------------ configuration (held)
def _flat_tags(tags, prefix=""):
    out = {}
    for field in dataclasses.fields(tags):
        value = getattr(tags, field.name)
        if dataclasses.is_dataclass(value):
            out.update(_flat_tags(value, f"{prefix}{field.name}."))
        else:
            out[prefix + field.name] = value
    return out


#: documented differences from MLPClassifier/MLPRegressor's tags: the
#: pseudo-inverse models take dense single-label input; every regressor here
#: fits 2-D y (MLPRegressor fits it too, but does not say so in its tags)
_TAG_DIFFERENCES = {
    PseudoInverseSparseClassifier: {"classifier_tags.multi_label", "input_tags.sparse"},
    PseudoInverseSparseRegressor: {"target_tags.multi_output", "input_tags.sparse"},
    SparseMLPRegressor: {"target_tags.multi_output"},
    HMatrixMLPRegressor: {"target_tags.multi_output"},
}


@pytest.mark.parametrize("make, classifier", ALL)
def test_tags_and_type_match_sklearn(make, classifier):
    est = make()
    assert is_classifier(est) is classifier and is_regressor(est) is not classifier
    ref = _flat_tags(get_tags(MLPClassifier() if classifier else MLPRegressor()))
    ours = _flat_tags(get_tags(est))
    differ = {k for k in ref if ref[k] != ours[k]}
    assert differ == _TAG_DIFFERENCES.get(type(est), set())


@pytest.mark.parametrize("make, classifier", ALL)
def test_html_repr_and_config(data, make, classifier):
    X, y, _ = _xy(data, classifier)
    est = make()
    assert "Not fitted" in estimator_html_repr(est)
    with sklearn.config_context(transform_output="pandas"):
        fitted = Pipeline([("s", StandardScaler()), ("m", clone(est))]).fit(X, y)
        assert isinstance(fitted.predict(X[:3]), np.ndarray)
    assert "Fitted" in estimator_html_repr(fitted[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning for finite data
        warnings.simplefilter("ignore", ConvergenceWarning)
        with sklearn.config_context(assume_finite=True):
            a = clone(est).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, clone(est).fit(X, y).predict(X))
