"""Output layers: activation, loss and output error, by name.

Each entry of :data:`OUTPUTS` pairs an output activation with its canonical
loss, so the error at the output pre-activation is ``P - Y`` for all three,
as in scikit-learn's MLPs:

- ``"softmax"``: multiclass, targets are integer class codes, cross-entropy;
- ``"logistic"``: multi-label (or binary), targets a 0/1 indicator matrix,
  binary cross-entropy summed over the outputs;
- ``"identity"``: regression, targets an ``(n_samples, n_outputs)`` array,
  scikit-learn's squared loss ``mean((Y - P)**2) / 2`` (mean over samples and
  outputs).  As in scikit-learn the output error is ``P - Y`` also for several
  outputs (the loss is reported in scikit-learn's units);
- ``"exp"``: Poisson regression (``MLPRegressor(loss="poisson")``), the
  prediction ``P = exp(Z)`` of non-negative targets, half the Poisson
  deviance ``sum_outputs mean(Y log(Y / P) - Y + P)`` (scikit-learn's
  ``poisson_loss``); with the log link the error is again ``P - Y``.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from ._activations import identity, log_loss, logistic, softmax

__all__ = [
    "OUTPUTS",
    "Output",
    "binary_log_loss",
    "exponential",
    "poisson_loss",
    "squared_loss",
]


def binary_log_loss(P, Y, sample_weight):
    """Weighted binary cross-entropy, summed over the outputs.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_outputs)
        Predicted probabilities of the positive label of each output.
    Y : ndarray of shape (n_samples, n_outputs)
        0/1 indicators.
    sample_weight : ndarray of shape (n_samples,)

    Returns
    -------
    loss : float

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0.5, 0.9]])
    >>> round(binary_log_loss(P, np.array([[1, 1]]), np.ones(1)), 4)
    0.7985
    """
    eps = np.finfo(P.dtype).eps
    P = np.clip(P, eps, 1 - eps)
    per_sample = xlogy(Y, P) + xlogy(1 - Y, 1 - P)
    return float(-np.average(per_sample, weights=sample_weight, axis=0).sum())


def squared_loss(P, Y, sample_weight):
    """Half the weighted mean squared error, averaged over the outputs.

    Parameters
    ----------
    P, Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)

    Returns
    -------
    loss : float

    Examples
    --------
    >>> import numpy as np
    >>> squared_loss(np.array([[1.0], [3.0]]), np.zeros((2, 1)), np.ones(2))
    2.5
    """
    return float(0.5 * np.average((Y - P) ** 2, weights=sample_weight, axis=0).mean())


def exponential(Z):
    """``exp(Z)`` in place: the inverse of the Poisson loss's log link.

    Overflow gives ``inf`` without a warning: ``predict`` then recomputes the
    rows in saturating arithmetic and training treats a non-finite loss as a
    divergence (which warns at the user's line).
    """
    with np.errstate(over="ignore"):
        return np.exp(Z, out=Z)


def poisson_loss(P, Y, sample_weight):
    """Half the weighted Poisson deviance, summed over the outputs.

    ``Y log(Y / P) - Y + P`` per entry (zero where ``P == Y``), as
    scikit-learn's ``poisson_loss``.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_outputs)
        Predicted means, positive.
    Y : ndarray of shape (n_samples, n_outputs)
        Non-negative targets.
    sample_weight : ndarray of shape (n_samples,)

    Returns
    -------
    loss : float

    Examples
    --------
    >>> import numpy as np
    >>> round(poisson_loss(np.array([[1.0], [2.0]]), np.array([[1.0], [0.0]]),
    ...                    np.ones(2)), 4)
    1.0
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        per_entry = xlogy(Y, Y / P) - Y + P
    return float(np.average(per_entry, weights=sample_weight, axis=0).sum())


def _class_code_error(P, y):
    P[np.arange(len(y)), y] -= 1
    return P


def _residual(P, Y):
    P -= Y
    return P


@dataclass(frozen=True)
class Output:
    """One output layer: ``activation(Z)``, ``loss(P, y, w)``, ``error(P, y)``.

    ``error`` returns ``P - Y`` computed in place on ``P``.
    """

    activation: object
    loss: object
    error: object


OUTPUTS = {
    "softmax": Output(softmax, log_loss, _class_code_error),
    "logistic": Output(logistic, binary_log_loss, _residual),
    "identity": Output(identity, squared_loss, _residual),
    "exp": Output(exponential, poisson_loss, _residual),
}
