"""Hierarchical (H-) matrices with low-rank blocks stored as stacked factors.

An ``HMatrix`` of shape ``(n_in, n_out)`` plays the role of a weight matrix
``W`` with ``Y = X @ W``.  Rows (inputs) and columns (outputs) are bisected into
contiguous clusters ``n_levels`` times; admissible blocks are stored as factor
pairs ``W_b = U_b V_b`` and the remaining leaf blocks as dense matrices.  All
blocks of a :class:`~sparsenn.linalg.hmatrix._cluster.BlockGroup` have the same shape,
so products run as a few batched ``np.matmul`` calls (structured-layers.md
§1.5), never as a Python loop over blocks.

Per group, ``factors`` holds views ``U (count, m_l, k)`` and
``V (count, k, n_l)`` of the low-rank blocks, or ``D (count, m_L, n_L)`` of
the dense leaves.  With weak admissibility (HODLR) the storage is leaf-major
(see ``_hmatrix_kernels``) so that a whole product is two large GEMMs.

Both index sets are zero-padded to a multiple of ``2**n_levels``.  Factor
entries that touch padding are kept at zero; they never influence a product
and always have a zero gradient.
"""

import numpy as np

from ..._memory import check_allocation
from ..._validation import as_dtype
from ..._warnings import warn
from ._cluster import block_groups, padded_size
from ._layout import (
    _check_structure,
    _fused_views,
    _grouped_views,
    _level_ranks,
)
from ._products import HMatrixProducts

__all__ = ["HMatrix"]


