"""On-device training model: per-sample fixed-point SGD (spec sections 4.4-4.6, 4.8).

For every input, in order:

* FF per junction: ``s = sat(sum mul_round(a_l, W) + b)``, ``a = SIG[s]``,
  ``h' = DSIG[s]``;
* output delta (cross-entropy): ``delta_L = sat(a_L - y)`` with ``y`` 0 or 1.0;
* BP (junctions 2..L), per edge in weight order:
  ``delta_l = sat(delta_l + mul_round(mul_round(delta_k, h'_l), W_kl))``;
* UP: ``g = shift_round(neg_sat(delta_k), shift)``, ``b = sat(b + g)``,
  ``W_kl = sat(W_kl + mul_round(g_k, a_l))``.

BP and UP read the weights as updated through the previous input. With
``pipelined=True`` FF reads stale weights, as in the RTL where junctions work on
different inputs concurrently: FF of junction ``i`` (1-based) for input ``k`` uses
the weights updated through input ``k - 2(L - i) - 2`` (spec section 4.8, the
schedule inferred from the RTL's collection counters; for ``L = 2``: ``k - 4`` and
``k - 2``).
"""

from collections import deque
from numbers import Integral

import numpy as np

from .._validation import check_bool
from ._arith import mul_round, neg_sat, saturate, shift_round
from ._network import FixedPointNetwork
from ._quirks import check_rtl_quirks, hazard_sources

__all__ = ["train_on_device"]


def train_on_device(
    net, X, y, *, lr_shift=3, pipelined=False, rtl_quirk=False, rtl_quirks=None
):
    """Predict what the datapath learns from the input stream ``(X, y)``.

    Parameters
    ----------
    net : FixedPointNetwork
        Starting weights (for example ``to_fixed_point(model)``); not modified.
    X : array-like of shape (n_samples, n_features)
        Inputs in [0, 1], presented in this order, one per junction cycle.
    y : array-like of shape (n_samples,)
        Labels, each one of ``net.classes_``.
    lr_shift : int or array-like of int, shape (n_samples,), default=3
        Learning rate ``2**-lr_shift`` (the RTL's ``etapos = lr_shift + 1``), in
        ``0..fmt.fraction``; an array gives one per input (a schedule).
    pipelined : bool, default=False
        Model the stale-weight schedule of the pipelined hardware. Every call
        starts with an empty pipeline (as when the stream pauses long enough
        to drain it), so a stream split over two calls trains as one call only
        with ``pipelined=False``.
    rtl_quirk : bool, default=False
        Use the RTL's rounding after negative product saturation (see
        :func:`mul_round`); it can only matter in BP. The same as
        ``rtl_quirks={"mul_saturation": True}``.
    rtl_quirks : dict or None, default=None
        Deviations of the released RTL to reproduce (see
        :data:`sparsenn.fixedpoint.RTL_QUIRKS`): ``"delta_hazard"`` the build's
        PROCTIME (2 for the released pipelined build): BP's delta accumulation
        then loses the partial sums the pipelined memory has not written back
        yet; ``"argmax_last_group"`` (carried to the returned network's
        ``predict``); ``"mul_saturation"``. None uses ``net.rtl_quirks`` (all off
        unless set). The released pipelined build is ``pipelined=True,
        rtl_quirks=RELEASED_PIPELINED_RTL``.

    Returns
    -------
    FixedPointNetwork
        The trained copy (with ``net``'s ``output_scale_``, ``output_shift_``
        and ``feature_names_in_``); its ``training_saturation_`` dict counts
        saturated pre-activation sums, BP accumulations, bias and weight
        updates.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat
    >>> from sparsenn.fixedpoint import train_on_device
    >>> lay = JunctionLayout(2, 2, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [np.zeros(4, int)],
    ...                         [np.zeros(2, int)], np.array([0, 1]))
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]] * 50); y = np.array([0, 1] * 50)
    >>> trained = train_on_device(net, X, y, lr_shift=2)
    >>> trained.predict(X[:2]).tolist()
    [0, 1]
    """
    if not isinstance(net, FixedPointNetwork):
        raise TypeError(f"net must be a FixedPointNetwork, got {type(net).__name__}.")
    pipelined = check_bool(pipelined, "pipelined")
    rtl_quirk = check_bool(rtl_quirk, "rtl_quirk")
    codes = net.input_codes(X)
    targets = _targets(net, y, codes.shape[0])
    shifts = _shifts(lr_shift, codes.shape[0], net.fmt)
    quirks = check_rtl_quirks(net.rtl_quirks if rtl_quirks is None else rtl_quirks)
    quirks["mul_saturation"] = quirks["mul_saturation"] or bool(rtl_quirk)
    state = _State(net, pipelined, quirks)
    for a0, target, shift in zip(codes, targets, shifts, strict=True):
        state.step(a0, target, shift)
    trained = FixedPointNetwork(
        net.fmt,
        net.layouts,
        state.weights,
        state.biases,
        net.classes_,
        input_bits=net.input_bits,
        lut_floor_lsb=net.lut_floor_lsb,
        rtl_quirks=quirks,
    )
    trained.output_scale_, trained.output_shift_ = net.output_scale_, net.output_shift_
    if hasattr(net, "feature_names_in_"):
        trained.feature_names_in_ = net.feature_names_in_
    trained.training_saturation_ = state.counts
    return trained


