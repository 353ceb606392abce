"""``HMatrixMLPClassifier``: an MLP whose hidden junctions are H-matrices."""

from numbers import Integral

from .._sklearn import Interval, StrOptions
from ..engine._init import glorot_bound
from ..layers._registry import hmatrix_bytes
from ._base import BaseStructuredMLP

__all__ = ["HMatrixJunctionsMixin", "HMatrixMLPClassifier"]


class HMatrixJunctionsMixin:
    """H-matrix hidden junctions: ``rank``, ``leaf_size``, ``admissibility``.

    Every junction into a hidden layer is a
    :class:`~sparsenn.layers.HMatrixWeights`; the output junction is dense.
    """

    #: parameters that shape the built network (warm starts keep it)
    _structure_parameters = ("rank", "leaf_size", "admissibility")

    _structure_constraints = {
        "rank": [Interval(Integral, 1, None, closed="left")],
        "leaf_size": [Interval(Integral, 1, None, closed="left")],
        "admissibility": [StrOptions({"weak", "standard"})],
    }

    def _validate_structure(self, layer_sizes):
        self._n_junctions = len(layer_sizes) - 1

    def _junction_bytes(self, layer_index, n_in, n_out, itemsize):
        if layer_index == self._n_junctions - 1:
            return n_in * n_out * itemsize
        return hmatrix_bytes(n_in, n_out, self.rank, self.leaf_size, itemsize)

    def _make_weights(self, layer_index, n_in, n_out, rng, dtype):
        if layer_index == self._n_junctions - 1:
            return super()._make_weights(layer_index, n_in, n_out, rng, dtype)
        from ..layers import HMatrixWeights

        bound = glorot_bound(n_in, n_out, self.activation)
        return HMatrixWeights(
            n_in, n_out, rank=self.rank, leaf_size=self.leaf_size,
            admissibility=self.admissibility, init_var=bound**2 / 3.0,
            random_state=rng, dtype=dtype,
        )  # fmt: skip


class HMatrixMLPClassifier(HMatrixJunctionsMixin, BaseStructuredMLP):
    """Multi-layer perceptron whose hidden weight matrices are H-matrices.

    Every junction into a hidden layer is a hierarchical matrix
    (:class:`sparsenn.linalg.HMatrix`): both index sets are bisected into
    contiguous clusters, admissible blocks are rank-``rank`` factor pairs
    ``U V`` and the remaining leaves are dense.  The factors are learned
    directly by back-propagation (no SVD during training), and the forward
    pass, back-propagation and gradient run as a few batched matrix products
    per junction, so their cost grows like ``rank * n * log(n)`` instead of
    ``n**2``.  The output junction is dense.  Everything else follows
    :class:`sklearn.neural_network.MLPClassifier` (softmax output,
    cross-entropy loss, ``"sgd"`` or ``"adam"`` minibatch training or
    full-batch ``"lbfgs"``; logistic outputs for multi-label ``y``).

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Number of neurons in each hidden layer.
    activation : {"relu", "logistic", "tanh", "identity"}, default="relu"
        Hidden-layer activation.
    rank : int, default=8
        Rank of every low-rank block.  A block smaller than ``rank`` uses its
        own size (with a ``UserWarning``).
    leaf_size : int, default=64
        Clusters are bisected until those of the smaller side of a junction
        have at most ``leaf_size`` indices; junctions whose smaller side is
        already at most ``leaf_size`` are plain dense matrices.
    admissibility : {"weak", "standard"}, default="weak"
        ``"weak"``: HODLR, every off-diagonal block is low rank and the
        diagonal leaves are dense (cheapest).  ``"standard"``: blocks at least
        one cluster width apart are low rank, a band of dense leaves around
        the diagonal is kept (about twice the parameters).
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        ``"lbfgs"`` is full-batch L-BFGS-B (:func:`scipy.optimize.minimize`)
        over all parameters, good for small data sets; it ignores
        ``batch_size``, ``shuffle`` and ``early_stopping``, and ``partial_fit``
        is not available with it.
    alpha : float, default=1e-4
        L2 penalty on the stored weights (factors and leaves).
    batch_size : int or "auto", default="auto"
        ``"auto"`` is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5
    max_iter : int, default=200
        Number of epochs (iterations for ``"lbfgs"``).
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
    tol : float, default=1e-4
    verbose : bool, default=False
    warm_start : bool, default=False
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float
        Adam parameters.
    n_iter_no_change : int, default=10
    class_weight : dict, "balanced" or None, default=None
    max_fun : int, default=15000
        Maximum number of loss evaluations of the ``"lbfgs"`` solver.
    output : {"softmax", "sigmoid"}, default="softmax"
        Output layer. ``"sigmoid"``: one independent logistic output per
        class trained with binary cross-entropy on one-hot targets (output
        error ``a - y``), the output layer of the FPGA datapath, so that
        :func:`sparsenn.fixedpoint.to_fixed_point` needs no calibration data;
        ``predict`` takes the argmax, ``predict_proba`` divides the sigmoid
        outputs by their sum.
    quantize : None, str or QFormat, default=None
        Quantisation-aware training (needs ``output="sigmoid"``): a format
        such as ``"ap_fixed<12,4>"`` or ``sparsenn.fixedpoint.QFormat(3, 8)``.
        The forward pass of training and prediction then computes as the
        datapath does: inputs read by the 8-bit port (``X`` must lie in
        [0, 1]), weights, biases, pre-activations and activations rounded
        half up and saturated to the format, the sigmoid as the format's
        table; gradients are straight-through. See ``docs/fixedpoint.md``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted labels (one is allowed); ``arange(n_labels)`` for
        multi-label ``y``.
    coefs_ : list of ndarray
        Dense ``(n_in, n_out)`` reconstruction of every junction, computed on
        access (for inspection; training never forms it).
    intercepts_ : list of ndarray of shape (n_out,)
    weights_ : list of WeightMatrix
        :class:`sparsenn.layers.HMatrixWeights` for the hidden junctions and
        :class:`sparsenn.layers.DenseWeights` for the output junction.
    n_params_ : int
        Stored weights (factors, dense leaves, output matrix) plus biases.
    n_iter_ : int
    loss_ : float
    loss_curve_ : list of float
    best_loss_ : float or None
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    t_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.
    n_layers_, n_outputs_ : int
    out_activation_ : str
        ``"softmax"``; ``"logistic"`` for a multi-label (2-D indicator) ``y``
        or ``output="sigmoid"``.

    Notes
    -----
    Initialisation: every entry of the initial hidden ``W`` has the variance
    of scikit-learn's Glorot-uniform init, ``bound**2 / 3`` with
    ``bound = sqrt(6 / (n_in + n_out))`` (``sqrt(2 / ...)`` for logistic).
    Dense leaves are drawn with that variance and each factor of a rank-``k``
    block with variance ``sqrt(var / k)``, so ``Var((U V)_ij) = var``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sparsenn import HMatrixMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = HMatrixMLPClassifier((256,), rank=4, leaf_size=16, max_iter=30,
    ...                            random_state=0).fit(X / 16, y)
    >>> clf.weights_[0]
    HMatrixWeights(64->256, n_levels=2, ranks=[4, 4], admissibility='weak', \
n_params=6656)
    >>> bool(clf.score(X / 16, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseStructuredMLP._parameter_constraints,
        **HMatrixJunctionsMixin._structure_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
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
        class_weight=None,
        max_fun=15000,
        output="softmax",
        quantize=None,
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
            output=output,
            quantize=quantize,
        )
        self.rank = rank
        self.leaf_size = leaf_size
        self.admissibility = admissibility
