"""Building game trees: invalid trees are named node by node."""

import pytest

from dealsim.errors import GameError
from dealsim.solvers.game_tree import GameTree


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ({"r": {"player": "a", "actions": {"x": "s", "y": "s"}}, "s": {"player": "b",
          "actions": {"z": "o"}}}, "reached a second time"),
        ({"r": {"player": "a", "actions": {"x": "s"}}, "s": {"player": "b",
          "actions": {"z": "r"}}}, "cycle r -> s -> r"),
        ({"r": {"player": "a", "actions": {"x": "o"}}, "s": {"player": "b",
          "actions": {"z": "o"}}}, "not reachable from the root"),
        ({"r": {"player": "a", "actions": {"x": "nowhere"}}}, "neither a node nor an outcome"),
    ],
    ids=["revisit", "cycle", "unreachable", "unknown-target"],
)  # fmt: skip
def test_invalid_trees_are_named_by_the_walk(nodes, message):
    with pytest.raises(GameError, match=message):
        GameTree.from_nodes(nodes, {"o": [0, 0]}, root="r", players=["a", "b"])
