"""Sphinx configuration: ``sphinx-build -W -b html docs docs/_build/html`` builds the site.

The notebooks are rendered without executing them (the test suite runs them). The gallery's
figures are drawn from the bundled scenarios at build time, by :func:`_gallery`, into
``docs/gallery/_generated`` (git-ignored).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dealsim

HERE = Path(__file__).parent

project = "dealsim"
author = "The dealsim authors"
copyright = "2026, The dealsim authors"
release = version = dealsim.__version__

extensions = [
    "myst_nb",  # Markdown (MyST) pages and notebooks
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

autodoc_typehints = "none"
autodoc_default_options = {"members": True, "show-inheritance": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"dealsim {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

GALLERY = [
    # (file stem, scenario, dealsim plot arguments, caption)
    ("zone", "donbas-2026", ["zone"], "Agreement zone over two issues"),
    ("surface", "donbas-2026", ["surface"], "A party's utility surface"),
    ("frontier", "donbas-2026", ["frontier"], "Pareto frontier and bargaining solutions"),
    ("tree", "donbas-2026", ["tree", "--game", "guarantees_first"], "A sequential game tree"),
    ("matrix", "donbas-2026", ["matrix", "--game", "accept_nash"], "A normal-form game"),
    (
        "trace",
        "logroll",
        ["trace", "--agents", "boulware,conceder", "--rounds", "30"],
        "Scripted negotiation: the offer trace",
    ),
    (
        "threshold",
        "donbas-2026",
        ["threshold", "--game", "guarantees_first", "--param", "fortress_risk"],
        "Where a game's outcome switches as a parameter moves",
    ),
    ("sweep", "donbas-2026", ["sweep", "--param", "fortress_risk=0:0.3:7"], "A parameter sweep"),
    (
        "montecarlo",
        "donbas-2026",
        ["montecarlo", "--samples", "200", "--seed", "1"],
        "Monte Carlo: how often each deal lies in the zone",
    ),
    ("tornado", "donbas-2026", ["tornado"], "One-at-a-time (tornado) sensitivity"),
    (
        "sobol",
        "donbas-2026",
        ["sobol", "--samples", "64", "--seed", "1"],
        "Sobol sensitivity indices",
    ),
]
"""Every kind of ``dealsim plot`` (tests/test_docs.py checks that none is missing)."""


def _gallery(app) -> None:
    """Draw every figure kind from the bundled scenarios and write ``gallery/index.md``."""
    import os

    if os.environ.get("DEALSIM_DOCS_GALLERY") == "0":  # a quick local build without figures
        (HERE / "gallery").mkdir(exist_ok=True)
        (HERE / "gallery" / "index.md").write_text(
            "# Gallery\n\n(skipped: DEALSIM_DOCS_GALLERY=0)\n"
        )
        return
    import matplotlib

    matplotlib.use("Agg")
    from dealsim.cli import main

    out = HERE / "gallery" / "_generated"
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Gallery",
        "",
        "Every kind of figure `dealsim plot` draws, generated from the bundled scenarios when",
        "these pages are built. The command under each figure draws it.",
        "",
    ]
    for stem, scenario, args, caption in GALLERY:
        png = out / f"{stem}.png"
        command = ["plot", scenario, *args, "-o", str(png), "--force"]
        if main(command) != 0:
            raise RuntimeError(f"gallery: dealsim {' '.join(command)} failed")
        shown = " ".join(["dealsim", "plot", scenario, *args, "-o", f"{stem}.png"])
        lines += [
            f"## {caption}",
            "",
            f"```{{image}} _generated/{stem}.png",
            ":alt: " + caption,
            ":width: 100%",
            "```",
            "",
            f"    {shown}",
            "",
        ]
    (HERE / "gallery" / "index.md").write_text("\n".join(lines))


def _notebooks(app) -> None:
    """Copy the notebooks next to the tutorials page (they are rendered, not executed)."""
    target = HERE / "tutorials" / "_generated"
    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted((HERE.parent / "notebooks").glob("*.ipynb")):
        shutil.copyfile(notebook, target / notebook.name)


def _api_pages(app) -> None:
    """One API page per public module (no ``_private`` modules, no ``__main__``)."""
    import pkgutil

    target = HERE / "reference" / "_generated"
    target.mkdir(parents=True, exist_ok=True)
    names = ["dealsim"] + [
        m.name
        for m in pkgutil.walk_packages(dealsim.__path__, "dealsim.")
        if not any(part.startswith("_") for part in m.name.split("."))
    ]
    for name in names:
        page = f"# {name}\n\n```{{eval-rst}}\n.. automodule:: {name}\n   :members:\n```\n"
        path = target / f"{name}.md"
        if not path.exists() or path.read_text() != page:
            path.write_text(page)


def _module_sections(app, what, name, obj, options, lines) -> None:
    """Sections of module docstrings (``References`` ...) as rubrics: one label per page only."""
    if what != "module":
        return
    for i in range(len(lines) - 1):
        title, rule = lines[i], lines[i + 1]
        if title.strip() and rule and set(rule) == {"-"} and len(rule) >= len(title.strip()) - 1:
            lines[i], lines[i + 1] = f".. rubric:: {title.strip()}", ""


def setup(app):
    app.connect("autodoc-process-docstring", _module_sections)
    app.connect("builder-inited", _api_pages)
    app.connect("builder-inited", _notebooks)
    app.connect("builder-inited", _gallery)
    return {"parallel_read_safe": True}
