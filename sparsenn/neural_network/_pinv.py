"""``PseudoInverseSparseClassifier``: gradient-free training.

Offset-tridiagonal hidden layers and ridge / pseudo-inverse output weights.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from .._memory import check_allocation
from ..engine._activations import ACTIVATIONS as _ENGINE_ACTIVATIONS
from ..engine._pinv_solvers import INVERSE_ACTIVATIONS, solve_ridge, weighted_accuracy
from ..linalg import OffsetTridiagonal

__all__ = ["PseudoInverseSparseClassifier"]

#: the hidden activations this estimator supports (those with an inverse), as the
#: training engine's in-place functions
ACTIVATIONS = {name: _ENGINE_ACTIVATIONS[name] for name in INVERSE_ACTIVATIONS}


class PseudoInverseSparseClassifier(ClassifierMixin, BaseEstimator):
    """Gradient-free classifier with offset-tridiagonal hidden layers.

    An extreme-learning-machine-style network trained in closed form:

    1. the standardised input goes through a fixed random **sparse lift** to
       ``n_hidden`` units (each unit sees ``input_density`` of the features);
    2. ``n_layers`` square **offset-tridiagonal** layers ``h <- g(A h + c)``
       follow, with ``A`` of order ``n_hidden`` (main diagonal, sub-diagonal at
       ``-p``, super-diagonal at ``+q``; a fraction ``1 - density`` of the
       off-diagonal entries pruned).  Each ``A`` is drawn strictly diagonally
       dominant, so it is invertible; ``hidden_logdets_`` certifies it;
    3. the output weights solve a weighted **ridge** problem on the last hidden
       layer (``alpha = 0``: the minimum-norm pseudo-inverse solution).

    Optionally, ``refine_iter`` sweeps back-project the output residual into
    hidden targets through the structured inverses ``A^{-1}`` (O(n) per sample)
    and refit every ``A`` row by row on its pattern (experimental).

    Parameters
    ----------
    n_hidden : int, default=500
        Width of the lift and of every structured layer.  More units raise
        accuracy and fit cost (O(N n^2) for the output solve).
    n_layers : int, default=1
        Number of square offset-tridiagonal layers after the lift (0 gives a
        plain sparse extreme learning machine).  Each adds O(N n) work.
    offsets : tuple of two int, default=(2, 2)
        ``(p, q)``: sub-diagonal at ``-p``, super-diagonal at ``+q``; unit ``i``
        reads units ``i - p``, ``i`` and ``i + q``.  ``p == q`` is the fast O(n)
        path of :class:`~sparsenn.linalg.OffsetTridiagonal`.
    density : float in (0, 1], default=1.0
        Fraction of off-diagonal connections kept in the structured layers.
    input_density : float in (0, 1], default=0.25
        Fraction of the input features each hidden unit of the lift reads
        (random, fixed in-degree).  Lower is sparser and more regularising.
    activation : {"tanh", "logistic", "relu"}, default="tanh"
        Hidden activation.
    alpha : float >= 0, default=1.0
        Ridge penalty on the output weights (not on the intercept).  ``0``
        gives the minimum-norm least-squares (pseudo-inverse) solution, which
        overfits when ``n_hidden`` approaches the number of samples.
    refine_iter : int, default=0
        Inverse-based refinement sweeps (experimental; keeps all hidden
        activations of the training set in memory).  A sweep that lowers
        the weighted training accuracy is undone.
    chunk_size : int, default=4096
        Rows processed at once; bounds memory (``chunk_size * n_hidden``
        floats), not the result.
    random_state : int, RandomState instance or None, default=None
        Seeds the lift, the structured layers and their pruning masks.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    mean_, scale_ : ndarray of shape (n_features,)
        Weighted standardisation of the input.
    input_weights_ : scipy.sparse.csr_array of shape (n_features, n_hidden)
        The sparse random lift.
    input_bias_ : ndarray of shape (n_hidden,)
    hidden_layers_ : list of OffsetTridiagonal
        The structured layers ``A_l`` (``h_l = g(A_l h_{l-1} + c_l)``).
    hidden_biases_ : list of ndarray of shape (n_hidden,)
    hidden_logdets_ : ndarray of shape (n_layers,)
        ``log|det A_l|`` (finite: every layer is invertible).
    coef_ : ndarray of shape (n_hidden, n_classes)
        Output weights.
    intercept_ : ndarray of shape (n_classes,)

    Notes
    -----
    ``predict_proba`` is the softmax of the per-class ridge scores (targets
    coded -1/+1); it is consistent with ``predict`` but not calibrated (use
    :class:`sklearn.calibration.CalibratedClassifierCV` for calibrated values).
    The lift is applied as a dense product of the masked matrix: measured
    faster than a SciPy sparse product down to 2 % density on this machine.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sparsenn import PseudoInverseSparseClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    >>> clf = PseudoInverseSparseClassifier(random_state=0).fit(Xtr, ytr)
    >>> bool(clf.score(Xte, yte) > 0.95)
    True
    """

    _parameter_constraints = {
        "n_hidden": [Interval(Integral, 2, None, closed="left")],
        "n_layers": [Interval(Integral, 0, None, closed="left")],
        "offsets": [tuple, list],
        "density": [Interval(Real, 0, 1, closed="right")],
        "input_density": [Interval(Real, 0, 1, closed="right")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "refine_iter": [Interval(Integral, 0, None, closed="left")],
        "chunk_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_hidden=500,
        n_layers=1,
        offsets=(2, 2),
        density=1.0,
        input_density=0.25,
        activation="tanh",
        alpha=1.0,
        refine_iter=0,
        chunk_size=4096,
        random_state=None,
    ):
        self.n_hidden = n_hidden
        self.n_layers = n_layers
        self.offsets = offsets
        self.density = density
        self.input_density = input_density
        self.activation = activation
        self.alpha = alpha
        self.refine_iter = refine_iter
        self.chunk_size = chunk_size
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Fit the lift, the structured layers and the output weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 input is processed in float32.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the standardisation and of the ridge loss (weight 2 is
            the same as repeating a sample).

        Returns
        -------
        self : PseudoInverseSparseClassifier
        """
        self._validate_params()
        p, q = self._check_offsets()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        sw = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        self.classes_, codes = np.unique(y, return_inverse=True)
        self._check_memory(X.shape[1], len(self.classes_))
        rng = check_random_state(self.random_state)
        self._standardise(X, sw)
        self._init_lift(X.shape[1], rng, X.dtype)
        self._init_layers(p, q, rng, X.dtype)
        T = np.full((X.shape[0], self.classes_.shape[0]), -1.0)
        T[np.arange(X.shape[0]), codes] = 1.0
        if self.refine_iter > 0 and self.n_layers > 0:
            self._refine(X, T, sw, codes)
        else:
            self._fit_output(X, T, sw)
        return self

    def _check_memory(self, n_features, n_classes):
        """Fail fast when the Gram matrix and the lift cannot fit in memory."""
        n = self.n_hidden
        gram = 2 * (n + 1) * (n + 1 + n_classes) * 8  # G, R and the solve
        lift = n_features * n * 8 * 2  # sparse lift and its dense copy
        chunk = 4 * self.chunk_size * n * 8 * (1 + self.n_layers)
        check_allocation(
            gram + lift + chunk,
            f"n_hidden={n} (a {n + 1} x {n + 1} Gram matrix and a {n_features} x "
            f"{n} lift)",
        )

    def _check_offsets(self):
        offsets = tuple(self.offsets)
        ok = len(offsets) == 2 and all(
            isinstance(o, Integral) and not isinstance(o, bool) for o in offsets
        )
        if not ok or not all(1 <= o < self.n_hidden for o in offsets):
            raise ValueError(
                f"offsets must be a pair of ints (p, q) with 1 <= p, q < n_hidden="
                f"{self.n_hidden}, got {self.offsets!r}"
            )
        return int(offsets[0]), int(offsets[1])

    def _standardise(self, X, sw):
        total = sw.sum()
        mean = (sw @ X) / total
        var = (sw @ (X - mean) ** 2) / total
        scale = np.sqrt(var)
        scale[scale < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
        self.mean_, self.scale_ = mean, scale

    def _init_lift(self, n_features, rng, dtype):
        n = self.n_hidden
        fan_in = max(1, int(round(self.input_density * n_features)))
        rows = rng.random((n, n_features)).argsort(axis=1)[:, :fan_in]
        values = rng.standard_normal((n, fan_in)) / np.sqrt(fan_in)
        cols = np.repeat(np.arange(n), fan_in)
        W = sp.csr_array(
            (values.ravel().astype(dtype), (rows.ravel(), cols)), shape=(n_features, n)
        )
        W.sort_indices()
        self.input_weights_ = W
        self.input_bias_ = (0.5 * rng.standard_normal(n)).astype(dtype)

    def _init_layers(self, p, q, rng, dtype):
        n = self.n_hidden
        self.hidden_layers_, self.hidden_biases_ = [], []
        for _ in range(self.n_layers):
            sub = rng.standard_normal(n - p) * (rng.random(n - p) < self.density)
            sup = rng.standard_normal(n - q) * (rng.random(n - q) < self.density)
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
            self.hidden_layers_.append(A)
            self.hidden_biases_.append((0.5 * rng.standard_normal(n)).astype(dtype))
        self._update_logdets()

    def _update_logdets(self):
        dets = [A.slogdet() for A in self.hidden_layers_]
        self.hidden_logdets_ = np.array([logdet for _, logdet in dets])

    # ------------------------------------------------------------- features
    def _lift(self, X, W=None):
        """Activations of the lift for a chunk of rows.

        ``W`` is the densified ``input_weights_`` (a dense product of the masked
        matrix measured faster than SciPy's sparse product, see Notes).
        """
        if W is None:
            W = self.input_weights_.toarray()
        Xs = ((X - self.mean_) / self.scale_).astype(X.dtype, copy=False)
        Z = Xs @ W + self.input_bias_
        return ACTIVATIONS[self.activation](Z)

    def _layer(self, H, index):
        """``g(H @ A.T + c)`` for layer ``index``: O(n) per sample."""
        A = self.hidden_layers_[index]
        Z = A.matvec(H.T).T + self.hidden_biases_[index]
        return ACTIVATIONS[self.activation](Z)

    def _hidden(self, X, W=None):
        H = self._lift(X, W)
        for index in range(len(self.hidden_layers_)):
            H = self._layer(H, index)
        return H

    def _chunks(self, n_samples):
        for start in range(0, n_samples, self.chunk_size):
            yield slice(start, min(start + self.chunk_size, n_samples))

    # ---------------------------------------------------------- output layer
    def _fit_output(self, X, T, sw, H=None):
        """Weighted ridge on ``[H, 1]``, accumulated chunk by chunk."""
        n = self.n_hidden
        G = np.zeros((n + 1, n + 1))
        R = np.zeros((n + 1, T.shape[1]))
        W = self.input_weights_.toarray() if H is None else None
        unit = bool(np.all(sw == 1.0))
        for rows in self._chunks(X.shape[0]):
            Hc = self._hidden(X[rows], W) if H is None else H[rows]
            Z = np.hstack([Hc, np.ones((Hc.shape[0], 1), Hc.dtype)])
            Zw = Z if unit else Z * np.sqrt(sw[rows], dtype=Z.dtype)[:, None]
            G += Zw.T @ Zw
            R += Z.T @ (sw[rows, None] * T[rows]).astype(Z.dtype)
        self.coef_, self.intercept_ = solve_ridge(G, R, self.alpha)

    # ------------------------------------------------------------ refinement
    def _forward_all(self, H0):
        Hs = [H0]
        for index in range(len(self.hidden_layers_)):
            Hs.append(self._layer(Hs[-1], index))
        return Hs

    def _refine(self, X, T, sw, codes):
        """Inverse-based refinement sweeps (experimental).

        The output residual is turned into a target for the last hidden layer
        (``H + R coef^+``), damped, mapped through the inverse activation and
        used to refit each ``A_l`` row by row on its pattern; the target is
        carried to the previous layer with the structured solve
        ``A_l^{-1} (z - c_l)``.  A refit that is not safely invertible
        (``rcond < 1e-8``) keeps the old layer; a sweep that lowers the weighted
        training accuracy is undone and ends the refinement.
        """
        inverse, (lo, hi) = INVERSE_ACTIVATIONS[self.activation]
        Hs = self._forward_all(self._lift(X))
        self._fit_output(X, T, sw, H=Hs[-1])
        best = (weighted_accuracy(self, Hs[-1], codes, sw), self._snapshot())
        for _ in range(self.refine_iter):
            residual = T - (Hs[-1] @ self.coef_ + self.intercept_)
            target = Hs[-1] + residual @ np.linalg.pinv(self.coef_)
            for index in reversed(range(len(self.hidden_layers_))):
                target = 0.5 * (Hs[index + 1] + target)
                z = inverse(np.clip(target, lo, hi))
                self._refit_layer(index, Hs[index], z, sw)
                A = self.hidden_layers_[index]
                target = A.solve((z - self.hidden_biases_[index]).T).T
            Hs = self._forward_all(Hs[0])
            self._fit_output(X, T, sw, H=Hs[-1])
            accuracy = weighted_accuracy(self, Hs[-1], codes, sw)
            if accuracy < best[0]:
                self._restore(best[1])
                break
            best = (accuracy, self._snapshot())
        self._update_logdets()

    def _refit_layer(self, index, H, z, sw):
        """Row-wise weighted least squares of ``z ~ A h + c`` on A's pattern."""
        A = self.hidden_layers_[index]
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
        if new.rcond() > 1e-8:
            self.hidden_layers_[index] = new
            self.hidden_biases_[index] = coef[:, 3].astype(
                self.hidden_biases_[index].dtype
            )

    def _snapshot(self):
        return (
            list(self.hidden_layers_),
            list(self.hidden_biases_),
            self.coef_,
            self.intercept_,
        )

    def _restore(self, state):
        layers, biases, self.coef_, self.intercept_ = state
        self.hidden_layers_, self.hidden_biases_ = list(layers), list(biases)

    def _scores(self, X):
        coef = self.coef_.astype(X.dtype, copy=False)
        S = np.empty((X.shape[0], coef.shape[1]))
        W = self.input_weights_.toarray()
        for rows in self._chunks(X.shape[0]):
            S[rows] = self._hidden(X[rows], W) @ coef + self.intercept_
        return np.nan_to_num(S, copy=False)

    # ------------------------------------------------------------ prediction
    def _validate_predict(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=[np.float64, np.float32])

    def decision_function(self, X):
        """Per-class ridge scores; shape (n_samples,) for two classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            For two classes, the score of ``classes_[1]`` minus ``classes_[0]``.
        """
        S = self._scores(self._validate_predict(X))
        if S.shape[1] == 2:
            return S[:, 1] - S[:, 0]
        return S[:, 0] if S.shape[1] == 1 else S

    def predict_proba(self, X):
        """Softmax of the per-class scores (consistent with ``predict``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        S = self._scores(self._validate_predict(X))
        S -= S.max(axis=1, keepdims=True)
        np.exp(S, out=S)
        S /= S.sum(axis=1, keepdims=True)
        return S

    def predict(self, X):
        """Class with the largest score.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        S = self._scores(self._validate_predict(X))
        return self.classes_[np.argmax(S, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags
