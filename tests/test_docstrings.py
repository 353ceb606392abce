"""The numpydoc Parameters of every public estimator match its signature."""

import inspect
import re

import pytest

import sparsenn

ESTIMATORS = [getattr(sparsenn, name) for name in sparsenn.__all__ if name[0].isupper()]
METHODS = ("fit", "partial_fit", "predict", "predict_proba", "score")


def documented_parameters(doc):
    """Names listed in the ``Parameters`` section of a numpydoc docstring."""
    lines = inspect.cleandoc(doc or "").splitlines()
    try:
        start = lines.index("Parameters") + 2
    except ValueError:
        return []
    names = []
    for line in lines[start:]:
        if line and not line.startswith(" ") and re.match(r"^[A-Z][a-z]+$", line):
            break  # the next section
        match = re.match(r"^(\*{0,2}[A-Za-z_][\w, *]*?)\s*:", line)
        if match and not line.startswith(" "):
            names += [n.strip().lstrip("*") for n in match.group(1).split(",")]
    return names


def signature_parameters(func):
    params = inspect.signature(func).parameters
    return [n for n in params if n not in ("self", "args", "kwargs")]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_class_docstring_lists_every_constructor_parameter(cls):
    assert documented_parameters(cls.__doc__) == signature_parameters(cls.__init__)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", METHODS)
def test_method_docstrings_list_their_parameters(cls, method):
    func = getattr(cls, method, None)
    if func is None:
        pytest.skip(f"{cls.__name__} has no {method}")
    expected = signature_parameters(func)
    assert documented_parameters(func.__doc__) == expected, func.__qualname__


def test_parser_reads_numpydoc():
    doc = """Summary.

    Parameters
    ----------
    X : ndarray
        Data.
    beta_1, beta_2 : float
    y : None

    Returns
    -------
    self : object
    """
    assert documented_parameters(doc) == ["X", "beta_1", "beta_2", "y"]
