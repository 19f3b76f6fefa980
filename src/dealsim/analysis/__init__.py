"""dealsim.analysis."""
