"""Central finite differences for the gradient tests."""

import pytest


def assert_matches_central_differences(loss, pairs, h=1e-6, rel=1e-5, atol=1e-8):
    """Assert each gradient entry equals ``(loss(+h) - loss(-h)) / 2h``.

    Parameters
    ----------
    loss : callable
        ``loss()`` returns the loss (a float) at the current parameter values.
    pairs : list of (ndarray, ndarray)
        ``(parameters, gradient)``; each parameter array is perturbed in place
        one entry at a time and restored.
    h, rel, atol : float
        Step, and the relative and absolute tolerances of :func:`pytest.approx`.
    """
    for array, grad in pairs:
        for i in range(array.size):
            old = array.flat[i]
            array.flat[i] = old + h
            up = loss()
            array.flat[i] = old - h
            down = loss()
            array.flat[i] = old
            expected = (up - down) / (2 * h)
            assert grad.flat[i] == pytest.approx(expected, rel=rel, abs=atol)
