"""``StructuredMLPClassifier`` / ``StructuredMLPRegressor``: any weight type by name.

One estimator pair for every weight type of the registry
(:data:`sparsenn.layers.WEIGHT_TYPES`): ``weights="hashed"`` or
``weights={"kind": "lowrank", "rank": 16}`` builds every hidden junction with
:func:`sparsenn.layers.make_weights`, so ``GridSearchCV`` can search across
methods and their options in one grid.  The output junction is built from
``output_weights`` (dense by default, as in Denil et al. and the H-matrix
estimators).
"""

from .._sklearn import StrOptions
from ..engine._init import glorot_bound
from ..layers import WEIGHT_TYPES, make_weights, weight_options
from ..layers._registry import weight_bytes
from ._base import BaseStructuredMLP
from ._regressor import BaseStructuredRegressor

__all__ = [
    "StructuredMLPClassifier",
    "StructuredMLPRegressor",
    "WeightTypesMixin",
    "parse_weight_spec",
]

_SPEC = [StrOptions(set(WEIGHT_TYPES)), dict]


def parse_weight_spec(spec, name):
    """Split a weight spec into ``(kind, options)`` or raise naming ``name``.

    Parameters
    ----------
    spec : str or dict
        A key of ``WEIGHT_TYPES``, or a dict with key ``"kind"`` and the type's
        options (see :func:`sparsenn.layers.weight_options`).
    name : str
        The parameter name used in error messages.

    Returns
    -------
    kind : str
    options : dict

    Examples
    --------
    >>> parse_weight_spec({"kind": "hashed", "compression": 0.25}, "weights")
    ('hashed', {'compression': 0.25})
    >>> parse_weight_spec("dense", "weights")
    ('dense', {})
    """
    if isinstance(spec, str):
        spec = {"kind": spec}
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ValueError(
            f"{name}={spec!r} must be a weight type name or a dict with key "
            f"'kind'; weight types: {sorted(WEIGHT_TYPES)}."
        )
    options = {k: v for k, v in spec.items() if k != "kind"}
    kind = spec["kind"]
    if kind not in WEIGHT_TYPES:
        raise ValueError(
            f"{name}={spec!r}: kind must be one of {sorted(WEIGHT_TYPES)}; "
            f"got {kind!r}."
        )
    unknown = sorted(set(options) - set(weight_options(kind)))
    if unknown:
        raise TypeError(
            f"{name}={spec!r}: weight type {kind!r} takes no option "
            f"{', '.join(map(repr, unknown))}; its options are "
            f"{sorted(weight_options(kind))}."
        )
    return kind, options


class WeightTypesMixin:
    """Junctions from the weight-type registry: ``weights``, ``output_weights``."""

    #: parameters that shape the built network (warm starts keep it)
    _structure_parameters = ("weights", "output_weights")

    _structure_constraints = {"weights": list(_SPEC), "output_weights": list(_SPEC)}

    def _validate_structure(self, layer_sizes):
        self._n_junctions = len(layer_sizes) - 1
        self._specs = (
            parse_weight_spec(self.weights, "weights"),
            parse_weight_spec(self.output_weights, "output_weights"),
        )

    def _junction_bytes(self, layer_index, n_in, n_out, itemsize):
        kind, options = self._specs[int(layer_index == self._n_junctions - 1)]
        return weight_bytes(kind, n_in, n_out, itemsize, **options)

    def _make_weights(self, layer_index, n_in, n_out, rng, dtype):
        is_output = layer_index == self._n_junctions - 1
        kind, options = self._specs[int(is_output)]
        name = "output_weights" if is_output else "weights"
        bound = glorot_bound(n_in, n_out, self.activation)
        try:
            return make_weights(
                kind, n_in, n_out, rng=rng, dtype=dtype, init_var=bound**2 / 3.0,
                **options,
            )  # fmt: skip
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"{name}={getattr(self, name)!r} cannot build junction "
                f"{layer_index} ({n_in}->{n_out}): {exc}"
            ) from exc


