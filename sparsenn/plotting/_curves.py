"""Score against density (or any parameter), in ``ValidationCurveDisplay`` style."""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import validation_curve

from .._warnings import warn
from ._mpl import axes_or_new, require_matplotlib

__all__ = ["DensityCurveDisplay"]


def _resolve_key(params, name, what):
    """Return the key, set in every candidate, that is ``name`` or ``*__name``."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a parameter name (str), got {name!r}.")
    searched = sorted({k for p in params for k in p})  # a list of grids: a union
    keys = [k for k in searched if k == name or k.endswith("__" + name)]
    if len(keys) != 1:
        raise ValueError(
            f"{what}={name!r} matches {len(keys)} searched parameters "
            f"({keys or 'none'}); searched: {searched}."
        )
    unset = sum(keys[0] not in p for p in params)
    if unset:
        raise ValueError(
            f"{what}={name!r} is not set in {unset} of {len(params)} candidates "
            "(a search over a list of grids); pass the cv_results of the "
            "candidates that set it."
        )
    return keys[0]


def _split_scores(cv_results, kind, metric="score"):
    """Array (n_candidates, n_splits) of the per-split scores, or None."""
    keys = sorted(
        (
            k
            for k in cv_results
            if k.startswith("split") and k.endswith(f"_{kind}_{metric}")
        ),
        key=lambda k: int(k[5 : k.index("_")]),
    )
    if not keys:
        return None
    return np.column_stack([np.asarray(cv_results[k], dtype=float) for k in keys])


def _group_rows(params, param_key, group_key):
    """Map group label -> param value -> list of candidate indices."""
    groups = {}
    for i, p in enumerate(params):
        label = "all" if group_key is None else str(p[group_key])
        groups.setdefault(label, {}).setdefault(p[param_key], []).append(i)
    return groups


def _check_real_values(values, name):
    if not all(isinstance(v, numbers.Real) for v in values):
        raise TypeError(f"{name} must take real values to be plotted, got {values!r}.")


class DensityCurveDisplay:
    """Score against density, one line per connectivity (or any other parameter).

    In the style of scikit-learn's ``ValidationCurveDisplay``: build it with
    :meth:`from_estimator` (runs the cross-validation) or :meth:`from_results`
    (reads a search's ``cv_results_``), then it is drawn by :meth:`plot`.

    Parameters
    ----------
    param_range : array-like of shape (n_values,)
        Values of the parameter on the x axis.
    test_scores : dict of str to ndarray of shape (n_values, n_scores)
        Validation scores of each line (``n_scores`` = splits, times seeds).
    train_scores : dict of str to ndarray of shape (n_values, n_scores), optional
        Training scores of each line, drawn dashed.
    param_name : str, default="density"
        Label of the x axis.
    score_name : str, default="accuracy"
        Label of the y axis.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    lines_ : dict of str to matplotlib Line2D
        The validation line of each group.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sparsenn.plotting import DensityCurveDisplay
    >>> scores = {"random": np.array([[0.5, 0.6], [0.8, 0.9]])}
    >>> disp = DensityCurveDisplay([0.1, 0.5], scores).plot()
    >>> disp.lines_["random"].get_ydata().round(2).tolist()
    [0.55, 0.85]
    """

    def __init__(
        self,
        param_range,
        test_scores,
        train_scores=None,
        *,
        param_name="density",
        score_name="accuracy",
    ):
        self.param_range = np.asarray(param_range, dtype=float)
        self.test_scores = {
            k: np.asarray(v, dtype=float) for k, v in test_scores.items()
        }
        self.train_scores = (
            None
            if train_scores is None
            else {k: np.asarray(v, dtype=float) for k, v in train_scores.items()}
        )
        self.param_name = param_name
        self.score_name = score_name

    def plot(self, ax=None, *, std=True, log_scale=None):
        """Draw the mean score of each group with a band of one standard deviation.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure when None.
        std : bool, default=True
            Shade mean +- one standard deviation.
        log_scale : bool, optional
            Logarithmic x axis; by default when the values span more than a
            factor of 10.

        Returns
        -------
        self : DensityCurveDisplay
            With ``ax_``, ``figure_`` and ``lines_`` set.
        """
        ax = axes_or_new(ax)
        self.lines_ = {}
        for label, scores in self.test_scores.items():
            self.lines_[label] = self._draw(ax, scores, label, "-", std)
            if self.train_scores is not None and label in self.train_scores:
                self._draw(
                    ax, self.train_scores[label], f"{label} (train)", "--", False
                )
        low, high = self.param_range.min(), self.param_range.max()
        if log_scale is None:
            log_scale = low > 0 and high / low > 10
        if log_scale:
            ax.set_xscale("log")
        ax.set_xlabel(self.param_name)
        ax.set_ylabel(self.score_name)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _draw(self, ax, scores, label, style, std):
        if scores.shape[0] != self.param_range.size:
            raise ValueError(
                f"scores of {label!r} have {scores.shape[0]} rows for "
                f"{self.param_range.size} parameter values."
            )
        # rows without a score (every fit failed, error_score=np.nan): said
        # here, at the user's line, instead of numpy's "Mean of empty slice"
        empty = np.isnan(scores).all(axis=1)
        if empty.any():
            values = ", ".join(f"{v:g}" for v in self.param_range[empty])
            warn(
                f"the scores of {label!r} are all NaN at {self.param_name}="
                f"{values} (failed fits, error_score=np.nan); not drawn there."
            )
        mean, dev = np.full(empty.size, np.nan), np.full(empty.size, np.nan)
        mean[~empty] = np.nanmean(scores[~empty], axis=1)
        (line,) = ax.plot(self.param_range, mean, style, marker="o", label=label)
        if std:
            dev[~empty] = np.nanstd(scores[~empty], axis=1)
            ax.fill_between(
                self.param_range,
                mean - dev,
                mean + dev,
                alpha=0.2,
                color=line.get_color(),
            )
        return line

    @classmethod
    def from_results(
        cls,
        cv_results,
        *,
        param_name="density",
        group_name=None,
        metric=None,
        score_name=None,
        ax=None,
    ):
        """Plot the validation (and training) scores of a search's ``cv_results_``.

        Candidates that share the value of ``param_name`` and of ``group_name``
        (for example different ``random_state`` values) are pooled: their split
        scores form one band.

        Parameters
        ----------
        cv_results : dict
            ``GridSearchCV(...).cv_results_`` (per-split scores are read;
            training scores when the search had ``return_train_score=True``).
        param_name : str, default="density"
            Parameter on the x axis; a pipeline's ``step__density`` matches
            ``"density"``.
        group_name : str, optional
            Parameter drawn as separate lines (for example ``"connectivity"``).
        metric : str, optional
            The scorer's name in a search with several (``scoring={"r2": ...,
            ...}``): ``split<k>_test_<metric>`` is read. By default the single
            scorer's ``split<k>_test_score``.
        score_name : str, optional
            Label of the y axis: by default ``metric``, or ``"accuracy"`` (the
            default scorer of a classifier; pass ``"R^2"`` for a regressor's).
        ax : matplotlib Axes, optional
            Axes to draw on.

        Returns
        -------
        display : DensityCurveDisplay
            Drawn.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sparsenn.plotting import DensityCurveDisplay
        >>> results = {
        ...     "params": [{"density": 0.1}, {"density": 0.5}],
        ...     "split0_test_score": [0.5, 0.8], "split1_test_score": [0.6, 0.9]}
        >>> disp = DensityCurveDisplay.from_results(results)
        >>> disp.lines_["all"].get_xdata().tolist()
        [0.1, 0.5]
        """
        params = list(cv_results["params"])
        if not params:
            raise ValueError("cv_results holds no candidates.")
        param_key = _resolve_key(params, param_name, "param_name")
        group_key = (
            None
            if group_name is None
            else _resolve_key(params, group_name, "group_name")
        )
        values = list(dict.fromkeys(p[param_key] for p in params))
        _check_real_values(values, "param_name")  # before sorting: None, str
        values = sorted(values)
        suffix = "score" if metric is None else metric
        test, train = (
            _split_scores(cv_results, "test", suffix),
            _split_scores(cv_results, "train", suffix),
        )
        if test is None:
            found = sorted({k.split("_test_", 1)[1] for k in cv_results
                            if k.startswith("split") and "_test_" in k})  # fmt: skip
            raise ValueError(
                f"cv_results holds no split<k>_test_{suffix} entries"
                + (f"; the scorers it holds: metric in {found}." if found else ".")
            )
        groups = _group_rows(params, param_key, group_key)
        test_scores, train_scores = {}, ({} if train is not None else None)
        for label, by_value in groups.items():
            test_scores[label] = _pool(test, by_value, values)
            if train is not None:
                train_scores[label] = _pool(train, by_value, values)
        if score_name is None:
            score_name = "accuracy" if metric is None else metric
        display = cls(
            values,
            test_scores,
            train_scores,
            param_name=param_name,
            score_name=score_name,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        param_name="density",
        param_range=(0.05, 0.1, 0.2, 0.5, 1.0),
        group_name=None,
        group_values=(),
        cv=None,
        scoring=None,
        n_jobs=None,
        ax=None,
    ):
        """Cross-validate ``estimator`` over ``param_range`` and plot the scores.

        Parameters
        ----------
        estimator : estimator
            Unfitted; cloned for every ``group_values`` entry.
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        param_name : str, default="density"
            Parameter on the x axis (``step__density`` inside a pipeline).
        param_range : array-like, default=(0.05, 0.1, 0.2, 0.5, 1.0)
            Its values.
        group_name : str, optional
            Parameter drawn as separate lines, one per ``group_values`` entry.
        group_values : sequence, default=()
            Values of ``group_name``.
        cv, scoring, n_jobs
            As in :func:`sklearn.model_selection.validation_curve`.
        ax : matplotlib Axes, optional
            Axes to draw on.

        Returns
        -------
        display : DensityCurveDisplay
            Drawn.
        """
        require_matplotlib()  # before the cross-validation, not after it
        if (group_name is None) != (len(group_values) == 0):
            raise ValueError(
                "group_name and group_values go together; got "
                f"group_name={group_name!r}, group_values={group_values!r}."
            )
        settings = [(str(v), {group_name: v}) for v in group_values] or [("all", {})]
        test_scores, train_scores = {}, {}
        for label, extra in settings:
            est = clone(estimator).set_params(**extra)
            train, test = validation_curve(
                est, X, y, param_name=param_name, param_range=param_range,
                cv=cv, scoring=scoring, n_jobs=n_jobs,
            )  # fmt: skip
            test_scores[label], train_scores[label] = test, train
        display = cls(
            param_range,
            test_scores,
            train_scores,
            param_name=param_name.split("__")[-1],
            score_name=scoring if isinstance(scoring, str) else "score",
        )
        return display.plot(ax=ax)


def _pool(scores, by_value, values):
    """Rows of ``scores`` pooled per parameter value, padded with NaN."""
    pooled = [scores[by_value.get(v, [])].ravel() for v in values]
    width = max(p.size for p in pooled)
    out = np.full((len(values), width), np.nan)
    for row, p in zip(out, pooled, strict=True):
        row[: p.size] = p
    return out
