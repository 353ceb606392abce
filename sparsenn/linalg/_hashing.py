"""The hash behind hashed weights, in numpy and as compiled (numba) loops.

All arithmetic is on 32-bit words (modulo 2**32), so that it vectorises on
every x86-64 vector unit (AVX2 has 32-bit but no 64-bit vector multiply:
the earlier 64-bit splitmix hash filled ~7.5 ns per entry there, this one
~2 ns, of which the hash is ~0.75 ns and the gather the rest).  ``mix`` is
the murmur3 finaliser (a bijection of 32-bit words).
With the two 32-bit words ``a, b`` of the layer's salt:

* row key ``r_i = mix(i ^ a)``, column key ``k_j = j * 0x9E3779B1``;
* ``z = mix((r_i + k_j) ^ b)``; the bucket of ``(i, j)`` is ``z`` mapped onto
  ``[0, K)`` by a multiply-shift (``(z * K) >> 32``, Lemire's fast range: no
  division), which reads the high bits;
* the sign is ``-1`` where bit 0 of ``z`` is set.  A bucket holds an interval
  of at least ``2**32 / K`` consecutive values of ``z`` (thousands for usual
  ``K``), so the signs within a bucket are balanced and independent of it.

The compiled loops work one block row at a time: a vectorised pass computes
the row's buckets and signs into two small buffers, a second pass gathers
(or scatters).  Every function gives the same buckets and signs bit for bit;
the numpy ones are the reference and the fallback without numba.
"""

import numpy as np

from ._numba import jit

__all__ = [
    "MAX_BUCKETS",
    "MAX_SIDE",
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
MAX_SIDE = 1 << 32  # row and column indices are 32-bit words

_C1, _C2, _ODD = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35), np.uint32(0x9E3779B1)
_S13, _S16, _S32 = np.uint32(13), np.uint32(16), np.uint64(32)


def _splitmix(z):
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def salt_of(seed):
    """Return the salt of an integer ``seed``: two 32-bit words (uint32, (2,)).

    The words are the halves of the splitmix64 value of ``seed``.

    Examples
    --------
    >>> salt_of(0).shape, salt_of(0).dtype.name
    ((2,), 'uint32')
    >>> bool((salt_of(0) != salt_of(1)).all())
    True
    """
    z = _splitmix((int(seed) * _GAMMA + _GAMMA) & _MASK)
    return np.array([z & 0xFFFFFFFF, z >> 32], dtype=np.uint32)


def _mix_word(x):
    """murmur3's 32-bit finaliser of a uint32 word or array (numpy and numba).

    Every intermediate is cast back to uint32: numba widens integer
    arithmetic to 64 bits.
    """
    x = np.uint32(x ^ (x >> _S16))
    x = np.uint32(x * _C1)
    x = np.uint32(x ^ (x >> _S13))
    x = np.uint32(x * _C2)
    return np.uint32(x ^ (x >> _S16))


def bucket_and_sign(rows, cols, salt, n_buckets):
    """Return the buckets (int64) and signs (int8, +-1) of entries ``(rows, cols)``.

    Parameters
    ----------
    rows, cols : array-like of int
        Broadcastable row and column indices, each in ``[0, MAX_SIDE)``.
    salt : ndarray of shape (2,), uint32
        From :func:`salt_of`.
    n_buckets : int
        ``K``, at most ``MAX_BUCKETS``.

    Returns
    -------
    bucket : ndarray of int64, values in ``[0, n_buckets)``
    sign : ndarray of int8, values in ``{-1, 1}``

    Examples
    --------
    >>> b, s = bucket_and_sign([[0], [1]], [[0, 1, 2]], salt_of(0), 4)
    >>> b.shape, bool(((b >= 0) & (b < 4)).all()), sorted(set(s.ravel()) - {-1, 1})
    ((2, 3), True, [])
    """
    a, b = (np.uint32(x) for x in salt)
    with np.errstate(over="ignore"):
        rows = np.asarray(rows, dtype=np.int64).astype(np.uint32)
        keys = np.asarray(cols, dtype=np.int64).astype(np.uint32) * _ODD
        z = _mix_word((_mix_word(rows ^ a) + keys) ^ b)
    bucket = (z.astype(np.uint64) * np.uint64(n_buckets)) >> _S32
    sign = 1 - 2 * (z & np.uint32(1)).astype(np.int8)
    return bucket.astype(np.int64), sign


