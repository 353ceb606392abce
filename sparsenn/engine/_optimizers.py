"""Stochastic optimizers that update a list of flat parameter arrays in place.

They follow scikit-learn's ``_stochastic_optimizers``: ``SGDOptimizer`` with
momentum (optionally Nesterov) and the learning-rate schedules, and
``AdamOptimizer``.  ``update`` never rebinds a parameter array, so structured
weight types that hold views into their ``params`` stay consistent.

An optimizer's state (velocities, moments, step count) is its own; the arrays
it updates are passed to every ``update`` call by the training loop, so a
pickled, reloaded or deep-copied optimizer keeps training the model's own
parameters (the ``params`` given at construction are only the default and are
not pickled).
"""

import numpy as np

__all__ = ["SGDOptimizer", "AdamOptimizer", "OPTIMIZERS"]


class _Optimizer:
    """State kept between steps; pickles and copies carry the state only."""

    _state_names = ()

    def __getstate__(self):
        state = dict(self.__dict__)
        state["params"] = None
        return state

    def _scales(self, n):
        """Per-array learning-rate multipliers (1 where none were given)."""
        scales = getattr(self, "lr_scales", None)
        return [1.0] * n if scales is None else scales

    def reset_positions(self, index, positions):
        """Zero the state of ``params[index][positions]`` (re-initialised weights)."""
        for name in self._state_names:
            getattr(self, name)[index][positions] = 0


class SGDOptimizer(_Optimizer):
    """Stochastic gradient descent with momentum and learning-rate schedules.

    Parameters
    ----------
    params : list of ndarray
        The arrays to update in place.
    learning_rate_init : float
    learning_rate : {"constant", "invscaling", "adaptive"}
    momentum : float
    nesterov : bool
    power_t : float
        Exponent of the ``"invscaling"`` schedule ``lr = lr0 / t ** power_t``.
    lr_scales : list of float, optional
        One multiplier of the learning rate per parameter array (default 1).

    Examples
    --------
    >>> import numpy as np
    >>> p = [np.array([1.0, 2.0])]
    >>> opt = SGDOptimizer(p, learning_rate_init=0.5, momentum=0.0)
    >>> opt.update([np.array([1.0, 1.0])])
    >>> p[0]
    array([0.5, 1.5])
    """

    _state_names = ("velocities",)

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        learning_rate="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
        lr_scales=None,
    ):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.schedule = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]
        self.params = params
        self.lr_scales = None if lr_scales is None else [float(c) for c in lr_scales]

    def update(self, grads, params=None):
        """Apply one step given gradients aligned with ``params``.

        Parameters
        ----------
        grads : list of ndarray
            One gradient per parameter array.
        params : list of ndarray, optional
            The arrays to update in place (default: those given at
            construction).
        """
        params = self.params if params is None else params
        mu = self.momentum
        scales = self._scales(len(params))
        for p, v, g, c in zip(params, self.velocities, grads, scales, strict=True):
            lr = self.learning_rate * c
            v *= mu
            v -= lr * g
            if self.nesterov:
                p += mu * v - lr * g
            else:
                p += v

    def iteration_ends(self, time_step):
        """Apply the ``"invscaling"`` schedule after ``time_step`` samples."""
        if self.schedule == "invscaling":
            self.learning_rate = (
                self.learning_rate_init / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        """Return True to stop; the ``"adaptive"`` schedule divides the rate by 5."""
        if self.schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False


class AdamOptimizer(_Optimizer):
    """Adam (Kingma and Ba, 2014) with bias-corrected step size.

    Parameters
    ----------
    params : list of ndarray
    learning_rate_init : float
    beta_1, beta_2 : float
    epsilon : float
    lr_scales : list of float, optional
        One multiplier of the learning rate per parameter array (default 1).

    Examples
    --------
    >>> import numpy as np
    >>> p = [np.array([1.0])]
    >>> AdamOptimizer(p, learning_rate_init=0.1).update([np.array([3.0])])
    >>> p[0].round(6)
    array([0.9])
    """

    _state_names = ("ms", "vs")

    def __init__(
        self,
        params,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        lr_scales=None,
    ):
        self.learning_rate_init = learning_rate_init
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.params = params
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]
        self.lr_scales = None if lr_scales is None else [float(c) for c in lr_scales]

    def update(self, grads, params=None):
        """Apply one step given gradients aligned with ``params``.

        Parameters
        ----------
        grads : list of ndarray
            One gradient per parameter array.
        params : list of ndarray, optional
            The arrays to update in place (default: those given at
            construction).
        """
        params = self.params if params is None else params
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        lr = self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        scales = self._scales(len(params))
        for p, m, v, g, c in zip(params, self.ms, self.vs, grads, scales, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            g = g * g
            g *= 1 - b2
            v += g
            np.sqrt(v, out=g)
            g += self.epsilon
            np.divide(m, g, out=g)
            g *= lr * c
            p -= g

    def iteration_ends(self, time_step):
        """Adam has no schedule."""

    def trigger_stopping(self, msg, verbose):
        """Adam always stops when the loss stalls."""
        if verbose:
            print(msg + " Stopping.")
        return True


OPTIMIZERS = {"sgd": SGDOptimizer, "adam": AdamOptimizer}
