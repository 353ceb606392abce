"""Greedy b-matching: the growth step of degree-preserving rewiring.

Candidates ``(a, b)`` are visited in the order given (best score first); one is
accepted while both of its endpoints have capacity left.  Compiled with numba
when it is available (a plain loop otherwise).
"""

import numpy as np

from ..linalg._numba import NUMBA_AVAILABLE, jit

__all__ = ["greedy_match"]


def _greedy_loop(cand_a, cand_b, cap_a, cap_b, chosen):
    left = 0
    for i in range(cap_a.size):
        left += cap_a[i]
    for i in range(cand_a.size):
        if left == 0:
            break
        a, b = cand_a[i], cand_b[i]
        if cap_a[a] > 0 and cap_b[b] > 0:
            cap_a[a] -= 1
            cap_b[b] -= 1
            chosen[i] = True
            left -= 1


_greedy_compiled = jit(_greedy_loop) if NUMBA_AVAILABLE else None


def greedy_match(cand_a, cand_b, cap_a, cap_b):
    """Accept candidates in order while both endpoints have capacity.

    Parameters
    ----------
    cand_a, cand_b : ndarray of int64, shape (n_candidates,)
        Endpoint indices of each candidate, best candidate first.
    cap_a, cap_b : ndarray of int64
        Capacity of every endpoint; updated in place (what is left over).

    Returns
    -------
    chosen : ndarray of bool, shape (n_candidates,)

    Examples
    --------
    >>> import numpy as np
    >>> cap_a, cap_b = np.array([1, 1]), np.array([1, 1])
    >>> greedy_match(np.array([0, 0, 1]), np.array([0, 1, 0]), cap_a, cap_b).tolist()
    [True, False, False]
    >>> cap_a.tolist(), cap_b.tolist()
    ([0, 1], [0, 1])
    """
    chosen = np.zeros(cand_a.size, dtype=np.bool_)
    args = (
        np.ascontiguousarray(cand_a, dtype=np.int64),
        np.ascontiguousarray(cand_b, dtype=np.int64),
    )
    for cap in (cap_a, cap_b):
        if cap.dtype != np.int64 or not cap.flags.c_contiguous:
            raise ValueError("capacities must be C-contiguous int64 arrays.")
    run = _greedy_compiled if _greedy_compiled is not None else _greedy_loop
    run(*args, cap_a, cap_b, chosen)
    return chosen
