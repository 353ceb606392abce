"""Density means density: every connectivity stores round(density * n_in * n_out)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sparsenn import SparseMLPClassifier, SparseMLPRegressor
from sparsenn import connectivity as cn
from sparsenn.exceptions import UnusedNeuronWarning
from sparsenn.fixedpoint import load, to_fixed_point

CONNECTIVITIES = ["random", "structured", "clash_free", "circulant"]


@st.composite
def junction_and_density(draw):
    n_in = draw(st.integers(1, 60))
    n_out = draw(st.integers(1, 60))
    low = n_out
    n_edges = draw(st.integers(low, n_in * n_out))
    return n_in, n_out, (n_edges - 0.25) / (n_in * n_out)


def _spread(values):
    return int(np.ptp(values)) if np.size(values) else 0


@settings(max_examples=60, deadline=None)
@given(junction_and_density(), st.sampled_from(CONNECTIVITIES), st.integers(0, 99))
def test_every_pattern_stores_the_requested_count(junction, connectivity, seed):
    n_in, n_out, density = junction
    want = cn.junction_edges(n_in, n_out, density)
    assert want == round(density * n_in * n_out)
    p, order = cn.connection_pattern(
        connectivity, n_in, n_out, density, random_state=seed
    )
    assert p.nnz == want and p.shape == (n_in, n_out)
    a = p.toarray()
    assert a.max() == 1
    assert a.sum(axis=0).min() >= 1  # every output has an input, every pattern
    if connectivity in ("structured", "circulant"):  # as regular as possible
        assert _spread(a.sum(axis=1)) <= 1 and _spread(a.sum(axis=0)) <= 1
    if connectivity == "clash_free":
        assert order.is_clash_free() and order.n_edges == want
        n_in_p, n_out_p = order.padded_sizes
        # the padded junction is an exactly feasible clash-free junction
        cn.check_junction(
            n_in_p, n_out_p, order.out_degree, connectivity="clash_free", z=order.z
        )
        stored = np.zeros((n_in, n_out), dtype=int)
        stored[order.stored_left, order.stored_right] = 1
        assert np.array_equal(stored, a)


@pytest.mark.parametrize("d_out", [1, 2, 5, 25, 50, 100])
def test_structured_exactly_regular_when_divisible(d_out):
    p = cn.structured(784, 100, n_edges=784 * d_out, random_state=0).toarray()
    assert np.all(p.sum(axis=1) == d_out)
    ins = p.sum(axis=0)
    assert _spread(ins) == (0 if (784 * d_out) % 100 == 0 else 1)


def test_structured_large_is_exact():
    p = cn.structured(10**5, 10**5, n_edges=8 * 10**5, random_state=0)
    assert p.nnz == 8 * 10**5
    assert np.all(np.diff(p.indptr) == 8)
    assert np.all(np.bincount(p.indices, minlength=10**5) == 8)


def test_circulant_exact_keeps_block_shift_for_full_offsets():
    p = cn.circulant(12, 8, n_edges=48, random_state=0).toarray()  # g=4, a=3, b=2
    assert np.array_equal(np.roll(np.roll(p, 3, axis=0), 2, axis=1), p)
    q = cn.circulant(12, 8, n_edges=45, random_state=0).toarray()
    assert q.sum() == 45 and _spread(q.sum(axis=0)) <= 1


def test_too_low_density_names_junction_and_smallest_density():
    msg = r"junction 784->100, fewer than one input per output.*0\.00127551"
    for connectivity in CONNECTIVITIES:
        with pytest.raises(ValueError, match=msg):
            cn.connection_pattern(connectivity, 784, 100, 0.001)
    p = cn.random_pattern(784, 100, 78, random_state=0)  # the raw generator may
    assert p.nnz == 78
    p, _ = cn.connection_pattern("structured", 784, 100, 0.005, random_state=0)
    assert p.nnz == 392 and np.diff(p.tocsc().indptr).min() >= 3


def test_parallelism_that_padding_cannot_meet_names_feasible_values():
    with pytest.raises(ValueError, match=r"parallelism=70 .*feasible parallelism"):
        cn.connection_pattern("clash_free", 64, 64, 0.1, parallelism=70)
    p, order = cn.connection_pattern(
        "clash_free", 64, 64, 0.1, parallelism=7, random_state=0
    )
    assert order.z == 7 and order.is_clash_free() and p.nnz == 410
    assert order.padded_sizes[0] % 7 == 0 and order.padding["inputs"] > 0
    assert 7 in cn.feasible_parallelisms(64, 64, 410)


def test_estimator_parallelism_message_names_parallelism():
    X = np.random.default_rng(0).random((40, 8))
    y = np.arange(40) % 2
    clf = SparseMLPClassifier(
        (16,), connectivity="clash_free", parallelism=9, max_iter=1, density=0.5
    )
    with pytest.raises(ValueError, match=r"Junction 0 .*: parallelism=9 .* near 9"):
        clf.fit(X, y)


def test_hidden_layer_size_zero_message():
    X = np.random.default_rng(0).random((20, 4))
    with pytest.raises(ValueError, match=r"hidden_layer_sizes=\(0,\) must hold"):
        SparseMLPClassifier((0,), max_iter=1).fit(X, np.arange(20) % 2)


def _stored_weights(est, X, y):
    return float(sum(w.n_params for w in est.weights_))


@pytest.mark.parametrize("connectivity", ["structured", "clash_free"])
def test_grid_search_over_density_gives_distinct_models(connectivity):
    rng = np.random.default_rng(0)
    X = rng.random((60, 784)).astype(np.float32)
    y = np.arange(60) % 10
    grid = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2]
    search = GridSearchCV(
        SparseMLPClassifier((100,), connectivity=connectivity, max_iter=1),
        {"density": grid},
        scoring=_stored_weights,
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # nothing adjusted
        warnings.simplefilter("ignore", ConvergenceWarning)
        # reported, not adjusted: 100 -> 10 below 0.1 leaves hidden neurons unused
        warnings.simplefilter("ignore", UnusedNeuronWarning)
        search.fit(X, y)
    counts = search.cv_results_["mean_test_score"]
    want = [round(d * 784 * 100) + round(d * 100 * 10) for d in grid]
    assert counts.tolist() == want
    assert len(set(counts)) == len(grid)


def test_fitted_attributes_come_from_the_weights():
    X = np.random.default_rng(0).random((40, 20))
    y = np.arange(40) % 3
    clf = SparseMLPClassifier(
        (30,), connectivity="clash_free", density=0.13, max_iter=2, random_state=0
    )
    clf._validate_structure([20, 30, 3])
    before = set(vars(clf))
    W = clf._make_weights(0, 20, 30, np.random.RandomState(0), np.float64)
    assert set(vars(clf)) == before  # no fitted attribute set as a side effect
    assert W.order is not None and W.n_params == round(0.13 * 600)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    assert clf.connection_orders_[0] is clf.weights_[0].order
    assert clf.densities_[0] == pytest.approx(78 / 600)
    assert clf.padding_[0] == clf.weights_[0].order.padding
    assert not hasattr(SparseMLPClassifier(), "densities_")


def test_padded_clash_free_model_exports_clash_free_images(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.random((80, 20))
    y = np.argmax(X[:, :3], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = SparseMLPClassifier(
            (30,),
            activation="logistic",
            connectivity="clash_free",
            density=(0.13, 0.5),
            max_iter=5,
            random_state=0,
        ).fit(X, y)
    assert any(p["inputs"] or p["outputs"] or p["zero_slots"] for p in clf.padding_)
    net = to_fixed_point(clf)
    for lay, W in zip(net.layouts, clf.weights_, strict=True):
        assert lay.order is W.order and lay.clash_clocks() == 0
        assert lay.n_edges == W.n_params  # padding is never stored
        slots = lay.slot_values(np.ones(lay.n_edges, dtype=np.int64))
        assert slots.sum() == lay.n_edges and slots.size == lay.n_clocks * lay.z
    path = net.save(tmp_path / "export", X=X[:3])
    back = load(path)
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    assert [lay.clash_clocks() for lay in back.layouts] == [0, 0]
    assert back.layouts[0].padded_sizes == net.layouts[0].padded_sizes


def test_random_cover_outputs_is_uniform_beyond_the_cover():
    # 1 x 3 junction would be trivial; 3 x 2 with 3 edges: each output has one
    # covering input, the third edge is uniform over the 4 free positions
    counts = np.zeros((3, 2))
    for seed in range(3000):
        a = cn.random_pattern(3, 2, 3, cover_outputs=True, random_state=seed)
        a = a.toarray()
        assert a.sum() == 3 and a.sum(axis=0).min() >= 1
        counts += a
    np.testing.assert_allclose(counts / 3000, 0.5, atol=0.05)  # symmetric
    with pytest.raises(ValueError, match="n_edges=1 must be >= 2"):
        cn.random_pattern(3, 2, 1, cover_outputs=True)


def test_random_pattern_is_the_new_name_of_random():
    assert cn.random is cn.random_pattern
    p = cn.random_pattern(6, 4, 10, random_state=0)
    assert (p != cn.random(6, 4, 10, random_state=0)).nnz == 0
    assert cn.ClashFreeOrder is cn.EdgeOrder


def test_one_default_parallelism_rule():
    from sparsenn.fixedpoint._layout import default_parallelism as fp_default

    for n_in, degs in [(64, [3, 5, 4]), (784, [98]), (10, [3]), (8, [9])]:
        assert fp_default(n_in, degs) == cn.default_parallelism(n_in, in_degrees=degs)
    assert cn.default_parallelism(784, 1024, 128) == 98


def test_structured_rejects_impossible_memory():
    with pytest.raises(ValueError, match=r"n_edges=\d+ .*needs about .* EiB"):
        cn.structured(10**9, 10**9, n_edges=10**17)


def _unused_warnings(est, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    return [w for w in caught if issubclass(w.category, UnusedNeuronWarning)]


@pytest.mark.parametrize("connectivity", CONNECTIVITIES)
def test_junction_with_fewer_edges_than_hidden_neurons_warns(connectivity):
    # 128 -> 1 at 0.2 stores 26 edges: 102 hidden neurons feed nothing
    rng = np.random.default_rng(0)
    X, y = rng.random((60, 10)), rng.random(60)
    reg = SparseMLPRegressor(
        (128,), density=0.2, connectivity=connectivity, max_iter=2, random_state=0
    )
    caught = _unused_warnings(reg, X, y)
    assert len(caught) == 1 and issubclass(caught[0].category, UserWarning)
    message = str(caught[0].message)
    unused = int(np.count_nonzero(np.diff(reg.coefs_[1].indptr) == 0))
    assert unused >= 128 - 26
    assert f"Junction 1 (128 -> 1, connectivity={connectivity!r}" in message
    assert f"stores 26 edges for the 128 neurons of hidden layer 1, so {unused} " in (
        message
    )
    assert "density=(..., 1.0)" in message and "density='auto'" in message
    assert caught[0].filename == __file__  # the user's line
    assert reg.densities_[1] == pytest.approx(26 / 128)  # nothing adjusted


def test_unused_neuron_warning_only_where_edges_are_fewer_than_neurons():
    rng = np.random.default_rng(0)
    X, y = rng.random((60, 10)), np.arange(60) % 3
    quiet = [
        SparseMLPClassifier((128,), max_iter=2),  # "auto": output junction dense
        SparseMLPClassifier((30,), density=(0.1, 1 / 3), max_iter=2),  # 30 edges
        SparseMLPClassifier((30,), density=(0.05, 1.0), max_iter=2),  # junction 0
        # random + rewiring: the degrees drift, the first pattern is a start
        SparseMLPClassifier(
            (30,),
            density=0.2,
            connectivity="random",
            rewiring="set",
            rewire_every=1,
            max_iter=10,
        ),  # fmt: skip
    ]
    for clf in quiet:
        assert _unused_warnings(clf, X, y) == [], clf
    loud = SparseMLPClassifier((30,), density=(0.5, 0.3), max_iter=2)  # 27 < 30
    (caught,) = _unused_warnings(loud, X, y)
    assert "stores 27 edges for the 30 neurons of hidden layer 1, so 3 of" in str(
        caught.message
    )
    deep = SparseMLPClassifier((40, 20), density=(0.5, 0.03, 1.0), max_iter=2)
    (caught,) = _unused_warnings(deep, X, y)  # 40 -> 20 at 0.03: 24 edges
    assert str(caught.message).startswith("Junction 1 (40 -> 20")
    assert "so 16 of them feed nothing" in str(caught.message)


def test_unused_inputs_counts_rows_without_an_edge():
    import scipy.sparse as sp

    from sparsenn.connectivity._estimator import unused_inputs

    assert unused_inputs(sp.csr_matrix(np.eye(3))) == 0
    assert unused_inputs(sp.csr_matrix(np.array([[0, 0], [1, 1], [0, 0]]))) == 2
