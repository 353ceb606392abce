"""``PseudoInverseSparseClassifier``: gradient-free, closed-form training.

Offset-tridiagonal hidden layers and ridge / pseudo-inverse output weights;
the network itself is ``PseudoInverseSparseBase`` (``_pinv_base.py``).
"""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, unique_labels

from .._sklearn import (
    _check_sample_weight,
    _fit_context,
    column_to_1d,
    validate_data,
)
from ..engine._pinv import weighted_accuracy
from ._pinv_base import ACTIVATIONS, PseudoInverseSparseBase

__all__ = ["ACTIVATIONS", "PseudoInverseSparseClassifier"]


class PseudoInverseSparseClassifier(ClassifierMixin, PseudoInverseSparseBase):
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
    output_coef_ : ndarray of shape (n_hidden, n_classes)
        Output weights, over the hidden units (not one per input feature).
    output_intercept_ : ndarray of shape (n_classes,)
    coef_, intercept_ : ndarray
        Deprecated names of ``output_coef_`` and ``output_intercept_`` (before
        0.2; removed in 0.4): reading them warns with a ``FutureWarning``.
        scikit-learn's feature selectors (``RFE``, ``SelectFromModel``) read
        ``coef_`` as one weight per input feature, which these are not.

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

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
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
        self._check_offsets()
        X, y = validate_data(self, X, column_to_1d(y), dtype=[np.float64, np.float32])
        check_classification_targets(y)
        sw = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        # unique_labels, as MLPClassifier: str labels of a pandas Series give str
        # classes_ (np.unique would keep the object dtype)
        self.classes_ = unique_labels(y)
        codes = np.searchsorted(self.classes_, y)
        T = np.full((X.shape[0], self.classes_.shape[0]), -1.0)
        T[np.arange(X.shape[0]), codes] = 1.0
        return self._fit_network(X, T, sw, codes)

    def _training_score(self, H, codes, sw):
        return weighted_accuracy(
            H, self.output_coef_, self.output_intercept_, codes, sw
        )

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
