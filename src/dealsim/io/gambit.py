"""Reading and writing Gambit's ``.nfg`` (normal form) and ``.efg`` (extensive form) files.

``.nfg`` files (``NFG 1 R``) are read in both of Gambit's bodies, the plain payoff vector and the
outcome list with one outcome number per profile, with strategies given as counts or as names;
they become a :class:`~dealsim.solvers.equilibrium.NormalFormGame` with a payoff tensor shaped
``(n_players, s_1, ..., s_n)``. ``.efg`` files (``EFG 2 R``) become a
:class:`~dealsim.solvers.sequential.GameTree`; outcomes attached to non-terminal nodes are added
into the payoffs of the terminals below them. Numbers may be integers, decimals or fractions
(``1/3``). :func:`read_game` and :func:`write_game` pick the format by file suffix.
Files are read and written here; the text formats are in :mod:`dealsim.io.gambit_parse` and
:mod:`dealsim.io.gambit_format` (their functions are re-exported).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from dealsim.errors import GameError
from dealsim.io.gambit_format import format_efg, format_nfg
from dealsim.io.gambit_parse import parse_efg, parse_nfg
from dealsim.solvers.equilibrium import NormalFormGame
from dealsim.solvers.sequential import GameTree

__all__ = [
    "format_efg",
    "format_nfg",
    "parse_efg",
    "parse_nfg",
    "read_efg",
    "read_game",
    "read_nfg",
    "write_efg",
    "write_game",
    "write_nfg",
]


def read_nfg(path: str | Path) -> NormalFormGame:
    """Read a Gambit ``.nfg`` file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pd.nfg"
    >>> _ = path.write_text('NFG 1 R "PD" { "A" "B" } { 2 2 } 3 3 5 0 0 5 1 1')
    >>> read_nfg(path).payoffs.shape
    (2, 2, 2)
    """
    path = Path(path)
    return parse_nfg(path.read_text(encoding="utf-8"), source=str(path))


def read_efg(path: str | Path) -> GameTree:
    """Read a Gambit ``.efg`` file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "coin.efg"
    >>> _ = path.write_text('EFG 2 R "coin" { "A" } "" c "" 1 "" { "h" 1/3 "t" 2/3 } 0 '
    ...                     't "" 1 "h" { 1 } t "" 2 "t" { 0 }')
    >>> read_efg(path).prob.tolist()
    [1.0, 0.3333333333333333, 0.6666666666666666]
    """
    path = Path(path)
    return parse_efg(path.read_text(encoding="utf-8"), source=str(path))


def write_nfg(
    game: Any, path: str | Path, *, form: Literal["outcome", "payoff"] = "outcome"
) -> None:
    """Write a normal-form game (or a tree's normal form) as a Gambit ``.nfg`` file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> nf = parse_nfg('NFG 1 R "PD" { "A" "B" } { 2 2 } 3 3 5 0 0 5 1 1')
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pd.nfg"
    >>> write_nfg(nf, path)
    >>> read_nfg(path).payoffs.tolist() == nf.payoffs.tolist()
    True
    """
    Path(path).write_text(format_nfg(game, form=form), encoding="utf-8")


def write_efg(tree: GameTree, path: str | Path) -> None:
    """Write a game tree as a Gambit ``.efg`` file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tree = GameTree.from_nodes({"r": {"player": "A", "actions": {"x": "o"}}}, {"o": [1]},
    ...                            root="r", players=["A"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "one.efg"
    >>> write_efg(tree, path)
    >>> read_efg(path).labels.tolist()
    ['r', 'o']
    """
    if not isinstance(tree, GameTree):
        raise GameError(
            f"an .efg file holds a game tree, got {type(tree).__name__}; write normal-form "
            "games as .nfg"
        )
    Path(path).write_text(format_efg(tree), encoding="utf-8")


_READERS: dict[str, Callable[[Path], Any]] = {".nfg": read_nfg, ".efg": read_efg}
_WRITERS: dict[str, Callable[[Any, Path], None]] = {".nfg": write_nfg, ".efg": write_efg}


def _suffix(path: Path, table: dict[str, Any]) -> str:
    suffix = path.suffix.lower()
    if suffix not in table:
        raise GameError(
            f"unknown game file suffix {path.suffix!r}; allowed: {', '.join(sorted(table))}",
            game=str(path),
        )
    return suffix


def read_game(path: str | Path) -> NormalFormGame | GameTree:
    """Read a Gambit game file, choosing the reader by suffix (``.nfg`` or ``.efg``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pd.nfg"
    >>> _ = path.write_text('NFG 1 R "PD" { "A" "B" } { 2 2 } 3 3 5 0 0 5 1 1')
    >>> type(read_game(path)).__name__
    'NormalFormGame'
    """
    path = Path(path)
    return _READERS[_suffix(path, _READERS)](path)


def write_game(game: Any, path: str | Path) -> None:
    """Write a game, choosing the writer by suffix (``.nfg`` or ``.efg``).

    A :class:`GameTree` written as ``.nfg`` is written as its normal form.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tree = GameTree.from_nodes({"r": {"player": "A", "actions": {"x": "o", "y": "p"}}},
    ...                            {"o": [1], "p": [2]}, root="r", players=["A"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.nfg"
    >>> write_game(tree, path)
    >>> read_game(path).payoffs.tolist()
    [[1.0, 2.0]]
    """
    path = Path(path)
    _WRITERS[_suffix(path, _WRITERS)](game, path)
