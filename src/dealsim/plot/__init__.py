"""dealsim.plot."""
