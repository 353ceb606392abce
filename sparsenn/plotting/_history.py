"""Loss and validation curves of a fitted estimator."""

import numpy as np

from ._mpl import axes_or_new

__all__ = ["plot_training_history"]

_X_AXES = ("epoch", "seconds")


def _curves(estimator):
    """(loss, validation scores or None, seconds per epoch or None) of a fit."""
    loss = getattr(estimator, "loss_curve_", None)
    if loss is None:
        raise ValueError(
            f"{type(estimator).__name__} has no loss_curve_: fit it first with a "
            "gradient solver."
        )
    history = getattr(estimator, "history_", None) or []
    seconds = [h.get("seconds") for h in history] if history else None
    scores = getattr(estimator, "validation_scores_", None)
    return np.asarray(loss, float), scores, seconds


def plot_training_history(estimator, *, x="epoch", ax=None):
    """Draw the training loss per epoch and, if recorded, the validation score.

    Reads ``loss_curve_``, ``validation_scores_`` (``early_stopping=True``) and
    the per-epoch wall time in ``history_``.

    Parameters
    ----------
    estimator : fitted estimator
        With ``loss_curve_`` (the gradient-trained estimators of sparsenn and
        scikit-learn's ``MLPClassifier``).
    x : {"epoch", "seconds"}, default="epoch"
        Horizontal axis: epoch number or cumulative wall time (from
        ``history_``).
    ax : matplotlib Axes, optional
        Axes of the loss; the validation score goes on a twin axis at the right.

    Returns
    -------
    ax : matplotlib Axes
        The loss axes; ``ax.lines[0]`` is the loss curve. The validation axes,
        when drawn, is ``ax.right_ax``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sparsenn import SparseMLPClassifier
    >>> from sparsenn.plotting import plot_training_history
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((100, 4)); y = (X[:, 0] > 0.5).astype(int)
    >>> clf = SparseMLPClassifier((8,), density=1.0, max_iter=5, random_state=0)
    >>> _ = clf.fit(X, y)
    >>> len(plot_training_history(clf).lines[0].get_xdata())
    5
    """
    if x not in _X_AXES:
        raise ValueError(f"x={x!r} is not supported; choose one of {_X_AXES}.")
    loss, scores, seconds = _curves(estimator)
    if x == "seconds" and (seconds is None or len(seconds) != loss.size):
        raise ValueError(
            "x='seconds' needs one history_ entry per epoch with its wall time."
        )
    steps = np.cumsum(seconds) if x == "seconds" else np.arange(1, loss.size + 1)
    ax = axes_or_new(ax)
    ax.plot(steps, loss, color="C0", label="training loss")
    ax.set_xlabel("epoch" if x == "epoch" else "wall time (s)")
    ax.set_ylabel("training loss")
    ax.right_ax = None
    if scores:
        right = ax.twinx()
        right.plot(steps[-len(scores) :], scores, color="C1", label="validation score")
        right.set_ylabel("validation score")
        ax.right_ax = right
    ax.set_title(f"{type(estimator).__name__}: {loss.size} epochs")
    return ax
