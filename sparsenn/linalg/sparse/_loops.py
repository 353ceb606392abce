"""The compiled (numba) loops behind the sparse products of ``_sparse_kernels``.

Raw kernels only: no validation, C-contiguous arrays of one float dtype and
int32/int64 indices.  Each ``_nb_*`` name is None when numba cannot be imported.

The three row kernels (``spmm``, ``sddmm`` and the fused pair) take ``starts``,
the row boundaries of blocks of about equal work (``_kernels._row_blocks``),
which the caller hands to the threads one at a time (parallel chunk size 1).  Splitting
the rows into equal *counts* instead, numba's default, leaves a thread idle when
the degrees are irregular (a pruned junction: 63% of the edges of a pruned
784->1024 Fashion-MNIST junction are in its first 392 rows) and whenever the
other thread is descheduled on a loaded machine.  Each row is still computed by
one thread in the same order, so the results do not depend on the blocks.
"""

from .._numba import jit, prange

# Reassociation (vectorised reductions) and FMA contraction, but no "no NaN /
# no inf" assumptions: NaN and inf propagate as in numpy (measured: same speed
# as fastmath=True).
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


def _jit(fn):
    return jit(fn, parallel=True, fastmath=_FASTMATH)


def _spmm_kernel(starts, indptr, indices, data, Yt, out):
    # out[r, :] = sum over edges e of row r of data[e] * Yt[indices[e], :].
    # Eight (then four, then one) edges per pass: one load and store of the
    # output row, which stays in L1, per eight multiply-adds.
    n_b = Yt.shape[1]
    for c in prange(starts.size - 1):
        for r in range(starts[c], starts[c + 1]):
            acc = out[r]
            for b in range(n_b):
                acc[b] = 0
            e = indptr[r]
            end = indptr[r + 1]
            while e + 8 <= end:
                v0, v1, v2, v3 = data[e], data[e + 1], data[e + 2], data[e + 3]
                v4, v5, v6, v7 = data[e + 4], data[e + 5], data[e + 6], data[e + 7]
                y0, y1 = Yt[indices[e]], Yt[indices[e + 1]]
                y2, y3 = Yt[indices[e + 2]], Yt[indices[e + 3]]
                y4, y5 = Yt[indices[e + 4]], Yt[indices[e + 5]]
                y6, y7 = Yt[indices[e + 6]], Yt[indices[e + 7]]
                for b in range(n_b):
                    acc[b] += (
                        (v0 * y0[b] + v1 * y1[b]) + (v2 * y2[b] + v3 * y3[b])
                    ) + ((v4 * y4[b] + v5 * y5[b]) + (v6 * y6[b] + v7 * y7[b]))
                e += 8
            if e + 4 <= end:
                v0, v1, v2, v3 = data[e], data[e + 1], data[e + 2], data[e + 3]
                y0, y1 = Yt[indices[e]], Yt[indices[e + 1]]
                y2, y3 = Yt[indices[e + 2]], Yt[indices[e + 3]]
                for b in range(n_b):
                    acc[b] += (v0 * y0[b] + v1 * y1[b]) + (v2 * y2[b] + v3 * y3[b])
                e += 4
            while e < end:
                v0 = data[e]
                y0 = Yt[indices[e]]
                for b in range(n_b):
                    acc[b] += v0 * y0[b]
                e += 1


def _sddmm_kernel(starts, indptr, indices, Pt, Qt, out):
    # out[e] = dot(Pt[r], Qt[indices[e]]) for the edges e of row r.
    # Eight edges per pass share each load of Pt[r] (eight vector accumulators).
    n_b = Pt.shape[1]
    zero = out.dtype.type(0)
    for c in prange(starts.size - 1):
        for r in range(starts[c], starts[c + 1]):
            p = Pt[r]
            e = indptr[r]
            end = indptr[r + 1]
            while e + 8 <= end:
                q0, q1 = Qt[indices[e]], Qt[indices[e + 1]]
                q2, q3 = Qt[indices[e + 2]], Qt[indices[e + 3]]
                q4, q5 = Qt[indices[e + 4]], Qt[indices[e + 5]]
                q6, q7 = Qt[indices[e + 6]], Qt[indices[e + 7]]
                s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = zero
                for b in range(n_b):
                    pb = p[b]
                    s0 += pb * q0[b]
                    s1 += pb * q1[b]
                    s2 += pb * q2[b]
                    s3 += pb * q3[b]
                    s4 += pb * q4[b]
                    s5 += pb * q5[b]
                    s6 += pb * q6[b]
                    s7 += pb * q7[b]
                out[e], out[e + 1], out[e + 2], out[e + 3] = s0, s1, s2, s3
                out[e + 4], out[e + 5], out[e + 6], out[e + 7] = s4, s5, s6, s7
                e += 8
            while e < end:
                q0 = Qt[indices[e]]
                s0 = zero
                for b in range(n_b):
                    s0 += p[b] * q0[b]
                out[e] = s0
                e += 1