def _targets(net, y, n):
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got {y.shape}.")
    index = {label: k for k, label in enumerate(net.classes_.tolist())}
    unknown = sorted({v for v in y.tolist() if v not in index}, key=str)
    if unknown:
        raise ValueError(
            f"y has labels {short_list(unknown)} that are not in the network's "
            f"classes {short_list(net.classes_.tolist())} ({len(net.classes_)} "
            f"classes)."
        )
    n_out = net.layouts[-1].n_out
    one = min(1 << net.fmt.fraction, net.fmt.max_code)
    if n_out == 1 and len(net.classes_) == 2:
        return np.array([[one * index[v]] for v in y.tolist()], dtype=np.int64)
    targets = np.zeros((n, n_out), dtype=np.int64)
    targets[np.arange(n), [index[v] for v in y.tolist()]] = one
    return targets


def short_list(values, limit=10):
    """Return ``values`` as list text, the middle elided beyond ``limit`` items.

    Examples
    --------
    >>> from sparsenn.fixedpoint._training import short_list
    >>> short_list([1, 2]), short_list(list(range(64)))
    ('[1, 2]', '[0, 1, 2, 3, 4, 5, 6, 7, ..., 63]')
    """
    values = list(values)
    if len(values) <= limit:
        return repr(values)
    head = ", ".join(repr(v) for v in values[: limit - 2])
    return f"[{head}, ..., {values[-1]!r}]"


def _shifts(lr_shift, n, fmt):
    shape = np.shape(lr_shift)
    if shape not in ((), (n,)):
        raise ValueError(
            f"lr_shift has shape {shape}; give one int, or one int per sample: "
            f"shape ({n},) for the {n} samples of X."
        )
    shifts = np.broadcast_to(np.asarray(lr_shift), (n,))
    ok = np.issubdtype(shifts.dtype, np.integer) or all(
        isinstance(s, Integral) for s in np.atleast_1d(lr_shift)
    )
    if not ok or (n and (shifts.min() < 0 or shifts.max() > fmt.fraction)):
        raise ValueError(
            f"lr_shift must be an int (or one int per sample) in 0..{fmt.fraction} "
            f"(learning rate 2**-lr_shift), got {lr_shift!r}."
        )
    return shifts.astype(np.int64)


