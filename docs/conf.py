"""Sphinx configuration of asktell's documentation (``make docs``; extra ``docs``).

The API reference is built offline from the numpydoc docstrings; the user
guide pages are Markdown (MyST). Every Python example in them is run by
``tests/test_examples.py``.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import asktell  # noqa: E402

project = "asktell"
author = "the asktell developers"
copyright = "the asktell developers"
release = version = asktell.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
default_role = "py:obj"  # `Space` in a docstring links to it where Sphinx knows it
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
myst_heading_anchors = 3
html_theme = "alabaster"
html_theme_options = {"description": "Ask/tell black-box optimization", "fixed_sidebar": True,
                      "page_width": "1240px", "body_max_width": "none"}