def _spmm_sddmm_kernel(starts, indptr, indices, data, Pt, Qt, out, g):
    # Fused backward and gradient over the same rows: for the edges e of row r,
    # out[r, :] = sum_e data[e] * Qt[indices[e], :] and g[e] = Pt[r] @ Qt[indices[e]].
    # Each loaded Qt row feeds both products (measured 0.61-0.70x the time of
    # the two separate kernels).
    n_b = Qt.shape[1]
    zero = g.dtype.type(0)
    for c in prange(starts.size - 1):
        for r in range(starts[c], starts[c + 1]):
            acc = out[r]
            p = Pt[r]
            for b in range(n_b):
                acc[b] = 0
            e = indptr[r]
            end = indptr[r + 1]
            while e + 8 <= end:
                v0, v1, v2, v3 = data[e], data[e + 1], data[e + 2], data[e + 3]
                v4, v5, v6, v7 = data[e + 4], data[e + 5], data[e + 6], data[e + 7]
                q0, q1 = Qt[indices[e]], Qt[indices[e + 1]]
                q2, q3 = Qt[indices[e + 2]], Qt[indices[e + 3]]
                q4, q5 = Qt[indices[e + 4]], Qt[indices[e + 5]]
                q6, q7 = Qt[indices[e + 6]], Qt[indices[e + 7]]
                s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = zero
                for b in range(n_b):
                    pb = p[b]
                    d0, d1, d2, d3 = q0[b], q1[b], q2[b], q3[b]
                    d4, d5, d6, d7 = q4[b], q5[b], q6[b], q7[b]
                    s0 += pb * d0
                    s1 += pb * d1
                    s2 += pb * d2
                    s3 += pb * d3
                    s4 += pb * d4
                    s5 += pb * d5
                    s6 += pb * d6
                    s7 += pb * d7
                    acc[b] += ((v0 * d0 + v1 * d1) + (v2 * d2 + v3 * d3)) + (
                        (v4 * d4 + v5 * d5) + (v6 * d6 + v7 * d7)
                    )
                g[e], g[e + 1], g[e + 2], g[e + 3] = s0, s1, s2, s3
                g[e + 4], g[e + 5], g[e + 6], g[e + 7] = s4, s5, s6, s7
                e += 8
            while e < end:
                v0 = data[e]
                q0 = Qt[indices[e]]
                s0 = zero
                for b in range(n_b):
                    d0 = q0[b]
                    s0 += p[b] * d0
                    acc[b] += v0 * d0
                g[e] = s0
                e += 1


def _transpose_strip(X, out, jt):
    # out[8 jt : 8 jt + 8, :] = X[:, 8 jt : 8 jt + 8].T in fully unrolled 8 x 8
    # tiles (the unrolled tile measured 2-6x faster than 32 x 32 loops and than
    # numpy's copy).
    n = X.shape[0]
    n8 = n - n % 8
    j0 = jt * 8
    for i0 in range(0, n8, 8):
        for a in range(8):
            for b in range(8):
                out[j0 + b, i0 + a] = X[i0 + a, j0 + b]
    for i in range(n8, n):
        for b in range(8):
            out[j0 + b, i] = X[i, j0 + b]


def _transpose_tail(X, out):
    # the last m % 8 columns of X
    n, m = X.shape
    for j in range(m - m % 8, m):
        for i in range(n):
            out[j, i] = X[i, j]


def _transpose_kernel(X, out):
    # out = X.T for a C-ordered X, in strips of 8 columns.
    for jt in prange(X.shape[1] // 8):
        _nb_transpose_strip(X, out, jt)
    _nb_transpose_tail(X, out)


def _transpose_serial_kernel(X, out):
    for jt in range(X.shape[1] // 8):
        _nb_transpose_strip(X, out, jt)
    _nb_transpose_tail(X, out)


def _gather_kernel(src, idx, out):
    for j in prange(idx.size):
        out[j] = src[idx[j]]


def _gather_serial_kernel(src, idx, out):
    for j in range(idx.size):
        out[j] = src[idx[j]]


def _scatter_kernel(src, idx, out):
    for j in prange(idx.size):
        out[idx[j]] = src[j]


def _scatter_serial_kernel(src, idx, out):
    for j in range(idx.size):
        out[idx[j]] = src[j]


_nb_spmm = _jit(_spmm_kernel)
_nb_sddmm = _jit(_sddmm_kernel)
_nb_spmm_sddmm = _jit(_spmm_sddmm_kernel)
_nb_transpose_strip = jit(_transpose_strip, inline="always")
_nb_transpose_tail = jit(_transpose_tail)
_nb_transpose = _jit(_transpose_kernel)
_nb_gather = _jit(_gather_kernel)
_nb_scatter = _jit(_scatter_kernel)
# Single-threaded copies, for sizes where a parallel launch costs more than it
# saves (the serial versions are separate functions: numba's on-disk cache
# keys a function by its source, not by its ``parallel`` flag).
_nb_transpose_serial = jit(_transpose_serial_kernel)
_nb_gather_serial = jit(_gather_serial_kernel)
_nb_scatter_serial = jit(_scatter_serial_kernel)
