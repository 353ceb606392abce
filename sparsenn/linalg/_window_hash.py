"""The window hash of hashed weights: each run of a row reads a run of ``w``.

The uniform hash (:mod:`sparsenn.linalg._hashing`, Chen et al. 2015) sends
every virtual entry to its own random bucket, so filling a block of the
virtual matrix is a random gather (~2 ns per entry) and summing a gradient
into the buckets a random scatter: at compression 1/8 on 1024 x 1024 those
passes cost 30-50% of the three GEMMs.  The window hash keeps the marginal
law of the uniform hash (every bucket receives Poisson(``n_in * n_out / K``)
entries, every entry a fair sign) but makes a run of ``WINDOW`` consecutive
virtual columns of one row read ``WINDOW`` consecutive real weights:

* the row is cut into segments ``s = j // WINDOW`` (position ``p = j % WINDOW``);
* segment key ``z = mix((mix(i ^ a) + s * 0x9E3779B1) ^ b)`` (``a, b`` the
  salt words, ``mix`` the murmur3 finaliser, as in the uniform hash);
* bucket ``(start + p) mod K`` with ``start = (z * K) >> 32`` (a uniform start);
* sign ``flip * tau[p]``: ``flip`` is ``-1`` where bit 0 of ``z`` is set,
  ``tau`` a fixed table of ``WINDOW`` signs drawn from the salt.

A fill is then a contiguous multiply of ``w[start:start + n]`` by ``tau``
(one wrap at ``K`` at most) and the gradient a contiguous multiply-add: both
vectorise, ~0.25 ns per entry.  Two segments whose starts are ``d`` apart
(``|d| < WINDOW``) share ``WINDOW - |d|`` weights, paired at offset ``d``; their
relative signs ``tau[p] tau[p - d]`` still vary along the pair.  Measured
against the uniform hash in ``docs/baselines.md``.
"""

import numpy as np

from ._hashing import _ODD, _mix_word, _nb_mix
from ._numba import NUMBA_AVAILABLE, jit

__all__ = ["WINDOW", "sign_table", "window_bucket_and_sign", "fill", "scatter"]

WINDOW = 256
_TAU_SALT = np.uint32(0x68E31DA4)


def sign_table(salt, dtype=np.float64):
    """Return ``tau``, the ``WINDOW`` position signs of a salt (values +-1).

    Examples
    --------
    >>> from sparsenn.linalg._hashing import salt_of
    >>> tau = sign_table(salt_of(0))
    >>> tau.shape, sorted(set(tau.tolist()))
    ((256,), [-1.0, 1.0])
    """
    with np.errstate(over="ignore"):
        p = np.arange(WINDOW, dtype=np.uint32) * _ODD
        z = _mix_word(p ^ np.uint32(salt[1]) ^ _TAU_SALT)
    return (1 - 2 * (z >> np.uint32(31)).astype(np.int8)).astype(dtype)


def _segment_keys(rows, segments, salt):
    a, b = (np.uint32(x) for x in salt)
    with np.errstate(over="ignore"):
        rows = np.asarray(rows, dtype=np.int64).astype(np.uint32)
        keys = np.asarray(segments, dtype=np.int64).astype(np.uint32) * _ODD
        return _mix_word((_mix_word(rows ^ a) + keys) ^ b)


