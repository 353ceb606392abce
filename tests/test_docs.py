"""The Sphinx site: API pages cover every public name, the gallery ran, no outside refs.

The build itself runs when Sphinx is installed, once per test session, into
``docs/_build/html`` (the gallery reruns only changed examples); ``.ci/run`` builds the
site with ``-W`` itself and points ``SPARSENN_DOCS_HTML`` at the result so that
it is not built twice.
"""

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sparsenn

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
from _api import canonical_homes, public_modules, write_api_pages  # noqa: E402

sys.path.remove(str(DOCS))

MODULES = public_modules(sparsenn)
# references to material a reader of the repository does not have
OUTSIDE = re.compile(
    r"seed 0\d\d|\bissue \d+|shared/spec|\bspec\b §|§\d|structured-layers\.md"
    r"|the lead\b|this session",
    re.IGNORECASE,
)


def test_every_public_package_gets_a_page(tmp_path):
    assert {"sparsenn", "sparsenn.plotting", "sparsenn.dask"} <= set(MODULES)
    assert not any("._" in m for m in MODULES)
    write_api_pages(sparsenn, tmp_path)
    pages = {p.stem: p.read_text() for p in tmp_path.glob("*.rst")}
    assert set(pages) == set(MODULES)
    homes = canonical_homes(MODULES)
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            home = homes(name, attr)
            if home != name:  # linked from this page
                assert f":py:obj:`{home}.{attr}`" in pages[name], (name, attr)
            described = f":: {home}.{attr}\n" in pages[home]
            assert described or f".. py:data:: {attr}\n" in pages[home], (home, attr)


def test_no_text_refers_outside_the_repository():
    texts = sorted(DOCS.glob("*.md")) + sorted((DOCS / "guide").glob("*.rst"))
    texts += [ROOT / "README.md", *sorted((ROOT / "examples").glob("*.py"))]
    found = [
        f"{path.relative_to(ROOT)}:{i}: {line.strip()}"
        for path in texts
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def html():
    given = os.environ.get("SPARSENN_DOCS_HTML")
    if given:
        return Path(given)
    for module in ("sphinx", "numpydoc", "sphinx_gallery", "myst_parser"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (the 'docs' extra)")
    out = DOCS / "_build" / "html"
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "-E",  # re-read every page, so that no warning hides in the cache
        "-q",
        "-b",
        "html",
        str(DOCS),
        str(out),
    ]
    env = dict(os.environ, MPLBACKEND="Agg")
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return out


def test_built_api_documents_every_public_name(html):
    homes = canonical_homes(MODULES)
    for name in MODULES:
        page = (html / "api" / f"{name}.html").read_text(encoding="utf-8")
        module = importlib.import_module(name)
        for attr in module.__all__:
            home = homes(name, attr)
            target = (html / "api" / f"{home}.html").read_text(encoding="utf-8")
            assert f'id="{home}.{attr}"' in target, f"{home}.{attr} not described"
            assert f"{home}.{attr}" in page, f"{name}.{attr} missing from its page"


def test_gallery_examples_ran_and_drew(html):
    for script in sorted((ROOT / "examples").glob("plot_*.py")):
        page = html / "auto_examples" / f"{script.stem}.html"
        assert page.exists(), script.name
        image = html / "_images" / f"sphx_glr_{script.stem}_001.png"
        assert image.exists(), f"{script.name} drew no figure"
    assert (html / "auto_examples" / "dask_grid_search.html").exists()


def test_user_guide_pages_and_notes_are_built(html):
    for note in DOCS.glob("*.md"):
        assert (html / f"{note.stem}.html").exists(), note.name
    text = (html / "guide" / "scaling_out.html").read_text(encoding="utf-8")
    assert "speed-up" in text
