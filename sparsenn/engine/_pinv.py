"""Closed-form training of the pseudo-inverse networks, as pure functions.

The network is a sparse *lift* (standardise, sparse input weights, bias,
activation), ``n_layers`` offset-tridiagonal layers ``g(H @ A.T + c)`` and a
ridge output ``H @ coef + intercept``.  The estimators in
``sparsenn.neural_network`` only validate, call these and store the result.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.special import logit

from ..linalg import OffsetTridiagonal
from ._activations import ACTIVATIONS

__all__ = [
    "INVERSE_ACTIVATIONS",
    "hidden_activations",
    "random_lift",
    "random_tridiagonal",
    "refit_tridiagonal",
    "ridge_output",
    "solve_ridge",
    "standardisation",
    "tridiagonal_layer",
    "weighted_accuracy",
]

#: inverse activation and the open range its argument is clipped to
INVERSE_ACTIVATIONS = {
    "tanh": (np.arctanh, (-0.995, 0.995)),
    "logistic": (logit, (0.0025, 0.9975)),
    "relu": (lambda H: H, (0.0, np.inf)),
}


def standardisation(X, sw, block=4096):
    """Return the weighted ``(mean, scale)`` of the columns of ``X``.

    Constant columns get scale 1, so standardising never divides by zero.
    Each column is summed divided by the power of two nearest its largest
    magnitude (an exact rescaling), so the squares of values near the float
    range (1e200 in float64) do not overflow.  The moments are accumulated over
    blocks of ``block`` rows, so the temporaries (the rescaled rows and their
    float64 deviations) take a block, not a copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> mean, scale = standardisation(np.array([[0.0, 1], [2, 1]]), np.ones(2))
    >>> mean.tolist(), scale.tolist()
    ([1.0, 1.0], [1.0, 1.0])
    """
    total = sw.sum()
    blocks = [slice(s, s + block) for s in range(0, X.shape[0], block)]
    peak = np.zeros(X.shape[1], X.dtype)
    for rows in blocks:
        np.maximum(peak, np.abs(X[rows]).max(axis=0, initial=0.0), out=peak)
    _, exponent = np.frexp(peak)
    sum_z = np.zeros(X.shape[1])
    for rows in blocks:
        sum_z = sum_z + sw[rows] @ np.ldexp(X[rows], -exponent)
    mean_z = sum_z / total
    mean = np.ldexp(mean_z, exponent)
    sum_sq = np.zeros(X.shape[1])
    for rows in blocks:
        sum_sq = sum_sq + sw[rows] @ (np.ldexp(X[rows], -exponent) - mean_z) ** 2
    scale = np.ldexp(np.sqrt(sum_sq / total), exponent)
    scale[scale < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean, scale


def random_lift(n_features, n_hidden, input_density, rng, dtype):
    """Draw the sparse lift: each hidden unit sees ``input_density`` of the inputs.

    Returns
    -------
    W : scipy.sparse.csr_array of shape (n_features, n_hidden)
    b : ndarray of shape (n_hidden,)
    """
    fan_in = max(1, int(round(input_density * n_features)))
    rows = rng.random((n_hidden, n_features)).argsort(axis=1)[:, :fan_in]
    values = rng.standard_normal((n_hidden, fan_in)) / np.sqrt(fan_in)
    cols = np.repeat(np.arange(n_hidden), fan_in)
    W = sp.csr_array(
        (values.ravel().astype(dtype), (rows.ravel(), cols)),
        shape=(n_features, n_hidden),
    )
    W.sort_indices()
    return W, (0.5 * rng.standard_normal(n_hidden)).astype(dtype)


def random_tridiagonal(n, p, q, density, rng, dtype):
    """Draw one well-conditioned offset-tridiagonal layer and its bias.

    The diagonal dominates each row (random sign), the off-diagonals keep
    ``density`` of their entries, and the whole is scaled to unit mean square.

    Returns
    -------
    A : OffsetTridiagonal of order n
    c : ndarray of shape (n,)
    """
    sub = rng.standard_normal(n - p) * (rng.random(n - p) < density)
    sup = rng.standard_normal(n - q) * (rng.random(n - q) < density)
    row = np.full(n, 0.5)
    row[p:] += np.abs(sub)
    row[: n - q] += np.abs(sup)
    diag = np.where(rng.random(n) < 0.5, -row, row)
    scale = 1.0 / np.sqrt(np.mean(diag**2) + np.mean(sub**2) + np.mean(sup**2))
    A = OffsetTridiagonal(
        (scale * diag).astype(dtype),
        (scale * sub).astype(dtype),
        (scale * sup).astype(dtype),
        p=p,
        q=q,
    )
    return A, (0.5 * rng.standard_normal(n)).astype(dtype)


def tridiagonal_layer(H, A, c, activation):
    """Return ``g(H @ A.T + c)``: O(n) per sample.

    Parameters
    ----------
    H : ndarray of shape (n_samples, n)
    A : OffsetTridiagonal of order n
    c : ndarray of shape (n,)
    activation : str
    """
    return ACTIVATIONS[activation](A.matvec(H.T).T + c)


def hidden_activations(X, lift, layers, activation):
    """Return the activations of the lift and of every layer, lift first.

    The engine's forward pass (:func:`sparsenn.engine.forward` with
    ``output=None``) over the densified lift and one
    :class:`~sparsenn.layers.TridiagonalWeights` per layer.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    lift : tuple
        ``(mean, scale, W_dense, b)``: standardisation and densified lift (a
        dense product of the masked matrix measured faster than SciPy's).
    layers : list of (OffsetTridiagonal, ndarray)
    activation : str

    Returns
    -------
    list of ndarray of shape (n_samples, n_hidden)
    """
    from ..layers import DenseWeights, TridiagonalWeights
    from ._network import forward

    mean, scale, W, b = lift
    Xs = ((X - mean) / scale).astype(X.dtype, copy=False)
    weights = [DenseWeights(W)] + [TridiagonalWeights(A) for A, _ in layers]
    biases = [b] + [c for _, c in layers]
    return forward(weights, biases, Xs, activation, output=None)[1:]


def ridge_output(chunks, T, sw, alpha, n_hidden):
    """Solve the weighted ridge of ``T`` on ``[H, 1]``, accumulated chunk by chunk.

    Parameters
    ----------
    chunks : iterable of (slice, ndarray of shape (rows, n_hidden))
        The hidden activations of each chunk of rows.
    T : ndarray of shape (n_samples, n_targets)
    sw : ndarray of shape (n_samples,)
    alpha : float
    n_hidden : int

    Returns
    -------
    coef : ndarray of shape (n_hidden, n_targets)
    intercept : ndarray of shape (n_targets,)
    """
    G = np.zeros((n_hidden + 1, n_hidden + 1))
    R = np.zeros((n_hidden + 1, T.shape[1]))
    unit = bool(np.all(sw == 1.0))
    for rows, Hc in chunks:
        Z = np.hstack([Hc, np.ones((Hc.shape[0], 1), Hc.dtype)])
        Zw = Z if unit else Z * np.sqrt(sw[rows], dtype=Z.dtype)[:, None]
        G += Zw.T @ Zw
        R += Z.T @ (sw[rows, None] * T[rows]).astype(Z.dtype)
    return solve_ridge(G, R, alpha)


def refit_tridiagonal(A, H, z, sw):
    """Refit ``z ~ A h + c`` row by row on A's pattern (weighted least squares).

    Returns
    -------
    (OffsetTridiagonal, ndarray) or None
        The new layer and bias, or None when the refit is not safely
        invertible (``rcond < 1e-8``).
    """
    n, p, q = A.n, A.p, A.q
    F = np.zeros(H.shape + (4,))
    F[:, :, 0] = H
    F[:, p:, 1] = H[:, : n - p] * (A.sub != 0)
    F[:, : n - q, 2] = H[:, q:] * (A.sup != 0)
    F[:, :, 3] = 1.0
    Fw = F * sw[:, None, None]
    gram = np.einsum("sia,sib->iab", Fw, F) + 1e-6 * sw.sum() * np.eye(4)
    rhs = np.einsum("sia,si->ia", Fw, z)
    coef = np.linalg.solve(gram, rhs[..., None])[..., 0]
    new = OffsetTridiagonal(
        coef[:, 0].astype(A.dtype),
        coef[p:, 1].astype(A.dtype),
        coef[: n - q, 2].astype(A.dtype),
        p=p,
        q=q,
    )
    return (new, coef[:, 3]) if new.rcond() > 1e-8 else None


def weighted_accuracy(H, coef, intercept, codes, sw):
    """Return the weighted accuracy of the ridge scores ``H @ coef + intercept``.

    Examples
    --------
    >>> import numpy as np
    >>> H = np.eye(2)
    >>> weighted_accuracy(H, np.eye(2), np.zeros(2), np.array([0, 0]), np.ones(2))
    0.5
    """
    predicted = np.argmax(H @ coef + intercept, axis=1)
    return float(np.sum(sw * (predicted == codes)) / np.sum(sw))


def solve_ridge(G, R, alpha):
    """Solve ``(G + alpha * diag(1, ..., 1, 0)) B = R``; split off the intercept.

    ``alpha == 0`` (or a numerically singular system) uses the minimum-norm
    least-squares solution of these normal equations (SVD), i.e. the
    pseudo-inverse solution.

    Returns
    -------
    coef : ndarray of shape (n, k)
    intercept : ndarray of shape (k,)
    """
    n = G.shape[0] - 1
    M = G.copy()
    M[np.arange(n), np.arange(n)] += alpha
    B = None
    if alpha > 0:
        try:
            B = cho_solve(cho_factor(M), R)
        except LinAlgError:
            B = None
    if B is None:
        B = np.linalg.lstsq(M, R, rcond=None)[0]
    return B[:n], B[n]
