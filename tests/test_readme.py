"""The README's example runs as printed, without a single warning."""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_an_example():
    assert _python_blocks()


@pytest.mark.slow
def test_readme_example_runs_without_warnings(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SPARSENN_DATA", str(tmp_path))  # nothing lands in ~
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(_python_blocks()[0], str(README), "exec"), {})
    assert "sparsemlpclassifier__density" in capsys.readouterr().out
