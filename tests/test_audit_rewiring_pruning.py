"""Audit: learned connectivity (rewiring) and magnitude pruning as a user drives them.

Warm starts with early stopping keep the restored weights on their own pattern,
schedules that cannot rewire say which parameter to change, checks that a
warm start skipped now run on every fit, and the pruning workflow warns only
at the user's line (and not about a ``parallelism`` that ``to_fixed_point``
uses).
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sparsenn import SparseMLPClassifier
from sparsenn.engine._rewiring import structure_snapshot

# the small output junction leaves hidden neurons unused: not what is checked here
pytestmark = pytest.mark.filterwarnings(
    "ignore::sparsenn._warnings.UnusedNeuronWarning"
)

X, Y = make_classification(300, 40, n_informative=10, n_classes=3, random_state=0)
PRUNED = dict(hidden_layer_sizes=(16,), connectivity="pruned", density=0.2,
              prune_steps=2, prune_epochs=3, max_iter=5, random_state=0,
              batch_size=32)  # fmt: skip


def _rewired(**kw):
    params = dict(hidden_layer_sizes=(16,), density=0.2, rewiring="set",
                  rewire_every=2, max_iter=10, random_state=0,
                  batch_size=32)  # fmt: skip
    params.update(kw)
    return SparseMLPClassifier(**params)


def _quiet(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


def _edges(weights):
    return [(r.tolist(), c.tolist()) for r, c, _ in structure_snapshot(weights)]


def test_warm_start_early_stopping_restores_the_pattern_of_the_best_weights():
    # the second fit finds no better epoch: the best weights of the first fit
    # come back, and they must come back on the pattern they were trained on
    clf = _rewired(connectivity="structured", early_stopping=True, warm_start=True,
                   max_iter=15, n_iter_no_change=3, rewire_every=3)  # fmt: skip
    _quiet(lambda: clf.fit(X, Y))
    params, edges = [w.params.copy() for w in clf.weights_], _edges(clf.weights_)
    _quiet(lambda: clf.fit(X, Y))
    assert clf.rewiring_history_  # the second fit moved edges
    pairs = zip(params, clf.weights_, strict=True)
    # the scenario: the first fit's best weights are restored
    assert all(np.array_equal(p, w.params) for p, w in pairs)
    assert _edges(clf.weights_) == edges


def test_rewire_every_at_the_end_of_the_schedule_names_rewire_every():
    # 300 samples in minibatches of 32: 10 steps an epoch, rewiring until step 75,
    # where the cosine schedule's fraction is 0; no rewire_fraction can help
    with pytest.raises(ValueError, match="rewire_every=75 never rewires") as info:
        _rewired(rewire_every=75).fit(X, Y)
    assert "rewire_every <= 74" in str(info.value)


def test_a_decayed_first_fraction_suggests_a_smaller_rewire_every():
    # step 74 of 75: the cosine leaves 0.04% of rewire_fraction, less than half an
    # edge even at rewire_fraction close to 1
    with pytest.raises(ValueError, match="rewire_fraction=0.5 never rewires") as info:
        _rewired(rewire_every=74).fit(X, Y)
    assert "smaller rewire_every" in str(info.value)


def test_pruned_with_rewiring_gives_the_pruning_reason():
    with pytest.raises(ValueError, match="connectivity='pruned'") as info:
        SparseMLPClassifier(**PRUNED, rewiring="set").fit(X, Y)
    assert "offsets" not in str(info.value) and "never regrows" in str(info.value)


def test_warm_start_checks_rewiring_again():
    clf = _quiet(lambda: _rewired().fit(X, Y))
    clf.set_params(warm_start=True, solver="lbfgs")
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        clf.fit(X, Y)
    pruned = _quiet(lambda: SparseMLPClassifier(**PRUNED).fit(X, Y))
    pruned.set_params(warm_start=True, rewiring="set", rewire_every=2)
    with pytest.raises(ValueError, match="never regrows"):
        pruned.fit(X, Y)
    with pytest.raises(ValueError, match="never regrows"):
        pruned.partial_fit(X, Y)


def test_lbfgs_refit_without_rewiring_empties_the_history():
    clf = _quiet(lambda: _rewired().fit(X, Y))
    assert clf.rewiring_history_
    clf.set_params(warm_start=True, solver="lbfgs", rewiring=None, max_iter=5)
    _quiet(lambda: clf.fit(X, Y))
    assert clf.rewiring_history_ == []


def test_diverging_pruned_fit_warns_only_at_the_user_line():
    est = SparseMLPClassifier(**PRUNED, solver="sgd", learning_rate_init=1.0)
    epochs = []  # (epoch named by the warning, epochs recorded when it was raised)

    def show(message, category, filename, lineno, file=None, line=None):
        shown.append((category, filename))
        found = re.search(r"diverged in epoch (\d+)", str(message))
        if found:
            epochs.append((int(found.group(1)), len(est.loss_curve_)))

    shown = []
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        est.fit(X * 1e3, Y)
    assert shown and all(filename == __file__ for _, filename in shown)
    assert epochs and all(n == done + 1 for n, done in epochs)  # counted over the fit
    assert np.isfinite(est.predict_proba(X)).all()


def test_pruned_parallelism_is_used_by_to_fixed_point_without_a_warning():
    from sparsenn.fixedpoint import to_fixed_point

    Xp = (X - X.min(0)) / (X.max(0) - X.min(0))
    est = SparseMLPClassifier(**{**PRUNED, "activation": "logistic"}, parallelism=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(np.clip(Xp, 0, 1), Y)
    assert not [w for w in caught if "parallelism" in str(w.message)]
    net = to_fixed_point(est)
    assert [layout.z for layout in net.layouts] == [4, 4]


def test_a_too_large_batch_size_is_announced_once_with_rewiring():
    rng = np.random.default_rng(0)
    X = rng.random((200, 8))
    y = (X[:, 0] > 0.5).astype(int)
    est = SparseMLPClassifier(
        (16,), density=0.3, max_iter=20, batch_size=500, rewiring="set", rewire_every=2
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    told = [w for w in caught if "batch_size=500" in str(w.message)]
    assert len(told) == 1 and told[0].filename == __file__
