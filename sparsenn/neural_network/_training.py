"""Driving the engine: the minibatch and lbfgs training of a structured MLP.

``TrainingMixin`` holds what ``StructuredMLPBase.fit`` does once the network is
built: the optimizer and stopping state, the ``step``/``batches`` closures handed
to :func:`~sparsenn.engine.fit_epochs`, the lbfgs objective for
:func:`~sparsenn.engine._lbfgs.fit_lbfgs`, and the fitted attributes mirrored
from the engine's state afterwards.  It expects the estimator's parameters and
``weights_``/``intercepts_``; the task mixin provides ``_score_output``.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import gen_batches

from .._memory import check_allocation
from .._warnings import warn
from ..engine._lbfgs import fit_lbfgs, lbfgs_warning_message
from ..engine._loop import (
    StoppingRule,
    TrainingState,
    all_finite,
    fit_epochs,
    restore,
)
from ..engine._network import loss_and_grads, predict_proba
from ..engine._optimizers import OPTIMIZERS
from ..engine._outputs import OUTPUTS

__all__ = ["TrainingMixin"]


def fan_in_scale(weights):
    """Return ``sqrt(n_in / mean in-degree)`` of one junction (1 when dense).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import DenseWeights, SparseWeights
    >>> from sparsenn.connectivity import structured
    >>> fan_in_scale(DenseWeights(np.zeros((100, 10))))
    1.0
    >>> w = SparseWeights(structured(100, 10, n_edges=250, random_state=0))
    >>> fan_in_scale(w)
    2.0
    """
    n_in, n_out = weights.shape
    fan_in = getattr(weights, "fan_in", n_in)
    return float(np.sqrt(n_in / fan_in)) if fan_in > 0 else 1.0


def _split_advice(n_samples, n_classes, fraction=0.0):
    """Say which ``validation_fraction`` values split ``n_samples`` samples.

    As ``train_test_split``, the validation part holds
    ``ceil(fraction * n_samples)`` samples; it needs at least 2 (and one per
    class), and the training part at least one per class (``n_classes`` is 1
    for a split that is not stratified).

    Examples
    --------
    >>> _split_advice(20, 1, 0.0).split(" (")[0]
    'Use validation_fraction >= 0.1'
    >>> _split_advice(20, 1, 0.99).split(" (")[0]
    'Use validation_fraction <= 0.95'
    >>> _split_advice(2, 1).split(" (")[0]
    'No validation_fraction works'
    """
    n_val = max(2, n_classes)
    per_class = ", one per class in each part" if n_classes > 1 else ""
    need = (
        f"({n_samples} sample(s) to split into at least {n_val} for validation "
        f"and {n_classes} for training{per_class})"
    )
    low, high = n_val / n_samples, (n_samples - n_classes) / n_samples
    if low > high:
        return (
            f"No validation_fraction works {need}: use more data or "
            "early_stopping=False."
        )
    if fraction > high:  # rounded down, so that the value shown works
        bound = f"<= {np.floor(high * 1e4) / 1e4:.4g}"
    else:
        bound = f">= {low:.4g}"
    return (
        f"Use validation_fraction {bound} {need}, more data, or early_stopping=False."
    )


class TrainingMixin:
    """The training half of ``StructuredMLPBase`` (see the module docstring)."""

    def _ensure_writeable(self):
        """Copy arrays that came back read-only (``joblib.load(mmap_mode="r")``)."""
        for w in self.weights_:
            if not w.params.flags.writeable:
                w._set_params(np.array(w.params))
        self.intercepts_ = [
            b if b.flags.writeable else np.array(b) for b in self.intercepts_
        ]
        optimizer = getattr(getattr(self, "_training", None), "optimizer", None)
        for name in getattr(optimizer, "_state_names", ()):
            arrays = getattr(optimizer, name)
            arrays[:] = [a if a.flags.writeable else np.array(a) for a in arrays]

    def _make_optimizer(self):
        if self.solver == "sgd":
            return OPTIMIZERS["sgd"](
                self._params(),
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
                lr_scales=self._learning_rate_scales(),
            )
        return OPTIMIZERS["adam"](
            self._params(),
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
            lr_scales=self._learning_rate_scales(),
        )

    def _learning_rate_scales(self):
        """Per-parameter-array learning-rate multipliers, or None (all 1).

        ``learning_rate_scaling="fan_in"`` multiplies a junction's rate by
        ``sqrt(n_in / fan_in)``, its mean in-degree's shortfall from a dense
        junction's (1 for dense and every weight type whose outputs see all
        inputs); biases keep the plain rate.
        """
        if getattr(self, "learning_rate_scaling", None) != "fan_in":
            return None
        return [fan_in_scale(w) for w in self.weights_] + [1.0] * len(self.intercepts_)

    def _new_training_state(self, first_call):
        """Return a fresh optimizer state; the stopping rule carries over."""
        previous = getattr(self, "_training", None)
        stopping = (
            previous.stopping
            if previous is not None and not first_call
            else StoppingRule(self.tol, self.n_iter_no_change)
        )
        stopping.tol, stopping.n_iter_no_change = self.tol, self.n_iter_no_change
        state = TrainingState(self._make_optimizer(), stopping)
        state.t = self.t_
        if previous is not None and not first_call:
            state.history = previous.history
        return state

    def _split_validation(self, X, codes, sample_weight, incremental, stratify):
        if not self.early_stopping or incremental:
            return (X, codes, sample_weight), None
        split = dict(
            random_state=self._random_state, test_size=self.validation_fraction
        )
        try:
            X, X_val, codes, codes_val, sw, sw_val = train_test_split(
                X, codes, sample_weight, stratify=stratify, **split
            )
        except ValueError as exc:
            message = self._split_message(X.shape[0], stratify, exc)
            if stratify is None or np.unique(stratify).shape[0] <= 2:
                raise ValueError(message) from None
            # more than two classes: MLPClassifier never stratifies them; do as it
            # does where stratifying cannot work, and say so
            try:
                X, X_val, codes, codes_val, sw, sw_val = train_test_split(
                    X, codes, sample_weight, **split
                )
            except ValueError as plain:  # no split at all: say which values work
                raise ValueError(self._split_message(X.shape[0], None, plain)) from None
            warn(
                f"{message} Using a split that is not stratified instead.",
                UserWarning,
            )
        if X_val.shape[0] < 2:
            n_samples = X.shape[0] + X_val.shape[0]
            raise ValueError(
                f"The validation set is too small ({X_val.shape[0]} sample) with "
                f"validation_fraction={self.validation_fraction!r}. "
                f"{_split_advice(n_samples, 1)}"
            )
        return (X, codes, sw), (X_val, codes_val, sw_val)

    def _split_message(self, n_samples, stratify, exc):
        """Name ``validation_fraction`` and the values that work in a failed split."""
        start = (
            f"early_stopping=True with validation_fraction="
            f"{self.validation_fraction!r} cannot set aside "
            f"{'a validation split' if stratify is None else 'a stratified split'} "
            f"of the {n_samples} training samples ({exc})."
        )
        n_classes = 1
        if stratify is not None:
            counts = np.unique(stratify, return_counts=True)[1]
            n_classes = counts.size
            if counts.min() < 2:  # no validation_fraction helps
                return (
                    f"{start} The split keeps every class in both parts, so each "
                    f"class needs at least 2 samples; {int((counts < 2).sum())} "
                    "class(es) have one. Add samples of those classes, or use "
                    "early_stopping=False."
                )
        advice = _split_advice(n_samples, n_classes, self.validation_fraction)
        return f"{start} {advice}"

    def _batch_size(self, n_samples, *, announce=True):
        """Minibatch size; ``announce=False`` for callers that only plan with it."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples and announce:
            warn(
                f"Got batch_size={self.batch_size} larger than the {n_samples} "
                "training samples; using all samples in one batch.",
                UserWarning,
            )
        return min(self.batch_size, n_samples)

    def _validation_score(self, validation):
        X_val, codes_val, sw_val = validation
        quantizer = self._quantizer()

        def score():
            P = predict_proba(
                self.weights_,
                self.intercepts_,
                X_val,
                self.activation,
                output=self.out_activation_,
                quantizer=quantizer,
            )
            loss = OUTPUTS[self.out_activation_].loss(P, codes_val, sw_val)
            return self._score_output(P, codes_val, sw_val), loss

        return score

    def _step(self, X, codes, sw):
        """Return the engine's ``step``: loss and gradients of one minibatch."""
        weights, biases = self.weights_, self.intercepts_
        quantizer = self._quantizer()

        def step(rows):
            swb = sw[rows]
            batch_weight = float(swb.sum())
            if not batch_weight > 0:
                return 0.0, None, 0.0, len(rows)
            Xb = X[rows]
            if hasattr(Xb, "toarray"):
                Xb = Xb.toarray()
            Xb = weights[0].prepare_input(Xb)
            loss, wg, bg = loss_and_grads(
                weights, biases, Xb, codes[rows], self.activation, self.alpha, swb,
                output=self.out_activation_, quantizer=quantizer,
            )  # fmt: skip
            return loss, wg + bg, batch_weight, len(rows)

        return step

    def _batches(self, n_samples):
        batch_size = self._batch_size(n_samples)
        rng = self._random_state

        def batches():
            order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
            return (order[b] for b in gen_batches(n_samples, batch_size))

        return batches

    def _train(self, X, codes, sample_weight, incremental, stratify):
        # Overflow inside a diverging fit is detected (non-finite loss or
        # gradient) and reported once, by a ConvergenceWarning at the user's
        # line: numpy's own overflow warnings from the products would repeat it
        # from internal lines, once per batch.
        with np.errstate(over="ignore", invalid="ignore"):
            if self.solver == "lbfgs":
                return self._train_lbfgs(X, codes, sample_weight)
            return self._train_stochastic(
                X, codes, sample_weight, incremental, stratify
            )

    def _train_stochastic(self, X, codes, sample_weight, incremental, stratify):
        (X, codes, sw), validation = self._split_validation(
            X, codes, sample_weight, incremental, stratify
        )
        state, params = self._training, self._params()
        state.stopping.validate = (
            None if validation is None else self._validation_score(validation)
        )
        if not incremental:
            state.n_iter = 0
        n_done = len(state.history)
        status = fit_epochs(
            params,
            self._step(X, codes, sw),
            self._batches(X.shape[0]),
            state,
            n_epochs=1 if incremental else self.max_iter,
            verbose=self.verbose,
            after_step=self._after_step_hook(X, codes, sw),
        )
        self._record(state, n_done)
        self._after_training(status, state, params, incremental)

    def _train_lbfgs(self, X, codes, sw):
        """Full-batch L-BFGS-B; ``batch_size`` and ``early_stopping`` unused."""
        if hasattr(X, "toarray"):  # the full batch, densified once
            n_samples, n_features = X.shape
            check_allocation(
                n_samples * n_features * X.dtype.itemsize,
                f"solver='lbfgs' on a sparse X of shape ({n_samples}, {n_features}) "
                "(lbfgs trains on the whole X at once, densified; solver='adam' or "
                "'sgd' densify one minibatch at a time)",
            )
            X = X.toarray()
        X = self.weights_[0].prepare_input(X)
        weights, biases, params = self.weights_, self.intercepts_, self._params()
        quantizer = self._quantizer()

        def objective():
            loss, wg, bg = loss_and_grads(
                weights, biases, X, codes, self.activation, self.alpha, sw,
                output=self.out_activation_, quantizer=quantizer,
            )  # fmt: skip
            return loss, wg + bg

        result, history = fit_lbfgs(
            params, objective, max_iter=self.max_iter, max_fun=self.max_fun,
            tol=self.tol, n_samples=X.shape[0], verbose=self.verbose,
        )  # fmt: skip
        self._training = None
        if not all_finite(params):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed."
            )
        self.n_iter_, self.loss_ = min(result.nit, self.max_iter), float(result.fun)
        self.loss_curve_.extend(r.loss for r in history)
        self.history_ = [r.as_dict() for r in history]
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        self.validation_scores_ = self.best_validation_score_ = None
        message = lbfgs_warning_message(result, self.max_iter)
        if message is not None:
            warn(message, ConvergenceWarning)

    def _record(self, state, n_done):
        """Mirror the engine's state in scikit-learn's fitted attributes."""
        new = state.history[n_done:]
        self.n_iter_, self.t_ = state.n_iter, state.t
        self.loss_curve_.extend(r.loss for r in new)
        if self.loss_curve_:
            self.loss_ = self.loss_curve_[-1]
        self.history_ = [r.as_dict() for r in state.history]
        if self.early_stopping:
            self.validation_scores_ = list(state.stopping.scores)
            self.best_validation_score_ = state.stopping.best_score
            self.best_loss_ = None
        else:
            self.best_loss_ = state.stopping.best_loss
            self.validation_scores_ = self.best_validation_score_ = None

    def _convergence_hint(self):
        """Return advice appended to the max_iter warning (default: none)."""
        return ""

    def _after_training(self, status, state, params, incremental):
        if status == "unrecoverable":
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed. With solver="
                f"{self.solver!r} and learning_rate_init={self.learning_rate_init} "
                "the loss was not finite from the first minibatch on; lowering "
                "learning_rate_init may also help."
            )
        if status == "diverged":
            warn(
                f"Training diverged in epoch {self.n_iter_ + 1} (the loss or the "
                "parameters became NaN or infinite); the last parameters that "
                "gave a finite loss were restored. Lower learning_rate_init "
                f"(now {self.learning_rate_init}) or scale the inputs.",
                ConvergenceWarning,
            )
        elif status == "max_iter" and not incremental:
            warn(  # scikit-learn's text: filters and matches written for it work
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet."
                + self._convergence_hint(),
                ConvergenceWarning,
            )
        best = state.stopping.best_params
        if self.early_stopping and not incremental and best is not None:
            restore(params, best)