class StructuredMLPClassifier(WeightTypesMixin, BaseStructuredMLP):
    """Multi-layer perceptron classifier with any registered weight type.

    The hidden junctions are built by name through
    :func:`sparsenn.layers.make_weights` (HashedNets, FFT-circulant, low rank,
    fixed-dictionary low rank, H-matrix or dense), trained by the same engine
    as the other estimators; ``GridSearchCV`` can search over ``weights``.
    For pre-defined sparse patterns and magnitude pruning see
    :class:`~sparsenn.SparseMLPClassifier`.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Number of neurons in each hidden layer.
    activation : {"relu", "logistic", "tanh", "identity"}, default="relu"
        Hidden-layer activation.
    weights : str or dict, default="dense"
        Weight type of every junction into a hidden layer: a key of
        :data:`sparsenn.layers.WEIGHT_TYPES` (``"dense"``, ``"hashed"``,
        ``"circulant"``, ``"lowrank"``, ``"fixed_dictionary"``,
        ``"hmatrix"``) or a dict ``{"kind": name, **options}`` with the type's
        options (:func:`sparsenn.layers.weight_options`), for example
        ``{"kind": "hashed", "compression": 1 / 16}``.  Initial entries have
        the variance of the activation's Glorot bound.
    output_weights : str or dict, default="dense"
        The same for the output junction.
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        ``"lbfgs"`` is full-batch L-BFGS-B.
    alpha, batch_size, learning_rate, learning_rate_init, power_t, max_iter, \
shuffle, random_state, tol, verbose, warm_start, momentum, \
nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, \
epsilon, n_iter_no_change : see MLPClassifier
        As :class:`sklearn.neural_network.MLPClassifier`; ``random_state`` also
        seeds the weight types' structure (hash seeds, signs, dictionaries).
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying each sample's loss by its class.
    max_fun : int, default=15000
        Maximum number of loss evaluations of the ``"lbfgs"`` solver.

    Attributes
    ----------
    weights_ : list of WeightMatrix
        The trainable weight object of each junction.
    coefs_ : list of ndarray of shape (n_in, n_out)
        Dense views of the junctions (computed on access).
    intercepts_ : list of ndarray of shape (n_out,)
    n_params_ : int
        Stored weights (each type's ``n_params``) plus biases.
    n_iter_, loss_, loss_curve_, best_loss_, validation_scores_, \
best_validation_score_, t_, n_features_in_, n_layers_, n_outputs_, \
out_activation_
        As :class:`sklearn.neural_network.MLPClassifier`.
    classes_ : ndarray of shape (n_classes,)

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sparsenn import StructuredMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = StructuredMLPClassifier(
    ...     (64,), weights={"kind": "hashed", "compression": 1 / 8},
    ...     max_iter=60, random_state=0).fit(X / 16, y)
    >>> type(clf.weights_[0]).__name__, clf.weights_[0].n_params
    ('HashedWeights', 512)
    >>> bool(clf.score(X / 16, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseStructuredMLP._parameter_constraints,
        **WeightTypesMixin._structure_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        weights="dense",
        output_weights="dense",
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
        class_weight=None,
        max_fun=15000,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            class_weight=class_weight,
            max_fun=max_fun,
        )
        self.weights = weights
        self.output_weights = output_weights


class StructuredMLPRegressor(WeightTypesMixin, BaseStructuredRegressor):
    """Multi-layer perceptron regressor with any registered weight type.

    The regressor of :class:`~sparsenn.StructuredMLPClassifier`: squared
    error or Poisson loss, single or multi-output ``y``, ``score`` = R^2.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Number of neurons in each hidden layer.
    activation : {"relu", "logistic", "tanh", "identity"}, default="relu"
        Hidden-layer activation.
    loss : {"squared_error", "poisson"}, default="squared_error"
        As :class:`sklearn.neural_network.MLPRegressor` (keyword-only here):
        ``"squared_error"`` is an identity output with half the squared error,
        ``"poisson"`` an exponential output with half the Poisson deviance,
        for counts and rates (``y >= 0``; predictions are positive).
    weights : str or dict, default="dense"
        Weight type of every junction into a hidden layer: a key of
        :data:`sparsenn.layers.WEIGHT_TYPES` (``"dense"``, ``"hashed"``,
        ``"circulant"``, ``"lowrank"``, ``"fixed_dictionary"``,
        ``"hmatrix"``) or a dict ``{"kind": name, **options}`` with the type's
        options (:func:`sparsenn.layers.weight_options`), for example
        ``{"kind": "hashed", "compression": 1 / 16}``.  Initial entries have
        the variance of the activation's Glorot bound.
    output_weights : str or dict, default="dense"
        The same for the output junction.
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        ``"lbfgs"`` is full-batch L-BFGS-B.
    alpha, batch_size, learning_rate, learning_rate_init, power_t, max_iter, \
shuffle, random_state, tol, verbose, warm_start, momentum, \
nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, \
epsilon, n_iter_no_change : see MLPRegressor
        As :class:`sklearn.neural_network.MLPRegressor`; ``random_state`` also
        seeds the weight types' structure (hash seeds, signs, dictionaries).
    max_fun : int, default=15000
        Maximum number of loss evaluations of the ``"lbfgs"`` solver.

    Attributes
    ----------
    weights_ : list of WeightMatrix
        The trainable weight object of each junction.
    coefs_ : list of ndarray of shape (n_in, n_out)
        Dense views of the junctions (computed on access).
    intercepts_ : list of ndarray of shape (n_out,)
    n_params_ : int
        Stored weights (each type's ``n_params``) plus biases.
    n_iter_, loss_, loss_curve_, best_loss_, validation_scores_, \
best_validation_score_, t_, n_features_in_, n_layers_, n_outputs_, \
out_activation_
        As :class:`sklearn.neural_network.MLPRegressor`.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn import StructuredMLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((300, 16)); y = X @ rng.random(16)
    >>> reg = StructuredMLPRegressor((32,), weights={"kind": "lowrank", "rank": 4},
    ...                              learning_rate_init=0.01, max_iter=300,
    ...                              random_state=0).fit(X, y)
    >>> reg.weights_[0].n_params
    192
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseStructuredRegressor._parameter_constraints,
        **WeightTypesMixin._structure_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        weights="dense",
        output_weights="dense",
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
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            loss=loss,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )
        self.weights = weights
        self.output_weights = output_weights
