"""Rewiring in the sparse MLPs: moves keep the class, state follows, bad input."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits, make_regression

from sparsenn import SparseMLPClassifier, SparseMLPRegressor
from sparsenn.connectivity import check_junction
from sparsenn.engine import AdamOptimizer
from sparsenn.engine._rewiring import RewiringSchedule, rewire_network
from sparsenn.layers import SparseWeights


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


def _fit(X, y, **kw):
    params = dict(hidden_layer_sizes=(48,), density=(0.15, 0.5), max_iter=6,
                  rewire_every=5, learning_rate_init=0.01,
                  random_state=0)  # fmt: skip
    params.update(kw)
    return SparseMLPClassifier(**params).fit(X, y)


def _degrees(coef):
    coef = sp.csr_matrix(coef)
    return np.diff(coef.indptr), np.diff(coef.tocsc().indptr)


@pytest.mark.parametrize("rewiring", ["set", "rigl"])
def test_structured_keeps_every_degree(digits, rewiring):
    X, y = digits
    static = _fit(X, y, rewiring=None)
    moved = _fit(X, y, rewiring=rewiring)
    for a, b in zip(static.coefs_, moved.coefs_, strict=True):
        assert a.nnz == b.nnz
        for da, db in zip(_degrees(a), _degrees(b), strict=True):
            assert np.array_equal(da, db)
        assert (a != b).nnz > 0  # the pattern did move
    history = moved.rewiring_history_
    assert len(history) == int(0.75 * 6 * 3) // 5  # 3 batches of 200 per epoch
    assert all(h["step"] % 5 == 0 for h in history)
    assert all(sum(h["moved"]) > 0 for h in history[:2])
    fractions = [h["fraction"] for h in history]
    assert fractions == sorted(fractions, reverse=True)  # cosine decay
    fit_seconds = sum(r["seconds"] for r in moved.history_)
    assert all(h["seconds"] > 0 for h in history)
    assert sum(h["seconds"] for h in history) < fit_seconds  # inside the epochs
    assert static.rewiring_history_ == []


@pytest.mark.parametrize("rewiring", ["set", "rigl"])
def test_clash_free_stays_clash_free_and_exports(digits, rewiring, tmp_path):
    from sparsenn.fixedpoint import load, to_fixed_point

    X, y = digits
    kw = {"connectivity": "clash_free", "activation": "logistic"}
    clf = _fit(X, y, rewiring=rewiring, **kw)
    static = _fit(X, y, rewiring=None, **kw)
    assert sum(sum(h["moved"]) for h in clf.rewiring_history_) > 0
    orders = zip(clf.connection_orders_, static.connection_orders_, strict=True)
    for w, coef, (order, before) in zip(clf.weights_, clf.coefs_, orders, strict=True):
        assert order is w.order and order.is_clash_free()
        assert order.z == before.z and order.padded_sizes == before.padded_sizes
        n_in_p, n_out_p = order.padded_sizes
        check_junction(n_in_p, n_out_p, order.out_degree, connectivity="clash_free",
                       z=order.z, kind=order.kind)  # fmt: skip
        coo = coef.tocoo()
        assert np.array_equal(np.sort(coo.row * coef.shape[1] + coo.col),
                              np.sort(order.stored_left * coef.shape[1]
                                      + order.stored_right))  # fmt: skip
        # every output keeps its count of stored weights
        assert np.array_equal(np.bincount(order.stored_right, minlength=coef.shape[1]),
                              np.bincount(before.stored_right,
                                          minlength=coef.shape[1]))  # fmt: skip
    net = to_fixed_point(clf)
    net.save(tmp_path / "net")
    again = load(tmp_path / "net")
    assert np.array_equal(again.predict(X[:50]), net.predict(X[:50]))


@pytest.mark.parametrize("rewiring", ["set", "rigl"])
def test_random_keeps_the_count(digits, rewiring):
    X, y = digits
    clf = _fit(X, y, rewiring=rewiring, connectivity="random", max_iter=20)
    assert [c.nnz for c in clf.coefs_] == [round(0.15 * 64 * 48), round(0.5 * 480)]
    assert clf.densities_.round(3).tolist() == [0.15, 0.5]
    assert clf.score(X, y) > 0.85


def test_grown_weights_start_at_zero_with_zero_state():
    rng = np.random.default_rng(0)
    P = sp.random(30, 20, density=0.2, random_state=0, format="csr")
    w = SparseWeights(P, rng.normal(size=P.nnz))
    params = w.params
    opt = AdamOptimizer([w.params])
    opt.update([rng.normal(size=w.n_params)])
    before = w.to_dense()
    m_dense = SparseWeights(P, opt.ms[0].copy()).to_dense()
    moved = rewire_network([w], opt, "random", 0.25, rng)
    assert w.params is params  # the same array: optimizer and loop stay valid
    after = w.to_dense()
    grown = (after == 0) & (before == 0) & (w.to_scipy().toarray() != 0)
    new_mask = SparseWeights(w.to_scipy(), np.ones(w.n_params)).to_dense() > 0
    old_mask = before != 0
    born, kept = new_mask & ~old_mask, new_mask & old_mask
    assert moved == [born.sum()] == [round(0.25 * P.nnz)]
    assert np.all(after[born] == 0) and not grown.any()
    assert np.array_equal(after[kept], before[kept])
    m_after = SparseWeights(w.to_scipy(), opt.ms[0]).to_dense()
    assert np.all(m_after[born] == 0)
    assert np.array_equal(m_after[kept], m_dense[kept])
    X = rng.normal(size=(5, 30))
    assert np.allclose(w.forward(X), X @ after)


def test_restore_structure_undoes_rewiring():
    from sparsenn.engine._rewiring import restore_structure, structure_snapshot

    rng = np.random.default_rng(1)
    P = sp.random(20, 20, density=0.3, random_state=1, format="csr")
    w = SparseWeights(P, rng.normal(size=P.nnz))
    opt = AdamOptimizer([w.params])
    saved, values = structure_snapshot([w]), w.params.copy()
    rewire_network([w], opt, "random", 0.5, rng)
    assert (w.to_scipy() != P).nnz > 0
    w.params[...] = values  # what the training loop's restore does
    restore_structure([w], saved, opt)
    assert np.array_equal(w.to_scipy().indices, P.indices)
    assert np.array_equal(w.params, values)


def test_schedule():
    s = RewiringSchedule(0.5, every=10, until=100)
    assert s.fraction_at(10) == pytest.approx(0.5 * (1 + np.cos(np.pi / 10)) / 2)
    assert s.fraction_at(15) == 0 and s.fraction_at(110) == 0
    assert s.fraction_at(100) == pytest.approx(0.0)
    assert s.n_rewirings == 10


def test_early_stopping_restores_a_consistent_structure(digits):
    X, y = digits
    clf = _fit(X, y, rewiring="set", early_stopping=True, max_iter=20,
               rewire_every=2, n_iter_no_change=2)  # fmt: skip
    for w in clf.weights_:
        assert w.to_scipy().nnz == w.n_params
    assert clf.rewiring_history_
    assert clf.score(X, y) > 0.8


def test_partial_fit_and_regressor(digits):
    X, y = digits
    clf = SparseMLPClassifier((32,), density=0.2, rewiring="rigl", rewire_every=2,
                              random_state=0)  # fmt: skip
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.unique(y))
    steps = [h["step"] for h in clf.rewiring_history_]
    assert steps == [2, 4, 6, 8]
    Xr, yr = make_regression(300, 20, random_state=0)
    reg = SparseMLPRegressor((32,), density=0.2, connectivity="random",
                             rewiring="set", rewire_every=2, max_iter=10,
                             random_state=0).fit(Xr, yr)  # fmt: skip
    assert len(reg.rewiring_history_) > 0
    assert [c.nnz for c in reg.coefs_] == [128, 6]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"rewire_fraction": 0.0}, "rewire_fraction"),
        ({"rewire_fraction": 1.0}, "rewire_fraction"),
        ({"rewire_fraction": 1e-9}, "rewire_fraction=1e-09 never rewires"),
        ({"rewire_every": 0}, "rewire_every"),
        ({"rewire_every": 1000}, "rewire_every=1000 never rewires"),
        ({"rewire_until": 0.0}, "rewire_until"),
        ({"rewiring": "prune"}, "rewiring"),
        ({"solver": "lbfgs"}, "solver='lbfgs'"),
        ({"connectivity": "circulant"}, "connectivity='circulant'"),
        ({"connectivity": "clash_free", "rtl_compatible": True}, "rtl_compatible"),
    ],
)
def test_bad_input(digits, params, match):
    X, y = digits
    kw = {"rewiring": "set", "max_iter": 5, "rewire_every": 5, **params}
    with pytest.raises(ValueError, match=match):
        SparseMLPClassifier((16,), density=kw.pop("density", 0.3), **kw).fit(X, y)


def test_a_schedule_that_stops_before_step_one_suggests_no_rewire_every(digits):
    # 60 samples, one epoch of one minibatch: rewire_until=0.5 stops at step 0,
    # so no rewire_every >= 1 helps; the message must not suggest "<= 0"
    X, y = digits
    model = SparseMLPClassifier((16,), density=0.3, rewiring="set", max_iter=1,
                                batch_size=60, rewire_until=0.5)  # fmt: skip
    with pytest.raises(ValueError, match="never rewires") as exc:
        model.fit(X[:60], y[:60])
    assert "rewire_every <=" not in str(exc.value)
    assert "larger rewire_until or max_iter" in str(exc.value)


def test_structured_one_output_junction_warns_and_stays(digits):
    # keeping every degree of a junction with one output keeps every edge
    Xr, yr = make_regression(300, 20, random_state=0)
    static = SparseMLPRegressor((32,), density=0.2, max_iter=10, random_state=0)
    static.fit(Xr, yr)
    reg = SparseMLPRegressor((32,), density=0.2, rewiring="rigl", rewire_every=2,
                             max_iter=10, random_state=0)  # fmt: skip
    with pytest.warns(UserWarning, match=r"junction 1 \(32 x 1\) cannot move") as rec:
        reg.fit(Xr, yr)
    assert rec[0].filename == __file__
    assert sum(h["moved"][0] for h in reg.rewiring_history_) > 0
    assert all(h["moved"][1] == 0 for h in reg.rewiring_history_)
    assert (reg.coefs_[1] != 0).toarray().tolist() == (
        static.coefs_[1] != 0
    ).toarray().tolist()


def test_nothing_to_move_warns_and_trains_without_rewiring(digits):
    # every junction dense (density="auto" on few features, or 1.0): a grid over
    # rewiring must not fail there; the fit is the static one, with a warning
    X, y = digits
    static = SparseMLPClassifier((16,), density=1.0, max_iter=5, random_state=0)
    rewired = clone(static).set_params(rewiring="set", rewire_every=5)
    with pytest.warns(UserWarning, match=r"nothing to move: every junction is dense"):
        rewired.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        static.fit(X, y)
    assert rewired.rewiring_history_ == []
    np.testing.assert_array_equal(rewired.predict_proba(X), static.predict_proba(X))


def test_structured_with_nothing_movable_warns():
    Xr, yr = make_regression(100, 10, random_state=0)
    reg = SparseMLPRegressor((1,), density=0.2, rewiring="set", rewire_every=2,
                             max_iter=50, random_state=0)  # fmt: skip
    with pytest.warns(UserWarning, match=r"nothing to move: junction 0 \(10 x 1\)"):
        reg.fit(Xr, yr)
    assert reg.rewiring_history_ == []
    # the same net with a pattern whose degrees may drift rewires
    reg.set_params(connectivity="random").fit(Xr, yr)
    assert reg.rewiring_history_