# ----------------------------------------------------------- compiled loops
# Raw kernels: no validation; ``w``, ``out``, ``G`` and ``acc`` float arrays;
# ``out`` and ``G`` C-contiguous blocks of the virtual matrix whose top-left
# entry is ``(i0, j0)``.  Serial and without the GIL: the caller runs blocks
# in threads, each with its own output or accumulator.
_nb_mix = jit(_mix_word, inline="always")


def _keys_kernel(start, n, salt_word, out):
    # out[r] = mix((start + r) ^ salt_word): row keys of rows start..start+n
    for r in range(n):
        out[r] = _nb_mix(np.uint32(np.uint32(start + r) ^ salt_word))


def _column_keys_kernel(start, n, out):
    for c in range(n):
        out[c] = np.uint32(np.uint32(start + c) * _ODD)


def _pass_kernel(keys, key, salt_word, n_w, idx, sg):
    # Buckets and signs of a line of entries whose pre-mix keys are
    # keys[c] + key (one term a row key, the other a column key).
    # Vectorises: no gathers, only 32-bit words.
    for c in range(keys.shape[0]):
        z = _nb_mix(np.uint32(np.uint32(keys[c] + key) ^ salt_word))
        idx[c] = (np.uint64(z) * n_w) >> _S32
        sg[c] = 1 - 2 * np.int32(z & np.uint32(1))


def _block_keys(salt, i0, height, j0, width):
    rows = np.empty(height, np.uint32)
    _nb_keys(i0, height, salt[0], rows)
    cols = np.empty(width, np.uint32)
    _nb_column_keys(j0, width, cols)
    return rows, cols


def _fill_kernel(w, salt, i0, j0, out):
    # out[r, c] = sign(i0 + r, j0 + c) * w[bucket(i0 + r, j0 + c)]
    height, width = out.shape
    n_w = np.uint64(w.shape[0])
    rows, cols = _nb_block_keys(salt, i0, height, j0, width)
    idx, sg = np.empty(width, np.intp), np.empty(width, w.dtype)
    for r in range(height):
        _nb_pass(cols, rows[r], salt[1], n_w, idx, sg)
        row = out[r]
        for c in range(width):
            row[c] = w[idx[c]] * sg[c]


def _fill_t_kernel(w, salt, i0, j0, out):
    # out[c, r] = sign(i0 + r, j0 + c) * w[bucket(i0 + r, j0 + c)]: the
    # transposed block, written row by row (one virtual column per row).
    width, height = out.shape
    n_w = np.uint64(w.shape[0])
    rows, cols = _nb_block_keys(salt, i0, height, j0, width)
    idx, sg = np.empty(height, np.intp), np.empty(height, w.dtype)
    for c in range(width):
        _nb_pass(rows, cols[c], salt[1], n_w, idx, sg)
        row = out[c]
        for r in range(height):
            row[r] = w[idx[r]] * sg[r]


def _scatter_kernel(G, salt, i0, j0, acc):
    # acc[bucket(i0 + r, j0 + c)] += sign(i0 + r, j0 + c) * G[r, c]
    height, width = G.shape
    n_w = np.uint64(acc.shape[0])
    rows, cols = _nb_block_keys(salt, i0, height, j0, width)
    idx, sg = np.empty(width, np.intp), np.empty(width, acc.dtype)
    for r in range(height):
        _nb_pass(cols, rows[r], salt[1], n_w, idx, sg)
        row = G[r]
        for c in range(width):
            acc[idx[c]] += sg[c] * row[c]


