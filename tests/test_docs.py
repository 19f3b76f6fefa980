"""The documentation site's configuration: the gallery draws every kind of figure."""

import importlib.util
from pathlib import Path

from dealsim.cli.plot import PLOT_KINDS

CONF = Path(__file__).parent.parent / "docs" / "conf.py"


def _conf():
    spec = importlib.util.spec_from_file_location("docs_conf", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gallery_draws_every_plot_kind():
    kinds = [args[0] for _, _, args, _ in _conf().GALLERY]
    assert sorted(kinds) == sorted(PLOT_KINDS)


def test_notebooks_are_rendered_without_executing_them():
    assert _conf().nb_execution_mode == "off"
