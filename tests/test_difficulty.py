"""Tests of the four dataset-difficulty metrics (``morse_difficulty``)."""

import itertools
import math

import numpy as np
import pytest

from sparsenn.datasets import make_morse, morse_difficulty


def Q(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


TWO_CLASSES = ([[0, 0], [2, 0], [1, 3], [1, 5]], [0, 0, 1, 1])
# 1 feature; centroids 1, 6, 10; variances 1, 1, 0; priors 1/4, 1/4, 1/2
THREE_CLASSES = ([[0], [2], [5], [7], [10], [10], [10], [10]], [0, 0, 1, 1, 2, 2, 2, 2])


def test_two_classes_by_hand():
    m = morse_difficulty(*TWO_CLASSES)
    # c = (1, 0), (1, 4): d = 4; v = 0.5 for both, sigma = sqrt(0.5); L1/N0 = 2
    assert m["V_lower"] == pytest.approx(Q(4 / (2 * math.sqrt(0.5))), rel=1e-12)
    assert m["V_upper"] == pytest.approx(Q(4 / (2 * math.sqrt(0.5))), rel=1e-12)
    assert m["V_dist"] == pytest.approx(math.sqrt(0.5) / 4, rel=1e-12)
    assert m["V_thresh"] == 0
    assert morse_difficulty(*TWO_CLASSES, threshold=2.5)["V_thresh"] == 1
    assert set(m) == {"V_lower", "V_upper", "V_dist", "V_thresh"}
    assert isinstance(m["V_thresh"], int) and isinstance(m["V_lower"], float)


def test_two_classes_reference_compat_by_hand():
    r = morse_difficulty(*TWO_CLASSES, reference_compat=True)
    # the variance 0.5 replaces sigma; stale index M-2 = 0
    assert r["V_lower"] == pytest.approx(Q(4.0), rel=1e-12)
    assert r["V_upper"] == pytest.approx(0.5 * Q(0) + 0.5 * Q(4.0), rel=1e-12)
    assert r["V_dist"] == pytest.approx(0.5 / 4, rel=1e-12)
    assert r["V_thresh"] == 0


def test_three_classes_by_hand():
    m = morse_difficulty(*THREE_CLASSES)
    # d(a,b) = 5, d(a,c) = 9, d(b,c) = 4; sigma = 1, 1, 0 (class c is separated
    # and deterministic, so its Q terms are 0 and its V_dist term is 0)
    assert m["V_lower"] == pytest.approx(0.25 * Q(2.5) + 0.25 * Q(2.0), rel=1e-12)
    upper = 0.25 * (Q(2.5) + Q(4.5)) + 0.25 * (Q(2.5) + Q(2.0))
    assert m["V_upper"] == pytest.approx(upper, rel=1e-12)
    assert m["V_dist"] == pytest.approx((1 / 5 + 1 / 4 + 0) / 3, rel=1e-12)
    assert morse_difficulty(*THREE_CLASSES, threshold=4.5)["V_thresh"] == 1
    assert morse_difficulty(*THREE_CLASSES, threshold=5.5)["V_thresh"] == 2
    assert morse_difficulty(*THREE_CLASSES, threshold=9.5)["V_thresh"] == 3


def test_three_classes_stale_index_of_the_reference():
    r = morse_difficulty(*THREE_CLASSES, reference_compat=True)
    # every class adds (M-1) * Q(d(m, M-2) / (2 v_m)) with M-2 = 1 (class b)
    expected = 0.25 * 2 * Q(5 / 2) + 0.25 * 2 * Q(0.0) + 0.5 * 2 * 0.0
    assert r["V_upper"] == pytest.approx(expected, rel=1e-12)


def test_coinciding_centroids():
    X, y = [[0], [2], [1], [1]], [0, 0, 1, 1]  # both centroids at 1
    m = morse_difficulty(X, y)
    assert m["V_lower"] == pytest.approx(0.5)  # Q(0) for both classes
    assert m["V_dist"] == math.inf
    assert m["V_thresh"] == 1
    assert morse_difficulty(X, y, reference_compat=True)["V_thresh"] == 0


def test_median_spread():
    X = [[0, 0, 0], [2, 4, 8], [10, 10, 10], [10, 10, 10]]
    y = [0, 0, 1, 1]
    # class 0 per-dimension variances 1, 4, 16: mean 7, median 4
    d = math.dist([1, 2, 4], [10, 10, 10])
    mean = morse_difficulty(X, y)
    median = morse_difficulty(X, y, spread="median")
    assert mean["V_dist"] == pytest.approx(math.sqrt(7) / d / 2, rel=1e-12)
    assert median["V_dist"] == pytest.approx(math.sqrt(4) / d / 2, rel=1e-12)


def _naive(X, y, threshold=0.05):
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    classes = sorted(set(y.tolist()))
    p = {m: np.mean(y == m) for m in classes}
    c = {m: X[y == m].mean(axis=0) for m in classes}
    s = {m: math.sqrt(X[y == m].var(axis=0).mean()) for m in classes}
    d = {(m, j): math.dist(c[m], c[j]) for m, j in itertools.product(classes, classes)}
    d_min = {m: min(d[m, j] for j in classes if j != m) for m in classes}
    lower = sum(p[m] * Q(d_min[m] / (2 * s[m])) for m in classes)
    upper = sum(
        p[m] * sum(Q(d[m, j] / (2 * s[m])) for j in classes if j != m) for m in classes
    )
    dist = sum(s[m] / d_min[m] for m in classes) / len(classes)
    thresh = sum(
        np.abs(c[m] - c[j]).sum() / X.shape[1] < threshold
        for m, j in itertools.combinations(classes, 2)
    )
    return lower, upper, dist, thresh


@pytest.mark.parametrize("seed", range(4))
def test_matches_a_naive_implementation(seed):
    rng = np.random.default_rng(seed)
    n_classes, n_features = rng.integers(2, 7), rng.integers(1, 9)
    y = np.repeat(np.arange(n_classes), rng.integers(2, 9, size=n_classes))
    centres = rng.normal(size=(n_classes, n_features))
    X = centres[y] + 0.3 * rng.normal(size=(y.shape[0], n_features))
    threshold = 0.8
    m = morse_difficulty(X, y, threshold=threshold)
    lower, upper, dist, thresh = _naive(X, y, threshold)
    assert m["V_lower"] == pytest.approx(lower, rel=1e-10, abs=1e-300)
    assert m["V_upper"] == pytest.approx(upper, rel=1e-10, abs=1e-300)
    assert m["V_dist"] == pytest.approx(dist, rel=1e-10)
    assert m["V_thresh"] == thresh


def test_label_values_and_sample_order_do_not_matter():
    X, y = make_morse(20, noise_std=3.0, random_state=0)
    base = morse_difficulty(X, y)
    order = np.random.default_rng(0).permutation(y.shape[0])
    names = np.array([f"c{k:02d}" for k in range(64)])[y]  # order-preserving
    for args in ((X[order], y[order]), (X, names), (X.astype(np.float64), y)):
        other = morse_difficulty(*args)
        for key in base:
            assert other[key] == pytest.approx(base[key], rel=1e-9)


def test_metrics_grow_with_morse_difficulty():
    easy = morse_difficulty(*make_morse(60, random_state=1))
    hard = morse_difficulty(
        *make_morse(
            60, noise_std=4.0, leading_space=1.0, dash_length=(3, 9), random_state=1
        )
    )
    for key in easy:
        assert hard[key] > easy[key], key


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "match"),
    [
        ([[0.0], [1.0]], [0, 1, 1], {}, ValueError, "X has 2 samples but y has 3"),
        ([[0.0], [1.0]], [0, 0], {}, ValueError, "at least 2 are needed"),
        ([[0.0], [1.0]], [0, 1], {"spread": "max"}, ValueError, "spread='max'"),
        ([[0.0], [1.0]], [0, 1], {"threshold": 0}, ValueError, "threshold=0"),
        ([[0.0], [1.0]], [0, 1], {"threshold": "a"}, TypeError, "threshold='a'"),
        ([[0.0], [1.0]], [0, 1], {"reference_compat": 1}, TypeError, "reference_"),
        ([[np.nan], [1.0]], [0, 1], {}, ValueError, "NaN"),
    ],
)
def test_bad_input(X, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        morse_difficulty(X, y, **kwargs)