# Measured (1024 x 1024 float32, one thread, AVX2): the hash pass ~0.75 ns per
# entry, the gather ~0.9-1.7 ns, the fill ~2 ns in all (the 64-bit splitmix
# hash before it, which AVX2 cannot vectorise, took 7.5 ns).  Parallel numba
# loops launched right after a multi-threaded GEMM were 10-40x slower
# (OpenBLAS's threads still spin, docs/kernels.md), hence serial loops run in
# the caller's threads.
_nb_keys = jit(_keys_kernel, nogil=True)
_nb_column_keys = jit(_column_keys_kernel, nogil=True)
_nb_pass = jit(_pass_kernel, nogil=True)
_nb_block_keys = jit(_block_keys, nogil=True)
_nb_fill = jit(_fill_kernel, nogil=True)
_nb_fill_t = jit(_fill_t_kernel, nogil=True)
_nb_scatter = jit(_scatter_kernel, nogil=True)
NUMBA_AVAILABLE = _nb_fill is not None


def _block_indices(i0, j0, shape, salt, n_buckets):
    rows = np.arange(i0, i0 + shape[0])[:, None]
    cols = np.arange(j0, j0 + shape[1])[None, :]
    return bucket_and_sign(rows, cols, salt, n_buckets)


def fill_block(w, salt, i0, j0, out, *, use_numba=True):
    """Fill ``out`` with the virtual block whose top-left entry is ``(i0, j0)``.

    Parameters
    ----------
    w : ndarray of shape (K,)
        The real weights.
    salt : ndarray of shape (2,), uint32
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
    >>> out = fill_block(w, salt_of(0), 0, 0, np.empty((2, 3)))
    >>> sorted(set(np.abs(out).ravel()) - {1.0, 2.0})
    []
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_fill(w, salt, i0, j0, out)
        return out
    bucket, sign = _block_indices(i0, j0, out.shape, salt, w.shape[0])
    np.multiply(w[bucket], sign, out=out, casting="unsafe")
    return out


def fill_block_t(w, salt, i0, j0, out, *, use_numba=True):
    """Fill ``out`` with the *transpose* of the virtual block at ``(i0, j0)``.

    ``out`` has shape (width, height) and receives ``V[i0:i0+height,
    j0:j0+width].T`` in C order, so that ``D @ out`` is a plain GEMM (measured
    2x faster than ``D @ block.T`` on a transposed view).  Parameters as in
    :func:`fill_block`.

    Examples
    --------
    >>> import numpy as np
    >>> w, salt = np.arange(1.0, 6.0), salt_of(2)
    >>> a = fill_block(w, salt, 1, 0, np.empty((2, 4)))
    >>> b = fill_block_t(w, salt, 1, 0, np.empty((4, 2)))
    >>> bool((a.T == b).all())
    True
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_fill_t(w, salt, i0, j0, out)
        return out
    shape = (out.shape[1], out.shape[0])
    bucket, sign = _block_indices(i0, j0, shape, salt, w.shape[0])
    np.multiply(w[bucket.T], sign.T, out=out, casting="unsafe")
    return out


def scatter_block(G, salt, i0, j0, acc, *, use_numba=True):
    """Add the bucket sums of ``sign * G`` to ``acc`` (block at ``(i0, j0)``).

    Parameters
    ----------
    G : ndarray of shape (height, width), C-contiguous
        Gradient with respect to the virtual block.
    salt : ndarray of shape (2,), uint32
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
    >>> scatter_block(np.ones((2, 3)), salt_of(0), 0, 0, acc)
    >>> float(np.abs(acc).sum()) <= 6
    True
    """
    if use_numba and NUMBA_AVAILABLE:
        _nb_scatter(G, salt, i0, j0, acc)
        return
    bucket, sign = _block_indices(i0, j0, G.shape, salt, acc.shape[0])
    acc += np.bincount(bucket.ravel(), (G * sign).ravel(), minlength=acc.shape[0])
