"""What makes a structured MLP a classifier: labels, softmax output, accuracy.

:class:`StructuredClassifierMixin` supplies the task hooks of
:class:`~sparsenn.neural_network._base.StructuredMLPBase`: it validates and
encodes the labels (any dtype scikit-learn accepts, one class included, or a
2-D indicator matrix for multi-label problems), weighs the samples by
``class_weight``, picks the output (softmax; logistic for multi-label), scores
the validation set by (subset) accuracy and maps outputs back to the user's
labels.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin
from sklearn.utils import compute_class_weight, compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted

from .._sklearn import (
    _check_partial_fit_first_call,
    _fit_context,
    column_to_1d,
    validate_data,
)
from ._datapath import OUTPUT_ACTIVATIONS, make_quantizer, one_hot, quantize_format

__all__ = ["StructuredClassifierMixin", "chance_loss"]


def chance_loss(n_classes, out_activation):
    """Training loss of a model that predicts the class frequencies ``1 / K``.

    Softmax outputs: the cross-entropy ``log K``; logistic outputs (one sigmoid
    per class, their binary cross-entropies summed): ``K * H(1 / K)``, ``H`` the
    binary entropy.

    Returns
    -------
    chance : float
    formula : str
        How ``chance`` is computed, for messages.

    Examples
    --------
    >>> round(chance_loss(3, "softmax")[0], 4), chance_loss(3, "softmax")[1]
    (1.0986, 'log(3)')
    >>> round(chance_loss(3, "logistic")[0], 4)
    1.9095
    """
    k = n_classes
    if out_activation != "logistic" or k < 2:
        return float(np.log(k)), f"log({k})"
    q = 1.0 / k
    entropy = -(q * np.log(q) + (1 - q) * np.log(1 - q))
    return float(k * entropy), f"{k} * H(1/{k})"


def _class_weights(class_weight, y, sample_weight, multilabel):
    """Weight of each sample's class; ``"balanced"`` counts the sample weights.

    So that weighting a sample by 2 and repeating it give the same model.
    """
    if class_weight != "balanced" or multilabel:
        return compute_sample_weight(class_weight, y)
    labels, index = np.unique(y, return_inverse=True)
    weights = compute_class_weight(
        "balanced", classes=labels, y=y, sample_weight=sample_weight
    )
    return weights[index]


class StructuredClassifierMixin(ClassifierMixin):
    """Classifier hooks and methods for the structured MLPs.

    The output layer is a softmax with one unit per class (also for one or
    two classes); ``predict_proba`` columns follow ``classes_``.  A 2-D 0/1
    indicator ``y`` is a multi-label problem, as in ``MLPClassifier``: one
    logistic output per label, binary cross-entropy, ``classes_`` is
    ``arange(n_labels)`` and ``predict`` thresholds the probabilities at 0.5.
    ``output="sigmoid"`` trains one independent logistic output per class on
    one-hot targets (the FPGA datapath's output layer) and predicts their
    argmax; ``quantize`` trains the datapath's fixed-point forward pass
    (``_datapath.py``).
    """

    #: the loss, as ``MLPClassifier.loss`` (not a parameter there either)
    loss = "log_loss"

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Run one epoch over ``X``; ``classes`` is required on the first call.

        The arguments come in ``MLPClassifier.partial_fit``'s order
        (scikit-learn >= 1.7): ``sample_weight`` third, ``classes`` fourth.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data; required on the first call only.

        Returns
        -------
        self : object
        """
        return self._partial_fit(X, y, sample_weight, classes)

    def predict_proba(self, X):
        """Return class probabilities, shape (n_samples, n_classes).

        Rows sum to one, except for multi-label problems where each column is
        the probability of its label.  With ``output="sigmoid"`` the
        independent sigmoid outputs are divided by their sum (a row whose
        outputs are all zero, possible with ``quantize``, is uniform).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        P : ndarray of shape (n_samples, n_classes)
        """
        P = self._network_output(X)
        if self.out_activation_ == "logistic" and not getattr(self, "_multilabel", 0):
            total = P.sum(axis=1, keepdims=True)
            P = np.divide(
                P, total, out=np.full_like(P, 1 / P.shape[1]), where=total > 0
            )
        return P

    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_P : ndarray of shape (n_samples, n_classes)
            ``np.log(predict_proba(X))``: ``-inf`` where a probability is 0
            (never NaN).
        """
        P = self.predict_proba(X)
        with np.errstate(divide="ignore"):  # -inf where P is 0, as MLPClassifier
            return np.log(P)

    def predict(self, X):
        """Return the predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels from ``classes_``; for multi-label problems an int 0/1
            indicator matrix (``scipy.sparse`` CSR if the model was fitted on a
            sparse indicator matrix, as ``MLPClassifier``).
        """
        check_is_fitted(self, "weights_")
        P = self.predict_proba(X)
        if getattr(self, "_multilabel", False):
            indicator = (P > 0.5).astype(int)
            if getattr(self, "_sparse_targets", False):  # as MLPClassifier
                return sp.csr_matrix(indicator)
            return indicator
        return self.classes_[np.argmax(P, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------------------------ task hooks
    def _validate_xy(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            multi_output=True,
            reset=reset,
        )
        y = column_to_1d(y)
        check_classification_targets(y)
        kind = type_of_target(y, input_name="y")
        if kind not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"y of shape {y.shape} is {kind!r}, which {type(self).__name__} "
                "cannot fit: give 1-D class labels or a 0/1 multi-label indicator "
                "matrix of shape (n_samples, n_labels)."
            )
        return X, y

    def _prepare_targets(self, y, sample_weight, classes, first_call, incremental):
        multilabel = type_of_target(y) == "multilabel-indicator"
        if first_call:
            self._multilabel = multilabel
            self._sparse_targets = multilabel and sp.issparse(y)
        elif multilabel != self._multilabel:
            kind = "a multi-label indicator matrix" if self._multilabel else "1-D"
            raise ValueError(
                f"y must be {kind}, as in the first fit; got y of type "
                f"{type_of_target(y)!r}."
            )
        if multilabel:
            y = y.toarray() if sp.issparse(y) else np.asarray(y)
        codes = self._encode_targets(y, classes, first_call, incremental)
        if not multilabel and OUTPUT_ACTIVATIONS[self._output_name()] == "logistic":
            codes = one_hot(codes, len(self.classes_))
        if self.class_weight is not None:
            sample_weight = sample_weight * _class_weights(
                self.class_weight, y, sample_weight, multilabel
            )
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
        if self._multilabel:
            return y.astype(np.float64)
        return np.searchsorted(self.classes_, y)

    def _convergence_hint(self):
        """Say so when the loss is still near chance level (nothing learned yet)."""
        n_classes = len(self.classes_)
        if getattr(self, "_multilabel", False) or n_classes < 2 or not self.loss_curve_:
            return ""
        chance, formula = chance_loss(n_classes, self._output_activation())
        loss = self.loss_curve_[-1]
        if loss < 0.9 * chance:
            return ""
        where = "near" if loss <= 1.5 * chance else "above"
        return (
            f" The training loss {loss:.3f} is still {where} chance level "
            f"({formula} = {chance:.3f}): the model has barely learned. More "
            "epochs (max_iter), a larger learning_rate_init or density, or "
            "standardised inputs (StandardScaler) usually help."
        )

    def _n_output_units(self, targets):
        return len(self.classes_)

    def _output_name(self):
        return getattr(self, "output", "softmax")

    def _output_choice(self):
        return f"output={self._output_name()!r}"

    def _output_activation(self):
        if self._multilabel:
            return "logistic"
        return OUTPUT_ACTIVATIONS[self._output_name()]

    def _quantizer(self):
        fmt = quantize_format(getattr(self, "quantize", None), self._output_name())
        return make_quantizer(fmt)

    def _stratify_labels(self, y):
        # the user's labels, so that split errors name them; multi-label
        # problems are not stratified (as MLPClassifier)
        return None if self._multilabel else y

    def _score_output(self, P, codes, sample_weight):
        if self._multilabel:
            correct = ((P > 0.5) == (codes > 0.5)).all(axis=1)
        else:
            labels = codes.argmax(axis=1) if codes.ndim == 2 else codes
            correct = P.argmax(axis=1) == labels
        return float(np.average(correct, weights=sample_weight))
