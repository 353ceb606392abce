"""Block-circulant weights multiplied by FFT (Cheng et al., ICCV 2015).

A circulant ``p x p`` block is one vector ``c`` of ``p`` numbers,
``C[i, j] = c[(j - i) mod p]``, so ``x @ C`` is the circular convolution of
``x`` and ``c``: ``irfft(rfft(x) * rfft(c))``, ``O(p log p)`` per block
instead of ``O(p^2)`` (structured-layers.md §4.4).  A rectangular junction
is a grid of ``(n_in / p) x (n_out / p)`` such blocks (stacked circulants);
``p = n_in = n_out`` is one circulant.  This is a weight *type* (dense-looking
``W`` with ``n_in * n_out / p`` free values, products by FFT), not the
circulant connection *pattern* of ``sparsenn.connectivity`` (which picks which
entries are non-zero).
"""

import math

import numpy as np
from scipy import fft as _fft

from .._validation import as_dtype, as_generator, check_bool, check_int, check_real
from ._base import WeightMatrix
from ._hmatrix import _uniform, check_values, initial_variance

__all__ = ["CirculantWeights"]


def _block_size(block_size, n_in, n_out):
    """Resolve ``p``: it must divide both sizes; default ``gcd(n_in, n_out)``."""
    g = math.gcd(n_in, n_out)
    if block_size is None:
        if g == 1 and n_in * n_out > 1:
            raise ValueError(
                f"CirculantWeights cannot serve a {n_in}x{n_out} junction: n_in and "
                f"n_out have no common block_size > 1 (gcd(n_in, n_out) = 1); choose "
                f"sizes with a common divisor (e.g. a multiple of the other)."
            )
        return g
    p = check_int(block_size, "block_size", low=1)
    if g % p:
        raise ValueError(
            f"block_size={p} must divide both n_in={n_in} and n_out={n_out}; "
            f"allowed: the divisors of gcd(n_in, n_out) = {g}."
        )
    return p


