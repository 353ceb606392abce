"""Run every ``Examples`` block of the installed package as a doctest."""

import doctest
import importlib
import importlib.util
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
    if name.startswith("sparsenn.plotting") and not importlib.util.find_spec(
        "matplotlib"
    ):
        pytest.skip("the plotting examples need matplotlib (the 'plot' extra)")
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
