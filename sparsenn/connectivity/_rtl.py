"""The released RTL's connection order: clash-free type 2, zero seeds, no dither.

The authors' released SystemVerilog (spec ``predefined-sparsity-morse-fpga.md``
sections 1.4 and 4.8a) generates the addresses of type 2 with all start (seed)
vectors zero and no memory dither, so edge ``w`` joins input ``w mod n_in`` to
output ``w div in_degree``; it processes ``z / in_degree`` whole output neurons
per clock, so ``in_degree`` must divide ``z``.
"""

import math

import numpy as np

from .._warnings import warn
from ._clash_free import clash_free
from ._degrees import degrees_for_density, feasible_out_degrees
from ._utils import check_int

__all__ = ["rtl_clash_free"]


def _feasible_parallelism(n_in, d_in):
    return [z for z in range(d_in, n_in + 1, d_in) if n_in % z == 0]


def _warn_if_adjusted(n_in, n_out, density, d_out, z):
    """Warn when the feasible out-degree stores another edge count than asked."""
    if d_out * n_in == max(1, math.floor(density * (n_in * n_out) + 0.5)):
        return
    warn(
        f"rtl_compatible=True: junction {n_in}->{n_out} at density {density:g} "
        f"({density * n_in * n_out:.1f} edges) has no released-RTL order; using "
        f"out-degree {d_out} (in-degree {n_in * d_out // n_out}, parallelism {z}): "
        f"{d_out * n_in} edges, density {d_out / n_out:.4g}, the nearest feasible."
    )


def rtl_clash_free(n_in, n_out, density, *, parallelism=None):
    """Clash-free junction in the released RTL's order, nearest to ``density``.

    Parameters
    ----------
    n_in, n_out : int
        Junction size.
    density : float
        Requested density in (0, 1]; the nearest out-degree whose in-degree
        divides ``n_in`` and ``parallelism`` is used.
    parallelism : int, optional
        Degree of parallelism ``z``; it must divide ``n_in`` and be a multiple
        of the in-degree. None uses ``z = in_degree`` (one output per clock).

    Returns
    -------
    pattern : scipy.sparse.csr_matrix of shape (n_in, n_out), dtype int8
    order : ClashFreeOrder
        Kind 2, seeds all zero, identity dither.

    Examples
    --------
    >>> from sparsenn.connectivity._rtl import rtl_clash_free
    >>> p, order = rtl_clash_free(8, 4, 0.5, parallelism=4)
    >>> order.left.tolist(), order.right.tolist()
    ([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 1, 1, 1, 1, 2, \
2, 2, 2, 3, 3, 3, 3])
    >>> order.z, order.in_degree, int(order.seeds.max())
    (4, 4, 0)
    """
    d_out = degrees_for_density(n_in, n_out, density, connectivity="clash_free")
    d_out = d_out.out_degree
    if parallelism is None:
        z = n_in * d_out // n_out
    else:
        z = check_int(parallelism, "parallelism", low=1)
        feasible = feasible_out_degrees(n_in, n_out, connectivity="clash_free", z=z)
        feasible = feasible[z % (n_in * feasible // n_out) == 0]
        if feasible.size == 0:
            d_in = n_in * d_out // n_out
            raise ValueError(
                f"parallelism={z} cannot give the released RTL's order for junction "
                f"{n_in}->{n_out} (rtl_compatible=True): z must divide n_in and be a "
                f"multiple of the in-degree; at density {density:g} (in-degree "
                f"{d_in}) the feasible parallelism values are "
                f"{_feasible_parallelism(n_in, d_in)}."
            )
        dist = np.abs(feasible - density * n_out)
        d_out = int(feasible[np.flatnonzero(dist <= dist.min() + 1e-9)[-1]])
    _warn_if_adjusted(n_in, n_out, density, d_out, z)
    return clash_free(
        n_in,
        n_out,
        d_out,
        z=z,
        kind=2,
        dither=False,
        seeds=np.zeros((d_out, z), dtype=np.int64),
        return_order=True,
    )
