"""The four dataset-difficulty metrics of Dey et al. (``morse_difficulty``)."""

import numbers

import numpy as np
from scipy.special import ndtr
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_array, column_or_1d

from .._validation import check_bool

__all__ = ["morse_difficulty"]

# name -> reduction of the per-dimension class variances to one class spread
_SPREADS = {"mean": np.mean, "median": np.median}


def _q(x):
    """Gaussian tail probability Q(x) = 1 - Phi(x)."""
    return ndtr(-x)


def _safe_ratio(num, den, zero_over_zero):
    """Divide elementwise, with x/0 = inf for x > 0 and 0/0 = zero_over_zero."""
    out = np.full(np.broadcast(num, den).shape, np.inf)
    np.divide(num, den, out=out, where=den > 0)
    out[(den == 0) & (num == 0)] = zero_over_zero
    return out


def _class_statistics(X, y, spread):
    try:
        classes, labels, counts = np.unique(y, return_inverse=True, return_counts=True)
    except TypeError:  # labels that cannot be sorted together, e.g. None and 1
        kinds = sorted({type(v).__name__ for v in y})
        raise TypeError(
            f"y mixes label types {kinds}; the labels must be all numbers or all "
            "strings"
        ) from None
    if classes.shape[0] < 2:
        raise ValueError(f"y has {classes.shape[0]} class; at least 2 are needed")
    order = np.argsort(labels, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    centroids = np.empty((classes.shape[0], X.shape[1]))
    variances = np.empty(classes.shape[0])
    for m in range(classes.shape[0]):
        block = X[order[bounds[m] : bounds[m + 1]]]
        centroids[m] = block.mean(axis=0, dtype=np.float64)
        variances[m] = _SPREADS[spread](block.var(axis=0, dtype=np.float64))
    return counts / y.shape[0], centroids, variances


def _validate(X, y, spread, threshold, reference_compat):
    X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
    y = column_or_1d(y, warn=False)
    assert_all_finite(y, input_name="y")  # else NaN would count as a class
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} samples but y has {y.shape[0]}; they must match"
        )
    if not isinstance(spread, str) or spread not in _SPREADS:
        raise ValueError(f"spread={spread!r} must be one of {sorted(_SPREADS)}")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold={threshold!r} must be a positive number")
    if not threshold > 0:
        raise ValueError(f"threshold={threshold!r} must be a positive number")
    reference_compat = check_bool(reference_compat, "reference_compat")
    return X, y


def morse_difficulty(X, y, *, spread="mean", threshold=0.05, reference_compat=False):
    """Compute the four difficulty metrics of a labelled dataset (higher = harder).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Samples; the authors pool train, val and test.
    y : array-like of shape (n_samples,)
        Class labels: numbers or strings (not NaN), at least 2 classes.
    spread : {"mean", "median"}, default="mean"
        How the per-dimension variances of a class are reduced to ``v_m``.
    threshold : float, default=0.05
        ``tau`` of ``V_thresh``.
    reference_compat : bool, default=False
        Reproduce the authors' ``dataset_metrics`` code instead of the intended
        formulas (see Notes).

    Returns
    -------
    metrics : dict
        ``{"V_lower": float, "V_upper": float, "V_dist": float,
        "V_thresh": int}``.

    Notes
    -----
    With ``n`` samples, ``N_0`` features and ``M`` classes; ``p_m = n_m / n``,
    ``c_m`` the class centroid, ``v_m`` the mean (or median) over the ``N_0``
    dimensions of the per-dimension variance of class ``m`` (``ddof=0``),
    ``sigma_m = sqrt(v_m)``, ``d(m, j) = ||c_m - c_j||_2``,
    ``d_min(m) = min_{j != m} d(m, j)``, ``Q(x) = 1 - Phi(x)``:

    - ``V_lower = sum_m p_m Q(d_min(m) / (2 sigma_m))``
    - ``V_upper = sum_m p_m sum_{j != m} Q(d(m, j) / (2 sigma_m))``
    - ``V_dist = (1 / M) sum_m sigma_m / d_min(m)``
    - ``V_thresh = #{(m, j) : j < m, ||c_m - c_j||_1 / N_0 < tau}``

    ``Q(d / (2 sigma))`` is the error rate of deciding between two equal-variance
    Gaussians with centres ``d`` apart. Degenerate cases: ``x / 0 = inf`` for
    ``x > 0`` (so ``Q = 0`` for separated deterministic classes and
    ``V_dist = inf`` for coinciding centroids) and ``0 / 0`` gives ``Q(0) = 0.5``
    and ``V_dist`` term ``inf``. ``V_thresh`` counts unordered pairs (the
    double sum of the authors' slides counts each pair twice).

    ``reference_compat=True`` reproduces the reference code's deviations:
    (1) ``v_m`` (a variance) is used where ``sigma_m`` appears, i.e. the
    argument of ``Q`` is ``sqrt(d**2 / (4 v_m**2))`` and ``V_dist`` averages
    ``v_m / d_min(m)``; (2) ``V_upper`` uses a stale loop index, adding
    ``(M - 1) Q(d(m, M-2) / (2 v_m))`` per class (``Q(0) = 0.5`` for
    ``m = M - 2``); (3) ``V_thresh`` ignores pairs whose L1 distance is exactly 0.

    Examples
    --------
    >>> from sparsenn.datasets import morse_difficulty
    >>> X = [[0, 0], [2, 0], [1, 3], [1, 5]]   # centroids (1, 0), (1, 4)
    >>> y = [0, 0, 1, 1]                       # v_m = 0.5, d = 4
    >>> m = morse_difficulty(X, y)             # Q(4 / (2 sqrt(0.5))) = Q(2.83)
    >>> round(m["V_lower"], 6), round(m["V_dist"], 6), m["V_thresh"]
    (0.002339, 0.176777, 0)
    >>> r = morse_difficulty(X, y, reference_compat=True)
    >>> round(r["V_upper"], 6), r["V_dist"]    # 0.5 * Q(0) + 0.5 * Q(4)
    (0.250016, 0.125)
    """
    X, y = _validate(X, y, spread, threshold, reference_compat)
    prior, centroids, variances = _class_statistics(X, y, spread)
    n_classes, n_features = centroids.shape
    diff = centroids[:, None, :] - centroids[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    dist_l1 = np.abs(diff).sum(axis=2) / n_features
    off_diagonal = ~np.eye(n_classes, dtype=bool)
    d_min = np.where(off_diagonal, dist, np.inf).min(axis=1)
    lower = np.tril(off_diagonal)
    if reference_compat:
        scale = variances
        args = np.sqrt(_safe_ratio(dist**2, 4.0 * scale[:, None] ** 2, 0.0))
        stale = args[:, n_classes - 2]
        v_upper = np.sum(prior * (n_classes - 1) * _q(stale))
        close = lower & (dist_l1 < threshold) & (dist_l1 != 0)
    else:
        scale = np.sqrt(variances)
        args = _safe_ratio(dist, 2.0 * scale[:, None], 0.0)
        v_upper = np.sum(prior * np.where(off_diagonal, _q(args), 0.0).sum(axis=1))
        close = lower & (dist_l1 < threshold)
    min_args = np.where(off_diagonal, args, np.inf).min(axis=1)
    return {
        "V_lower": float(np.sum(prior * _q(min_args))),
        "V_upper": float(v_upper),
        "V_dist": float(np.mean(_safe_ratio(scale, d_min, np.inf))),
        "V_thresh": int(close.sum()),
    }
