"""Magnitude pruning (Han et al. 2015) as a training workflow.

``SparseMLPClassifier(connectivity="pruned", density=0.05)`` grows a dense
network, then alternates *cut* and *retrain*: each cut keeps the largest
magnitudes of every junction (and the largest input of every output), so that
the junction reaches the schedule's next density; after ``prune_steps`` cuts
the junction is at its target ``density`` and is retrained for ``max_iter``
epochs.  Each cut is the rule "remove the weights below ``quality *
std(layer)``" of Han et al. with ``quality`` chosen so that the schedule's
density is met; the quality of every cut is recorded in ``pruning_history_``.

The result is a fixed-pattern :class:`~sparsenn.layers.SparseWeights`
junction (no mask over a dense matrix): training, inference, warm starts and
:func:`sparsenn.fixedpoint.to_fixed_point` see only the stored weights.

The estimator hooks of :class:`~sparsenn.neural_network._sparse_mlp.
SparseJunctionsMixin` call the functions here; nothing in this module runs
unless ``connectivity == "pruned"``.
"""

from numbers import Integral

import numpy as np
import scipy.sparse as sp

from .._sklearn import Interval
from ..connectivity import junction_edges
from ..engine._init import glorot_bound
from ..engine._loop import fit_epochs
from ..engine._optimizers import OPTIMIZERS
from ..layers import DenseWeights, SparseWeights

__all__ = [
    "PRUNING_CONSTRAINTS",
    "check_pruning",
    "density_schedule",
    "fit_pruned",
    "magnitude_prune",
    "needs_pruning",
    "parent_weights",
]

#: Parameter constraints of the pruning schedule (merged into the estimators').
PRUNING_CONSTRAINTS = {
    "prune_steps": [Interval(Integral, 1, None, closed="left")],
    "prune_epochs": [Interval(Integral, 1, None, closed="left")],
}


def check_pruning(est, layer_sizes):
    """Raise if the pruning workflow cannot reach ``est``'s target densities.

    Parameters
    ----------
    est : SparseJunctionsMixin
        With ``_densities`` already validated.
    layer_sizes : list of int
        Neurons per layer, inputs first.

    Raises
    ------
    ValueError
        If a target density keeps fewer edges than one per output (naming
        ``density`` and the smallest realisable value), if ``solver`` is not
        stochastic, or if ``rtl_compatible`` is set.
    """
    if est.solver not in OPTIMIZERS:
        raise ValueError(
            f"connectivity='pruned' trains, cuts and retrains with a stochastic "
            f"solver; solver={est.solver!r} is not one of {sorted(OPTIMIZERS)}."
        )
    if getattr(est, "rtl_compatible", False):
        raise ValueError(
            "rtl_compatible=True needs connectivity='clash_free'; a pruned "
            "pattern has no clash-free order (got connectivity='pruned')."
        )
    junctions = zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
    for i, ((n_in, n_out), rho) in enumerate(
        zip(junctions, est._densities, strict=True)
    ):
        if junction_edges(n_in, n_out, rho) < n_out:
            raise ValueError(
                f"density={est.density!r} prunes junction {i} ({n_in}->{n_out}) "
                f"to {junction_edges(n_in, n_out, rho)} weight(s), fewer than one "
                f"input per output; the pruned pattern cannot hold it. The "
                f"smallest density of this junction is {n_out / (n_in * n_out):.6g}."
            )


def parent_weights(n_in, n_out, rng, dtype, activation):
    """Return the dense parent junction that pruning starts from (Glorot init)."""
    bound = glorot_bound(n_in, n_out, activation)
    return DenseWeights(rng.uniform(-bound, bound, (n_in, n_out)).astype(dtype))


def needs_pruning(weights):
    """Return True while a junction is still the dense parent (not yet pruned)."""
    return any(not isinstance(w, SparseWeights) for w in weights)


def density_schedule(targets, n_steps):
    """Densities after each of ``n_steps`` cuts: geometric from 1 to ``targets``.

    Parameters
    ----------
    targets : sequence of float
        Target density of each junction.
    n_steps : int
        Number of cuts.

    Returns
    -------
    list of list of float
        ``schedule[s][i]`` is junction ``i``'s density after cut ``s + 1``;
        the last row is ``targets``.

    Examples
    --------
    >>> density_schedule([0.01, 1.0], 2)
    [[0.1, 1.0], [0.01, 1.0]]
    """
    return [
        [float(rho ** ((s + 1) / n_steps)) for rho in targets] for s in range(n_steps)
    ]


