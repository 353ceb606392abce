"""The hash behind hashed weights, in numpy and as compiled (numba) loops.

Virtual entry ``(i, j)`` of an ``n_in x n_out`` matrix has the key
``i * n_out + j``; ``mix`` is the splitmix64 finaliser (Steele, Lea, Flood
2014) of ``(key + 1) * GAMMA + salt`` modulo 2**64, where ``salt`` is the
finaliser of the layer's ``seed``.  The bucket is the high 32 bits of the
mixed value mapped onto ``[0, K)`` by a multiply-shift (Lemire's fast range:
no division), and the sign is ``-1`` where bit 0 is set: two hash functions
read from disjoint bits of one 64-bit mix.

Every function gives the same buckets and signs bit for bit; the numpy ones
are the reference and the fallback without numba.
"""

import numpy as np

from ._numba import jit

__all__ = [
    "MAX_BUCKETS",
    "NUMBA_AVAILABLE",
    "bucket_and_sign",
    "fill_block",
    "fill_block_t",
    "salt_of",
    "scatter_block",
]

_MASK = (1 << 64) - 1
_GAMMA, _M1, _M2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
MAX_BUCKETS = 1 << 32  # the fast range maps 32 hash bits onto [0, K)

_U_GAMMA, _U_M1, _U_M2 = np.uint64(_GAMMA), np.uint64(_M1), np.uint64(_M2)
_U1, _U27, _U30, _U31, _U32 = (np.uint64(s) for s in (1, 27, 30, 31, 32))