class _State:
    """Weights, biases and the per-junction FF snapshots of the pipeline."""

    def __init__(self, net, pipelined, quirks):
        self.net, self.fmt, self.quirk = net, net.fmt, quirks["mul_saturation"]
        self.layouts = net.layouts
        self.weights = [w.copy() for w in net.edge_weights]
        self.biases = [b.copy() for b in net.biases]
        n_junctions = len(self.layouts)
        lags = [2 * (n_junctions - i) if pipelined else 1 for i in range(n_junctions)]
        self.snapshots = [
            deque([(w, b)] * lag, maxlen=lag)
            for w, b, lag in zip(self.weights, self.biases, lags, strict=True)
        ]
        self.bp_slots = [_bp_slots(lay) for lay in self.layouts]
        self.bp_sources = [
            _bp_sources(lay, slots, quirks["delta_hazard"])
            for lay, slots in zip(self.layouts, self.bp_slots, strict=True)
        ]
        self.counts = {"sums": 0, "bp": 0, "biases": 0, "weights": 0}

    def step(self, a0, target, shift):
        acts, derivs = self._forward(a0)
        delta = self._count(acts[-1] - target, None)  # cross-entropy output delta
        deltas = [delta]
        for i in range(len(self.layouts) - 1, 0, -1):
            deltas.insert(0, self._backward(i, deltas[0], derivs[i - 1]))
        for i in range(len(self.layouts)):
            self._update(i, deltas[i], acts[i], shift)
            self.snapshots[i].append((self.weights[i], self.biases[i]))

    def _count(self, exact, key):
        """Saturating adder: ``sat(exact)``, counting saturations under ``key``."""
        out = saturate(exact, self.fmt)
        if key in self.counts:
            self.counts[key] += int(np.count_nonzero(out != exact))
        return out

    def _forward(self, a):
        acts, derivs = [a], []
        lut, dlut, lo = (
            self.net.sigmoid_lut,
            self.net.sigmoid_derivative_lut,
            self.fmt.min_code,
        )
        for lay, snap in zip(self.layouts, self.snapshots, strict=True):
            w, b = snap[0]
            p = mul_round(acts[-1][lay.left], w, self.fmt)
            total = np.bincount(lay.right, weights=p, minlength=lay.n_out)
            s = self._count(total.astype(np.int64) + b, "sums")
            acts.append(lut[s - lo])
            derivs.append(dlut[s - lo])
        return acts, derivs

    def _backward(self, i, delta_right, h_left):
        lay, w = self.layouts[i], self.weights[i]
        t = mul_round(delta_right[lay.right], h_left[lay.left], self.fmt)
        u = np.append(mul_round(t, w, self.fmt, rtl_quirk=self.quirk), 0)
        sources = self.bp_sources[i]
        if sources is None:
            delta = np.zeros(lay.n_in, dtype=np.int64)
            for column in self.bp_slots[i].T:  # the j-th edge of every left neuron
                delta = self._count(delta + u[column], "bp")
            return delta
        # delta-memory hazard: access j adds to the sum written by access src[j]
        sums = np.zeros((lay.n_in, sources.shape[1] + 1), dtype=np.int64)
        rows = np.arange(lay.n_in)
        for j, column in enumerate(self.bp_slots[i].T):
            read = sums[rows, sources[:, j] + 1]
            sums[:, j + 1] = self._count(read + u[column], "bp")
        return sums[:, -1]

    def _update(self, i, delta, a_left, shift):
        lay = self.layouts[i]
        g = shift_round(neg_sat(delta, self.fmt), shift)
        self.biases[i] = self._count(self.biases[i] + g, "biases")
        step = mul_round(g[lay.right], a_left[lay.left], self.fmt)
        self.weights[i] = self._count(self.weights[i] + step, "weights")


def _bp_sources(lay, slots, proctime):
    """Delta-memory read sources per left neuron, None without a hazard."""
    if proctime is None:
        return None
    n_slots = np.bincount(lay.left, minlength=lay.n_in)
    return hazard_sources(slots // lay.z, n_slots, proctime)


def _bp_slots(lay):
    """(n_in, max out-degree) edge positions per left neuron in weight order.

    Missing slots point at position ``n_edges`` (a zero appended to ``u``).
    """
    deg = np.bincount(lay.left, minlength=lay.n_in)
    order = np.argsort(lay.left, kind="stable")  # weight order within each left
    slot = np.arange(lay.n_edges) - (np.cumsum(deg) - deg)[lay.left[order]]
    table = np.full((lay.n_in, max(int(deg.max(initial=0)), 1)), lay.n_edges)
    table[lay.left[order], slot] = order
    return table
