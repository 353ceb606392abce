"""engine.epoch_callbacks: per-epoch records, stopping, scope."""

import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsenn import HMatrixMLPClassifier, SparseMLPClassifier
from sparsenn.engine import epoch_callbacks


def _data():
    rng = np.random.default_rng(0)
    X = rng.random((120, 6))
    return X, (X[:, 0] > 0.5).astype(int)


def test_records_match_history_and_true_stops_without_warning():
    X, y = _data()
    records = []

    def stop_at_4(record):
        records.append(record)
        return record["epoch"] >= 4

    clf = SparseMLPClassifier(
        (8,), density=1.0, early_stopping=True, n_iter_no_change=100, max_iter=30
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with epoch_callbacks(stop_at_4, lambda record: None):
            clf.set_params(random_state=0).fit(X, y)
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 4
    assert [r["epoch"] for r in records] == [1, 2, 3, 4]
    for record, entry in zip(records, clf.history_, strict=True):
        assert {k: v for k, v in record.items() if k != "epoch"} == entry
    assert [r["validation_score"] for r in records] == clf.validation_scores_
    assert all(r["seconds"] > 0 and r["n_samples"] > 0 for r in records)


def test_every_callback_sees_every_epoch_and_scope_ends():
    X, y = _data()
    seen_a, seen_b = [], []
    clf = HMatrixMLPClassifier((8,), max_iter=3, random_state=0)
    with epoch_callbacks(lambda r: seen_a.append(r["epoch"]) or True):
        with epoch_callbacks(lambda r: seen_b.append(r["epoch"])):
            clf.fit(X, y)
    assert seen_a == seen_b == [1]  # the first callback stopped after epoch 1
    clf.fit(X, y)  # outside the blocks: no callback, runs max_iter epochs
    assert clf.n_iter_ == 3 and seen_a == [1]


def test_partial_fit_and_other_threads():
    X, y = _data()
    calls = []
    clf = SparseMLPClassifier((8,), density=1.0, random_state=0)
    with epoch_callbacks(calls.append):
        clf.partial_fit(X, y, classes=[0, 1])
        clf.partial_fit(X, y)
        thread = threading.Thread(target=lambda: clf.partial_fit(X, y))
        thread.start()
        thread.join()
    assert [r["epoch"] for r in calls] == [1, 2]  # the thread has its own context
    assert clf.n_iter_ == 3


def test_non_callable_is_rejected():
    with pytest.raises(TypeError, match="callables, got int"):
        with epoch_callbacks(3):
            pass
