"""Estimator side of dynamic sparse training: parameters, checks, the callback.

:class:`RewiringMixin` gives the sparse MLPs ``rewiring`` (None, ``"set"`` or
``"rigl"``), ``rewire_fraction``, ``rewire_every`` and ``rewire_until``; it
builds the engine's ``after_step`` callback for each fit, keeps the rewired
structure consistent with the parameters the training loop restores (after a
divergence, or the best epoch of early stopping), and exposes
``rewiring_history_``. The moves are :mod:`sparsenn.connectivity._rewire`; the
network-level work is :mod:`sparsenn.engine._rewiring`.
"""

import math
import time
from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._sklearn import Interval, StrOptions
from .._warnings import warn
from ..connectivity._rewire import REWIRE_MOVES
from ..engine._rewiring import (
    RewiringRun,
    RewiringSchedule,
    dense_gradients,
    restore_structure,
    rewirable,
    rewire_network,
    structure_snapshot,
)

__all__ = ["RewiringMixin"]

#: Growth criteria: SET grows at random, RigL at the largest dense gradient.
REWIRINGS = {"set": False, "rigl": True}


class RewiringMixin:
    """Rewiring parameters and hooks of the sparse MLP estimators."""

    _rewiring_constraints = {
        "rewiring": [StrOptions(set(REWIRINGS)), None],
        "rewire_fraction": [Interval(Real, 0, 1, closed="neither")],
        "rewire_every": [Interval(Integral, 1, None, closed="left")],
        "rewire_until": [Interval(Real, 0, 1, closed="right")],
    }

    def _check_rewiring(self):
        """Raise a ValueError if the rewiring cannot work with the other parameters."""
        if self.rewiring is None:
            return
        if self.solver == "lbfgs":
            raise ValueError(
                f"rewiring={self.rewiring!r} moves edges between minibatch steps and "
                "needs solver='adam' or solver='sgd'; got solver='lbfgs' (set "
                "rewiring=None to train a static pattern with L-BFGS)."
            )
        if self.connectivity not in REWIRE_MOVES:
            reason = (
                "magnitude pruning cuts a dense network and never regrows an edge; "
                "set rewiring=None to prune"
                if self.connectivity == "pruned"
                else "its pattern is fixed by its offsets"
            )
            raise ValueError(
                f"rewiring={self.rewiring!r} cannot move the edges of "
                f"connectivity={self.connectivity!r} ({reason}); rewirable "
                f"connectivities: {', '.join(REWIRE_MOVES)}."
            )
        if getattr(self, "rtl_compatible", False):
            raise ValueError(
                f"rewiring={self.rewiring!r} with rtl_compatible=True: the released "
                "RTL's seed + increment order cannot be rewired (moves give an "
                "address-table order); set rtl_compatible=False or rewiring=None."
            )

    # ------------------------------------------------------------ schedule
    def _rewiring_schedule(self, n_samples):
        nothing = RewiringSchedule(self.rewire_fraction, self.rewire_every, 0)
        junctions = rewirable(self.weights_)
        if not junctions:  # whatever the schedule, nothing could move
            warn(
                f"rewiring={self.rewiring!r} has nothing to move: every junction is "
                f"dense (density={self.density!r} on these layer sizes); the network "
                "trains without rewiring. Lower the density to rewire."
            )
            return nothing
        junctions = self._movable(junctions)
        if not junctions:
            return nothing
        batch = self._batch_size(n_samples, announce=False)
        per_epoch = math.ceil(n_samples / batch)
        total = self.max_iter * per_epoch
        until = int(self.rewire_until * total)
        # the cosine's fraction is 0 at step `until`: the last rewiring is before it
        if self.rewire_every >= until:
            raise ValueError(
                f"rewire_every={self.rewire_every} never rewires: training runs at "
                f"most {total} steps (max_iter={self.max_iter} epochs of {per_epoch} "
                f"minibatches) and rewiring stops before step {until} "
                f"(rewire_until={self.rewire_until}, where the decayed fraction "
                "reaches 0); "
                + (
                    f"choose rewire_every <= {until - 1} or a larger rewire_until or "
                    "max_iter."
                    if until >= 2
                    else "choose a larger rewire_until or max_iter, or more samples."
                )
            )
        schedule = RewiringSchedule(self.rewire_fraction, self.rewire_every, until)
        first = schedule.fraction_at(self.rewire_every)
        if all(first * self.weights_[i].n_params < 0.5 for i in junctions):
            raise ValueError(
                f"rewire_fraction={self.rewire_fraction} never rewires: it moves no "
                "edge of any junction at the first rewiring step (the cosine decay "
                f"leaves a fraction {first:.3g} at step {self.rewire_every} of "
                f"{until}, fewer than half an edge); choose a larger rewire_fraction "
                "or a smaller rewire_every."
            )
        return schedule

    def _movable(self, junctions):
        """Drop (with a warning) the junctions the connectivity's move cannot change.

        If none is left, rewiring could never move an edge: the warning says the
        network trains without rewiring.
        """
        movable = rewirable(self.weights_, self.connectivity)
        frozen = [i for i in junctions if i not in movable]
        if not frozen:
            return junctions
        shapes = ", ".join(
            f"junction {i} ({self.weights_[i].shape[0]} x {self.weights_[i].shape[1]})"
            for i in frozen
        )
        reason = (
            f"{shapes} cannot move under connectivity='structured': with a single "
            "input or output neuron, keeping every neuron's in- and out-degree keeps "
            "every edge; connectivity='random' lets its edges move (degrees may drift)"
        )
        if not movable:
            warn(
                f"rewiring={self.rewiring!r} has nothing to move: {reason}; the "
                "network trains without rewiring."
            )
            return []
        warn(f"rewiring={self.rewiring!r}: {reason}; its pattern stays as drawn.")
        return movable

    def _after_step_hook(self, X, codes, sample_weight):
        if self.rewiring is None:
            self._rewiring = None
            return None
        run = getattr(self, "_rewiring", None)
        if run is None or self._training.n_iter == 0:
            schedule = self._rewiring_schedule(X.shape[0])
            rng = None  # nothing to move (warned): no draw, the fit is the static one
            if schedule.until:
                seed = self._random_state.randint(0, 2**32, size=4)
                rng = np.random.default_rng(seed)
            run = RewiringRun(schedule, rng)
            self._rewiring = run
            stopping = self._training.stopping
            if stopping.best_params is not None and stopping.best_structure is None:
                # a warm start keeps the best weights of an earlier fit: no edge
                # has moved since they were saved, this run may move them
                stopping.best_structure = structure_snapshot(self.weights_)
        return self._rewiring_callback(run, X, codes, sample_weight)

    def _rewiring_callback(self, run, X, codes, sample_weight):
        optimizer = self._training.optimizer
        batch = self._batch_size(X.shape[0], announce=False)

        def after_step(step_in_epoch):
            run.step += 1
            if step_in_epoch == 1:
                run.epoch_start = None  # the structure at this epoch's start
            fraction = run.schedule.fraction_at(run.step)
            if fraction == 0.0:
                return
            start = time.perf_counter()
            if run.epoch_start is None:
                run.epoch_start = structure_snapshot(self.weights_)
            grads = None
            if REWIRINGS[self.rewiring]:
                grads = self._rigl_gradients(X, codes, sample_weight, batch, run.rng)
            moved = rewire_network(
                self.weights_, optimizer, self.connectivity, fraction, run.rng, grads
            )
            seconds = time.perf_counter() - start
            run.history.append(
                {
                    "step": run.step,
                    "fraction": fraction,
                    "moved": moved,
                    "seconds": seconds,
                }
            )

        return after_step

    def _rigl_gradients(self, X, codes, sample_weight, batch, rng):
        if batch >= X.shape[0]:  # the whole set: no draw (a draw only reorders)
            rows = np.arange(X.shape[0])
        else:
            rows = np.sort(rng.choice(X.shape[0], size=batch, replace=False))
        Xb = X[rows]
        Xb = Xb.toarray() if hasattr(Xb, "toarray") else Xb
        wanted = set(rewirable(self.weights_, self.connectivity))
        return dense_gradients(
            self.weights_, self.intercepts_, Xb, codes[rows], self.activation,
            sample_weight[rows], self.out_activation_, wanted,
        )  # fmt: skip

    # --------------------------------------------- consistency with restores
    def _validation_score(self, validation):
        score = super()._validation_score(validation)

        def score_and_snapshot():
            value = score()  # (score, loss), or a score
            current = value[0] if isinstance(value, tuple) else value
            stopping = self._training.stopping
            if current > stopping.best_score:  # the rule saves these weights next
                run = getattr(self, "_rewiring", None)
                stopping.best_structure = (
                    None if run is None else structure_snapshot(self.weights_)
                )
            return value

        return score_and_snapshot

    def _after_training(self, status, state, params, incremental):
        run = getattr(self, "_rewiring", None)
        if run is not None:
            optimizer = state.optimizer
            if status == "diverged" and run.epoch_start is not None:
                restore_structure(self.weights_, run.epoch_start, optimizer)
            best = state.stopping.best_params
            # the pattern of the best weights, also when an earlier fit saved them
            structure = state.stopping.best_structure
            if self.early_stopping and not incremental and best is not None:
                if structure is not None:
                    restore_structure(self.weights_, structure, optimizer)
            run.epoch_start = None
        super()._after_training(status, state, params, incremental)

    @property
    def rewiring_history_(self):
        """Per rewiring step a dict: ``step``, ``fraction``, ``moved``, ``seconds``.

        ``moved`` holds the edges grown at new positions in each junction (0
        for junctions that are dense or not rewired); ``seconds`` is the wall
        time of the step (RigL's gradients, the moves, the structure snapshot),
        so ``sum(h["seconds"] for h in rewiring_history_)`` is what rewiring
        added to the fit. Empty without rewiring.
        """
        check_is_fitted(self, "weights_")
        run = getattr(self, "_rewiring", None)
        return [] if run is None else [dict(h) for h in run.history]
