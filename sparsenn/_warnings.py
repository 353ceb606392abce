"""Warnings attributed to the user's own line.

A warning raised deep inside ``fit`` is reported by Python at the frame that
``stacklevel`` names; counting frames by hand breaks whenever a call path
changes (scikit-learn's ``_fit_context`` wrapper, ``Pipeline``,
``GridSearchCV``).  :func:`warn` walks the stack instead and attributes the
warning to the first frame outside sparsenn, scikit-learn, joblib and the
standard library's ``threading``, ``concurrent`` and ``multiprocessing``
modules and frozen modules such as ``runpy`` (a worker process of
``GridSearchCV(n_jobs=2)`` has no user frame: its warnings are attributed to
the library line that called the estimator, the search's own call of ``fit``).
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


_LIBRARIES = ("sklearn", "joblib")  # packages whose frames call ours
#: worker plumbing, and the frames of a ``with`` on our context managers
_RUNTIME = ("concurrent", "multiprocessing", "threading", "contextlib")
_WRAPPERS = ("sklearn.base",)  # _fit_context: part of every estimator call


def _paths(names):
    """Directories of the imported packages (files of plain modules) ``names``."""
    paths = []
    for name in names:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            path = os.path.abspath(module.__file__)
            is_package = os.path.basename(path) == "__init__.py"
            paths.append(os.path.dirname(path) + os.sep if is_package else path)
    return tuple(paths)


def _user_stacklevel():
    """Stack level (for :func:`warnings.warn` called by :func:`warn`) of the user.

    The first frame outside sparsenn, the libraries and the worker plumbing;
    without one (a worker thread or process), the first frame outside sparsenn
    and scikit-learn's estimator wrappers (the library's line that called the
    estimator, such as the search's ``fit``).
    """
    own = (_OWN + os.sep, *_paths(_WRAPPERS))
    skipped = (*own, *_paths(_LIBRARIES), *_paths(_RUNTIME))
    frame, level, caller = sys._getframe(2), 2, None
    while frame is not None:
        code_file = frame.f_code.co_filename
        filename = os.path.abspath(code_file)
        # frozen standard-library modules (runpy starts a worker process)
        if not code_file.startswith("<frozen") and not filename.startswith(skipped):
            return level
        if caller is None and not filename.startswith(own):
            caller = level
        frame, level = frame.f_back, level + 1
    return 2 if caller is None else caller


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