def magnitude_prune(W, density):
    """Keep the largest magnitudes of ``W`` at ``density``; return SparseWeights.

    Every output keeps its largest-magnitude input first (so no output is cut
    off), then the remaining budget goes to the largest magnitudes overall.
    Only existing edges are kept (a pruned junction is never regrown).

    Parameters
    ----------
    W : WeightMatrix of shape (n_in, n_out)
        A dense parent or an already pruned ``SparseWeights``.
    density : float in (0, 1]
        Target density; ``round(density * n_in * n_out)`` weights are kept.

    Returns
    -------
    pruned : SparseWeights
        The kept weights with their trained values (``order=None``).
    quality : float
        The cut as Han et al.'s rule: the magnitude threshold of the cut (the
        smallest magnitude kept by the global ranking; the per-output minimum
        inputs may be smaller) divided by the standard deviation of the
        junction's weights before the cut.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import DenseWeights
    >>> W = DenseWeights(np.array([[3.0, -0.1], [0.2, 0.05], [-1.0, 0.3]]))
    >>> P, q = magnitude_prune(W, 0.5)
    >>> P.to_dense()
    array([[ 3. ,  0. ],
           [ 0. ,  0. ],
           [-1. ,  0.3]])
    """
    M = W.to_dense()
    n_in, n_out = M.shape
    n_keep = junction_edges(n_in, n_out, density)
    score = np.abs(M).astype(np.float64)
    exists = _edge_mask(W)
    score[~exists] = -1.0
    keep = np.zeros(M.shape, dtype=bool)
    keep[np.argmax(score, axis=0), np.arange(n_out)] = True
    n_more = n_keep - n_out
    rest = np.where(keep | ~exists, -np.inf, score).ravel()
    threshold = np.inf
    if n_more > 0:
        top = np.argpartition(-rest, n_more - 1)[:n_more]
        keep.ravel()[top] = True
        threshold = rest[top].min()
    flat = np.flatnonzero(keep)  # row-major: the canonical order of SparseWeights
    rows, cols = np.divmod(flat, n_out)
    pattern = sp.csr_matrix((np.ones(flat.size, np.int8), (rows, cols)), shape=M.shape)
    values = M.ravel()[flat].astype(W.dtype)
    std = float(np.std(M[exists]))
    if not np.isfinite(threshold):  # only the per-output minimum was kept
        threshold = float(np.abs(values).min())
    quality = float(threshold / std) if std > 0 else 0.0
    return SparseWeights(pattern, values, dtype=W.dtype), quality


def _edge_mask(W):
    """Boolean (n_in, n_out): True at the junction's existing edges."""
    mask = np.ones(W.shape, dtype=bool)
    if isinstance(W, SparseWeights):
        mask[:] = False
        mask[W._rows(), W._indices] = True
    return mask


def fit_pruned(est, X, codes, sw, stratify):
    """Run the whole workflow on a freshly initialised ``est``: train, cut, retrain.

    ``prune_epochs`` epochs on the dense parent, then ``prune_steps`` times a
    cut to the schedule's next density followed by training (``prune_epochs``
    epochs, and ``max_iter`` after the last cut, with ``early_stopping`` and
    the usual end-of-fit warnings).  A fresh optimizer starts after each cut.
    The validation split of ``early_stopping`` is drawn once, before the dense
    phase, so that no phase trains on it.

    Parameters
    ----------
    est : SparseJunctionsMixin estimator
        Initialised (dense parents in ``weights_``).
    X, codes, sw : arrays
        Training inputs, encoded targets and sample weights.
    stratify : array-like or None
        Labels for the stratified validation split.
    """
    (X, codes, sw), validation = est._split_validation(X, codes, sw, False, stratify)
    schedule = density_schedule(est._densities, est.prune_steps)
    est.pruning_history_ = []
    for densities in schedule:
        _run_phase(est, X, codes, sw, n_epochs=est.prune_epochs)
        _cut(est, densities)
    est._training = est._new_training_state(True)
    state, params = est._training, est._params()
    state.stopping.validate = (
        None if validation is None else est._validation_score(validation)
    )
    n_before = len(est.loss_curve_)
    status = fit_epochs(
        params,
        est._step(X, codes, sw),
        est._batches(X.shape[0]),
        state,
        n_epochs=est.max_iter,
        verbose=est.verbose,
    )
    est._record(state, 0)
    est.n_iter_ = n_before + state.n_iter
    est._after_training(status, state, params, False)


def _run_phase(est, X, codes, sw, *, n_epochs):
    """Train the current junctions ``n_epochs`` epochs with a fresh optimizer."""
    est._training = state = est._new_training_state(True)
    params = est._params()
    status = fit_epochs(
        params,
        est._step(X, codes, sw),
        est._batches(X.shape[0]),
        state,
        n_epochs=n_epochs,
        verbose=est.verbose,
    )
    est._record(state, 0)
    est.n_iter_ = len(est.loss_curve_)  # the workflow's epochs (named by warnings)
    if status in ("unrecoverable", "diverged"):
        est._after_training(status, state, params, True)


def _cut(est, densities):
    """Prune every junction to ``densities`` and record the cut."""
    pruned = [
        magnitude_prune(w, rho) for w, rho in zip(est.weights_, densities, strict=True)
    ]
    est.weights_ = [w for w, _ in pruned]
    est.n_params_ = sum(w.n_params for w in est.weights_) + sum(
        b.size for b in est.intercepts_
    )
    est.pruning_history_.append(
        {
            "epoch": len(est.loss_curve_),
            "densities": [float(w.density) for w in est.weights_],
            "quality": [q for _, q in pruned],
            "loss": est.loss_curve_[-1] if est.loss_curve_ else None,
        }
    )
