"""SparseMLPClassifier: behaviour beyond scikit-learn's common checks."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sparsenn import SparseMLPClassifier


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


def _fit(X, y, **params):
    params = {"max_iter": 20, "random_state": 0, "learning_rate_init": 0.01, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SparseMLPClassifier(**params).fit(X, y)


def test_fitted_attributes(digits):
    X, y = digits
    clf = _fit(X, y, hidden_layer_sizes=(32, 16), density=(0.5, 0.25, 1.0))
    assert [c.shape for c in clf.coefs_] == [(64, 32), (32, 16), (16, 10)]
    assert all(sp.issparse(c) for c in clf.coefs_)
    np.testing.assert_allclose(clf.densities_, [0.5, 0.25, 1.0], atol=1 / 64 / 32)
    stored = sum(c.nnz for c in clf.coefs_)
    assert clf.n_params_ == stored + 32 + 16 + 10
    assert [c.nnz for c in clf.coefs_] == [1024, 128, 160]
    assert len(clf.loss_curve_) == clf.n_iter_ == 20
    assert clf.coefs_[0].dtype == np.float32
    assert clf.predict_proba(X).dtype == np.float32


def test_cost_follows_structure(digits):
    X, y = digits
    clf = _fit(
        X, y, hidden_layer_sizes=(64,), density=0.1, max_iter=2, connectivity="random"
    )
    assert [w.n_params for w in clf.weights_] == [410, 64]


def test_learns_at_low_density(digits):
    X, y = digits
    clf = _fit(X, y, hidden_layer_sizes=(128,), density=0.2, max_iter=60)
    assert clf.score(X, y) > 0.95


@pytest.mark.parametrize(
    "connectivity", ["random", "structured", "clash_free", "circulant"]
)
def test_every_connectivity_trains(digits, connectivity):
    X, y = digits
    clf = _fit(
        X,
        y,
        hidden_layer_sizes=(64,),
        density=0.25,
        max_iter=30,
        connectivity=connectivity,
    )
    assert clf.score(X, y) > 0.85
    ins = np.diff(clf.coefs_[0].tocsc().indptr)
    if connectivity != "random":
        assert ins.min() == ins.max()  # fixed in-degree


def test_grid_search_over_density_and_connectivity(digits):
    X, y = digits
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "mlp",
                SparseMLPClassifier(
                    (32,), max_iter=30, random_state=0, learning_rate_init=0.01
                ),
            ),
        ]
    )
    grid = {"mlp__density": [0.25, 0.5], "mlp__connectivity": ["random", "structured"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, grid, cv=2).fit(X[:600], y[:600])
    assert set(search.cv_results_["param_mlp__density"]) == {0.25, 0.5}
    assert search.best_score_ > 0.7


def test_pickle_round_trip_identical_predictions(digits):
    X, y = digits
    clf = _fit(X, y, hidden_layer_sizes=(32,), density=0.3, max_iter=5)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))


def test_same_seed_same_pattern_and_model(digits):
    X, y = digits
    a = _fit(X, y, hidden_layer_sizes=(16,), max_iter=3)
    b = _fit(X, y, hidden_layer_sizes=(16,), max_iter=3)
    assert (a.coefs_[0] != b.coefs_[0]).nnz == 0


def test_warm_start_and_partial_fit(digits):
    X, y = digits
    clf = _fit(X, y, hidden_layer_sizes=(16,), max_iter=3, warm_start=True)
    pattern = clf.coefs_[0].indices.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 6
    np.testing.assert_array_equal(clf.coefs_[0].indices, pattern)

    inc = SparseMLPClassifier((16,), random_state=0)
    for _ in range(3):
        inc.partial_fit(X, y, classes=np.unique(y))
    assert inc.n_iter_ == 3 and inc.loss_curve_[-1] < inc.loss_curve_[0]
    with pytest.raises(ValueError, match="early_stopping"):
        SparseMLPClassifier(early_stopping=True).partial_fit(X, y, classes=np.unique(y))


def test_early_stopping_keeps_best(digits):
    X, y = digits
    clf = _fit(
        X,
        y,
        hidden_layer_sizes=(32,),
        early_stopping=True,
        max_iter=40,
        n_iter_no_change=3,
    )
    assert clf.best_loss_ is None
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_verbose_prints_each_epoch(digits, capsys):
    X, y = digits
    _fit(X, y, hidden_layer_sizes=(8,), max_iter=3, verbose=True)
    assert capsys.readouterr().out.count("Iteration") == 3


def test_class_weight_changes_the_fit():
    X, y = make_classification(300, weights=[0.9, 0.1], random_state=0)
    plain = _fit(X, y, hidden_layer_sizes=(8,), max_iter=30, density=0.5)
    balanced = _fit(
        X, y, hidden_layer_sizes=(8,), max_iter=30, density=0.5, class_weight="balanced"
    )
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_divergence_warns_and_never_predicts_nan(digits):
    X, y = digits
    with pytest.warns(ConvergenceWarning, match="diverged"):
        clf = SparseMLPClassifier(
            (32,),
            solver="sgd",
            learning_rate_init=1e6,
            momentum=0.0,
            max_iter=5,
            random_state=0,
            density=0.5,
        ).fit(X * 1e3, y)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_unrealisable_density_warns_with_what_was_built():
    # 10 -> 7 at density 0.05 is 3.5 edges: fewer than one input per output
    X, y = make_classification(100, n_features=10, random_state=0)
    with pytest.warns(UserWarning, match="not realisable") as record:
        clf = _fit(
            X,
            y,
            hidden_layer_sizes=(7,),
            density=0.05,
            connectivity="structured",
            max_iter=2,
        )
    assert clf.densities_[0] == pytest.approx(7 / 70)
    assert record[0].filename == __file__  # attributed to the caller's line


@pytest.mark.parametrize(
    "params, match",
    [
        ({"density": 0.0}, "density"),
        ({"density": 1.5}, "density"),
        ({"density": (0.5,)}, "density"),
        ({"density": (0.5, 2.0)}, "density"),
        ({"connectivity": "bogus"}, "connectivity"),
        ({"connectivity": "clash_free", "parallelism": 9}, "parallelism=9"),
        ({"activation": "softplus"}, "activation"),
    ],
)
def test_bad_parameters_raise_clear_errors(params, match):
    X, y = make_classification(60, n_features=8, random_state=0)
    with pytest.raises(ValueError, match=match):
        SparseMLPClassifier((16,), max_iter=1, **params).fit(X, y)


def test_bad_data_raise_clear_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="NaN"):
        SparseMLPClassifier(max_iter=1).fit(np.full((4, 3), np.nan), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="Unknown label type"):
        SparseMLPClassifier(max_iter=1).fit(X[:10], np.linspace(0, 1, 10))
    clf = _fit(X, y, hidden_layer_sizes=(8,), max_iter=1)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :10])
    with pytest.raises(NotFittedError):
        SparseMLPClassifier().predict(X)
