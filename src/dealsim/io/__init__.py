"""dealsim.io."""
