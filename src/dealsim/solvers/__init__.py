"""dealsim.solvers."""
