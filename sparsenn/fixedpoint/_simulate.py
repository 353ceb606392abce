"""Vectorised, bit-exact integer forward pass of one junction (spec section 4.3).

``s_k = sat(sum_{edges (k, l)} mul_round(a_l, W_kl) + b_k)``: every product is
rounded half up and saturated on its own, the sum is exact, and the bias is added
before the one final saturation.

Layout for speed: activations are feature-major ``(n_neurons, n_samples)`` and the
edges are stored ELL-style as ``(d, n_out)`` slots, slot ``(j, k)`` holding the
``j``-th edge of right neuron ``k`` (neurons with fewer than ``d`` edges are padded
with weight 0, whose rounded product is exactly 0). A chunk of samples then costs
one row gather, an in-place multiply, add and shift, and ``log2(d)`` in-place adds
that halve the slot axis. int32 is used when bounds prove no overflow.
"""

import numpy as np

__all__ = ["JunctionKernel", "hardware_argmax"]


class JunctionKernel:
    """Forward kernel of one junction, prepared once from its integer edges.

    Parameters
    ----------
    left, right : ndarray of int, shape (n_edges,)
        Edge endpoints (any order).
    weights : ndarray of int, shape (n_edges,)
        Weight codes of the edges.
    bias : ndarray of int, shape (n_out,)
    n_out : int
    fmt : QFormat
    a_range : tuple of int
        Smallest and largest left activation code (``(0, 255)`` for sigmoid
        activations in ``QFormat(3, 8)``); used to prove that products cannot
        saturate or overflow int32.
    """

    def __init__(self, left, right, weights, bias, n_out, fmt, a_range):
        self.fmt = fmt
        self.n_out = n_out
        self.bias = np.asarray(bias, dtype=np.int64)[:, None]
        w = np.asarray(weights, dtype=np.int64)
        order = np.lexsort((left, right))
        right, left, w = right[order], left[order], w[order]
        deg = np.bincount(right, minlength=n_out)
        self.d = max(int(deg.max(initial=0)), 1)
        slot = np.arange(right.size) - (np.cumsum(deg) - deg)[right]
        ell_left = np.zeros((self.d, n_out), dtype=np.intp)
        ell_w = np.zeros((self.d, n_out), dtype=np.int64)
        ell_left[slot, right] = left
        ell_w[slot, right] = w
        half = 1 << (fmt.fraction - 1)
        corners = [
            a * x
            for a in a_range
            for x in (int(w.max(initial=0)), int(w.min(initial=0)))
        ]
        self.may_saturate = (max(corners) + half) >> fmt.fraction > fmt.max_code or (
            min(corners) + half
        ) >> fmt.fraction < fmt.min_code
        big = max(max(corners) + half, half - min(corners), self.d << fmt.width)
        self.dtype = np.int32 if big < 2**31 else np.int64
        self.left = ell_left.ravel()
        self.weights = ell_w.astype(self.dtype).reshape(-1, 1)

    def __call__(self, aT, counts=None):
        """Pre-activation codes, feature-major.

        Parameters
        ----------
        aT : ndarray of int, shape (n_in, n_samples)
            Left activation codes, already of dtype ``self.dtype``.
        counts : dict, optional
            Its ``"products"`` and ``"sums"`` entries are increased by the number of
            saturated products and saturated sums.

        Returns
        -------
        sT : ndarray of int64, shape (n_out, n_samples)
        """
        f = self.fmt.fraction
        p = np.take(aT, self.left, axis=0)
        p *= self.weights
        p += self.dtype(1 << (f - 1))
        p >>= f
        if self.may_saturate:
            over = (p > self.fmt.max_code) | (p < self.fmt.min_code)
            _bump(counts, "products", np.count_nonzero(over))
            np.clip(p, self.fmt.min_code, self.fmt.max_code, out=p)
        p = p.reshape(self.d, self.n_out, -1)
        m = self.d
        while m > 1:
            h = m // 2
            p[:h] += p[m - h : m]
            m -= h
        s = p[0] + self.bias
        over = (s > self.fmt.max_code) | (s < self.fmt.min_code)
        _bump(counts, "sums", np.count_nonzero(over))
        return np.clip(s, self.fmt.min_code, self.fmt.max_code, out=s)


def _bump(counts, key, n):
    if counts is not None:
        counts[key] = counts.get(key, 0) + int(n)


def hardware_argmax(values, group, skip_last_group=False):
    """Argmax per row, ties broken like the RTL comparator.

    Neurons arrive ``group`` per clock: the lowest index wins within a clock, the
    later clock wins across clocks. ``skip_last_group`` leaves the last clock's
    group out (the released RTL's quirk); with a single group the result is 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.fixedpoint._simulate import hardware_argmax
    >>> hardware_argmax(np.array([[5, 5, 1, 5, 0, 0]]), 2)  # clocks (5,5) (1,5) (0,0)
    array([3])
    >>> hardware_argmax(np.array([[5, 5, 1, 0, 0, 0]]), 2)
    array([0])
    >>> hardware_argmax(np.array([[1, 2, 3, 9]]), 2, skip_last_group=True)
    array([1])
    """
    n, m = values.shape
    if skip_last_group:
        keep = (-(-m // group) - 1) * group
        if keep <= 0:
            return np.zeros(n, dtype=np.intp)
        values, m = values[:, :keep], keep
    n_groups = -(-m // group)
    is_max = np.zeros((n, n_groups * group), dtype=bool)
    is_max[:, :m] = values == values.max(axis=1, keepdims=True)
    is_max = is_max.reshape(n, n_groups, group)
    last = n_groups - 1 - np.argmax(is_max.any(axis=2)[:, ::-1], axis=1)
    return last * group + np.argmax(is_max[np.arange(n), last], axis=1)
