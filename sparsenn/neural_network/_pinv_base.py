"""The network and closed-form training behind the pseudo-inverse estimators.

``PseudoInverseSparseBase`` holds what the classifier and the regressor share:
the parameters, the sparse lift, the offset-tridiagonal layers, the weighted
ridge output solve, the inverse-based refinement and the output scores.  The
task decides only the ridge targets ``T`` and the training score that accepts
or undoes a refinement sweep.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._memory import check_allocation
from .._sklearn import Interval, StrOptions, validate_data
from .._warnings import warn
from ..engine._activations import ACTIVATIONS as _ENGINE_ACTIVATIONS
from ..engine._network import warn_saturated
from ..engine._pinv import (
    INVERSE_ACTIVATIONS,
    hidden_activations,
    random_lift,
    random_tridiagonal,
    refit_tridiagonal,
    ridge_output,
    standardisation,
    tridiagonal_layer,
)

__all__ = ["ACTIVATIONS", "PseudoInverseSparseBase"]

#: the hidden activations these estimators support (those with an inverse), as
#: the training engine's in-place functions
ACTIVATIONS = {name: _ENGINE_ACTIVATIONS[name] for name in INVERSE_ACTIVATIONS}


class PseudoInverseSparseBase(BaseEstimator):
    """Sparse lift, offset-tridiagonal layers and a ridge output, task-agnostic.

    Not used directly; see :class:`~sparsenn.PseudoInverseSparseClassifier`
    for the parameters.  Subclasses call :meth:`_fit_network` with the ridge
    targets and implement ``_training_score(H, targets, sw)`` (higher is
    better), used by the refinement.
    """

    _parameter_constraints = {
        "n_hidden": [Interval(Integral, 2, None, closed="left")],
        "n_layers": [Interval(Integral, 0, None, closed="left")],
        "offsets": [tuple, list],
        "density": [Interval(Real, 0, 1, closed="right")],
        "input_density": [Interval(Real, 0, 1, closed="right")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "refine_iter": [Interval(Integral, 0, None, closed="left")],
        "chunk_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_hidden=500,
        n_layers=1,
        offsets=(2, 2),
        density=1.0,
        input_density=0.25,
        activation="tanh",
        alpha=1.0,
        refine_iter=0,
        chunk_size=4096,
        random_state=None,
    ):
        self.n_hidden = n_hidden
        self.n_layers = n_layers
        self.offsets = offsets
        self.density = density
        self.input_density = input_density
        self.activation = activation
        self.alpha = alpha
        self.refine_iter = refine_iter
        self.chunk_size = chunk_size
        self.random_state = random_state

    def _fit_network(self, X, T, sw, targets):
        """Build the lift and layers, then solve (and refine) the output weights."""
        p, q = self._check_offsets()
        self._check_memory(X.shape[1], T.shape[1], X.shape[0])
        rng = check_random_state(self.random_state)
        self._standardise(X, sw)
        self._init_lift(X.shape[1], rng, X.dtype)
        self._init_layers(p, q, rng, X.dtype)
        if self.refine_iter > 0 and self.n_layers > 0:
            self._refine(X, T, sw, targets)
        else:
            self._fit_output(X, T, sw)
        self._keep_dtype(X.dtype)
        return self

    # ``coef_`` / ``intercept_``: the names before 0.2.  scikit-learn's feature
    # selectors read ``coef_`` as one weight per input feature; these are
    # weights over the hidden units, so the names warn until they go (0.4).
    coef_ = property(
        lambda self: self._renamed("coef_", "output_coef_"),
        lambda self, value: self._renamed("coef_", "output_coef_", value),
    )
    intercept_ = property(
        lambda self: self._renamed("intercept_", "output_intercept_"),
        lambda self, value: self._renamed("intercept_", "output_intercept_", value),
    )

    def _renamed(self, old, new, *value):
        """Get (or, given ``value``, set) ``new`` under its old name, warning."""
        if not value and new not in vars(self):
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {old!r}"
            )
        warn(
            f"{old} was renamed {new} in sparsenn 0.2 and will be removed in 0.4. "
            f"It holds the output layer's weights over the n_hidden="
            f"{self.n_hidden} hidden units, not one weight per input feature, so "
            "scikit-learn's feature selectors (RFE, SelectFromModel) cannot use it.",
            FutureWarning,
        )
        if value:
            setattr(self, new, value[0])
            return None
        return getattr(self, new)

    def __setstate__(self, state):
        """Restore; a pickle made before 0.2 names the output weights ``coef_``."""
        for old in ("coef_", "intercept_"):
            if old in state:
                state[f"output_{old}"] = state.pop(old)
        super().__setstate__(state)

    def _keep_dtype(self, dtype):
        """Store the fitted arrays in the input's dtype (float32 stays float32).

        The Gram matrix is accumulated and solved in float64 whatever the input
        (ridge_output): the cast is of the solution only.
        """
        for name in ("output_coef_", "output_intercept_", "mean_", "scale_"):
            setattr(self, name, np.asarray(getattr(self, name)).astype(dtype))

    def _check_memory(self, n_features, n_outputs, n_samples):
        """Fail fast when the Gram matrix and the lift cannot fit in memory.

        A chunk holds at most the ``n_samples`` rows there are.
        """
        n = self.n_hidden
        gram = 2 * (n + 1) * (n + 1 + n_outputs) * 8  # G, R and the solve
        lift = n_features * n * 8 * 2  # sparse lift and its dense copy
        rows = min(self.chunk_size, n_samples)
        chunk = 4 * rows * n * 8 * (1 + self.n_layers)
        check_allocation(
            gram + lift + chunk,
            f"n_hidden={n} with n_layers={self.n_layers} (a {n + 1} x {n + 1} Gram "
            f"matrix, a {n_features} x {n} lift and the activations of "
            f"{1 + self.n_layers} layers for chunks of {rows} rows, chunk_size="
            f"{self.chunk_size})",
        )

    def _check_offsets(self):
        offsets = tuple(self.offsets)
        ok = len(offsets) == 2 and all(
            isinstance(o, Integral) and not isinstance(o, bool) for o in offsets
        )
        if not ok or not all(1 <= o < self.n_hidden for o in offsets):
            raise ValueError(
                f"offsets must be a pair of ints (p, q) with 1 <= p, q < n_hidden="
                f"{self.n_hidden}, got {self.offsets!r}"
            )
        return int(offsets[0]), int(offsets[1])

    def _standardise(self, X, sw):
        self.mean_, self.scale_ = standardisation(X, sw, block=self.chunk_size)

    def _init_lift(self, n_features, rng, dtype):
        if round(self.input_density * n_features) < 1:
            warn(
                f"input_density={self.input_density:g} gives each hidden unit "
                f"{self.input_density * n_features:.3g} of the {n_features} features, "
                f"below one; using one feature per unit (input_density "
                f"{1 / n_features:.4g}, the smallest)."
            )
        self.input_weights_, self.input_bias_ = random_lift(
            n_features, self.n_hidden, self.input_density, rng, dtype
        )

    def _init_layers(self, p, q, rng, dtype):
        drawn = [
            random_tridiagonal(self.n_hidden, p, q, self.density, rng, dtype)
            for _ in range(self.n_layers)
        ]
        self.hidden_layers_ = [A for A, _ in drawn]
        self.hidden_biases_ = [c for _, c in drawn]
        self._update_logdets()

    def _update_logdets(self):
        dets = [A.slogdet() for A in self.hidden_layers_]
        self.hidden_logdets_ = np.array([logdet for _, logdet in dets])

    # ------------------------------------------------------------- features
    def _lift_params(self, W=None):
        W = self.input_weights_.toarray() if W is None else W
        return self.mean_, self.scale_, W, self.input_bias_

    def _layers(self):
        return list(zip(self.hidden_layers_, self.hidden_biases_, strict=True))

    def _lift(self, X, W=None):
        """Return the activations of the lift for a chunk of rows."""
        return hidden_activations(X, self._lift_params(W), [], self.activation)[0]

    def _layer(self, H, index):
        """Return ``g(H @ A.T + c)`` for layer ``index``: O(n) per sample."""
        A, c = self.hidden_layers_[index], self.hidden_biases_[index]
        return tridiagonal_layer(H, A, c, self.activation)

    def _hidden(self, X, W=None):
        lift = self._lift_params(W)
        return hidden_activations(X, lift, self._layers(), self.activation)[-1]

    def _chunks(self, n_samples):
        for start in range(0, n_samples, self.chunk_size):
            yield slice(start, min(start + self.chunk_size, n_samples))

    # ---------------------------------------------------------- output layer
    def _fit_output(self, X, T, sw, H=None):
        """Weighted ridge on ``[H, 1]``, accumulated chunk by chunk."""
        W = self.input_weights_.toarray() if H is None else None
        chunks = (
            (rows, self._hidden(X[rows], W) if H is None else H[rows])
            for rows in self._chunks(X.shape[0])
        )
        self.output_coef_, self.output_intercept_ = ridge_output(
            chunks, T, sw, self.alpha, self.n_hidden
        )

    # ------------------------------------------------------------ refinement
    def _forward_all(self, H0):
        Hs = [H0]
        for index in range(len(self.hidden_layers_)):
            Hs.append(self._layer(Hs[-1], index))
        return Hs

    def _refine(self, X, T, sw, codes):
        """Inverse-based refinement sweeps (experimental).

        The output residual is turned into a target for the last hidden layer
        (``H + R coef^+``), damped, mapped through the inverse activation and
        used to refit each ``A_l`` row by row on its pattern; the target is
        carried to the previous layer with the structured solve
        ``A_l^{-1} (z - c_l)``.  A refit that is not safely invertible
        (``rcond < 1e-8``) keeps the old layer; a sweep that lowers the weighted
        training score (accuracy; for regressors minus the mean squared error)
        is undone and ends the refinement.
        """
        inverse, (lo, hi) = INVERSE_ACTIVATIONS[self.activation]
        Hs = self._forward_all(self._lift(X))
        self._fit_output(X, T, sw, H=Hs[-1])
        best = (self._training_score(Hs[-1], codes, sw), self._snapshot())
        for _ in range(self.refine_iter):
            residual = T - (Hs[-1] @ self.output_coef_ + self.output_intercept_)
            # output_coef_ is rank-deficient for one-hot targets: cut its rounding-level
            # singular values (pinv's default keeps ~1e-14 and amplifies noise)
            target = Hs[-1] + residual @ np.linalg.pinv(self.output_coef_, rcond=1e-10)
            for index in reversed(range(len(self.hidden_layers_))):
                target = 0.5 * (Hs[index + 1] + target)
                z = inverse(np.clip(target, lo, hi))
                self._refit_layer(index, Hs[index], z, sw)
                A = self.hidden_layers_[index]
                target = A.solve((z - self.hidden_biases_[index]).T).T
            Hs = self._forward_all(Hs[0])
            self._fit_output(X, T, sw, H=Hs[-1])
            accuracy = self._training_score(Hs[-1], codes, sw)
            if accuracy < best[0]:
                self._restore(best[1])
                break
            best = (accuracy, self._snapshot())
        self._update_logdets()

    def _refit_layer(self, index, H, z, sw):
        """Refit layer ``index`` on its pattern; keep it if not safely invertible."""
        refit = refit_tridiagonal(self.hidden_layers_[index], H, z, sw)
        if refit is not None:
            dtype = self.hidden_biases_[index].dtype
            self.hidden_layers_[index] = refit[0]
            self.hidden_biases_[index] = refit[1].astype(dtype)

    def _snapshot(self):
        return (
            list(self.hidden_layers_),
            list(self.hidden_biases_),
            self.output_coef_,
            self.output_intercept_,
        )

    def _restore(self, state):
        layers, biases, self.output_coef_, self.output_intercept_ = state
        self.hidden_layers_, self.hidden_biases_ = list(layers), list(biases)

    def _scores(self, X):
        coef = self.output_coef_.astype(X.dtype, copy=False)
        S = np.empty((X.shape[0], coef.shape[1]), dtype=np.result_type(X, coef))
        W = self.input_weights_.toarray()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for rows in self._chunks(X.shape[0]):
                S[rows] = self._hidden(X[rows], W) @ coef + self.output_intercept_
        bad = ~np.isfinite(S).all(axis=1)
        with_nan = int(np.isnan(X[bad]).any(axis=1).sum())
        warn_saturated(int(bad.sum()), X.shape[0], with_nan)
        return np.nan_to_num(S, copy=False)

    # ------------------------------------------------------------ prediction
    def _validate_predict(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
