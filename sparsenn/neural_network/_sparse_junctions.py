"""``SparseJunctionsMixin``: the sparse junctions shared by the sparse MLPs.

Validation of the structure parameters (``density``, ``connectivity``,
``parallelism``, the pruning schedule), the weights of each junction and the
fitted attributes read from them; ``SparseMLPClassifier`` and
``SparseMLPRegressor`` add it to their base estimator.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._sklearn import Interval, StrOptions
from .._warnings import warn
from ..connectivity._estimator import (
    auto_densities,
    check_layer_sizes,
    junction_pattern,
    warn_unused_neurons,
)
from ..engine._init import glorot_bound
from . import _pruning
from ._rewiring import RewiringMixin

__all__ = ["SparseJunctionsMixin"]

_CONNECTIVITIES = ("random", "structured", "clash_free", "circulant", "pruned")


class SparseJunctionsMixin(RewiringMixin):
    """Pre-defined sparse junctions: ``density``, ``connectivity``, ``parallelism``.

    Builds each junction's :class:`~sparsenn.layers.SparseWeights` (which
    carries its pattern, achieved density and edge order) for the sparse MLP
    classifier and regressor; ``densities_``, ``connection_orders_`` and
    ``padding_`` are read from the weights.
    """

    #: parameters that shape the built network (warm starts keep it)
    _structure_parameters = ("density", "connectivity", "parallelism", "rtl_compatible")

    _structure_constraints = {
        "density": [
            Interval(Real, 0, 1, closed="right"),
            StrOptions({"auto"}),
            tuple,
            list,
        ],
        "connectivity": [StrOptions(set(_CONNECTIVITIES))],
        "parallelism": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
        "learning_rate_scaling": [StrOptions({"fan_in"}), None],
        **_pruning.PRUNING_CONSTRAINTS,
        **RewiringMixin._rewiring_constraints,
    }

    def _validate_structure(self, layer_sizes):
        n_junctions = len(layer_sizes) - 1
        check_layer_sizes(self.hidden_layer_sizes, layer_sizes)
        self._densities = (
            auto_densities(layer_sizes)
            if isinstance(self.density, str) and self.density == "auto"
            else _per_junction(self.density, n_junctions, "density")
        )
        for rho in self._densities:
            if not (isinstance(rho, Real) and 0 < rho <= 1):
                raise ValueError(
                    f"Each density must be a float in (0, 1]; got density="
                    f"{self.density!r}."
                )
        self._parallelisms = _check_parallelisms(self.parallelism, n_junctions)
        # a pruned net's parallelism lays it out in to_fixed_point (docs/baselines.md)
        if self.parallelism is not None and self.connectivity not in (
            "clash_free",
            "pruned",
        ):
            warn(
                f"parallelism={self.parallelism!r} is ignored by connectivity="
                f"{self.connectivity!r} patterns (only 'clash_free' patterns are "
                "built for a parallelism); to_fixed_point still lays these "
                "junctions out with it (in right-neuron order, not clash-free). Use "
                "connectivity='clash_free' for a clash-free datapath, or "
                "parallelism=None to silence this."
            )
        if self.connectivity == "pruned":
            _pruning.check_pruning(self, layer_sizes)
        self._check_rewiring()

    def _junction_bytes(self, layer_index, n_in, n_out, itemsize):
        if self.connectivity == "pruned":  # the dense parent is grown first
            return 2 * n_in * n_out * itemsize
        # value + index per stored edge, and the pattern generator's int64 keys
        n_edges = max(1.0, self._densities[layer_index] * n_in * n_out)
        return int(n_edges * (itemsize + 4 + 24)) + 8 * (n_in + n_out)

    def _make_weights(self, layer_index, n_in, n_out, rng, dtype):
        from ..layers import SparseWeights

        if self.connectivity == "pruned":
            return _pruning.parent_weights(n_in, n_out, rng, dtype, self.activation)
        pattern, order = self._junction_pattern(layer_index, n_in, n_out, rng)
        n_edges = pattern.nnz
        bound = glorot_bound(n_edges / n_out, n_edges / n_in, self.activation)
        values = rng.uniform(-bound, bound, n_edges).astype(dtype)
        return SparseWeights(pattern, values, dtype=dtype, order=order)

    def _junction_pattern(self, layer_index, n_in, n_out, rng):
        rho, z = self._densities[layer_index], self._parallelisms[layer_index]
        if getattr(self, "rtl_compatible", False):
            from ..connectivity import connection_pattern

            pattern, order = connection_pattern(
                self.connectivity, n_in, n_out, rho, parallelism=z,
                random_state=rng, rtl_compatible=True,
            )  # fmt: skip
        else:
            pattern, order = junction_pattern(
                self.connectivity, layer_index, (n_in, n_out), rho, z, rng
            )
        # rewiring on "random" lets the degrees drift: the unused neurons of
        # the first pattern are then a starting point, not the model
        if not (getattr(self, "rewiring", None) and self.connectivity == "random"):
            warn_unused_neurons(layer_index, self.connectivity, rho, pattern)
        return pattern, order

    def _train(self, X, codes, sample_weight, incremental, stratify):
        # on every fit: warm starts and partial_fit skip _validate_structure,
        # and set_params may have changed the rewiring or the solver since
        self._check_rewiring()
        if self.rewiring is None:
            self._rewiring = None  # rewiring_history_ describes this fit
        # connectivity="pruned": the first fit runs the prune schedule
        # (_pruning.fit_pruned); warm starts train the pruned pattern.
        if self.connectivity == "pruned" and _pruning.needs_pruning(self.weights_):
            if incremental:
                raise ValueError(
                    "partial_fit cannot run the pruning schedule of "
                    "connectivity='pruned'; call fit first (partial_fit then "
                    "trains the pruned pattern)."
                )
            # a diverging phase is reported once, at the user's line, as in
            # TrainingMixin._train (not by numpy's warnings from the products)
            with np.errstate(over="ignore", invalid="ignore"):
                return _pruning.fit_pruned(self, X, codes, sample_weight, stratify)
        return super()._train(X, codes, sample_weight, incremental, stratify)

    # Fitted attributes read from the weight objects (no side effects in
    # _make_weights): what was built, the hardware edge order and its padding.
    @property
    def densities_(self):
        """Ndarray of shape (n_junctions,): achieved density of each junction."""
        check_is_fitted(self, "weights_")
        return np.array([w.density for w in self.weights_])

    @property
    def connection_orders_(self):
        """list: per junction, its ``EdgeOrder`` (clash-free) or None."""
        check_is_fitted(self, "weights_")
        return [w.order for w in self.weights_]

    @property
    def padding_(self):
        """list: per junction, the clash-free padding dict or None."""
        check_is_fitted(self, "weights_")
        return [None if w.order is None else w.order.padding for w in self.weights_]


def _check_parallelisms(parallelism, n_junctions):
    """Return one ``z`` (an int >= 1, or None for the default) per junction.

    Examples
    --------
    >>> _check_parallelisms((4, None), 2)
    [4, None]
    >>> _check_parallelisms((4, 0), 2)
    Traceback (most recent call last):
    ...
    ValueError: parallelism=(4, 0) gives junction 1 the parallelism 0; each ...
    """
    values = _per_junction(parallelism, n_junctions, "parallelism")
    for i, z in enumerate(values):
        if z is not None and (
            isinstance(z, bool) or not isinstance(z, Integral) or z < 1
        ):
            raise ValueError(
                f"parallelism={parallelism!r} gives junction {i} the parallelism "
                f"{z!r}; each parallelism must be an int >= 1 (edges per clock) "
                "or None (the default of that junction)."
            )
    return [None if z is None else int(z) for z in values]


def _per_junction(value, n_junctions, name):
    """Broadcast a scalar or check a per-junction sequence."""
    if isinstance(value, (tuple, list)):
        if len(value) != n_junctions:
            raise ValueError(
                f"{name} has {len(value)} entries but the network has "
                f"{n_junctions} junctions (len(hidden_layer_sizes) + 1); give one "
                f"value per junction or a single value. Got {name}={value!r}."
            )
        return list(value)
    return [value] * n_junctions