def salt_of(seed):
    """Return the 64-bit salt of an integer ``seed`` (a Python int).

    Examples
    --------
    >>> salt_of(0) != salt_of(1)
    True
    """
    z = (int(seed) * _GAMMA + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def bucket_and_sign(rows, cols, n_out, salt, n_buckets):
    """Return the buckets (int64) and signs (int8, +-1) of entries ``(rows, cols)``.

    Parameters
    ----------
    rows, cols : array-like of int
        Broadcastable row and column indices.
    n_out : int
        Number of columns of the virtual matrix.
    salt : int
        From :func:`salt_of`.
    n_buckets : int
        ``K``, at most ``MAX_BUCKETS``.

    Returns
    -------
    bucket : ndarray of int64, values in ``[0, n_buckets)``
    sign : ndarray of int8, values in ``{-1, 1}``

    Examples
    --------
    >>> b, s = bucket_and_sign([[0], [1]], [[0, 1, 2]], 3, salt_of(0), 4)
    >>> b.shape, bool(((b >= 0) & (b < 4)).all()), sorted(set(s.ravel()) - {-1, 1})
    ((2, 3), True, [])
    """
    rows = np.asarray(rows, dtype=np.uint64)
    cols = np.asarray(cols, dtype=np.uint64)
    z = (rows * np.uint64(n_out) + cols + _U1) * _U_GAMMA + np.uint64(salt)
    z = (z ^ (z >> _U30)) * _U_M1
    z = (z ^ (z >> _U27)) * _U_M2
    z ^= z >> _U31
    bucket = ((z >> _U32) * np.uint64(n_buckets)) >> _U32
    sign = (1 - 2 * (z & _U1)).astype(np.int8)
    return bucket.astype(np.int64), sign


# ----------------------------------------------------------- compiled loops
# Raw kernels: no validation; ``w``, ``out``, ``G`` and ``acc`` float arrays;
# ``out`` and ``G`` C-contiguous blocks of the virtual matrix whose top-left
# entry is ``(i0, j0)``.  Serial and without the GIL: the caller runs blocks
# in threads, each with its own output or accumulator.
def _fill_kernel(w, n_out, salt, i0, j0, out):
    # out[r, c] = sign(i0 + r, j0 + c) * w[bucket(i0 + r, j0 + c)]
    height, width = out.shape
    n_w = np.uint64(w.shape[0])
    for r in range(height):
        base = np.uint64(i0 + r) * np.uint64(n_out) + np.uint64(j0) + _U1
        row = out[r]
        for c in range(width):
            z = (base + np.uint64(c)) * _U_GAMMA + salt
            z = (z ^ (z >> _U30)) * _U_M1
            z = (z ^ (z >> _U27)) * _U_M2
            z ^= z >> _U31
            v = w[((z >> _U32) * n_w) >> _U32]
            row[c] = -v if z & _U1 else v


def _fill_t_kernel(w, n_out, salt, i0, j0, out):
    # out[c, r] = sign(i0 + r, j0 + c) * w[bucket(i0 + r, j0 + c)]: the
    # transposed block, written row by row (keys step by n_out).
    width, height = out.shape
    n_w = np.uint64(w.shape[0])
    step = np.uint64(n_out)
    for c in range(width):
        key = np.uint64(i0) * step + np.uint64(j0 + c) + _U1
        row = out[c]
        for r in range(height):
            z = (key + np.uint64(r) * step) * _U_GAMMA + salt
            z = (z ^ (z >> _U30)) * _U_M1
            z = (z ^ (z >> _U27)) * _U_M2
            z ^= z >> _U31
            v = w[((z >> _U32) * n_w) >> _U32]
            row[r] = -v if z & _U1 else v


def _scatter_kernel(G, n_out, salt, i0, j0, acc):
    # acc[bucket(i0 + r, j0 + c)] += sign(i0 + r, j0 + c) * G[r, c]
    height, width = G.shape
    n_w = np.uint64(acc.shape[0])
    for r in range(height):
        base = np.uint64(i0 + r) * np.uint64(n_out) + np.uint64(j0) + _U1
        row = G[r]
        for c in range(width):
            z = (base + np.uint64(c)) * _U_GAMMA + salt
            z = (z ^ (z >> _U30)) * _U_M1
            z = (z ^ (z >> _U27)) * _U_M2
            z ^= z >> _U31
            k = ((z >> _U32) * n_w) >> _U32
            if z & _U1:
                acc[k] -= row[c]
            else:
                acc[k] += row[c]


# Measured (1024 x 1024 float32, two cores): the fill vectorises, ~0.6 ns per
# entry on one thread; the scatter ~1.2 ns.  Parallel numba loops launched
# right after a multi-threaded GEMM were 10-40x slower (OpenBLAS's threads
# still spin, docs/kernels.md), hence serial loops run in the caller's threads.
_nb_fill = jit(_fill_kernel, nogil=True)
_nb_fill_t = jit(_fill_t_kernel, nogil=True)
_nb_scatter = jit(_scatter_kernel, nogil=True)
NUMBA_AVAILABLE = _nb_fill is not None


def _block_indices(i0, j0, shape, n_out, salt, n_buckets):
    rows = np.arange(i0, i0 + shape[0])[:, None]
    cols = np.arange(j0, j0 + shape[1])[None, :]
    return bucket_and_sign(rows, cols, n_out, salt, n_buckets)


def fill_block(w, n_out, salt, i0, j0, out, *, use_numba=True):
    """Fill ``out`` with the virtual block whose top-left entry is ``(i0, j0)``.

    Parameters
    ----------
    w : ndarray of shape (K,)
        The real weights.
    n_out : int
        Columns of the whole virtual matrix.
    salt : int
        From :func:`salt_of`.
    i0, j0 : int
        First row and column of the block.
    out : ndarray of shape (height, width), C-contiguous, dtype of ``w``
        Overwritten.
    use_numba : bool, default=True
        False (or numba missing) runs the numpy reference.

    Returns
    -------
    out : ndarray of shape (height, width)

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, 2.0])
    >>> out = fill_block(w, 3, salt_of(0), 0, 0, np.empty((2, 3)))
    >>> sorted(set(np.abs(out).ravel()) - {1.0, 2.0})
    []
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_fill(w, n_out, np.uint64(salt), i0, j0, out)
        return out
    bucket, sign = _block_indices(i0, j0, out.shape, n_out, salt, w.shape[0])
    np.multiply(w[bucket], sign, out=out, casting="unsafe")
    return out


def fill_block_t(w, n_out, salt, i0, j0, out, *, use_numba=True):
    """Fill ``out`` with the *transpose* of the virtual block at ``(i0, j0)``.

    ``out`` has shape (width, height) and receives ``V[i0:i0+height,
    j0:j0+width].T`` in C order, so that ``D @ out`` is a plain GEMM (measured
    2x faster than ``D @ block.T`` on a transposed view).  Parameters as in
    :func:`fill_block`.

    Examples
    --------
    >>> import numpy as np
    >>> w, salt = np.arange(1.0, 6.0), salt_of(2)
    >>> a = fill_block(w, 4, salt, 1, 0, np.empty((2, 4)))
    >>> b = fill_block_t(w, 4, salt, 1, 0, np.empty((4, 2)))
    >>> bool((a.T == b).all())
    True
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_fill_t(w, n_out, np.uint64(salt), i0, j0, out)
        return out
    shape = (out.shape[1], out.shape[0])
    bucket, sign = _block_indices(i0, j0, shape, n_out, salt, w.shape[0])
    np.multiply(w[bucket.T], sign.T, out=out, casting="unsafe")
    return out


def scatter_block(G, n_out, salt, i0, j0, acc, *, use_numba=True):
    """Add the bucket sums of ``sign * G`` to ``acc`` (block at ``(i0, j0)``).

    Parameters
    ----------
    G : ndarray of shape (height, width), C-contiguous
        Gradient with respect to the virtual block.
    n_out : int
        Columns of the whole virtual matrix.
    salt : int
        From :func:`salt_of`.
    i0, j0 : int
        First row and column of the block.
    acc : ndarray of shape (K,)
        Updated in place.
    use_numba : bool, default=True
        False (or numba missing) runs the numpy reference (``np.bincount``).

    Examples
    --------
    >>> import numpy as np
    >>> acc = np.zeros(2)
    >>> scatter_block(np.ones((2, 3)), 3, salt_of(0), 0, 0, acc)
    >>> float(np.abs(acc).sum()) <= 6
    True
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_scatter(G, n_out, np.uint64(salt), i0, j0, acc)
        return
    bucket, sign = _block_indices(i0, j0, G.shape, n_out, salt, acc.shape[0])
    acc += np.bincount(bucket.ravel(), (G * sign).ravel(), minlength=acc.shape[0])
