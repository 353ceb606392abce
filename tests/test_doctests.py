"""Run every ``Examples`` block of the installed package as a doctest."""

import doctest
import importlib
import pkgutil

import pytest

import sparsenn

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(sparsenn.__path__, "sparsenn.")
    if name != "sparsenn.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