class CirculantWeights(WeightMatrix):
    """Weights made of ``p x p`` circulant blocks, multiplied by FFT.

    Block ``(a, b)`` (rows ``a p : (a+1) p``, columns ``b p : (b+1) p``) is
    ``C_ab[i, j] = c_ab[(j - i) mod p]``; with ``signs=True`` the rows of ``W``
    are also multiplied by fixed random signs (``W = diag(s) C``, Cheng et
    al.'s ``D``, which decorrelates the shifted copies).  ``params`` holds the
    first rows ``c_ab`` (``n_in * n_out / p`` values).  Products go through
    ``scipy.fft.rfft/irfft`` and a per-frequency complex product across blocks:
    ``O(n_samples (n_in + n_out) log p + n_samples n_in n_out / p)``.

    Parameters
    ----------
    n_in, n_out : int
    block_size : int, optional
        ``p``; must divide both ``n_in`` and ``n_out``.  Default:
        ``gcd(n_in, n_out)`` (one circulant for a square junction); sizes
        without a common divisor > 1 raise.
    signs : bool, default=True
        Multiply the input by fixed random signs (``diag(s)``).
    init_var : float, optional
        Variance of the initial entries (default ``2 / (n_in + n_out)``).
    random_state : int, numpy Generator or RandomState, optional
        Draws the initial ``c`` and the signs.
    dtype : floating dtype, default=np.float64

    Attributes
    ----------
    block_size : int
        ``p``.
    c : ndarray of shape (n_in / p, n_out / p, p)
        View of ``params``: the first row of each block.
    signs_ : ndarray of shape (n_in,)
        The fixed signs (ones when ``signs=False``), not trainable.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import CirculantWeights
    >>> W = CirculantWeights(8, 16, random_state=0)
    >>> W.block_size, W.n_params
    (8, 16)
    >>> X = np.ones((3, 8))
    >>> np.allclose(W.forward(X), X @ W.to_dense())
    True
    """

    def __init__(
        self,
        n_in,
        n_out,
        *,
        block_size=None,
        signs=True,
        init_var=None,
        random_state=None,
        dtype=np.float64,
    ):
        n_in, n_out = check_int(n_in, "n_in", low=1), check_int(n_out, "n_out", low=1)
        signs = check_bool(signs, "signs")
        dtype = as_dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a floating dtype, got {dtype}.")
        self.shape = (n_in, n_out)
        self.block_size = p = _block_size(block_size, n_in, n_out)
        self._grid = (n_in // p, n_out // p)
        rng = as_generator(random_state)
        var = initial_variance(init_var, n_in, n_out)
        var = check_real(var, "init_var", low=0.0)
        check_values(
            n_in * n_out // p + n_in,
            dtype,
            f"CirculantWeights(n_in={n_in}, n_out={n_out}, block_size={p})",
        )
        values = _uniform(rng, n_in * n_out // p, var, dtype)
        s = rng.choice(np.array([-1.0, 1.0]), n_in) if signs else np.ones(n_in)
        self.signs_ = s.astype(dtype)
        self._set_params(values)

    def _set_params(self, params):
        self.params = np.ascontiguousarray(params)
        self.c = self.params.reshape(*self._grid, self.block_size)
        self.signs_ = self.signs_.astype(self.params.dtype, copy=False)

    @property
    def n_mults(self):
        """Real multiplications per sample (estimate of the FFT algorithm).

        ``4 r q (p // 2 + 1)`` for the complex products of the ``r x q`` blocks,
        plus ``2 p log2 p`` per forward FFT (``r`` of them) and inverse FFT
        (``q``), plus ``n_in`` sign flips counted as free.
        """
        (r, q), p = self._grid, self.block_size
        ffts = 2 * (r + q) * p * max(1, math.ceil(math.log2(p))) if p > 1 else 0
        return int(4 * r * q * (p // 2 + 1) + ffts)

    # ------------------------------------------------------------ products
    def _spectra(self, A, n_blocks):
        """Return ``rfft`` of the ``p``-long pieces of ``A``: (f, n_samples, blocks)."""
        p = self.block_size
        F = _fft.rfft(A.reshape(A.shape[0], n_blocks, p), axis=2)
        return F.transpose(2, 0, 1)

    def _back(self, F, width):
        """Invert :meth:`_spectra`: (f, n_samples, blocks) -> (n_samples, width)."""
        out = _fft.irfft(F.transpose(1, 2, 0), n=self.block_size, axis=2)
        return out.reshape(out.shape[0], width)

    def _weight_spectra(self):
        return _fft.rfft(self.c, axis=2).transpose(2, 0, 1)  # (f, r, q)

    def _forward(self, X):
        r, q = self._grid
        Z = np.asarray(X * self.signs_, dtype=np.result_type(X, self.params))
        Y = self._back(self._spectra(Z, r) @ self._weight_spectra(), self.shape[1])
        return Y

    def _backward(self, D):
        r, q = self._grid
        D = np.asarray(D, dtype=np.result_type(D, self.params))
        Ct = np.conj(self._weight_spectra()).transpose(0, 2, 1)  # (f, q, r)
        return self._back(self._spectra(D, q) @ Ct, self.shape[0]) * self.signs_

    def _grad(self, X, D):
        # dL/dc_ab[k] = sum_n sum_j D_b[n, j] Z_a[n, (j - k) mod p]: a circular
        # cross-correlation, conj(Z^) D^ per frequency summed over samples.
        r, q = self._grid
        dtype = np.result_type(X, D, self.params)
        Zf = self._spectra(np.asarray(X * self.signs_, dtype=dtype), r)  # (f, n, r)
        Df = self._spectra(np.asarray(D, dtype=dtype), q)  # (f, n, q)
        G = np.conj(Zf).transpose(0, 2, 1) @ Df  # (f, r, q)
        g = _fft.irfft(G.transpose(1, 2, 0), n=self.block_size, axis=2)
        return g.ravel()

    def to_dense(self):
        """Return the dense ``(n_in, n_out)`` matrix, built entry by entry."""
        (r, q), p = self._grid, self.block_size
        i, j = np.arange(p)[:, None], np.arange(p)[None, :]
        shift = (j - i) % p  # (p, p)
        blocks = self.c[:, :, shift]  # (r, q, p, p)
        W = blocks.transpose(0, 2, 1, 3).reshape(r * p, q * p)
        return W * self.signs_[:, None]

    def __repr__(self):
        n_in, n_out = self.shape
        return (
            f"CirculantWeights({n_in}->{n_out}, block_size={self.block_size}, "
            f"n_params={self.n_params})"
        )
