"""What makes a structured MLP a classifier: labels, softmax output, accuracy.

:class:`StructuredClassifierMixin` supplies the task hooks of
:class:`~sparsenn.neural_network._base.StructuredMLPBase`: it validates and
encodes the labels (any dtype scikit-learn accepts, one class included), weighs
the samples by ``class_weight``, picks the softmax output, scores the
validation set by accuracy and maps outputs back to the user's labels.
"""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from .._sklearn import _check_partial_fit_first_call, _fit_context

__all__ = ["StructuredClassifierMixin"]


class StructuredClassifierMixin(ClassifierMixin):
    """Classifier hooks and methods for the structured MLPs.

    The output layer is a softmax with one unit per class (also for one or
    two classes); ``predict_proba`` columns follow ``classes_``.
    """

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X``; ``classes`` is required on the first call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data; required on the first call only.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._partial_fit(X, y, sample_weight, classes)

    def predict_proba(self, X):
        """Return class probabilities, shape (n_samples, n_classes), rows sum to one.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        P : ndarray of shape (n_samples, n_classes)
        """
        return self._network_output(X)

    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_P : ndarray of shape (n_samples, n_classes)
        """
        P = self.predict_proba(X)
        return np.log(np.clip(P, np.finfo(P.dtype).tiny, None))

    def predict(self, X):
        """Return the predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "weights_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags

    # ------------------------------------------------------------ task hooks
    def _validate_xy(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        check_classification_targets(y)
        return X, y

    def _prepare_targets(self, y, sample_weight, classes, first_call, incremental):
        codes = self._encode_targets(y, classes, first_call, incremental)
        if self.class_weight is not None:
            sample_weight = sample_weight * compute_sample_weight(self.class_weight, y)
        return codes, sample_weight

    def _encode_targets(self, y, classes, first_call, incremental):
        labels = unique_labels(y)
        if incremental:
            _check_partial_fit_first_call(self, classes)  # sets classes_ once
        elif first_call:
            self.classes_ = labels
        elif set(labels.tolist()) != set(self.classes_.tolist()):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` "
                f"has {labels}"
            )
        if np.setdiff1d(labels, self.classes_).size:
            raise ValueError(
                "`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes_}. 'y' has {labels}."
            )
        return np.searchsorted(self.classes_, y)

    def _n_output_units(self, targets):
        return len(self.classes_)

    def _output_activation(self):
        return "softmax"

    def _stratify_labels(self, y):
        return y  # the user's labels, so split errors name them

    def _score_output(self, P, codes, sample_weight):
        return float(np.average(P.argmax(axis=1) == codes, weights=sample_weight))
