"""``HMatrixMLPRegressor``: an MLP regressor whose hidden junctions are H-matrices."""

from ._hmatrix_mlp import HMatrixJunctionsMixin
from ._regressor import BaseStructuredRegressor

__all__ = ["HMatrixMLPRegressor"]


class HMatrixMLPRegressor(HMatrixJunctionsMixin, BaseStructuredRegressor):
    """Multi-layer perceptron regressor whose hidden weight matrices are H-matrices.

    The structure is that of :class:`~sparsenn.HMatrixMLPClassifier` (every
    junction into a hidden layer a hierarchical matrix with rank-``rank``
    factor pairs learned directly, the output junction dense); the rest
    follows :class:`sklearn.neural_network.MLPRegressor`: squared error or
    Poisson loss, single or multi-output ``y``, ``score`` = R^2.

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
    rank : int, default=8
        Rank of every low-rank block.
    leaf_size : int, default=64
        Clusters are bisected until the smaller side's have at most
        ``leaf_size`` indices.
    admissibility : {"weak", "standard"}, default="weak"
        ``"weak"`` (HODLR) or ``"standard"``, as
        :class:`~sparsenn.HMatrixMLPClassifier`.
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
    coefs_ : list of ndarray
        Dense ``(n_in, n_out)`` reconstruction of every junction.
    weights_ : list of WeightMatrix
        :class:`sparsenn.layers.HMatrixWeights` for the hidden junctions and
        :class:`sparsenn.layers.DenseWeights` for the output junction.
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
    >>> import numpy as np
    >>> from sparsenn import HMatrixMLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 8))
    >>> Y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
    >>> reg = HMatrixMLPRegressor((64,), rank=2, leaf_size=16, solver="lbfgs",
    ...                           max_iter=1000, random_state=0).fit(X, Y)
    >>> reg.predict(X[:4]).shape
    (4, 2)
    >>> bool(reg.score(X, Y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseStructuredRegressor._parameter_constraints,
        **HMatrixJunctionsMixin._structure_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        rank=8,
        leaf_size=64,
        admissibility="weak",
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
        self.rank = rank
        self.leaf_size = leaf_size
        self.admissibility = admissibility
