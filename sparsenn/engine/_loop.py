"""The minibatch training loop, as free functions over parameters and callables.

Nothing here knows an estimator: :func:`fit_epochs` takes the parameter arrays,
a ``step`` function (loss and gradients of one batch), the batches of an epoch,
an optimizer and a stopping rule, and returns one record per epoch.  The state
that must survive between calls (``partial_fit``, ``warm_start``, pickling) is
a :class:`TrainingState`, owned by the caller.
"""

import contextlib
import contextvars
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "EpochRecord",
    "StoppingRule",
    "TrainingState",
    "all_finite",
    "epoch_callbacks",
    "fit_epochs",
    "restore",
    "snapshot",
]


def snapshot(arrays):
    """Return copies of every array (parameters at one point of training)."""
    return [np.array(a, copy=True) for a in arrays]


def restore(arrays, saved):
    """Copy ``saved`` back into ``arrays`` in place (views stay valid)."""
    for a, s in zip(arrays, saved, strict=True):
        a[...] = s


def all_finite(arrays):
    """Return True when every value of every array is finite."""
    return all(bool(np.isfinite(a).all()) for a in arrays)


@dataclass
class EpochRecord:
    """What one epoch did.

    Attributes
    ----------
    loss : float
        Weighted mean training loss over the epoch's batches.
    seconds : float
        Wall time of the epoch, validation included.
    n_samples : int
        Samples seen in the epoch.
    validation_score : float or None
        Score of the stopping rule's validation set after the epoch.
    validation_loss : float or None
        Loss on that validation set (same units as ``loss``), when the
        stopping rule's ``validate`` reports it.
    """

    loss: float
    seconds: float
    n_samples: int
    validation_score: float | None = None
    validation_loss: float | None = None

    def as_dict(self):
        """Return the record as a plain dict (one entry of ``history_``)."""
        return dict(self.__dict__)


