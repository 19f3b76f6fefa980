"""``python -m dealsim.cli``: the command line."""

from dealsim.cli import run

run()
