"""``python -m dealsim``: the command line."""

from dealsim.cli import run

run()
