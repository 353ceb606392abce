"""Full-batch L-BFGS-B over a list of parameter arrays.

Nothing here knows an estimator or a weight type: :func:`fit_lbfgs` takes the
trainable arrays and a function returning the loss and the gradients aligned
with them, and runs :func:`scipy.optimize.minimize` with ``method="L-BFGS-B"``
and ``jac=True`` over their concatenation.  Every evaluation writes the
candidate vector back into the arrays *in place*, so views into them (the
structured parts of a weight type) stay valid.
"""

import time

import numpy as np
import scipy.optimize

from ._loop import EpochRecord

__all__ = ["fit_lbfgs", "lbfgs_warning_message", "pack", "unpack_into"]


def pack(arrays):
    """Return the concatenation of every array, raveled, as float64.

    Parameters
    ----------
    arrays : list of ndarray

    Returns
    -------
    x : ndarray of shape (sum of sizes,)

    Examples
    --------
    >>> import numpy as np
    >>> pack([np.ones(2), np.zeros((1, 2))])
    array([1., 1., 0., 0.])
    """
    if not arrays:
        return np.empty(0)
    return np.concatenate([np.ravel(a) for a in arrays]).astype(np.float64, copy=False)


def unpack_into(x, arrays):
    """Copy consecutive slices of ``x`` into ``arrays`` in place (no rebinding).

    Parameters
    ----------
    x : ndarray of shape (sum of sizes,)
    arrays : list of ndarray
        Written in place, each cast to its own dtype.

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.zeros(1), np.zeros((1, 2))
    >>> unpack_into(np.arange(3.0), [a, b])
    >>> a, b
    (array([0.]), array([[1., 2.]]))
    """
    start = 0
    for a in arrays:
        stop = start + a.size
        a[...] = x[start:stop].reshape(a.shape)
        start = stop


def fit_lbfgs(
    params, loss_and_grads, *, max_iter, max_fun, tol, n_samples=0, verbose=False
):
    """Minimise ``loss_and_grads`` over ``params`` in place with L-BFGS-B.

    Parameters
    ----------
    params : list of ndarray
        Every trainable array; on return they hold the solution.
    loss_and_grads : callable
        ``loss_and_grads() -> (loss, grads)`` evaluated at the current content
        of ``params``; ``grads`` aligns with ``params``.
    max_iter : int
        Maximum number of L-BFGS iterations (scipy's ``maxiter``).
    max_fun : int
        Maximum number of loss evaluations (scipy's ``maxfun``).
    tol : float
        Projected-gradient tolerance (scipy's ``gtol``).
    n_samples : int, default=0
        Training samples per evaluation, copied into the records.
    verbose : bool, default=False
        Print the loss after every iteration.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        scipy's result; ``result.x`` has been written into ``params``.
    history : list of EpochRecord
        One record per iteration: the loss after it and its wall time.

    Examples
    --------
    >>> import numpy as np
    >>> p = [np.array([3.0]), np.array([[-2.0, 1.0]])]
    >>> def f():
    ...     return float(sum((a**2).sum() for a in p)), [2 * a for a in p]
    >>> result, history = fit_lbfgs(p, f, max_iter=50, max_fun=100, tol=1e-8)
    >>> result.status, bool(np.abs(p[1]).max() < 1e-6), len(history) == result.nit
    (0, True, True)
    """
    history, clock = [], [time.perf_counter()]

    def fun(x):
        unpack_into(x, params)
        loss, grads = loss_and_grads()
        return float(loss), pack(grads)

    def callback(intermediate_result):
        now = time.perf_counter()
        loss = float(intermediate_result.fun)
        history.append(EpochRecord(loss, now - clock[0], n_samples))
        clock[0] = now
        if verbose:
            print(f"Iteration {len(history)}, loss = {loss:.8f}", flush=True)

    result = scipy.optimize.minimize(
        fun,
        pack(params),
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
    )
    unpack_into(result.x, params)
    return result, history


def lbfgs_warning_message(result, max_iter):
    """Return scikit-learn's ConvergenceWarning text for ``result``, or None.

    Parameters
    ----------
    result : scipy.optimize.OptimizeResult
    max_iter : int

    Returns
    -------
    message : str or None
        None when scipy reports success (``status == 0``).
    """
    if result.status == 0:
        return None
    n_iter = min(result.nit, max_iter)
    message = (
        f"lbfgs failed to converge after {n_iter} iteration(s) "
        f"(status={result.status}):\n{result.message}\n"
    )
    if n_iter == max_iter:
        message += (
            "\nIncrease the number of iterations to improve the convergence "
            f"(max_iter={max_iter})."
        )
    return message + (
        "\nYou might also want to scale the data as shown in:\n"
        "    https://scikit-learn.org/stable/modules/preprocessing.html"
    )
