"""The shared estimator behind every structured MLP, classifier or regressor.

``StructuredMLPBase`` validates, builds the network and stores the fitted
attributes; the training loops are the engine's :func:`~sparsenn.engine.fit_epochs`
and :func:`~sparsenn.engine._lbfgs.fit_lbfgs`.  What depends on the task (the
targets, the output layer, the validation score, ``predict``) comes from a
mixin (:class:`~sparsenn.neural_network._classifier.StructuredClassifierMixin`
or :class:`~sparsenn.neural_network._regressor.StructuredRegressorMixin`); how
each junction's weight matrix is built comes from ``_make_weights``.
``BaseStructuredMLP`` is the classifier base.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._memory import check_allocation
from .._sklearn import (
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from .._warnings import warn
from ..engine._activations import ACTIVATIONS
from ..engine._init import glorot_bound, init_bias
from ..engine._network import predict_proba
from ..engine._optimizers import OPTIMIZERS
from ..fixedpoint._format import QFormat
from ..layers import DenseWeights
from ._classifier import StructuredClassifierMixin
from ._training import TrainingMixin

__all__ = ["BaseStructuredMLP", "StructuredMLPBase"]

_HIDDEN_ACTIVATIONS = sorted(set(ACTIVATIONS) - {"softmax"})


class StructuredMLPBase(TrainingMixin, BaseEstimator):
    """Multi-layer perceptron with pluggable weight types, task-agnostic.

    Not used directly: a task mixin supplies the targets and the output, and
    subclasses implement ``_make_weights``.  The parameters are those of
    :class:`sklearn.neural_network.MLPRegressor` (solvers ``"sgd"``,
    ``"adam"`` and ``"lbfgs"``); see there for their meaning.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(_HIDDEN_ACTIVATIONS))],
        "solver": [StrOptions({*OPTIMIZERS, "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    # ------------------------------------------------------------------ hooks
    def _make_weights(self, layer_index, n_in, n_out, rng, dtype):
        """Weight matrix of junction ``layer_index``; default: dense Glorot."""
        bound = glorot_bound(n_in, n_out, self.activation)
        return DenseWeights(rng.uniform(-bound, bound, (n_in, n_out)).astype(dtype))

    def _validate_structure(self, layer_sizes):
        """Check subclass parameters against the layer sizes (hook)."""

    def _quantizer(self):
        """Return the engine's quantizer for training and prediction (hook)."""
        return None

    def _output_choice(self):
        """Return the parameter that chose the output layer as ``name=value`` (hook)."""
        raise NotImplementedError

    def _after_step_hook(self, X, codes, sample_weight):
        """Return the engine's ``after_step`` callback of this fit (hook; None)."""
        return None

    # ------------------------------------------------------------ public API
    @property
    def coefs_(self):
        """List of matrices of shape (n_in, n_out): the weights of each junction.

        ``scipy.sparse`` for sparse junctions, ndarrays otherwise; computed
        from the trained parameters on access, so a read-only view: editing the
        returned matrices does not change the model (unlike ``MLPClassifier``,
        whose ``coefs_`` are its parameters). The trainable values are
        ``weights_[i].params`` (a flat array, edited in place) and
        ``intercepts_[i]``.
        """
        check_is_fitted(self, "weights_")
        return [w.to_coef() for w in self.weights_]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train on ``X`` of shape (n_samples, n_features) and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (classifiers) or target values (regressors).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight, classes=None, incremental=False)

    def _check_solver(self):
        if self.solver not in OPTIMIZERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers "
                f"({sorted(OPTIMIZERS)}); solver={self.solver!r} is not stochastic."
            )
        return True

    def _partial_fit(self, X, y, sample_weight, classes):
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True; "
                "set early_stopping=False."
            )
        return self._fit(X, y, sample_weight, classes=classes, incremental=True)

    def _network_output(self, X):
        """Validate ``X`` and return the output layer, (n_samples, n_outputs)."""
        check_is_fitted(self, "weights_")
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )
        # a value beyond the model's float range becomes inf here; predict_proba
        # reports such rows once, at the user's line (numpy would warn from here)
        with np.errstate(over="ignore"):
            X = X.astype(self.intercepts_[0].dtype, copy=False)
        return predict_proba(
            self.weights_,
            self.intercepts_,
            X,
            self.activation,
            output=self.out_activation_,
            quantizer=self._quantizer(),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # -------------------------------------------------------------- training
    def _fit(self, X, y, sample_weight, *, classes, incremental):
        first_call = not hasattr(self, "weights_") or not (
            self.warm_start or incremental
        )
        X, y = self._validate_xy(X, y, reset=first_call)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        targets, sample_weight = self._prepare_targets(
            y, sample_weight, classes, first_call, incremental
        )
        if first_call:
            self._initialize(
                X.shape[1], self._n_output_units(targets), X.dtype, X.shape[0]
            )
        elif self._output_activation() != self.out_activation_:
            raise ValueError(
                f"{self._output_choice()} needs the output layer "
                f"{self._output_activation()!r}, but the network was fitted with "
                f"out_activation_={self.out_activation_!r}; refit with "
                "warm_start=False."
            )
        else:
            self._warn_structure_kept(incremental)
        self._ensure_writeable()
        stochastic = self.solver in OPTIMIZERS
        if stochastic and (not incremental or getattr(self, "_training", None) is None):
            self._training = self._new_training_state(first_call)
        self._train(X, targets, sample_weight, incremental, self._stratify_labels(y))
        return self

    def _initialize(self, n_features, n_outputs, dtype, n_samples=None):
        hidden = _check_hidden_sizes(self.hidden_layer_sizes)
        sizes = [n_features, *hidden, n_outputs]
        self._validate_structure(sizes)
        self._check_memory(sizes, np.dtype(dtype).itemsize, n_samples)
        self._random_state = rng = check_random_state(self.random_state)
        self.weights_, self.intercepts_ = [], []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            w = self._make_weights(i, n_in, n_out, rng, dtype)
            bound = glorot_bound(n_in, n_out, self.activation)
            self.weights_.append(w)
            self.intercepts_.append(init_bias(n_out, bound, rng, dtype))
        self.n_layers_ = len(sizes)
        self.n_outputs_ = sizes[-1]
        self.out_activation_ = self._output_activation()
        self.n_params_ = sum(w.n_params for w in self.weights_) + sum(sizes[1:])
        self.n_iter_, self.t_ = 0, 0
        self.loss_curve_ = []
        self._training = None
        self._built_structure = self._structure()

    #: parameters that shape the built network, beyond the hidden sizes
    _structure_parameters = ()

    def _structure(self):
        """Return the values of the parameters that shape the network, by name."""
        names = ("hidden_layer_sizes", *self._structure_parameters)
        return {n: _comparable(getattr(self, n, None)) for n in names}

    def _warn_structure_kept(self, incremental):
        """Warn when a warm start or partial_fit trains a network built otherwise.

        As ``MLPClassifier``, the fitted network is kept; unlike it, the user
        learns that the changed parameters were not applied.
        """
        built = getattr(self, "_built_structure", None)  # None: pickled before
        changed = [
            f"{name}={value!r} (built with {built[name]!r})"
            for name, value in self._structure().items()
            if built is not None and name in built and value != built[name]
        ]
        if changed:
            how = "partial_fit" if incremental else "warm_start=True"
            warn(
                f"{how} trains the network fitted before, so these parameters, "
                f"changed since it was built, are not applied: {', '.join(changed)}. "
                "Fit with warm_start=False (or a clone) to build the network they "
                "describe.",
                UserWarning,
            )

    def _params(self):
        return [w.params for w in self.weights_] + self.intercepts_

    def _junction_bytes(self, layer_index, n_in, n_out, itemsize):
        """Estimate the peak bytes of one junction (default: dense)."""
        return n_in * n_out * itemsize

    def _check_memory(self, sizes, itemsize, n_samples=None):
        """Fail fast, before any allocation, on networks that cannot fit.

        A minibatch holds at most the training samples (``batch_size`` above
        ``n_samples`` trains on all of them, as scikit-learn does).
        """
        junctions = list(zip(sizes[:-1], sizes[1:], strict=True))
        weights = sum(
            self._junction_bytes(i, n_in, n_out, itemsize)
            for i, (n_in, n_out) in enumerate(junctions)
        )
        batch = 200 if self.batch_size == "auto" else self.batch_size
        if n_samples is not None:
            batch = min(batch, n_samples)
        activations = 3 * batch * sum(sizes) * itemsize
        # parameters, gradients and the optimizer's two moment arrays
        check_allocation(
            4 * weights + activations,
            f"hidden_layer_sizes={self.hidden_layer_sizes!r} on "
            f"{sizes[0]} features with minibatches of {batch} samples "
            f"({type(self).__name__})",
        )


class BaseStructuredMLP(StructuredClassifierMixin, StructuredMLPBase):
    """Multi-layer perceptron classifier with pluggable weight types.

    Not used directly: subclasses implement ``_make_weights`` and an
    ``__init__`` listing every parameter.  The parameters are those of
    :class:`sklearn.neural_network.MLPClassifier` (solvers ``"sgd"``,
    ``"adam"`` and ``"lbfgs"``) plus ``class_weight``.
    """

    _parameter_constraints = {
        **StructuredMLPBase._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "output": [StrOptions({"softmax", "sigmoid"})],
        "quantize": [None, str, QFormat],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *,
                 class_weight=None, output="softmax", quantize=None,
                 **kwargs):  # fmt: skip
        super().__init__(hidden_layer_sizes, activation, **kwargs)
        self.class_weight = class_weight
        self.output = output
        self.quantize = quantize


def _check_hidden_sizes(hidden_layer_sizes):
    """Return the hidden sizes as a list of ints >= 1, or raise naming them."""
    sizes = np.atleast_1d(np.asarray(hidden_layer_sizes, dtype=object)).tolist()
    ok = all(
        isinstance(n, Integral) and not isinstance(n, bool) and n >= 1 for n in sizes
    )
    if not ok or np.ndim(hidden_layer_sizes) > 1:
        raise ValueError(
            f"hidden_layer_sizes={hidden_layer_sizes!r} must hold positive "
            "integers (neurons per hidden layer): an int >= 1 or a sequence of "
            "ints >= 1."
        )
    return [int(n) for n in sizes]


def _comparable(value):
    """``value`` with sequences as tuples, so ``(16,)`` and ``[16]`` compare equal."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_comparable(v) for v in value)
    if isinstance(value, dict):  # a weight spec: {"kind": ..., "rank": [...]}
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value