class HMatrix(HMatrixProducts):
    """Hierarchical matrix of shape ``(n_in, n_out)`` with batched products.

    Parameters
    ----------
    n_in, n_out : int
        Shape; ``X @ H`` maps ``X`` of shape (n_samples, n_in) to
        (n_samples, n_out).
    rank : int or sequence of int, default=8
        Rank of the admissible blocks, uniform or one per level ``1..n_levels``.
        A rank above a block's size is lowered to that size with a warning.
        Anything else (a float, a string) is a ``TypeError``; a rank below 1
        or a sequence of the wrong length a ``ValueError``.
    leaf_size : int, default=64
        Bisect until the clusters of the smaller side have at most this many
        indices.  Ignored when ``n_levels`` is given.
    n_levels : int, optional
        Depth of both cluster trees (``2**n_levels`` leaf clusters per side).
    admissibility : {"weak", "standard"}, default="weak"
        ``"weak"`` gives HODLR: every off-diagonal block is low rank and the
        diagonal leaves are dense.  ``"standard"`` makes a block low rank when
        ``min(diam) <= eta * dist`` (clusters mapped to ``[0, 1)``), which keeps
        a dense band of leaves around the diagonal.
    eta : float, default=1.0
        Parameter of standard admissibility.
    data : ndarray of shape (n_params,), optional
        Flat storage of every factor, used without copying (the factor arrays
        are views into it).  Zeros when omitted.
    dtype : dtype, default=np.float64
        Dtype of ``data`` when it is omitted.

    Attributes
    ----------
    data : ndarray of shape (n_params,)
        All factors and dense leaves.
    groups : list of BlockGroup
        The block groups (level, offset, row clusters, low rank or dense).
    factors : list of tuple of ndarray
        Per group, views ``(U, V)`` of shapes (count, m_l, k) and
        (count, k, n_l), or ``(D,)`` of shape (count, m_L, n_L); block ``t`` of
        the group is ``U[t] @ V[t]`` (or ``D[t]``).
    ranks : tuple of int
        Rank used at each level ``1..n_levels`` (after capping).
    n_levels : int
        Depth of the cluster trees.
    approximation_error : float or None
        Set by :meth:`from_dense`: ``||W - H||_F / ||W||_F``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.linalg import HMatrix
    >>> W = np.random.default_rng(0).standard_normal((64, 32))
    >>> H = HMatrix.from_dense(W, rank=4, leaf_size=8)
    >>> H.shape, H.n_levels, H.n_params < W.size
    ((64, 32), 2, True)
    >>> X = np.ones((5, 64))
    >>> np.allclose(X @ H, X @ H.to_dense())
    True
    >>> bool(HMatrix.from_dense(W, rank=32, leaf_size=8).approximation_error < 1e-12)
    True
    """

    __array_ufunc__ = None  # make ``ndarray @ HMatrix`` call __rmatmul__

    def __init__(
        self,
        n_in,
        n_out,
        *,
        rank=8,
        leaf_size=64,
        n_levels=None,
        admissibility="weak",
        eta=1.0,
        data=None,
        dtype=np.float64,
    ):
        n_in, n_out, n_levels = _check_structure(
            n_in, n_out, leaf_size, n_levels, admissibility, eta
        )
        self.shape = (n_in, n_out)
        self.n_levels = n_levels
        self.admissibility = admissibility
        self.eta = eta
        self.leaf_size = leaf_size
        self._pad = (padded_size(n_in, n_levels), padded_size(n_out, n_levels))
        self.ranks = self._capped_ranks(_level_ranks(rank, n_levels))
        self.groups = block_groups(n_levels, admissibility, eta)
        self._fused = admissibility == "weak"
        self._offsets = np.concatenate([[0], np.cumsum(self.ranks)]).astype(int)
        self._shapes = [self._group_shape(g) for g in self.groups]
        if data is None:
            dtype = as_dtype(dtype)
            check_allocation(
                self._size() * dtype.itemsize,
                f"HMatrix(n_in={n_in}, n_out={n_out}, rank={rank}) with "
                f"{self._size():,} stored values",
            )
            data = np.zeros(self._size(), dtype=dtype)
        self.approximation_error = None
        self._set_data(data)

    # ----------------------------------------------------------------- layout
    def _block_size(self, level):
        c = 2**level
        return self._pad[0] // c, self._pad[1] // c

    def _capped_ranks(self, ranks):
        capped, messages = [], []
        for level, k in enumerate(ranks, start=1):
            cap = min(self._block_size(level))
            capped.append(min(k, cap))
            if k > cap:
                messages.append(f"level {level}: rank {k} -> {cap}")
        if messages:
            warn(
                "rank exceeds the block size; using the block size ("
                + "; ".join(messages)
                + ")."
            )
        return tuple(capped)

    def _group_shape(self, group):
        m_l, n_l = self._block_size(group.level)
        return m_l, n_l, (self.ranks[group.level - 1] if group.lowrank else 0)

    def _size(self):
        return sum(
            g.count * (m * n if not g.lowrank else k * (m + n))
            for g, (m, n, k) in zip(self.groups, self._shapes, strict=True)
        )

    def _set_data(self, data):
        data = np.asarray(data)
        size = self._size()
        if data.ndim != 1 or data.size != size or not data.flags.c_contiguous:
            raise ValueError(
                f"data must be a contiguous 1-D array of length {size}, got "
                f"shape {data.shape}."
            )
        if not np.issubdtype(data.dtype, np.floating):
            raise TypeError(f"data must be floating point, got dtype {data.dtype}.")
        self.data = data
        if self._fused:
            self._arrays, self.factors = _fused_views(
                data, self.groups, self._shapes, self._pad, self.ranks
            )
        else:
            self._arrays, self.factors = _grouped_views(data, self.groups, self._shapes)

    @property
    def dtype(self):
        """Dtype of the stored factors."""
        return self.data.dtype

    @property
    def n_params(self):
        """Number of stored values (factors and dense leaves, padding included)."""
        return int(self.data.size)

    def _block_index(self, group):
        rows = group.start + group.step * np.arange(group.count)
        return rows, rows + group.offset

    def _zero_padding(self):
        """Set every factor entry that touches a padded index to zero."""
        for group, views in zip(self.groups, self.factors, strict=True):
            m_l, n_l = self._block_size(group.level)
            rows, cols = self._block_index(group)
            row_pad = rows[:, None] * m_l + np.arange(m_l) >= self.shape[0]
            col_pad = cols[:, None] * n_l + np.arange(n_l) >= self.shape[1]
            first, last = views[0], views[-1]
            first[np.broadcast_to(row_pad[:, :, None], first.shape)] = 0
            last[np.broadcast_to(col_pad[:, None, :], last.shape)] = 0

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_arrays", None)  # views of data, rebuilt on unpickling
        state.pop("factors", None)
        return state

    def __setstate__(self, state):
        """Restore, then rebuild the factor views into ``data``.

        A pickle (or joblib) would otherwise give back the views as separate
        copies, and training ``data`` would no longer change the products.
        """
        self.__dict__.update(state)
        data = self.data if self.data.flags.writeable else np.array(self.data)
        self._set_data(data)

    # ------------------------------------------------------------ conversions
    def like(self, data):
        """Return an HMatrix with this structure whose storage is ``data`` (no copy)."""
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        other.approximation_error = None
        other._set_data(data)
        return other

    def copy(self):
        """Deep copy."""
        other = self.like(self.data.copy())
        other.approximation_error = self.approximation_error
        return other

    def astype(self, dtype):
        """Copy with factors of ``dtype``."""
        return self.like(self.data.astype(dtype))

    def to_dense(self):
        """Dense matrix of shape (n_in, n_out)."""
        W = np.zeros(self._pad, dtype=self.dtype)
        for group, views in zip(self.groups, self.factors, strict=True):
            c = 2**group.level
            m_l, n_l = self._block_size(group.level)
            rows, cols = self._block_index(group)
            blocks = views[0] @ views[1] if group.lowrank else views[0]
            W.reshape(c, m_l, c, n_l)[rows, :, cols, :] = blocks
        return W[: self.shape[0], : self.shape[1]].copy()

    def aslinearoperator(self):
        """``scipy.sparse.linalg.LinearOperator`` view of shape (n_in, n_out)."""
        from scipy.sparse.linalg import LinearOperator

        return LinearOperator(
            self.shape,
            matvec=self.matvec,
            rmatvec=self.rmatvec,
            matmat=self.matmat,
            rmatmat=self.rmatmat,
            dtype=self.dtype,
        )

    @classmethod
    def from_dense(
        cls,
        W,
        rank=8,
        *,
        leaf_size=64,
        n_levels=None,
        admissibility="weak",
        eta=1.0,
        dtype=None,
    ):
        """Approximate ``W`` by truncated SVD of every admissible block.

        Each block keeps its ``min(rank, block size)`` leading singular pairs,
        split evenly as ``U_b = u sqrt(s)``, ``V_b = sqrt(s) v.T``; dense leaves
        are copied.  So a rank at least as large as every block reproduces
        ``W`` exactly.  ``approximation_error`` holds ``||W - H||_F / ||W||_F``.

        Parameters
        ----------
        W : array-like of shape (n_in, n_out)
        rank, leaf_size, n_levels, admissibility, eta
            As in :class:`HMatrix`.
        dtype : dtype, optional
            Default: ``W``'s floating dtype (float64 for integer input).

        Returns
        -------
        H : HMatrix
        """
        W = np.asarray(W)
        if W.ndim != 2:
            raise ValueError(f"W must be 2-D, got shape {W.shape}.")
        if not (np.issubdtype(W.dtype, np.number) and np.isfinite(W).all()):
            raise ValueError(
                "W must be a finite numeric matrix; it contains NaN or infinite "
                "entries (or is not numeric), which a truncated SVD cannot "
                "approximate."
            )
        if dtype is None:
            dtype = W.dtype if np.issubdtype(W.dtype, np.floating) else np.float64
        n_in, n_out, n_levels = _check_structure(
            *W.shape, leaf_size, n_levels, admissibility, eta
        )
        pad = (padded_size(n_in, n_levels), padded_size(n_out, n_levels))
        ranks = [
            min(r, pad[0] >> lvl, pad[1] >> lvl)
            for lvl, r in enumerate(_level_ranks(rank, n_levels), start=1)
        ]
        H = cls(
            n_in, n_out, rank=ranks, n_levels=n_levels, leaf_size=leaf_size,
            admissibility=admissibility, eta=eta, dtype=dtype,
        )  # fmt: skip
        Wp = np.zeros(pad, dtype=np.result_type(W.dtype, np.float64))
        Wp[:n_in, :n_out] = W
        for group, views in zip(H.groups, H.factors, strict=True):
            c = 2**group.level
            rows, cols = H._block_index(group)
            blocks = Wp.reshape(c, pad[0] // c, c, pad[1] // c)[rows, :, cols, :]
            if not group.lowrank:
                views[0][...] = blocks
                continue
            k = views[0].shape[2]
            u, s, vt = _block_svd(blocks, group.level)
            root = np.sqrt(s[:, :k])
            views[0][...] = u[:, :, :k] * root[:, None, :]
            views[1][...] = root[:, :, None] * vt[:, :k, :]
        H._zero_padding()
        # both norms of W and of the error divided by a power of two near
        # max|W| (their ratio is exact): squares near the float range overflow
        _, exponent = np.frexp(np.abs(W).max(initial=0.0))
        norm = np.linalg.norm(np.ldexp(W, -exponent, dtype=np.float64))
        error = np.subtract(W, H.to_dense(), dtype=np.float64)
        err = np.linalg.norm(np.ldexp(error, -exponent))
        H.approximation_error = float(err / norm) if norm > 0 else float(err)
        return H

    def __repr__(self):
        n_in, n_out = self.shape
        return (
            f"HMatrix({n_in}->{n_out}, n_levels={self.n_levels}, "
            f"ranks={list(self.ranks)}, admissibility={self.admissibility!r}, "
            f"n_params={self.n_params})"
        )


def _block_svd(blocks, level):
    """Batched SVD of the blocks of one level, with a message that names them."""
    try:
        return np.linalg.svd(blocks, full_matrices=False)
    except np.linalg.LinAlgError as exc:
        raise np.linalg.LinAlgError(
            f"HMatrix.from_dense: the SVD of the level-{level} blocks (shape "
            f"{blocks.shape[1:]}) did not converge; W may be badly scaled "
            "(rescale it) or use a smaller leaf_size."
        ) from exc
