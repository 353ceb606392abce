"""``SparseMLPRegressor``: an MLP regressor with pre-defined sparse junctions."""

from ._regressor import BaseStructuredRegressor
from ._sparse_junctions import SparseJunctionsMixin

__all__ = ["SparseMLPRegressor"]


class SparseMLPRegressor(SparseJunctionsMixin, BaseStructuredRegressor):
    """Multi-layer perceptron regressor whose junctions have pre-defined sparsity.

    The structure is that of :class:`~sparsenn.SparseMLPClassifier` (each
    junction's pattern drawn once from ``connectivity`` at ``density``, fixed
    for training and inference, costs scaling with the stored weights); the
    rest follows :class:`sklearn.neural_network.MLPRegressor`: squared
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
    density : "auto", float in (0, 1] or tuple of such floats, default="auto"
        Fraction of the ``n_in * n_out`` possible weights each junction keeps,
        one value or one per junction; see
        :class:`~sparsenn.SparseMLPClassifier` for how it becomes degrees.
    connectivity : {"random", "structured", "clash_free", "circulant", \
            "pruned"}, default="structured"
        Pattern class, as :class:`~sparsenn.SparseMLPClassifier`.
    parallelism : int, tuple of int or None, default=None
        Edges per clock of clash-free junctions (ignored, with a
        ``UserWarning``, by the other connectivities).
    prune_steps : int, default=3
        ``connectivity="pruned"`` only: number of cuts from the dense parent to
        the target ``density`` (densities ``density ** (s / prune_steps)``).
    prune_epochs : int, default=10
        ``connectivity="pruned"`` only: epochs of training before each cut
        (the dense parent's and each intermediate density's); ``max_iter``
        epochs retrain after the last cut.
    rewiring : {None, "set", "rigl"}, default=None
        Dynamic sparse training with moves that keep the connectivity, as
        :class:`~sparsenn.SparseMLPClassifier` (``docs/rewiring.md``).
    rewire_fraction : float in (0, 1), default=0.5
        Fraction of each junction's weights moved at the first rewiring,
        cosine-decayed to zero at ``rewire_until``.
    rewire_every : int, default=100
        Optimizer steps between rewirings.
    rewire_until : float in (0, 1], default=0.75
        Fraction of the ``max_iter`` epochs' steps after which the pattern
        stays fixed.
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        ``"lbfgs"`` is full-batch L-BFGS-B (:func:`scipy.optimize.minimize`)
        over all parameters, good for small data sets; it ignores
        ``batch_size``, ``shuffle`` and ``early_stopping``, and ``partial_fit``
        is not available with it.
    alpha : float, default=1e-4
        L2 penalty on the stored weights.
    batch_size : int or "auto", default="auto"
        ``"auto"`` is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule of the ``"sgd"`` solver.
    learning_rate_init : float, default=0.001
    learning_rate_scaling : {None, "fan_in"}, default=None
        ``"fan_in"``: each junction's learning rate is ``learning_rate_init``
        times ``sqrt(n_in / fan_in)``, ``fan_in`` its mean in-degree, so a
        sparse neuron's weights move as far relative to their initial scale as
        a dense neuron's (1 for dense junctions; biases keep the plain rate).
        Part of the sparse training recipe measured in ``docs/sparse_mlp.md``.
    power_t : float, default=0.5
    max_iter : int, default=200
        Number of epochs (iterations for ``"lbfgs"``).
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
        Seeds the structure, the initial weights, the shuffling and the
        validation split.
    tol : float, default=1e-4
    verbose : bool, default=False
        Print the loss after every epoch.
    warm_start : bool, default=False
        Reuse the previous solution (and structure) and train ``max_iter``
        more epochs.
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when the
        validation R^2 stops improving; the best weights are kept.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float
        Adam parameters.
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
        Maximum number of loss evaluations of the ``"lbfgs"`` solver.

    Attributes
    ----------
    coefs_ : list of scipy.sparse.csr_matrix
        One matrix of shape (n_in, n_out) per junction.
    weights_ : list of :class:`sparsenn.layers.SparseWeights`
    densities_ : ndarray of shape (n_junctions,)
        Achieved density of each junction.
    connection_orders_ : list
        Per junction, the clash-free edge order or None.
    intercepts_ : list of ndarray of shape (n_out,)
    n_params_ : int
        Stored weights plus biases.
    n_iter_ : int
        Epochs (``"lbfgs"``: iterations) run by the last ``fit``.
    loss_ : float
        Squared loss ``mean((y - p)**2) / 2`` plus the L2 term, as
        ``MLPRegressor``.
    loss_curve_ : list of float
        Training loss after each epoch (accumulates over warm starts).
    best_loss_ : float or None
    validation_scores_ : list of float or None
        Validation R^2 after each epoch, with ``early_stopping=True``.
    best_validation_score_ : float or None
    rewiring_history_ : list of dict
        Per rewiring step: ``step``, ``fraction`` and ``moved`` (edges grown
        at new positions, per junction); empty without ``rewiring``.
    t_ : int
        Training samples seen.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.
    n_layers_, n_outputs_ : int
    out_activation_ : str
        ``"identity"`` (``loss="squared_error"``) or ``"exp"``
        (``loss="poisson"``).

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sparsenn import SparseMLPRegressor
    >>> X, y = make_friedman1(n_samples=500, random_state=0)
    >>> reg = SparseMLPRegressor((64,), density=0.5, connectivity="random",
    ...                          solver="lbfgs", max_iter=1000,
    ...                          random_state=0).fit(X, y)
    >>> reg.coefs_[0].shape, reg.predict(X[:3]).shape
    ((10, 64), (3,))
    >>> bool(reg.score(X, y) > 0.85)
    True
    """

    _parameter_constraints = {
        **BaseStructuredRegressor._parameter_constraints,
        **SparseJunctionsMixin._structure_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        density="auto",
        connectivity="structured",
        parallelism=None,
        prune_steps=3,
        prune_epochs=10,
        rewiring=None,
        rewire_fraction=0.5,
        rewire_every=100,
        rewire_until=0.75,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        learning_rate_scaling=None,
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
        self.density = density
        self.connectivity = connectivity
        self.parallelism = parallelism
        self.prune_steps = prune_steps
        self.prune_epochs = prune_epochs
        self.rewiring = rewiring
        self.rewire_fraction = rewire_fraction
        self.rewire_every = rewire_every
        self.rewire_until = rewire_until
        self.learning_rate_scaling = learning_rate_scaling
