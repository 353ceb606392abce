"""Messages that tell a user what to do next."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsenn import SparseMLPClassifier


def _fit_messages(**params):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((300, 20)), np.arange(300) % 10
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SparseMLPClassifier((32,), random_state=0, **params).fit(X, y)
    return [str(w.message) for w in caught if w.category is ConvergenceWarning]


def test_max_iter_warning_hints_when_nothing_was_learned():
    (message,) = _fit_messages(max_iter=1, learning_rate_init=1e-6)
    assert "near chance level (log(10) = 2.303)" in message
    assert "max_iter" in message and "StandardScaler" in message


def test_chance_level_of_sigmoid_outputs_is_the_summed_binary_entropy():
    # ten sigmoids, each at 1/10: 10 * H(0.1) = 3.251, not log(10)
    (message,) = _fit_messages(max_iter=1, learning_rate_init=1e-6, output="sigmoid")
    assert "chance level (10 * H(1/10) = 3.251)" in message


@pytest.mark.parametrize(
    "ratio, words", [(0.8, None), (1.0, "still near"), (3.0, "still above")]
)
def test_the_hint_says_near_or_above_chance(ratio, words):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 4)), np.arange(60) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SparseMLPClassifier((8,), max_iter=1, random_state=0).fit(X, y)
    model.loss_curve_ = [ratio * np.log(3)]
    hint = model._convergence_hint()
    assert (hint == "") if words is None else (f"{words} chance level" in hint)


def test_no_hint_once_the_model_learns():
    (message,) = _fit_messages(max_iter=30, learning_rate_init=0.05)
    assert "chance" not in message


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_divergence_message_names_the_learning_rate(solver):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((100, 5)) * 50, np.arange(100) % 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SparseMLPClassifier(
            (64, 64),
            activation="identity",
            solver=solver,
            learning_rate_init=5.0,
            density=1.0,
            max_iter=20,
            random_state=0,
        ).fit(X, y)
    diverged = [str(w.message) for w in caught if "diverged" in str(w.message)]
    if diverged:  # adam's normalised steps may not blow up at all
        assert "learning_rate_init" in diverged[0]
