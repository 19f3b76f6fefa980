"""``python -m dealsim.cli``: the command line."""

import sys

from dealsim.cli import main

sys.exit(main())
