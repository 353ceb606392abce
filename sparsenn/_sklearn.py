"""The only module that imports scikit-learn's private helpers.

scikit-learn does not promise these names across versions; keeping every such
import here means one file to adapt when it moves them. :func:`column_to_1d`
is scikit-learn's ``column_or_1d`` with its warning at the user's line.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight, _get_feature_names
from sklearn.utils.validation import validate_data as _validate_data

from ._warnings import warn

__all__ = [
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "_get_feature_names",
    "column_to_1d",
    "validate_data",
]


def column_to_1d(y):
    """Ravel a column-vector ``y`` with scikit-learn's DataConversionWarning.

    As :func:`sklearn.utils.validation.column_or_1d` with ``warn=True``, but the
    warning is attributed to the user's line; a sparse column is refused with its
    ``TypeError``. Other shapes are returned as given.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     column_to_1d(np.array([[1], [2]])).shape
    (2,)
    """
    if getattr(y, "ndim", None) != 2 or y.shape[1] != 1:
        return y
    if sp.issparse(y):  # np.ravel would give a one-element object array
        raise TypeError(
            "Sparse data was passed for y, but dense data is required. Use "
            "'.toarray()' to convert to a dense numpy array."
        )
    warn(
        "A column-vector y was passed when a 1d array was expected. Please change "
        "the shape of y to (n_samples, ), for example using ravel().",
        DataConversionWarning,
    )
    return np.ravel(y)


def validate_data(estimator, *args, **kwargs):
    """scikit-learn's ``validate_data`` with its warnings at the user's line.

    The warnings it raises (``X does not have valid feature names ...``, for
    example) are caught and issued again through the user's filters, attributed
    to the line that called the estimator instead of to scikit-learn's module.
    Its finiteness test first sums X; for finite values of both signs near the
    float range that sum is ``inf - inf`` and numpy's ``invalid value
    encountered in reduce`` would be passed on, although the element-wise test
    that follows decides (and names a NaN or infinity itself): it is not.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> validate_data(BaseEstimator(), np.zeros((2, 3))).shape
    (2, 3)
    """
    with warnings.catch_warnings(record=True) as caught, np.errstate(invalid="ignore"):
        warnings.simplefilter("always")
        result = _validate_data(estimator, *args, **kwargs)
    for w in caught:
        warn(str(w.message), w.category)
    return result
