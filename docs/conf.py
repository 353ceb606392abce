"""Sphinx configuration of the sparsenn documentation.

Build: ``pip install ".[docs]" && python -m sphinx -W -b html docs docs/_build/html``.

The API pages (``docs/api/*.rst``, not committed) are written here from the
package itself: one page per public package (no underscore in its dotted
name), one entry per name of its ``__all__``. A name exported by several
packages is described once, in the deepest package exporting it, and linked
from the others. Names added to any ``__all__`` appear without editing the docs.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from _api import write_api_pages  # noqa: E402

import sparsenn  # noqa: E402

project = "sparsenn"
author = "the sparsenn developers"
copyright = "the sparsenn developers"  # noqa: A001
release = version = sparsenn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md5"]
templates_path = []
html_static_path = ["_static"]
html_css_files = ["sparsenn.css"]
html_theme = "alabaster"
html_title = f"sparsenn {release}"

# numpydoc: class members are listed by autodoc itself, not as autosummary tables
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"

# MyST: the Markdown notes in this folder are pages as they are
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

sphinx_gallery_conf = {
    "examples_dirs": os.path.join(os.path.dirname(HERE), "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
}

write_api_pages(sparsenn, os.path.join(HERE, "api"))


def _skip_sklearn_generated(app, what, name, obj, skip, options):
    """Skip the ``set_*_request`` methods scikit-learn generates per estimator."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    """Connect the member filter."""
    app.connect("autodoc-skip-member", _skip_sklearn_generated)
