"""Dynamic sparse training: the schedule, RigL's gradients, moving a network's edges.

Free functions over weight objects and an optimizer, as the rest of the
engine; the moves themselves are :func:`sparsenn.connectivity.rewire_edges`.
A junction is rewired by :meth:`SparseWeights.replace_edges` (its index arrays
only; its ``params`` array is rewritten in place, so the optimizer and the
training loop keep the same arrays), and the optimizer state follows the moved
values (zero at grown edges).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..connectivity._rewire import rewire_edges
from ..linalg._threads import single_threaded_blas
from ._activations import DERIVATIVES
from ._network import forward
from ._outputs import OUTPUTS

__all__ = [
    "RewiringSchedule",
    "dense_gradients",
    "move_optimizer_state",
    "rewirable",
    "rewire_network",
    "structure_snapshot",
    "restore_structure",
]


@dataclass
class RewiringSchedule:
    """When and how much to rewire: every ``every`` steps until ``until``.

    The fraction of each junction's edges moved at step ``t`` decays with a
    cosine, ``fraction * (1 + cos(pi * t / until)) / 2`` (RigL's schedule),
    and is zero after step ``until``.

    Parameters
    ----------
    fraction : float
        Initial fraction in (0, 1).
    every : int
        Steps (optimizer updates) between rewirings.
    until : int
        Last step at which rewiring may happen.

    Examples
    --------
    >>> s = RewiringSchedule(0.3, every=100, until=1000)
    >>> s.fraction_at(100) > s.fraction_at(500) > 0, s.fraction_at(150), s.n_rewirings
    (True, 0.0, 10)
    """

    fraction: float
    every: int
    until: int

    def fraction_at(self, step):
        """Fraction to move after update ``step`` (0 when not a rewiring step)."""
        if step % self.every or step > self.until or step <= 0:
            return 0.0
        return self.fraction * (1 + math.cos(math.pi * step / self.until)) / 2

    @property
    def n_rewirings(self):
        """Rewiring steps in the schedule."""
        return self.until // self.every


@dataclass
class RewiringRun:
    """State of one rewiring schedule (persists across ``partial_fit`` calls)."""

    schedule: RewiringSchedule
    rng: np.random.Generator
    step: int = 0
    history: list = field(default_factory=list)
    epoch_start: list | None = None


def rewirable(weights, connectivity=None):
    """Return the indices of junctions a move of ``connectivity`` can change.

    A junction needs edges, free positions and ``replace_edges``; under
    ``"structured"`` it also needs more than one input and one output neuron
    (with a single neuron on one side, keeping every degree keeps every edge).
    ``connectivity=None`` skips that last rule.
    """
    return [
        i
        for i, w in enumerate(weights)
        if 0 < w.n_params < w.shape[0] * w.shape[1]
        and hasattr(w, "replace_edges")
        and not (connectivity == "structured" and 1 in w.shape)
    ]


def dense_gradients(weights, biases, X, y, activation, sample_weight, output, wanted):
    """Yield ``(i, X_i.T @ D_i)`` for the junctions in ``wanted``, last first.

    One dense ``(n_in, n_out)`` gradient exists at a time; the backward pass
    through junction ``i`` is done before it is yielded, so the caller may
    rewire junction ``i`` before asking for the next one.

    Parameters
    ----------
    weights, biases, activation, output : as :func:`~sparsenn.engine.forward`
    X : ndarray of shape (n_samples, n_in)
    y : ndarray
        Targets in the output's encoding.
    sample_weight : ndarray of shape (n_samples,)
    wanted : collection of int
        Junctions whose dense gradient is needed.
    """
    activations = forward(weights, biases, X, activation, output=output)
    P = activations[-1]
    delta = OUTPUTS[output].error(P, y)
    scale = sample_weight / float(sample_weight.sum())
    delta *= scale.astype(P.dtype, copy=False)[:, None]
    derivative = DERIVATIVES[activation]
    for i in range(len(weights) - 1, -1, -1):
        grad = None
        if i in wanted:
            # one GEMM of a batch: a multi-threaded BLAS was measured 2-3x slower
            # than one thread on a loaded machine (see linalg/_threads.py)
            with single_threaded_blas():
                grad = np.asarray(activations[i]).T @ delta
        if i:
            delta = derivative(activations[i], weights[i].backward(delta))
        if grad is not None:
            yield i, grad


def move_optimizer_state(optimizer, index, source):
    """Let the optimizer state of ``params[index]`` follow moved values.

    ``source`` as in :class:`~sparsenn.connectivity.Rewired`; the state at
    grown positions is reset with ``optimizer.reset_positions``.
    """
    take = np.maximum(source, 0)
    for name in getattr(optimizer, "_state_names", ()):
        arr = getattr(optimizer, name)[index]
        arr[...] = arr[take]
    optimizer.reset_positions(index, np.flatnonzero(source < 0))


def _n_moves(w, fraction):
    return int(math.floor(fraction * w.n_params + 0.5))


def rewire_network(weights, optimizer, connectivity, fraction, rng, gradients=None):
    """Rewire every rewirable junction by ``fraction``; return edges moved per junction.

    Parameters
    ----------
    weights : list of SparseWeights
    optimizer : object
        Its state for ``weights[i].params`` is at index ``i``.
    connectivity : {"random", "structured", "clash_free"}
    fraction : float
        Fraction of each junction's edges to move.
    rng : numpy.random.Generator
    gradients : iterable of (int, ndarray), optional
        RigL's dense gradients (:func:`dense_gradients`); None: SET.

    Returns
    -------
    list of int
        Grown edges (new positions) per junction.
    """
    moved = [0] * len(weights)
    todo = rewirable(weights, connectivity)
    pairs = gradients if gradients is not None else ((i, None) for i in todo)
    for i, scores in pairs:
        w = weights[i]
        k = _n_moves(w, fraction)
        if k == 0:
            continue
        out = rewire_edges(
            connectivity, w._rows(), w._indices, w.params, w.shape, k,
            scores=scores, order=w.order, random_state=rng,
        )  # fmt: skip
        w.replace_edges(out.rows, out.cols, out.source, out.order)
        move_optimizer_state(optimizer, i, out.source)
        moved[i] = out.n_moved
    return moved


def structure_snapshot(weights):
    """Return copies of every junction's edges and order (to undo rewiring)."""
    return [
        (w._rows(), w._indices.astype(np.int64), w.order)
        if hasattr(w, "replace_edges")
        else None
        for w in weights
    ]


def restore_structure(weights, saved, optimizer=None):
    """Put back the edges of ``saved``, keeping ``params`` as they are.

    Used after the training loop restored parameters saved under that
    structure; the optimizer state of restored junctions is reset.
    """
    for i, (w, s) in enumerate(zip(weights, saved, strict=True)):
        if s is None:
            continue
        rows, cols, order = s
        key = rows * w.shape[1] + cols
        if np.array_equal(key, w._rows() * w.shape[1] + w._indices):
            continue
        w.replace_edges(rows, cols, np.arange(rows.size), order)
        if optimizer is not None:
            optimizer.reset_positions(i, slice(None))