def window_bucket_and_sign(rows, cols, salt, n_buckets):
    """Return the buckets (int64) and signs (int8) of entries ``(rows, cols)``.

    The numpy reference of the compiled loops: same arguments and results as
    :func:`sparsenn.linalg._hashing.bucket_and_sign`.

    Examples
    --------
    >>> from sparsenn.linalg._hashing import salt_of
    >>> b, s = window_bucket_and_sign([[0]], [[0, 1, 2]], salt_of(0), 1000)
    >>> bool((b[0, 1:] - b[0, :-1] == 1).all() or (b == 0).any())
    True
    """
    cols = np.asarray(cols, dtype=np.int64)
    z = _segment_keys(rows, cols // WINDOW, salt)
    start = (z.astype(np.uint64) * np.uint64(n_buckets)) >> np.uint64(32)
    p = cols % WINDOW
    bucket = (start.astype(np.int64) + p) % n_buckets
    flip = 1 - 2 * (z & np.uint32(1)).astype(np.int8)
    tau = sign_table(salt).astype(np.int8)
    return bucket, (flip * tau[p]).astype(np.int8)


# ----------------------------------------------------------- compiled loops
# Raw kernels, no validation: ``block`` a C-contiguous block of the virtual
# matrix whose top-left entry is (i0, j0), ``tau`` of the dtype of ``vec``.
# One walk over the runs of a block serves both directions: ``gather`` fills
# the block from the weights ``vec``, otherwise the block (a gradient) is
# added into the bucket accumulator ``vec``.  The runs go through views so
# that the loops see non-negative indices and vectorise.
def _run_kernel(block_run, vec_run, sign, gather):
    if gather:
        for q in range(block_run.shape[0]):
            block_run[q] = vec_run[q] * sign[q]
    else:
        for q in range(block_run.shape[0]):
            vec_run[q] += block_run[q] * sign[q]


def _start_kernel(row_key, s, salt_word, n_w):
    z = _nb_mix(np.uint32(np.uint32(row_key + np.uint32(s) * _ODD) ^ salt_word))
    start = np.int64((np.uint64(z) * np.uint64(n_w)) >> np.uint64(32))
    return start, (z & np.uint32(1)) != 0


def _walk_kernel(vec, tau, salt, i0, j0, block, gather):
    height, width = block.shape
    n_w = vec.shape[0]
    neg = -tau
    for r in range(height):
        row_key = _nb_mix(np.uint32(np.uint32(i0 + r) ^ salt[0]))
        row = block[r]
        c = 0
        while c < width:
            s, p0 = divmod(j0 + c, WINDOW)
            n = min(WINDOW - p0, width - c)
            start, flip = _nb_start(row_key, s, salt[1], n_w)
            sg = neg if flip else tau
            t0 = start + p0
            if n_w >= WINDOW:  # the run wraps at K at most once
                t0 = t0 - n_w if t0 >= n_w else t0
                m = min(n, n_w - t0)
                _nb_run(row[c : c + m], vec[t0 : t0 + m], sg[p0 : p0 + m], gather)
                _nb_run(row[c + m : c + n], vec[0 : n - m], sg[p0 + m : p0 + n],
                        gather)  # fmt: skip
            else:
                for q in range(n):
                    k = (t0 + q) % n_w
                    if gather:
                        row[c + q] = vec[k] * sg[p0 + q]
                    else:
                        vec[k] += row[c + q] * sg[p0 + q]
            c += n


_nb_run = jit(_run_kernel, nogil=True, inline="always")
_nb_start = jit(_start_kernel, nogil=True, inline="always")
_nb_walk = jit(_walk_kernel, nogil=True)


def _block(i0, j0, shape, salt, n_buckets):
    rows = np.arange(i0, i0 + shape[0])[:, None]
    cols = np.arange(j0, j0 + shape[1])[None, :]
    return window_bucket_and_sign(rows, cols, salt, n_buckets)


def fill(w, tau, salt, i0, j0, out, *, use_numba=True):
    """Fill ``out`` with the virtual block whose top-left entry is ``(i0, j0)``.

    Parameters
    ----------
    w : ndarray of shape (K,)
        The real weights.
    tau : ndarray of shape (WINDOW,), dtype of ``w``
        :func:`sign_table` of ``salt``.
    salt : ndarray of shape (2,), uint32
    i0, j0 : int
        First row and column of the block.
    out : ndarray of shape (height, width), C-contiguous, dtype of ``w``
    use_numba : bool, default=True
        False (or numba missing) runs the numpy reference.

    Returns
    -------
    out : ndarray of shape (height, width)

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.linalg._hashing import salt_of
    >>> salt, w = salt_of(3), np.arange(1.0, 301.0)
    >>> a = fill(w, sign_table(salt), salt, 2, 250, np.empty((3, 9)))
    >>> b = fill(w, sign_table(salt), salt, 2, 250, np.empty((3, 9)), use_numba=False)
    >>> bool((a == b).all())
    True
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_walk(w, tau, salt, i0, j0, out, True)
        return out
    bucket, sign = _block(i0, j0, out.shape, salt, w.shape[0])
    np.multiply(w[bucket], sign, out=out, casting="unsafe")
    return out


def scatter(G, tau, salt, i0, j0, acc, *, use_numba=True):
    """Add the bucket sums of ``sign * G`` to ``acc`` (block at ``(i0, j0)``).

    Parameters as in :func:`fill`; ``G`` of shape (height, width), C-contiguous,
    ``acc`` of shape (K,), updated in place.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.linalg._hashing import salt_of
    >>> salt, acc = salt_of(0), np.zeros(5)
    >>> scatter(np.ones((2, 3)), sign_table(salt), salt, 0, 0, acc)
    >>> float(np.abs(acc).sum()) <= 6
    True
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_walk(acc, tau, salt, i0, j0, G, False)
        return
    bucket, sign = _block(i0, j0, G.shape, salt, acc.shape[0])
    acc += np.bincount(bucket.ravel(), (G * sign).ravel(), minlength=acc.shape[0])
