"""The released RTL's deviations from the intended arithmetic, as explicit options.

Facts from simulating the authors' released SystemVerilog (spec section 4.8a):

* ``"delta_hazard"``: PROCTIME of the build (2 for the shipped pipelined build).
  In the hidden-layer delta accumulation a left neuron's partial sum is read in
  clock ``c`` and written back in clock ``c + 1 + PROCTIME``; a read sees only
  writes of earlier clocks, so when the neuron recurs every ``D = n_in / z <=
  1 + PROCTIME`` clocks the sum splits into interleaved chains and only the last
  chain survives.
* ``"argmax_last_group"``: the argmax register resets in the clock in which the
  last group of output neurons arrives, so that group never wins.
* ``"mul_saturation"``: a product below the range whose most significant dropped
  bit is 1 gives ``min_code + 1`` (see :func:`mul_round`); only BP's second
  multiply can saturate.

All are off by default: the default model is the intended arithmetic.
"""

from collections.abc import Mapping
from numbers import Integral

import numpy as np

__all__ = ["RTL_QUIRKS", "RELEASED_PIPELINED_RTL", "check_rtl_quirks"]

#: Allowed keys of ``rtl_quirks`` and their values when off.
RTL_QUIRKS = {"delta_hazard": None, "argmax_last_group": False, "mul_saturation": False}

#: The quirks of the released pipelined build (PROCTIME 2); use it together with
#: ``train_on_device(..., pipelined=True)``.
RELEASED_PIPELINED_RTL = {"delta_hazard": 2, "argmax_last_group": True}


def check_rtl_quirks(rtl_quirks):
    """Validate ``rtl_quirks`` and return it with every key filled in.

    Parameters
    ----------
    rtl_quirks : dict or None
        Keys from :data:`RTL_QUIRKS`: ``"delta_hazard"`` an int >= 0 (PROCTIME) or
        None (off), ``"argmax_last_group"`` and ``"mul_saturation"`` bools.
        None turns every quirk off.

    Returns
    -------
    dict
        All three keys.

    Examples
    --------
    >>> from sparsenn.fixedpoint._quirks import check_rtl_quirks
    >>> check_rtl_quirks({"delta_hazard": 2})
    {'delta_hazard': 2, 'argmax_last_group': False, 'mul_saturation': False}
    """
    if rtl_quirks is None:
        return dict(RTL_QUIRKS)
    if not isinstance(rtl_quirks, Mapping):
        raise TypeError(
            f"rtl_quirks must be a dict with keys from {sorted(RTL_QUIRKS)} or None, "
            f"got {rtl_quirks!r}."
        )
    unknown = sorted(str(k) for k in rtl_quirks if k not in RTL_QUIRKS)
    if unknown:
        raise ValueError(
            f"rtl_quirks has unknown keys {unknown}; allowed: {sorted(RTL_QUIRKS)}."
        )
    out = dict(RTL_QUIRKS)
    out.update(rtl_quirks)
    hazard = out["delta_hazard"]
    if hazard is not None and (
        not isinstance(hazard, Integral) or isinstance(hazard, bool) or hazard < 0
    ):
        raise ValueError(
            f"rtl_quirks['delta_hazard'] must be the build's PROCTIME, an int >= 0 "
            f"(2 for the released pipelined build), or None for off; got {hazard!r}."
        )
    for key in ("argmax_last_group", "mul_saturation"):
        if not isinstance(out[key], (bool, np.bool_)):
            raise ValueError(
                f"rtl_quirks[{key!r}] must be True or False, got {out[key]!r}."
            )
        out[key] = bool(out[key])
    out["delta_hazard"] = None if hazard is None else int(hazard)
    return out


def hazard_sources(slot_clocks, n_slots, proctime):
    """Which earlier access each delta-memory read sees, per left neuron.

    Parameters
    ----------
    slot_clocks : ndarray of int, shape (n_in, d_max)
        Clock of each access (the left neuron's edges in weight order); entries
        at or beyond ``n_slots`` of a row are unused.
    n_slots : ndarray of int, shape (n_in,)
        Number of accesses of each left neuron.
    proctime : int or None
        PROCTIME; None means no hazard (each access reads the previous one).

    Returns
    -------
    ndarray of int, shape (n_in, d_max)
        Slot whose written sum access ``j`` reads, ``-1`` for the zeroed
        memory. Unused slots read the slot before them (and add 0), so the
        last column always holds the final sum.

    Examples
    --------
    A left neuron visited every 2 clocks with PROCTIME 2 (the board build):

    >>> import numpy as np
    >>> from sparsenn.fixedpoint._quirks import hazard_sources
    >>> hazard_sources(np.array([[0, 2, 4, 6]]), np.array([4]), 2).tolist()
    [[-1, -1, 0, 1]]
    >>> hazard_sources(np.array([[0, 2, 4, 6]]), np.array([4]), None).tolist()
    [[-1, 0, 1, 2]]
    """
    n_in, d_max = slot_clocks.shape
    previous = np.broadcast_to(np.arange(d_max) - 1, (n_in, d_max)).copy()
    if proctime is None:
        return previous
    src = previous
    for j in range(1, d_max):
        # the latest earlier access whose write (clock c_i + 1 + P) precedes c_j
        visible = slot_clocks[:, :j] + 1 + proctime < slot_clocks[:, j : j + 1]
        last = np.where(visible.any(axis=1), j - 1 - np.argmax(visible[:, ::-1], 1), -1)
        src[:, j] = np.where(j < n_slots, last, j - 1)
    return src
