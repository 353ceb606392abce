"""``PseudoInverseSparseRegressor``: the pseudo-inverse network as a ridge regressor."""

import numpy as np
import scipy.sparse as sp

from .._sklearn import (
    _check_sample_weight,
    _fit_context,
    column_to_1d,
    validate_data,
)
from ._pinv_base import PseudoInverseSparseBase
from ._regressor import R2ScoreMixin

__all__ = ["PseudoInverseSparseRegressor"]


class PseudoInverseSparseRegressor(R2ScoreMixin, PseudoInverseSparseBase):
    """Gradient-free regressor with offset-tridiagonal hidden layers.

    The network of :class:`~sparsenn.PseudoInverseSparseClassifier` (a fixed
    random sparse lift, ``n_layers`` offset-tridiagonal layers, every one
    invertible) with the output weights solving a weighted ridge regression
    of the targets on the last hidden layer, in closed form: this is what the
    classifier does underneath with -1/+1 class codes as targets.  Single and
    multi-output ``y``; ``score`` is R^2.

    Parameters
    ----------
    n_hidden : int, default=500
        Width of the lift and of every structured layer.
    n_layers : int, default=1
        Number of square offset-tridiagonal layers after the lift.
    offsets : tuple of two int, default=(2, 2)
        ``(p, q)``: sub-diagonal at ``-p``, super-diagonal at ``+q``.
    density : float in (0, 1], default=1.0
        Fraction of off-diagonal connections kept in the structured layers.
    input_density : float in (0, 1], default=0.25
        Fraction of the input features each hidden unit of the lift reads.
    activation : {"tanh", "logistic", "relu"}, default="tanh"
        Hidden activation.
    alpha : float >= 0, default=1.0
        Ridge penalty on the output weights (not on the intercept); ``0`` is
        the minimum-norm pseudo-inverse solution.
    refine_iter : int, default=0
        Inverse-based refinement sweeps (experimental); a sweep that raises
        the weighted training mean squared error is undone.
    chunk_size : int, default=4096
        Rows processed at once; bounds memory, not the result.
    random_state : int, RandomState instance or None, default=None
        Seeds the lift, the structured layers and their pruning masks.

    Attributes
    ----------
    n_features_in_ : int
    n_outputs_ : int
        Number of target columns.
    mean_, scale_ : ndarray of shape (n_features,)
        Weighted standardisation of the input.
    input_weights_ : scipy.sparse.csr_array of shape (n_features, n_hidden)
    input_bias_ : ndarray of shape (n_hidden,)
    hidden_layers_ : list of OffsetTridiagonal
    hidden_biases_ : list of ndarray of shape (n_hidden,)
    hidden_logdets_ : ndarray of shape (n_layers,)
        ``log|det A_l|`` (finite: every layer is invertible).
    output_coef_ : ndarray of shape (n_hidden, n_outputs)
        Output weights, over the hidden units (not one per input feature).
    output_intercept_ : ndarray of shape (n_outputs,)
    coef_, intercept_ : ndarray
        Deprecated names of ``output_coef_`` and ``output_intercept_`` (before
        0.2; removed in 0.4): reading them warns with a ``FutureWarning``.
        scikit-learn's feature selectors (``RFE``, ``SelectFromModel``) read
        ``coef_`` as one weight per input feature, which these are not.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sparsenn import PseudoInverseSparseRegressor
    >>> X, y = make_friedman1(n_samples=2000, random_state=0)
    >>> reg = PseudoInverseSparseRegressor(n_hidden=300, alpha=0.1,
    ...                                    random_state=0).fit(X[:1500], y[:1500])
    >>> reg.predict(X[1500:]).shape
    (500,)
    >>> bool(reg.score(X[1500:], y[1500:]) > 0.8)
    True
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the lift, the structured layers and the ridge output weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 input is processed in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the standardisation and of the ridge loss.

        Returns
        -------
        self : PseudoInverseSparseRegressor
        """
        self._check_offsets()
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            multi_output=True,
            y_numeric=True,
        )
        y = column_to_1d(y)
        sw = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        # a sparse Y of several outputs is densified (MLPRegressor fits it too)
        T = np.asarray(y.toarray() if sp.issparse(y) else y, dtype=np.float64)
        T = T.reshape(-1, 1) if T.ndim == 1 else T
        self.n_outputs_ = T.shape[1]
        return self._fit_network(X, T, sw, T)

    def _training_score(self, H, T, sw):
        residual = H @ self.output_coef_ + self.output_intercept_ - T
        return -float(np.average((residual**2).mean(axis=1), weights=sw))

    def predict(self, X):
        """Return the predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D for a single output.
        """
        S = self._scores(self._validate_predict(X))
        return S[:, 0] if S.shape[1] == 1 else S

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
