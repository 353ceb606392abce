"""Warnings attributed to the user's own line.

A warning raised deep inside ``fit`` is reported by Python at the frame that
``stacklevel`` names; counting frames by hand breaks whenever a call path
changes (scikit-learn's ``_fit_context`` wrapper, ``Pipeline``,
``GridSearchCV``).  :func:`warn` walks the stack instead and attributes the
warning to the first frame outside sparsenn, scikit-learn, joblib and the
standard library's ``threading`` and ``concurrent`` modules.
"""

import os
import sys
import warnings

__all__ = ["UnusedNeuronWarning", "warn"]


class UnusedNeuronWarning(UserWarning):
    """A junction leaves neurons of a hidden layer feeding nothing.

    Issued when a junction stores fewer edges than its input layer (a hidden
    layer) has neurons, e.g. ``SparseMLPRegressor((128,), density=0.2)``,
    whose 128 -> 1 output junction holds 26 edges: 102 hidden neurons reach
    nothing. Nothing is adjusted; filter it by this class to silence it.
    """


_OWN = os.path.dirname(os.path.abspath(__file__))


def _library_dirs():
    dirs = [_OWN]
    for name in ("sklearn", "joblib"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(module.__file__)))
    return tuple(dirs)


def _user_stacklevel():
    """Stack level (for :func:`warnings.warn` called by :func:`warn`) of the user."""
    dirs = _library_dirs()
    frame, level = sys._getframe(2), 2
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(dirs):
            return level
        frame, level = frame.f_back, level + 1
    return 2


def warn(message, category=UserWarning):
    """Issue ``message`` as a warning attributed to the user's calling line.

    Parameters
    ----------
    message : str
    category : type of Warning, default=UserWarning

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("something was adjusted")
    >>> caught[0].message.args[0]
    'something was adjusted'
    """
    warnings.warn(message, category, stacklevel=_user_stacklevel())
