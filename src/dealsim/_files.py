"""Writing files for the user: every write goes through here, and OS errors become one line.

An output path is checked before any work is written (an empty name, a directory, a missing parent
directory, an existing file without ``force``), and an ``OSError`` raised while writing (a full
disk, no permission, ...) becomes a :class:`~dealsim.errors.DealsimError` naming the file and the
reason, which the command line prints as ``dealsim: error: ...`` with exit status 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dealsim.errors import DealsimError

__all__ = ["check_output_path", "os_error", "reporting_os_errors", "write_text"]


def os_error(path: str | Path, error: OSError, doing: str = "write") -> DealsimError:
    """One-line error for ``error`` raised while doing ``doing`` to ``path``.

    Examples
    --------
    >>> import errno
    >>> str(os_error("/dev/full", OSError(errno.ENOSPC, "No space left on device")))
    '/dev/full: cannot write: No space left on device'
    """
    reason = error.strerror or str(error) or type(error).__name__
    return DealsimError(f"{path}: cannot {doing}: {reason}")


def check_output_path(output: str | Path, *, force: bool = False) -> Path:
    """The path to write ``output`` to, checked before any work is done.

    Refuses an empty name, a directory, a file in a directory that does not exist, and an
    existing file unless ``force``.

    Examples
    --------
    >>> check_output_path("")
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: -o/--output: the file name is empty (give a file name, or - ...)
    >>> check_output_path("no/such/dir/out.json")
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: no/such/dir/out.json: cannot write: the directory ... not exist
    """
    text = str(output)
    if not text.strip():
        raise DealsimError(
            "-o/--output: the file name is empty (give a file name, or - for standard output)"
        )
    path = Path(text)
    try:
        if path.is_dir():
            raise DealsimError(f"{text}: cannot write: it is a directory (give a file name)")
        if path.exists() and not force:
            raise DealsimError(f"{text}: already exists; pass --force to overwrite it")
        parent = path.parent
        if not parent.is_dir():
            if parent.exists():
                raise DealsimError(f"{text}: cannot write: {str(parent)!r} is not a directory")
            raise DealsimError(
                f"{text}: cannot write: the directory {str(parent)!r} does not exist"
            )
    except OSError as error:  # e.g. a name too long for the file system
        raise os_error(text, error) from None
    return path


@contextmanager
def reporting_os_errors(path: str | Path, doing: str = "write") -> Iterator[None]:
    """Turn an ``OSError`` raised in the block into one :func:`os_error` line.

    Examples
    --------
    >>> with reporting_os_errors("/nowhere/x.txt"):
    ...     open("/nowhere/x.txt", "w")
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: /nowhere/x.txt: cannot write: No such file or directory
    """
    try:
        yield
    except OSError as error:
        raise os_error(path, error, doing) from None


def write_text(output: str | Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``output``, checked by :func:`check_output_path`.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> write_text(path, "hello").read_text()
    'hello'
    >>> write_text(path, "again")
    Traceback (most recent call last):
    ...
    dealsim.errors.DealsimError: ...out.txt: already exists; pass --force to overwrite it
    """
    path = check_output_path(output, force=force)
    with reporting_os_errors(output), path.open("w", encoding="utf-8") as handle:
        handle.write(text)
    return path
