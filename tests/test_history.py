"""Training history: one record per epoch, with wall time and validation loss."""

import numpy as np
import pytest

from sparsenn import SparseMLPClassifier, SparseMLPRegressor

RNG = np.random.default_rng(0)
X = RNG.standard_normal((300, 10))
Y_CLASS = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_history_has_one_record_per_epoch(early_stopping):
    model = SparseMLPClassifier(
        (16,), max_iter=4, early_stopping=early_stopping, random_state=0
    )
    model.fit(X, Y_CLASS)
    assert len(model.history_) == model.n_iter_ == len(model.loss_curve_)
    for record, loss in zip(model.history_, model.loss_curve_, strict=True):
        assert record["loss"] == loss and record["seconds"] >= 0
        assert record["n_samples"] == (270 if early_stopping else 300)
    if early_stopping:
        scores = [r["validation_score"] for r in model.history_]
        assert scores == model.validation_scores_
        assert all(r["validation_loss"] > 0 for r in model.history_)
    else:
        assert all(r["validation_loss"] is None for r in model.history_)


def test_validation_loss_is_the_loss_of_the_validation_split():
    model = SparseMLPRegressor((16,), max_iter=3, early_stopping=True, random_state=0)
    model.fit(X, X[:, 0])
    losses = [r["validation_loss"] for r in model.history_]
    assert all(np.isfinite(losses)) and len(losses) == 3


def test_verbose_prints_epoch_loss_score_and_seconds(capsys):
    SparseMLPClassifier(
        (8,), max_iter=2, early_stopping=True, verbose=True, random_state=0
    ).fit(X, Y_CLASS)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("Iteration 1, loss = ")
    assert "validation score = " in lines[0] and "validation loss = " in lines[0]
    assert lines[0].endswith(" s")
