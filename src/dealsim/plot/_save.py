"""Saving figures: the file type by suffix, and never over a user's file unless asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dealsim._files import check_output_path, reporting_os_errors
from dealsim.errors import DealsimError

__all__ = ["FIGURE_SUFFIXES", "check_output", "save_figure"]

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_output(output: str, force: bool, suffixes: tuple[str, ...]) -> Path:
    """The path to write ``output`` to, checked: a known suffix, and no overwrite unless ``force``.

    Examples
    --------
    >>> check_output("fig.svg", False, FIGURE_SUFFIXES).suffix
    '.svg'
    """
    path = Path(output)
    if str(output).strip() and path.suffix.lower() not in suffixes:
        raise DealsimError(
            f"{output}: unknown file type {path.suffix or '(none)'!r} "
            f"(allowed: {', '.join(suffixes)})"
        )
    return check_output_path(output, force=force)


def save_figure(fig: Any, output: str, *, force: bool = False, dpi: int = 150) -> Path:
    """Save ``fig`` as png, svg or pdf (by suffix), refusing to overwrite unless ``force``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, tempfile, os
    >>> fig = plt.figure()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save_figure(fig, os.path.join(d, "a.svg")).suffix
    '.svg'
    """
    import matplotlib.pyplot as plt

    path = check_output(output, force, FIGURE_SUFFIXES)
    try:
        with reporting_os_errors(output):
            fig.savefig(path, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
