"""``SparseMLPClassifier``: an MLP with pre-defined sparse junctions."""

from ._base import BaseStructuredMLP
from ._sparse_junctions import SparseJunctionsMixin

__all__ = ["SparseJunctionsMixin", "SparseMLPClassifier"]


class SparseMLPClassifier(SparseJunctionsMixin, BaseStructuredMLP):
    """Multi-layer perceptron whose junctions have pre-defined sparsity.

    Each junction's connection pattern is drawn once, before training, from
    ``connectivity`` at the requested ``density``, and is used unchanged for
    training and inference: the forward pass, back-propagation and the update
    touch only the weights that exist, so their cost scales with the number of
    stored weights.  Everything else follows
    :class:`sklearn.neural_network.MLPClassifier` (softmax output,
    cross-entropy loss, ``"sgd"`` or ``"adam"`` minibatch training or
    full-batch ``"lbfgs"``; logistic outputs for multi-label ``y``).

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Number of neurons in each hidden layer.
    activation : {"relu", "logistic", "tanh", "identity"}, default="relu"
        Hidden-layer activation.
    density : "auto", float in (0, 1] or tuple of such floats, default="auto"
        Fraction of the ``n_in * n_out`` possible weights each junction keeps:
        one value for every junction, or one per junction (input to first
        hidden layer first, ``len(hidden_layer_sizes) + 1`` values).
        ``"auto"``: hidden junctions keep 20% of their weights but every
        neuron at least 32 inputs (all of a smaller layer), and the output
        junction is dense, as the seed recommends (later junctions denser);
        measured in ``docs/sparse_mlp.md``.  How a density becomes a
        pattern is described in the Notes.
    connectivity : {"random", "structured", "clash_free", "circulant", \
            "pruned"}, default="structured"
        Pattern class: ``"random"`` (free degrees), ``"structured"`` (in- and
        out-degrees as equal as possible), ``"clash_free"`` (clash-free memory
        access for ``parallelism`` edges per clock, as in the FPGA datapath)
        or ``"circulant"``.  See :mod:`sparsenn.connectivity`.
        ``"pruned"``: magnitude pruning (Han et al. 2015): a dense network is
        trained, cut to ``density`` by magnitude in ``prune_steps`` steps and
        retrained; the pattern is chosen after training instead of before it,
        and the result is the same fixed-pattern sparse junction (see
        ``pruning_history_`` and ``docs/baselines.md``).
    parallelism : int, tuple of int or None, default=None
        Degree of parallelism ``z`` (edges per clock) of clash-free junctions;
        one value for all junctions or one per junction, at most the
        junction's input size (the junction is padded so that ``z`` divides
        it).  None uses the padded junction's in-degree (one output neuron per
        clock).  Ignored, with a ``UserWarning``, by the other connectivities.
    rtl_compatible : bool, default=False
        With ``connectivity="clash_free"``: build the connection order of the
        authors' released RTL (clash-free type 2, all start vectors zero, no
        memory dither; ``parallelism`` must be a multiple of each junction's
        in-degree, by default it equals it), so that the fixed-point export's
        bank images load into that RTL's memories unchanged (see
        ``docs/fixedpoint.md``).  The pattern is then deterministic.  Any other
        connectivity raises ``ValueError``.
    prune_steps : int, default=3
        ``connectivity="pruned"`` only: number of cuts from the dense parent to
        the target ``density`` (densities ``density ** (s / prune_steps)``).
    prune_epochs : int, default=10
        ``connectivity="pruned"`` only: epochs of training before each cut
        (the dense parent's and each intermediate density's); ``max_iter``
        epochs retrain after the last cut.
    rewiring : {None, "set", "rigl"}, default=None
        Dynamic sparse training (``docs/rewiring.md``): every ``rewire_every``
        steps each sparse junction drops its smallest-magnitude weights and
        grows as many at new positions, at random (``"set"``) or where the
        dense gradient of one minibatch is largest (``"rigl"``). The moves keep
        the connectivity: the edge count (``"random"``), every in- and
        out-degree (``"structured"``), clash-freedom for ``parallelism``
        (``"clash_free"``). Grown weights start at zero, with zero optimizer
        state. ``None``: the pattern stays fixed. Needs ``solver="adam"`` or
        ``"sgd"``; ``"circulant"`` and ``rtl_compatible=True`` cannot rewire.
    rewire_fraction : float in (0, 1), default=0.5
        Fraction of each junction's weights moved at the first rewiring,
        decayed with a cosine to zero at ``rewire_until``.
    rewire_every : int, default=100
        Optimizer steps (minibatches) between rewirings.
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
        Seeds the connection patterns, the initial weights, the shuffling,
        the validation split and the rewiring.
    tol : float, default=1e-4
    verbose : bool, default=False
        Print the loss after every epoch.
    warm_start : bool, default=False
        Reuse the previous solution (and connection patterns) and train
        ``max_iter`` more epochs.
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified) and stop when
        the validation accuracy stops improving; the best weights are kept.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float
        Adam parameters.
    n_iter_no_change : int, default=10
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying each sample's loss by its class.
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
    coefs_ : list of scipy.sparse.csr_matrix
        One matrix of shape (n_in, n_out) per junction, holding the trained
        weights at the pattern's positions.
    intercepts_ : list of ndarray of shape (n_out,)
    weights_ : list of :class:`sparsenn.layers.SparseWeights`
        The trainable weight objects behind ``coefs_``.
    densities_ : ndarray of shape (n_junctions,)
        Achieved density of each junction.
    connection_orders_ : list
        Per junction, the :class:`sparsenn.connectivity.EdgeOrder` (the
        per-clock edge order used by the hardware, with any zero-valued
        padding) of clash-free junctions, None for the others; the same object
        as ``weights_[i].order``.
    padding_ : list
        Per junction, ``None`` or for clash-free junctions the dict
        ``{"inputs", "outputs", "zero_slots"}``: virtual zero-valued inputs and
        outputs and the slots holding a zero weight, added so that the degrees
        and ``parallelism`` divide. Padded weights are never stored or trained
        (they are not in ``coefs_``); they exist only in the fixed-point layout.
    pruning_history_ : list of dict
        ``connectivity="pruned"`` only: one dict per cut, with the epoch
        (``"epoch"``), the densities after the cut, Han et al.'s ``"quality"``
        of each junction's cut (magnitude threshold / std of the weights)
        and the training loss before the cut.
    rewiring_history_ : list of dict
        Per rewiring step: ``step`` (optimizer update), ``fraction`` and
        ``moved`` (edges grown at new positions, per junction); empty without
        ``rewiring``. ``coefs_``, ``densities_`` and ``connection_orders_``
        always show the final pattern.
    n_params_ : int
        Stored weights plus biases.
    n_iter_ : int
        Epochs run by the last ``fit`` (cumulative over ``partial_fit`` calls).
    loss_ : float
    loss_curve_ : list of float
        Training loss after each epoch (accumulates over warm starts).
    best_loss_ : float or None
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    t_ : int
        Training samples seen.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.
    n_layers_, n_outputs_ : int
    out_activation_ : str
        ``"softmax"``; ``"logistic"`` for a multi-label (2-D indicator) ``y``
        or ``output="sigmoid"``.

    Notes
    -----
    **Density means density.**  A junction with ``n_in`` inputs, ``n_out``
    outputs and requested density ``rho`` stores exactly
    ``round(rho * n_in * n_out)`` weights for every connectivity
    (:func:`sparsenn.connectivity.connection_pattern`):

    - ``"random"``: one uniform input per output, the rest at uniformly drawn
      positions (otherwise free degrees);
    - ``"structured"`` and ``"circulant"``: out-degrees differ by at most one,
      and so do in-degrees (exactly regular whenever the sizes divide);
    - ``"clash_free"``: on a junction padded with virtual zero-valued inputs
      and outputs where the degrees and ``parallelism`` need it
      (``padding_``); the padding exists only in the fixed-point layout.

    Every output needs at least one input; a density below that is raised to
    ``n_out`` edges with a ``UserWarning`` naming the junction. Below one edge
    per input, some inputs are left unconnected; where those inputs are hidden
    neurons (any junction after the first), their incoming weights are wasted
    and :class:`sparsenn.exceptions.UnusedNeuronWarning` says how many (nothing
    is adjusted; ``density="auto"`` or a per-junction density uses them).
    ``densities_`` records what was built.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sparsenn import SparseMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SparseMLPClassifier((128,), density=(0.2, 0.5), max_iter=30,
    ...                           random_state=0).fit(X / 16, y)
    >>> clf.coefs_[0].shape, clf.coefs_[0].nnz, clf.densities_.round(2).tolist()
    ((64, 128), 1638, [0.2, 0.5])
    >>> bool(clf.score(X / 16, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseStructuredMLP._parameter_constraints,
        **SparseJunctionsMixin._structure_constraints,
        "rtl_compatible": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        density="auto",
        connectivity="structured",
        parallelism=None,
        rtl_compatible=False,
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
        self.density = density
        self.connectivity = connectivity
        self.parallelism = parallelism
        self.rtl_compatible = rtl_compatible
        self.prune_steps = prune_steps
        self.prune_epochs = prune_epochs
        self.rewiring = rewiring
        self.rewire_fraction = rewire_fraction
        self.rewire_every = rewire_every
        self.rewire_until = rewire_until
        self.learning_rate_scaling = learning_rate_scaling
