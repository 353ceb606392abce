"""Closed-form pieces of ``PseudoInverseSparseClassifier``: ridge solve, inverses."""

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.special import logit

__all__ = ["INVERSE_ACTIVATIONS", "solve_ridge", "weighted_accuracy"]

#: inverse activation and the open range its argument is clipped to
INVERSE_ACTIVATIONS = {
    "tanh": (np.arctanh, (-0.995, 0.995)),
    "logistic": (logit, (0.0025, 0.9975)),
    "relu": (lambda H: H, (0.0, np.inf)),
}


def weighted_accuracy(est, H, codes, sw):
    predicted = np.argmax(H @ est.coef_ + est.intercept_, axis=1)
    return float(np.sum(sw * (predicted == codes)) / np.sum(sw))


def solve_ridge(G, R, alpha):
    """Solve ``(G + alpha * diag(1, ..., 1, 0)) B = R``; split off the intercept.

    ``alpha == 0`` (or a numerically singular system) uses the minimum-norm
    least-squares solution of these normal equations (SVD), i.e. the
    pseudo-inverse solution.
    """
    n = G.shape[0] - 1
    M = G.copy()
    M[np.arange(n), np.arange(n)] += alpha
    B = None
    if alpha > 0:
        try:
            B = cho_solve(cho_factor(M), R)
        except LinAlgError:
            B = None
    if B is None:
        B = np.linalg.lstsq(M, R, rcond=None)[0]
    return B[:n], B[n]