@dataclass
class StoppingRule:
    """scikit-learn's ``n_iter_no_change`` rule, on the loss or a validation score.

    Parameters
    ----------
    tol : float
        Minimum improvement that counts.
    n_iter_no_change : int or inf
        Epochs without improvement that are tolerated.
    validate : callable or None
        ``validate() -> score`` (higher is better) after each epoch; None
        watches the training loss (lower is better).

    Examples
    --------
    >>> rule = StoppingRule(tol=0.1, n_iter_no_change=1)
    >>> [rule.update(loss, []) for loss in (1.0, 0.95, 0.94)]
    [False, False, True]
    """

    tol: float
    n_iter_no_change: float
    validate: object = None
    best_loss: float = np.inf
    best_score: float = -np.inf
    scores: list = field(default_factory=list)
    best_params: list | None = None
    # the edges ``best_params`` were saved on, set by a caller whose pattern
    # moves (rewiring); None: the pattern has not moved since
    best_structure: list | None = None
    count: int = 0
    losses: list = field(default_factory=list)

    def update(self, loss, params):
        """Record one epoch; return True when it did not improve for too long.

        ``validate()`` returns the validation score, or ``(score, loss)``.
        """
        if self.validate is not None:
            result = self.validate()
            score, val_loss = result if isinstance(result, tuple) else (result, None)
            score = float(score)
            self.scores.append(score)
            self.losses.append(None if val_loss is None else float(val_loss))
            improved = score >= self.best_score + self.tol
            if score > self.best_score:
                self.best_score = score
                self.best_params = snapshot(params)
        else:
            improved = loss <= self.best_loss - self.tol
            self.best_loss = min(self.best_loss, loss)
        self.count = 0 if improved else self.count + 1
        return self.count > self.n_iter_no_change

    def message(self):
        """Describe why the rule fired."""
        what = "Validation score" if self.validate is not None else "Training loss"
        return (
            f"{what} did not improve more than tol={self.tol} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )

    def __getstate__(self):
        state = dict(self.__dict__)
        state["validate"] = None  # a closure over this fit's data
        return state


@dataclass
class TrainingState:
    """Counters and solver state that persist across ``fit`` calls.

    Attributes
    ----------
    optimizer : object
        Has ``update(grads, params)``, ``iteration_ends(n_samples_seen)`` and
        ``trigger_stopping(message, verbose) -> bool``.
    stopping : StoppingRule
    n_iter : int
        Epochs run by the current fit (or cumulated by ``partial_fit``).
    t : int
        Training samples seen.
    history : list of EpochRecord
    """

    optimizer: object
    stopping: StoppingRule
    n_iter: int = 0
    t: int = 0
    history: list = field(default_factory=list)


class Diverged(Exception):
    """Raised inside an epoch when a batch loss is not finite.

    ``at_start`` is True when the very first batch, evaluated at the epoch's
    starting parameters, was already non-finite.
    """

    def __init__(self, at_start):
        super().__init__(at_start)
        self.at_start = at_start


def _run_epoch(params, step, batches, optimizer, after_step=None):
    """One pass over ``batches``; return (weighted mean loss, samples seen)."""
    total, weight_sum, n_samples, n_updates = 0.0, 0.0, 0, 0
    for batch in batches:
        loss, grads, weight, size = step(batch)
        if weight <= 0:
            continue
        # a non-finite gradient shows as a non-finite loss at the next batch, or
        # in the final parameter check: no extra pass over the gradients here
        if not np.isfinite(loss):
            raise Diverged(at_start=weight_sum == 0)
        optimizer.update(grads, params)
        n_updates += 1
        if after_step is not None:
            after_step(n_updates)
        total += loss * weight
        weight_sum += weight
        n_samples += size
    return total / max(weight_sum, np.finfo(float).tiny), n_samples


def fit_epochs(
    params, step, batches, state, *, n_epochs, verbose=False, after_step=None
):
    """Train ``params`` in place for up to ``n_epochs`` epochs.

    Parameters
    ----------
    params : list of ndarray
        Every trainable array, updated in place by ``state.optimizer``.
    step : callable
        ``step(batch) -> (loss, grads, batch_weight, batch_size)``; ``loss``
        is evaluated at the current parameters, ``grads`` align with
        ``params``.
    batches : callable
        ``batches() -> iterable`` of the batches of one epoch.
    state : TrainingState
        Optimizer, stopping rule and counters; updated in place.
    n_epochs : int
    verbose : bool, default=False
        Print one line per epoch.
    after_step : callable, optional
        ``after_step(step_index)`` after every optimizer update, with the
        1-based index of the update within its epoch (e.g. rewiring of a
        dynamic sparse network; it may move values inside ``params`` but
        never rebinds them).

    Returns
    -------
    status : {"max_iter", "converged", "stopped", "diverged", "unrecoverable"}
        Why the loop ended (``"stopped"``: an :func:`epoch_callbacks` callback
        returned True).  On ``"diverged"`` (a batch loss or gradient was
        not finite) the parameters are restored to the start of the latest
        epoch at which a batch loss was evaluated and finite (verified
        parameters).  ``"unrecoverable"``: the parameters at the start of this
        call already gave a non-finite loss; they are left as they were.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.engine import SGDOptimizer
    >>> p = [np.array([4.0])]
    >>> def step(batch):
    ...     return float(p[0][0] ** 2), [2 * p[0]], 1.0, 1
    >>> state = TrainingState(SGDOptimizer(p, 0.25, momentum=0.0),
    ...                       StoppingRule(tol=0.0, n_iter_no_change=np.inf))
    >>> fit_epochs(p, step, lambda: [None], state, n_epochs=3)
    'max_iter'
    >>> p[0], [round(r.loss, 2) for r in state.history]
    (array([0.5]), [16.0, 4.0, 1.0])
    """
    verified = None  # starting parameters of an epoch whose first loss was finite
    for _ in range(n_epochs):
        start = time.perf_counter()
        saved = snapshot(params)
        try:
            loss, n_samples = _run_epoch(
                params, step, batches(), state.optimizer, after_step
            )
        except Diverged as exc:
            if not exc.at_start:
                verified = saved
            restore(params, saved if verified is None else verified)
            return "unrecoverable" if verified is None else "diverged"
        verified = saved
        state.n_iter += 1
        state.t += n_samples
        state.optimizer.iteration_ends(state.t)
        stop = state.stopping.update(loss, params)
        validated = state.stopping.validate is not None
        score = state.stopping.scores[-1] if validated else None
        val_loss = state.stopping.losses[-1] if validated else None
        seconds = time.perf_counter() - start
        record = EpochRecord(loss, seconds, n_samples, score, val_loss)
        state.history.append(record)
        if verbose:
            _print_epoch(state.n_iter, record)
        if _callbacks_stop(state.n_iter, record):
            return "stopped" if _final_check(params, verified) else "diverged"
        if stop:
            if state.optimizer.trigger_stopping(state.stopping.message(), verbose):
                return "converged" if _final_check(params, verified) else "diverged"
            state.stopping.count = 0
    return "max_iter" if _final_check(params, verified) else "diverged"


def _final_check(params, verified):
    """Return True if ``params`` are finite; else restore ``verified``."""
    if all_finite(params) or verified is None:
        return all_finite(params)
    restore(params, verified)
    return False


def _print_epoch(epoch, record):
    line = f"Iteration {epoch}, loss = {record.loss:.8f}"
    if record.validation_score is not None:
        line += f", validation score = {record.validation_score:.6f}"
    if record.validation_loss is not None:
        line += f", validation loss = {record.validation_loss:.6f}"
    print(f"{line}, {record.seconds:.2f} s", flush=True)


_CALLBACKS = contextvars.ContextVar("sparsenn_epoch_callbacks", default=())


@contextlib.contextmanager
def epoch_callbacks(*callbacks):
    """Call ``callback(record)`` after every training epoch run inside the block.

    ``record`` is the epoch's ``history_`` entry (``loss``, ``seconds``,
    ``n_samples``, ``validation_score``) plus ``epoch`` (1-based, counted as
    ``n_iter_``). A callback returning True stops the fit after that epoch,
    without a ``ConvergenceWarning``; every callback sees every epoch. The
    callbacks apply to the fits of the current thread (a context variable), so
    not to fits that joblib runs in other processes.

    Parameters
    ----------
    *callbacks : callable
        ``callback(record: dict) -> bool or None``.

    Yields
    ------
    None

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn import SparseMLPClassifier
    >>> from sparsenn.engine import epoch_callbacks
    >>> X = np.random.default_rng(0).random((60, 4)); y = (X[:, 0] > 0.5).astype(int)
    >>> seen = []
    >>> def stop_at_3(record):
    ...     seen.append(record["epoch"])
    ...     return record["epoch"] == 3
    >>> clf = SparseMLPClassifier((8,), density=1.0, max_iter=50, random_state=0)
    >>> with epoch_callbacks(stop_at_3):
    ...     _ = clf.fit(X, y)
    >>> seen, clf.n_iter_, len(clf.history_)
    ([1, 2, 3], 3, 3)
    """
    for callback in callbacks:
        if not callable(callback):
            raise TypeError(
                f"epoch_callbacks takes callables, got {type(callback).__name__}."
            )
    token = _CALLBACKS.set(_CALLBACKS.get() + callbacks)
    try:
        yield
    finally:
        _CALLBACKS.reset(token)


def _callbacks_stop(epoch, record):
    """Call every active callback with the record; True if one asks to stop."""
    callbacks = _CALLBACKS.get()
    if not callbacks:
        return False
    entry = dict(record.as_dict(), epoch=epoch)
    return any([bool(callback(dict(entry))) for callback in callbacks])
