"""Initialisation: Glorot bounds and biases, as scikit-learn's MLP draws them."""

import numpy as np

__all__ = ["init_bias", "glorot_bound"]


def glorot_bound(fan_in, fan_out, activation):
    """Half-width of the Glorot uniform initialisation used by scikit-learn.

    ``sqrt(6 / (fan_in + fan_out))``, or ``sqrt(2 / (fan_in + fan_out))`` for
    the logistic activation.  For sparse junctions the fans are the mean in-
    and out-degrees, which keeps the variance of ``X @ W`` as in a dense net.

    Examples
    --------
    >>> round(glorot_bound(3, 3, "relu"), 3)
    1.0
    """
    factor = 2.0 if activation == "logistic" else 6.0
    return float(np.sqrt(factor / max(fan_in + fan_out, 1e-12)))


def init_bias(n_out, bound, rng, dtype):
    """Uniform ``[-bound, bound)`` biases, as scikit-learn's MLP."""
    return rng.uniform(-bound, bound, n_out).astype(dtype)
