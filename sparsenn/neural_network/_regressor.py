"""What makes a structured MLP a regressor: numeric targets, its loss, R^2.

:class:`StructuredRegressorMixin` supplies the task hooks of
:class:`~sparsenn.neural_network._base.StructuredMLPBase` with the semantics of
:class:`sklearn.neural_network.MLPRegressor`: single or multi-output numeric
``y``; ``loss="squared_error"``, an identity output layer with scikit-learn's
squared loss (``mean((y - p)**2) / 2``), or ``loss="poisson"``, an exponential
output with half the Poisson deviance, for counts and rates; early stopping on
the validation R^2, ``score`` = R^2.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if

from .._sklearn import StrOptions, _fit_context, column_to_1d, validate_data
from ._base import StructuredMLPBase

#: ``loss`` -> output layer (a key of ``engine._outputs.OUTPUTS``)
_OUTPUT_OF_LOSS = {"squared_error": "identity", "poisson": "exp"}

__all__ = ["BaseStructuredRegressor", "R2ScoreMixin", "StructuredRegressorMixin", "r2"]


def r2(y, P, sample_weight=None):
    """Return ``r2_score(y, P)`` computed without overflow.

    Numeric targets and the predictions are taken in float64 (squares of
    float32 values beyond about 1.8e19 overflow) and, when their largest
    magnitude exceeds ``2**400``, divided by the power of two nearest it: R^2
    is unchanged by a common scaling, and the squares of values near 1e200 no
    longer overflow (``r2_score`` would return NaN, with numpy's overflow
    warnings at scikit-learn's line).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    P : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Predicted values.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float
        R^2 with ``multioutput="uniform_average"``, as ``r2_score``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1.0, 2.0, 4.0]) * 1e200
    >>> r2(y, y)
    1.0
    """
    P, values = np.asarray(P, dtype=np.float64), np.asarray(y)
    if values.dtype.kind in "fiu":
        y = values.astype(np.float64)
        peak = max(np.abs(y).max(initial=0.0), np.abs(P).max(initial=0.0))
        if 2.0**400 < peak < np.inf:
            _, exponent = np.frexp(peak)
            y, P = np.ldexp(y, -exponent), np.ldexp(P, -exponent)
    return float(r2_score(y, P, sample_weight=sample_weight))


class R2ScoreMixin(RegressorMixin):
    """``RegressorMixin`` whose ``score`` is :func:`r2`, free of overflow."""

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R^2 of ``predict(X)``.

        As ``RegressorMixin.score`` (``multioutput="uniform_average"``), but
        computed in float64 and rescaled near the float range (:func:`r2`): a
        float32 model or targets near 1e200 get their finite R^2 instead of
        ``-inf`` or NaN and numpy's overflow warnings.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values for ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` against ``y``.
        """
        return r2(y, self.predict(X), sample_weight=sample_weight)


class StructuredRegressorMixin(R2ScoreMixin):
    """Regressor hooks and methods for the structured MLPs."""

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._partial_fit(X, y, sample_weight, None)

    def predict(self, X):
        """Return the predicted targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D when the network has a single output, as ``MLPRegressor``.
        """
        Y = self._network_output(X)
        return Y.ravel() if Y.shape[1] == 1 else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    # ------------------------------------------------------------ task hooks
    def _validate_xy(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        y = column_to_1d(y)
        return X, y

    def _prepare_targets(self, y, sample_weight, classes, first_call, incremental):
        # a sparse Y of several outputs is densified (MLPRegressor fits it too)
        Y = np.asarray(y.toarray() if sp.issparse(y) else y, dtype=np.float64)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                f"loss='poisson' needs targets y >= 0 (counts or rates); y has "
                f"{int((Y < 0).sum())} negative value(s), the smallest "
                f"{Y.min():.6g}. Use loss='squared_error' for signed targets."
            )
        if not first_call and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} output(s) but the network was fitted with "
                f"n_outputs_={self.n_outputs_}; give y of the same width or refit "
                "with warm_start=False."
            )
        return Y, sample_weight

    def _n_output_units(self, targets):
        return targets.shape[1]

    def _output_choice(self):
        return f"loss={self.loss!r}"

    def _output_activation(self):
        return _OUTPUT_OF_LOSS[self.loss]

    def _stratify_labels(self, y):
        return None

    def _score_output(self, P, Y, sample_weight):
        return r2(Y, P, sample_weight=sample_weight)  # as score: free of overflow


class BaseStructuredRegressor(StructuredRegressorMixin, StructuredMLPBase):
    """Multi-layer perceptron regressor with pluggable weight types.

    Not used directly: subclasses implement ``_make_weights`` and an
    ``__init__`` listing every parameter; the parameters are those of
    :class:`sklearn.neural_network.MLPRegressor`, with ``loss`` keyword-only
    (``MLPRegressor`` takes it as its first positional parameter; ours keep
    ``hidden_layer_sizes`` first, as every structured MLP).
    """

    _parameter_constraints = {
        **StructuredMLPBase._parameter_constraints,
        "loss": [StrOptions(set(_OUTPUT_OF_LOSS))],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *,
                 loss="squared_error", **kwargs):  # fmt: skip
        super().__init__(hidden_layer_sizes, activation, **kwargs)
        self.loss = loss
