"""HashedNets weights: a virtual matrix read from a small real array by a hash.

Chen, Wilson, Tyree, Weinberger, Chen, "Compressing Neural Networks with the
Hashing Trick", ICML 2015 (structured-layers.md §4.1).  Virtual entry
``(i, j)`` is ``sign(i, j) * w[bucket(i, j)]``.  Two hashes: ``"window"``
(the default, ``sparsenn.linalg._window_hash``: a run of 256 columns of a row
reads a run of ``w``, so blocks fill at memory speed) and ``"uniform"``
(``sparsenn.linalg._hashing``: every entry its own random bucket, as in the
paper).  The products run over blocks of the virtual matrix: each block is
filled from ``w`` (a compiled loop), multiplied by BLAS and dropped, so memory
stays at one block per worker (``BLOCK_ENTRIES`` values), never the dense
``(n_in, n_out)`` matrix; the gradient of a block is summed into its buckets
in the same pass.
"""

import numpy as np

from .._validation import as_dtype, as_generator, check_choice, check_int, check_real
from ..linalg import _hashing as _h
from ..linalg import _window_hash as _wh
from ..linalg._threads import row_chunks, run_chunks
from ._base import WeightMatrix
from ._hmatrix import _uniform, check_values, initial_variance

__all__ = ["HashedWeights", "BLOCK_ENTRIES"]

# Virtual entries per column block: 2**18 (2 MiB in float64) keeps a block in
# L2/L3 and leaves BLAS blocks wide enough (256 columns at n_in = 1024).
BLOCK_ENTRIES = 1 << 18
_KERNELS = ("auto", "numba", "numpy")
HASHINGS = ("window", "uniform")
DEFAULT_COMPRESSION = 1 / 8


def _n_weights(n_weights, compression, n_in, n_out):
    """Resolve ``K`` from ``n_weights`` or ``compression`` (exactly one given)."""
    n_virtual = n_in * n_out
    if n_weights is not None and compression is not None:
        raise ValueError(
            f"give n_weights or compression, not both; got n_weights={n_weights!r} "
            f"and compression={compression!r}."
        )
    if n_weights is not None:
        high = min(n_virtual, _h.MAX_BUCKETS)
        return check_int(n_weights, "n_weights", low=1, high=high)
    if compression is None:
        compression = DEFAULT_COMPRESSION
    compression = check_real(compression, "compression", low=0.0, high=1.0)
    if compression * n_virtual < 1:
        raise ValueError(
            f"compression={compression!r} leaves fewer than one real weight for a "
            f"{n_in}x{n_out} junction ({compression * n_virtual:.3g}); use "
            f"compression >= 1/(n_in*n_out) = {1 / n_virtual:.3g}, or n_weights."
        )
    return min(int(round(compression * n_virtual)), _h.MAX_BUCKETS)


def _check_dtype(dtype):
    dtype = as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating dtype, got {dtype}.")
    return dtype


