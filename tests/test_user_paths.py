"""Paths a new user walked that broke a promise (memory check, warnings, messages).

Each test reproduces one report of a walk through the estimators as a new
user: a false memory refusal, a density adjusted without a warning, a warning
attributed to a library line, a message that did not name the parameter.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import DataConversionWarning

from sparsenn import (
    HMatrixMLPClassifier,
    PseudoInverseSparseClassifier,
    PseudoInverseSparseRegressor,
    SparseMLPClassifier,
    SparseMLPRegressor,
    StructuredMLPClassifier,
)
from sparsenn.connectivity._estimator import auto_densities
from sparsenn.exceptions import UnusedNeuronWarning
from sparsenn.layers import make_weights
from sparsenn.layers._registry import weight_bytes


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return caught


# ------------------------------------------------------------ memory check
@pytest.mark.parametrize(
    "make",
    [
        lambda: SparseMLPClassifier((30,), batch_size=10**12, max_iter=2),
        lambda: HMatrixMLPClassifier((30,), batch_size=10**12, max_iter=2),
        lambda: SparseMLPRegressor((30,), batch_size=10**12, max_iter=2),
        lambda: PseudoInverseSparseClassifier(n_hidden=30, chunk_size=10**12),
        lambda: PseudoInverseSparseRegressor(n_hidden=30, chunk_size=10**12),
    ],
)
def test_a_batch_larger_than_the_data_is_not_a_memory_refusal(iris, make):
    # a batch (chunk) never holds more rows than there are samples: the check
    # estimated 807 TiB for a 30-unit net on iris
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make().fit(X, y)


def test_the_memory_refusal_names_the_minibatch(iris):
    X, y = iris
    with pytest.raises(ValueError, match=r"minibatches of 150 samples.*needs about"):
        SparseMLPClassifier((10**7, 10**7)).fit(X, y)


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("dense", {}),
        ("lowrank", {"rank": 4}),
        ("fixed_dictionary", {"n_atoms": 6}),
        ("hashed", {"compression": 1 / 16}),
        ("circulant", {}),
        ("hmatrix", {"rank": 2, "leaf_size": 16}),
    ],
)
def test_weight_bytes_bounds_what_the_type_stores(kind, options):
    W = make_weights(kind, 128, 64, rng=0, **options)
    estimate = weight_bytes(kind, 128, 64, 8, **options)
    assert estimate >= W.params.nbytes
    if kind not in ("dense", "hashed"):  # hashed: plus its block buffers
        assert estimate <= 4 * W.params.nbytes + 2 * 128 * 64 * 8


def test_structured_mlp_estimates_its_weight_type_not_dense():
    est = StructuredMLPClassifier((30000, 30000), weights="lowrank")
    est._validate_structure([4, 30000, 30000, 3])
    low = est._junction_bytes(1, 30000, 30000, 8)
    assert low == weight_bytes("lowrank", 30000, 30000, 8)
    assert low < 30000 * 30000 * 8 / 100


# ------------------------------------------------------- nothing adjusted
@pytest.mark.parametrize("hidden", [(100, 3), (2000, 4), (300, 2, 300)])
def test_auto_density_never_leaves_neurons_unused(hidden):
    X = np.random.default_rng(0).normal(size=(40, 20))
    y = np.arange(40) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusedNeuronWarning)
        SparseMLPClassifier(hidden, max_iter=1).fit(X, y)
    sizes = [20, *hidden, 3]
    for n_in, rho in zip(sizes[1:-1], auto_densities(sizes)[1:], strict=True):
        assert rho >= 1 / sizes[sizes.index(n_in) + 1] or rho == 1.0


def test_rtl_compatible_warns_when_the_density_changes(digits):
    X, y = digits
    clf = SparseMLPClassifier(
        (50, 20), connectivity="clash_free", rtl_compatible=True, density=0.3,
        max_iter=1, random_state=0,
    )  # fmt: skip
    caught = _caught(lambda: clf.fit(X, y))
    adjusted = [w for w in caught if "rtl_compatible=True" in str(w.message)]
    assert len(adjusted) == 3
    assert all(w.filename == __file__ for w in adjusted)
    assert "density 0.5" in str(adjusted[0].message)
    np.testing.assert_allclose(clf.densities_, [0.5, 0.2, 0.2])


def test_rtl_compatible_is_quiet_when_the_density_is_feasible(digits):
    X, y = digits
    clf = SparseMLPClassifier(
        (32,), connectivity="clash_free", rtl_compatible=True, density=0.5,
        max_iter=1, random_state=0,
    )  # fmt: skip
    caught = _caught(lambda: clf.fit(X, y))
    assert not [w for w in caught if "rtl_compatible=True" in str(w.message)]


@pytest.mark.parametrize(
    "make", [PseudoInverseSparseClassifier, PseudoInverseSparseRegressor]
)
def test_pinv_warns_when_input_density_is_below_one_feature(digits, make):
    X, y = digits
    est = make(n_hidden=10, input_density=1e-6, random_state=0)
    caught = _caught(lambda: est.fit(X, y))
    (warning,) = [w for w in caught if "input_density" in str(w.message)]
    assert warning.filename == __file__
    assert "one feature per unit" in str(warning.message)
    assert (np.diff(est.input_weights_.tocsc().indptr) == 1).all()


def test_parallelism_ignored_by_the_connectivity_warns(iris):
    X, y = iris
    est = SparseMLPClassifier((16,), parallelism=2, connectivity="random", max_iter=1)
    caught = _caught(lambda: est.fit(X, y))
    (warning,) = [w for w in caught if "parallelism=2 is ignored" in str(w.message)]
    assert warning.filename == __file__
    # ignored by the pattern, not by the fixed-point layout: the message says so
    assert "to_fixed_point still lays these junctions out" in str(warning.message)


# -------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "make", [PseudoInverseSparseClassifier, PseudoInverseSparseRegressor]
)
def test_pinv_keeps_float32(iris, make):
    X, y = iris
    X32 = X.astype(np.float32)
    est = make(n_hidden=16, random_state=0).fit(X32, y)
    assert est.output_coef_.dtype == np.float32
    scores = est.decision_function(X32) if hasattr(est, "classes_") else None
    out = est.predict(X32) if scores is None else scores
    assert out.dtype == np.float32
    assert est.predict(X).dtype.kind in "fiu"


# ------------------------------------------------ warnings at the user's line
@pytest.mark.parametrize(
    "make",
    [
        lambda: SparseMLPClassifier((8,), max_iter=1),
        lambda: SparseMLPRegressor((8,), max_iter=1),
        lambda: PseudoInverseSparseClassifier(n_hidden=8),
        lambda: PseudoInverseSparseRegressor(n_hidden=8),
    ],
)
def test_column_vector_y_warns_at_the_users_line(iris, make):
    X, y = iris
    caught = _caught(lambda: make().fit(X, y.reshape(-1, 1).astype(float)))
    (warning,) = [w for w in caught if w.category is DataConversionWarning]
    assert warning.filename == __file__


@pytest.mark.parametrize(
    "make",
    [
        lambda: SparseMLPClassifier((8,), max_iter=1),
        lambda: SparseMLPRegressor((8,), max_iter=1),
        lambda: HMatrixMLPClassifier((8,), rank=2, leaf_size=4, max_iter=1),
        lambda: PseudoInverseSparseClassifier(n_hidden=8),
        lambda: PseudoInverseSparseRegressor(n_hidden=8),
    ],
)
def test_feature_names_warnings_point_at_the_users_line(iris, make):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make().fit(frame, y)
    caught = _caught(lambda: est.predict(X))  # fitted with names, given none
    (warning,) = [w for w in caught if "valid feature names" in str(w.message)]
    assert warning.filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the user's filters still apply
        with pytest.raises(UserWarning, match="valid feature names"):
            est.predict(X)


def test_rank_cap_warns_at_the_users_line(iris):
    X, y = iris
    est = StructuredMLPClassifier((8,), weights={"kind": "lowrank", "rank": 20})
    caught = _caught(lambda: est.set_params(max_iter=1).fit(X, y))
    (warning,) = [w for w in caught if "rank=20 exceeds" in str(w.message)]
    assert warning.filename == __file__


def test_a_diverging_fit_reports_once_without_numpy_overflow_warnings(digits):
    X, y = digits
    est = SparseMLPRegressor((32,), solver="sgd", learning_rate_init=1e3, max_iter=5)
    caught = _caught(lambda: est.fit(X * 1e30, y.astype(float)))
    assert not [w for w in caught if w.category is RuntimeWarning]
    assert np.isfinite(est.predict(X)).all()


# ------------------------------------------------------------- messages
def test_small_validation_fraction_names_the_parameter(digits):
    X, y = digits
    # ten classes, 2 validation samples: too few to stratify; the fallback to an
    # unstratified split says so, naming the parameter and the values that work
    est = SparseMLPClassifier((8,), early_stopping=True, validation_fraction=0.01)
    with pytest.warns(UserWarning, match=r"validation_fraction=0.01.*>= 0.05.*not str"):
        est.set_params(max_iter=1).fit(X[:200], y[:200])
    binary = y[:200] < 5  # two classes: refused, as MLPClassifier
    with pytest.raises(ValueError, match=r"validation_fraction=0.005.*>= 0.01"):
        est.set_params(validation_fraction=0.005).fit(X[:200], binary)


def test_multiclass_multioutput_y_is_refused_without_printing_it(iris):
    X, y = iris
    with pytest.raises(ValueError, match="multiclass-multioutput") as exc:
        SparseMLPClassifier((8,), max_iter=1).fit(X, np.c_[y, y])
    assert len(str(exc.value)) < 300


def test_a_bad_weight_option_type_keeps_the_junction_context(iris):
    X, y = iris
    est = StructuredMLPClassifier(weights={"kind": "lowrank", "rank": 2.5})
    with pytest.raises(TypeError, match=r"cannot build junction 0 .*rank must be"):
        est.set_params(max_iter=1).fit(X, y)


# ------------------------------------------------------ layers and linalg
def test_tridiagonal_solve_with_no_right_hand_side():
    from sparsenn.linalg import OffsetTridiagonal

    # LAPACK ?gtsv corrupted the heap on nrhs=0 (p = q = 1, n > 2)
    A = OffsetTridiagonal(np.full(5, 4.0), np.ones(4), np.ones(4), p=1, q=1)
    for _ in range(3):
        assert A.solve(np.ones((5, 0))).shape == (5, 0)


def test_an_unpickled_tridiagonal_stays_frozen():
    import pickle

    from sparsenn.linalg import OffsetTridiagonal

    A = OffsetTridiagonal(np.full(6, 4.0), np.ones(5), np.ones(4), p=1, q=2)
    x = A.solve(np.ones(6))  # caches the factors
    B = pickle.loads(pickle.dumps(A))
    with pytest.raises(ValueError, match="read-only"):
        B.diag[0] = 100.0
    np.testing.assert_array_equal(B.solve(np.ones(6)), x)


@pytest.mark.parametrize("kind", ["dense", "lowrank", "fixed_dictionary"])
def test_integer_weights_are_refused_not_truncated(kind):
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        make_weights(kind, 16, 16, rng=0, dtype=int)


@pytest.mark.parametrize(
    ("var", "error"), [(-1.0, ValueError), (np.nan, ValueError), ("x", TypeError)]
)
def test_a_bad_initial_variance_names_init_var(var, error):
    with pytest.raises(error, match="init_var"):
        make_weights("lowrank", 16, 16, rng=0, init_var=var)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: make_weights("lowrank", 10**9, 10**9, rng=0, rank=10), "LowRank"),
        (lambda: make_weights("hashed", 10**6, 10**6, rng=0, compression=0.5), "Hash"),
        (lambda: make_weights("circulant", 10**10, 10**10, rng=0), "Circulant"),
        (
            lambda: make_weights("fixed_dictionary", 10**9, 10**9, rng=0, n_atoms=10),
            "FixedDictionary",
        ),
    ],
)
def test_weight_constructors_refuse_impossible_sizes_with_the_estimate(
    monkeypatch, build, name
):
    from sparsenn import _memory

    monkeypatch.setattr(_memory, "available_memory", lambda: 2**30)
    with pytest.raises(ValueError, match=rf"{name}.*n_in=.*needs about .* 1\.0 GiB"):
        build()  # was numpy's MemoryError, or an allocation that swapped


def test_lbfgs_refuses_a_sparse_X_it_cannot_densify(monkeypatch):
    import scipy.sparse as sp

    from sparsenn import _memory

    X = sp.random(2000, 1000, density=0.01, format="csr", random_state=0)
    y = np.arange(2000) % 2
    monkeypatch.setattr(_memory, "available_memory", lambda: 8 * 2**20)
    match = r"solver='lbfgs' on a sparse X of shape \(2000, 1000\).*about 15\.3 MiB"
    with pytest.raises(ValueError, match=match):
        SparseMLPClassifier((8,), solver="lbfgs", max_iter=1).fit(X, y)


@pytest.mark.parametrize(
    ("rcond", "error"), [(-1.0, ValueError), (np.nan, ValueError), ("x", TypeError)]
)
def test_tridiagonal_rcond_is_checked(rcond, error):
    from sparsenn.linalg import OffsetTridiagonal

    A = OffsetTridiagonal(np.full(5, 4.0), np.ones(4), np.ones(4), p=1, q=1)
    with pytest.raises(error, match="rcond"):
        A.pinv(rcond=rcond)
    with pytest.raises(error, match="rcond"):
        A.lstsq(np.ones(5), rcond=rcond)


@pytest.mark.parametrize("rank", [2.5, "4", None])
def test_an_hmatrix_rank_of_the_wrong_type_is_a_type_error(rank):
    from sparsenn.linalg import HMatrix

    with pytest.raises(TypeError, match="rank must be an int"):
        HMatrix(128, 128, rank=rank, leaf_size=16)
