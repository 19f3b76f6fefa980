"""How the answers move when assumptions change: sweeps, Monte Carlo and sensitivity indices.

This layer sits above :mod:`dealsim.pipeline`: a sweep runs the whole solve at every grid point,
Monte Carlo and sensitivity evaluate batches of parameter draws with
:func:`dealsim.analysis.batch.batch_solve`.
"""

from dealsim.uncertainty._runner import shutdown_workers

__all__ = ["shutdown_workers"]