class HashedWeights(WeightMatrix):
    """HashedNets weights: ``K`` real weights behind an ``n_in x n_out`` virtual matrix.

    Virtual entry ``(i, j)`` is ``sign(i, j) * w[h(i, j)]``, with ``h`` a
    deterministic hash onto ``[0, K)`` and ``sign`` a sign hash, both salted
    by ``seed`` (give each junction its own seed).  ``params`` is ``w``; the
    gradient sums the virtual gradient ``X.T @ D`` into the buckets.
    ``forward``, ``backward`` and ``grad`` work on blocks of the virtual
    matrix of at most ``BLOCK_ENTRIES`` values and never build the dense
    matrix.  The products cost what a dense product costs
    (``n_mults = n_in * n_out``): hashing saves storage, not arithmetic.

    Parameters
    ----------
    n_in, n_out : int
        Shape of the virtual matrix.
    n_weights : int, optional
        ``K``, the number of real weights, ``1 <= K <= n_in * n_out``.
    compression : float, optional
        ``K / (n_in * n_out)`` instead of ``n_weights`` (``K`` is rounded to the
        nearest integer); default 1/8 when neither is given.
    random_state : int, numpy Generator or RandomState, optional
        Draws the initial ``w``.
    dtype : floating dtype, default=np.float64
    seed : int, default=0
        Salt of the hash, ``0 <= seed < 2**64``: the virtual layout depends on
        it and on the shape only, so it is stored instead of any index array.
    init_var : float, optional
        Variance of the initial virtual entries (default ``2 / (n_in + n_out)``,
        Glorot); ``w`` is uniform with that variance.
    kernel : {"auto", "numba", "numpy"}, default="auto"
        ``"numba"``: compiled block loops (``"auto"`` when numba imports);
        ``"numpy"``: the vectorised reference.
    hashing : {"window", "uniform"}, default="window"
        ``"uniform"``: every virtual entry has its own random bucket and sign
        (Chen et al.'s hash); its blocks are random gathers, ~2 ns per entry,
        run in worker threads with one BLAS thread each.  ``"window"``: the
        row is cut into runs of 256 columns, each reading 256 consecutive
        real weights from a random start, with a sign per run times a fixed
        sign per position: every bucket still receives Poisson(``1 /
        compression``) entries with fair signs, but a block fills at memory
        speed (0.15-0.3 ns per entry) and the products are BLAS's own
        multi-threaded GEMMs; measured against ``"uniform"`` in
        ``docs/baselines.md``.

    Attributes
    ----------
    n_weights : int
        ``K``.
    compression : float
        ``K / (n_in * n_out)``.
    w : ndarray of shape (K,)
        The real weights (``params`` itself).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import HashedWeights
    >>> W = HashedWeights(64, 32, compression=1 / 8, random_state=0, seed=1)
    >>> W.n_params, W.n_mults
    (256, 2048)
    >>> X = np.ones((2, 64))
    >>> np.allclose(W.forward(X), X @ W.to_dense())
    True
    """

    def __init__(
        self,
        n_in,
        n_out,
        n_weights=None,
        compression=None,
        random_state=None,
        dtype=np.float64,
        seed=0,
        *,
        init_var=None,
        kernel="auto",
        hashing="window",
    ):
        self.hashing = check_choice(hashing, "hashing", HASHINGS)
        n_in = check_int(n_in, "n_in", low=1, high=_h.MAX_SIDE)
        n_out = check_int(n_out, "n_out", low=1, high=_h.MAX_SIDE)
        self.shape = (n_in, n_out)
        self.n_weights = _n_weights(n_weights, compression, n_in, n_out)
        self.compression = self.n_weights / (n_in * n_out)
        self.seed = check_int(seed, "seed", low=0, high=(1 << 64) - 1)
        self._salt = _h.salt_of(self.seed)
        self.kernel = self._resolve_kernel(kernel)
        dtype = _check_dtype(dtype)
        var = initial_variance(init_var, n_in, n_out)
        var = check_real(var, "init_var", low=0.0)
        check_values(
            self.n_weights,
            dtype,
            f"HashedWeights(n_in={n_in}, n_out={n_out}, n_weights={self.n_weights})",
        )
        w = _uniform(as_generator(random_state), self.n_weights, var, dtype)
        self._set_params(w)

    @staticmethod
    def _resolve_kernel(kernel):
        check_choice(kernel, "kernel", _KERNELS)
        if kernel == "numba" and not _h.NUMBA_AVAILABLE:
            raise ValueError("kernel='numba' requested but numba cannot be imported.")
        if kernel == "auto":
            return "numba" if _h.NUMBA_AVAILABLE else "numpy"
        return kernel

    def _set_params(self, params):
        self.params = np.ascontiguousarray(params)
        self.w = self.params
        if self.hashing == "window":
            self._tau = _wh.sign_table(self._salt, self.w.dtype)

    @property
    def n_mults(self):
        """Multiplications per sample: ``n_in * n_out`` (the virtual matrix)."""
        return int(self.shape[0] * self.shape[1])

    # ------------------------------------------------------------- blocks
    def _steps(self, axis):
        """Blocks of rows (axis 0) or columns (axis 1) as ``(start, stop)`` ranges.

        Each block has at most ``BLOCK_ENTRIES`` virtual entries.
        """
        length, other = self.shape[axis], self.shape[1 - axis]
        step = max(1, BLOCK_ENTRIES // other)
        return [(a, min(a + step, length)) for a in range(0, length, step)]

    def _groups(self, axis):
        """:meth:`_steps` split between workers, a list of ranges each."""
        blocks = self._steps(axis)
        return [blocks[s] for s in row_chunks(len(blocks), min_rows=1)]

    @staticmethod
    def _view(buf, height, width):
        """Return ``buf``'s first ``height * width`` values as a C-contiguous matrix."""
        return buf[: height * width].reshape(height, width)

    def _fill(self, buf, i0, i1, j0, j1):
        """Virtual block ``[i0:i1, j0:j1]`` in (a C-contiguous view of) ``buf``."""
        out = self._view(buf, i1 - i0, j1 - j0)
        if self.hashing == "window":
            return _wh.fill(self.w, self._tau, self._salt, i0, j0, out,
                            use_numba=self._numba)  # fmt: skip
        return _h.fill_block(self.w, self._salt, i0, j0, out, use_numba=self._numba)

    def _buffer(self, dtype=None):
        """Room for one block (plus one row or column), of ``dtype`` or ``w``'s."""
        return np.empty(
            min(BLOCK_ENTRIES, self.shape[0] * self.shape[1]) + max(self.shape),
            dtype=self.w.dtype if dtype is None else dtype,
        )

    @property
    def _numba(self):
        return self.kernel == "numba"

    # ------------------------------------------------------------ products
    # The uniform hash.  Workers (threads, BLAS at one thread each:
    # sparsenn.linalg._threads) take disjoint blocks: column blocks for
    # forward (each writes its columns of Y), row blocks for backward (its
    # columns of B) and grad (its own bucket accumulator, summed at the end).
    # Backward fills the transposed row block so that its product is a plain
    # GEMM.
    def _forward_uniform(self, X):
        Y = np.empty((X.shape[0], self.shape[1]), dtype=np.result_type(X, self.w))
        n_in = self.shape[0]

        def work(group):
            buf = self._buffer()
            for j0, j1 in group:
                Y[:, j0:j1] = X @ self._fill(buf, 0, n_in, j0, j1)

        run_chunks(work, self._groups(axis=1))
        return Y

    def _backward_uniform(self, D):
        B = np.empty((D.shape[0], self.shape[0]), dtype=np.result_type(D, self.w))
        n_out = self.shape[1]

        def work(group):
            buf = self._buffer()
            for i0, i1 in group:
                block_t = self._view(buf, n_out, i1 - i0)
                _h.fill_block_t(
                    self.w, self._salt, i0, 0, block_t, use_numba=self._numba
                )
                B[:, i0:i1] = D @ block_t

        run_chunks(work, self._groups(axis=0))
        return B

    def _grad_uniform(self, X, D):
        dtype = np.result_type(X, D, self.w)

        def work(group):
            acc = np.zeros(self.n_weights, dtype=dtype)
            for i0, i1 in group:
                G = np.ascontiguousarray(X[:, i0:i1].T @ D)
                _h.scatter_block(G, self._salt, i0, 0, acc, use_numba=self._numba)
            return acc

        parts = run_chunks(work, self._groups(axis=0))
        total = parts[0]
        for part in parts[1:]:
            total += part
        return total

    # The window hash fills a block at memory speed, so the blocks run one
    # after the other in the calling thread and each GEMM uses BLAS's own
    # threads (measured faster than the workers: docs/baselines.md).
    # Forward: column blocks; backward and grad: row blocks, whose products
    # ``D @ block.T`` and ``X[:, rows].T @ D`` are GEMMs with a transposed
    # operand (as fast as a plain one when BLAS runs them).
    def _forward(self, X):
        if self.hashing == "uniform":
            return self._forward_uniform(X)
        n_in, n_out = self.shape
        Y = np.empty((X.shape[0], n_out), dtype=np.result_type(X, self.w))
        buf = self._buffer()
        for j0, j1 in self._steps(axis=1):
            np.matmul(X, self._fill(buf, 0, n_in, j0, j1), out=Y[:, j0:j1])
        return Y

    def _backward(self, D):
        if self.hashing == "uniform":
            return self._backward_uniform(D)
        n_out = self.shape[1]
        B = np.empty((D.shape[0], self.shape[0]), dtype=np.result_type(D, self.w))
        buf = self._buffer()
        for i0, i1 in self._steps(axis=0):
            block = self._fill(buf, i0, i1, 0, n_out)
            np.matmul(D, block.T, out=B[:, i0:i1])
        return B

    def _grad(self, X, D):
        if self.hashing == "uniform":
            return self._grad_uniform(X, D)
        n_out = self.shape[1]
        dtype = np.result_type(X, D, self.w)
        acc = np.zeros(self.n_weights, dtype=dtype)
        tau = self._tau.astype(dtype, copy=False)
        buf = self._buffer(dtype)
        for i0, i1 in self._steps(axis=0):
            G = self._view(buf, i1 - i0, n_out)
            np.matmul(X[:, i0:i1].T, D, out=G)
            _wh.scatter(G, tau, self._salt, i0, 0, acc, use_numba=self._numba)
        return acc

    def __setstate__(self, state):
        """Restore; refuse a pickle whose virtual layout came from another hash."""
        if not isinstance(state.get("_salt"), np.ndarray):
            raise ValueError(
                "this HashedWeights was saved by an earlier development version of "
                "sparsenn, whose 64-bit hash placed the virtual entries differently; "
                "it cannot be loaded to the same predictions. Retrain it."
            )
        # saved before the window hash existed: the uniform hash placed it
        state.setdefault("hashing", "uniform")
        super().__setstate__(state)

    def to_dense(self):
        """Return the virtual matrix (n_in, n_out), built by the numpy hash."""
        n_in, n_out = self.shape
        hash_of = (
            _wh.window_bucket_and_sign
            if self.hashing == "window"
            else _h.bucket_and_sign
        )
        bucket, sign = hash_of(
            np.arange(n_in)[:, None],
            np.arange(n_out)[None, :],
            self._salt,
            self.n_weights,
        )
        return (self.w[bucket] * sign).astype(self.w.dtype, copy=False)

    def __repr__(self):
        n_in, n_out = self.shape
        return (
            f"HashedWeights({n_in}->{n_out}, n_weights={self.n_weights}, "
            f"compression={self.compression:.4g}, seed={self.seed}, "
            f"hashing={self.hashing!r})"
        )
