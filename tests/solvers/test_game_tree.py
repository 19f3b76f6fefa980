"""Building game trees: invalid trees are named node by node."""

import json
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealsim.errors import GameError
from dealsim.solvers import _tree_nodes, game_tree
from dealsim.solvers.game_tree import GameTree
from dealsim.solvers.sequential import subgame_perfect_equilibrium
from strategies import random_trees


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


@pytest.mark.parametrize(
    ("target", "root"), [(["o"], "r"), ({"o": 1}, "r"), ("o", ["r"])], ids=["list", "dict", "root"]
)
def test_an_unhashable_target_or_root_is_a_game_error_not_a_type_error(target, root):
    nodes = {"r": {"player": "a", "actions": {"x": target, "y": "o"}}}
    with pytest.raises(GameError, match=r"neither a node nor an outcome|the root must be"):
        GameTree.from_nodes(nodes, {"o": [0, 0]}, root=root, players=["a", "b"])


def _random_spec(n_nodes, seed, chance_share=0.2):
    """A random tree grown breadth-first: 1-4 children, some chance nodes, shared outcomes."""
    rng = np.random.default_rng(seed)
    nodes, outcomes = {}, {f"o{k}": rng.normal(size=2).tolist() for k in range(5)}
    frontier, count, head = ["n0"], 1, 0
    while head < len(frontier):
        nid = frontier[head]
        head += 1
        k = int(rng.integers(1, 5))
        kids = [f"n{count + j}" if count + k <= n_nodes else f"o{j}" for j in range(k)]
        if count + k <= n_nodes:
            count += k
            frontier.extend(kids)
        if rng.random() < chance_share:
            p = rng.dirichlet(np.ones(k)).tolist()
            nodes[nid] = {
                "chance": dict(zip([f"b{j}" for j in range(k)], p, strict=True)),
                "actions": dict(zip([f"b{j}" for j in range(k)], kids, strict=True)),
            }
            if rng.random() < 0.5 and len(set(kids)) == k:
                nodes[nid] = {"chance": dict(zip(kids, p, strict=True))}
        else:
            nodes[nid] = {
                "player": ["a", "b"][int(rng.integers(2))],
                "actions": {f"x{j}": kid for j, kid in enumerate(kids)},
            }
    return nodes, outcomes


FIELDS = (
    "kind",
    "player",
    "parent",
    "depth",
    "child_ptr",
    "prob",
    "labels",
    "actions",
    "terminal",
    "payoffs",
    "infoset",
)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_nodes", [1, 7, 300, 5_000])
def test_plain_trees_are_laid_out_exactly_as_by_the_validating_loop(seed, n_nodes):
    nodes, outcomes = _random_spec(n_nodes, seed)
    players = ["a", "b"]
    plain = game_tree._build_plain(nodes, outcomes, root="n0", players=("a", "b"), tol=1e-9)
    assert plain is not None  # the fast layout was taken
    fast = GameTree.from_nodes(nodes, outcomes, root="n0", players=players)
    with mock.patch.object(game_tree, "_build_plain", return_value=None):
        slow = GameTree.from_nodes(nodes, outcomes, root="n0", players=players)
    for field in FIELDS:
        a, b = getattr(fast, field), getattr(slow, field)
        assert a.dtype == b.dtype and a.shape == b.shape and (a == b).all(), field
    assert fast.infoset_labels == slow.infoset_labels


def test_a_deep_chain_is_left_to_the_loop_and_built_the_same():
    depth = 3_000
    nodes = {
        f"n{i}": {"player": "a", "actions": {"stop": "o", "go": f"n{i + 1}"}} for i in range(depth)
    }
    nodes[f"n{depth - 1}"] = {"player": "a", "actions": {"stop": "o"}}
    outcomes = {"o": [1.0]}
    assert game_tree._build_plain(nodes, outcomes, root="n0", players=("a",), tol=1e-9) is None
    tree = GameTree.from_nodes(nodes, {"o": [1.0]}, root="n0", players=["a"])
    assert tree.n_nodes == 2 * depth and int(tree.depth.max()) == depth


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ({"r": {"player": "a", "actions": {"x": "o"}}, "s": {"player": "a",
          "actions": {"z": "t"}}, "t": {"player": "a", "actions": {"z": "s"}}},
         "not reachable from the root"),
        ({"r": {"chance": {"o": 0.5, "p": 0.4}}}, "sum to 0.9"),
        ({"r": {"chance": {"o": -0.5, "p": 1.5}}}, "finite and >= 0"),
        ({"r": {"player": "a", "actions": {}}}, "at least one action"),
        ({"r": {"player": "c", "actions": {"x": "o"}}}, "unknown player"),
    ],
    ids=["cycle-away-from-root", "chance-sum", "chance-negative", "no-actions", "player"],
)  # fmt: skip
def test_invalid_plain_trees_raise_the_loops_error(nodes, message):
    with pytest.raises(GameError, match=message):
        GameTree.from_nodes(nodes, {"o": [0.0], "p": [1.0]}, root="r", players=["a"])


def _fast_and_slow(nodes, outcomes, players):
    """The tree built by the fast layout (checked taken) and by the validating loop."""
    plain = game_tree._build_plain(nodes, outcomes, root="n0", players=tuple(players), tol=1e-9)
    assert plain is not None
    fast = GameTree.from_nodes(nodes, outcomes, root="n0", players=players)
    with mock.patch.object(game_tree, "_build_plain", return_value=None):
        slow = GameTree.from_nodes(nodes, outcomes, root="n0", players=players)
    return fast, slow


def _assert_same_tree(fast, slow):
    for field in FIELDS:
        a, b = getattr(fast, field), getattr(slow, field)
        assert a.dtype == b.dtype and a.shape == b.shape and (a == b).all(), field
    assert fast.infoset_labels == slow.infoset_labels


def test_payoff_mappings_and_shared_rows_are_read_as_by_the_validating_loop():
    nodes, outcomes = _random_spec(300, seed=7)
    shared = outcomes["o1"]
    as_mappings = {o: {"b": row[1], "a": row[0]} for o, row in outcomes.items()}
    as_mappings["o3"] = as_mappings["o2"]  # one mapping object for two outcomes
    for table in (as_mappings, {**outcomes, "o4": shared, "o0": tuple(shared)}):
        _assert_same_tree(*_fast_and_slow(nodes, table, ["a", "b"]))


def test_one_dict_for_several_nodes_is_laid_out_as_by_the_validating_loop():
    leaf = {"player": "b", "actions": {"l": "o0", "r": "o1"}}  # the same dict object twice
    nodes = {"n0": {"player": "a", "actions": {"x": "n1", "y": "n2"}}, "n1": leaf, "n2": leaf}
    fast, slow = _fast_and_slow(nodes, {"o0": [1, 0], "o1": [0, 1]}, ["a", "b"])
    _assert_same_tree(fast, slow)
    assert fast.labels.tolist() == ["n0", "n1", "n2", "o0", "o1", "o0", "o1"]


def test_addresses_tell_the_same_object_from_an_equal_one():
    a, b = _copy("node"), _copy("node")
    held = np.empty(4, dtype=object)
    held[:] = [a, b, a, ("t", 1)]
    addresses = _tree_nodes._addresses(held[::-1])  # a strided view is read item by item
    assert addresses.dtype == np.int64 and addresses.shape == (4,)
    assert addresses[1] == addresses[3] != addresses[2]  # a, then b: equal, not the same
    assert _tree_nodes._positions(addresses, _tree_nodes._addresses(held[:2])).tolist() == [1, 2]


def _copy(text):
    """An equal string that is another object (as a parser makes, unlike code reusing one)."""
    copied = "".join(list(text))
    assert copied == text and (copied is not text or len(text) < 2)
    return copied


@pytest.mark.parametrize(
    ("copied_share", "by_address"), [(0.0, True), (0.2, True), (0.5, None), (1.0, False)]
)
def test_targets_equal_to_the_ids_but_other_objects_are_laid_out_as_by_the_loop(
    copied_share, by_address
):
    # the fast layout finds a target that is the key object itself by its address, the others
    # by lookup (all of them when few are keys): any mix of the two gives the loop's tree
    nodes, outcomes = _random_spec(2_000, seed=3)
    rng = np.random.default_rng(0)
    nodes = {
        nid: {
            key: {a: _copy(t) if rng.random() < copied_share else t for a, t in value.items()}
            if key == "actions"
            else value
            for key, value in spec.items()
        }
        for nid, spec in nodes.items()
    }
    with mock.patch.object(_tree_nodes, "_node_codes", wraps=_tree_nodes._node_codes) as looked:
        _assert_same_tree(*_fast_and_slow(nodes, outcomes, ["a", "b"]))
    if by_address is not None:  # most of the 1,999 node targets found by address, or none
        assert (looked.call_args_list[0].args[3].size < 1_000) == by_address


def test_a_parsed_description_is_laid_out_as_by_the_loop():
    # JSON makes every target string anew: no target is a key object, all are looked up
    nodes, outcomes = _random_spec(2_000, seed=4)
    parsed = json.loads(json.dumps({"nodes": nodes, "outcomes": outcomes}))
    _assert_same_tree(*_fast_and_slow(parsed["nodes"], parsed["outcomes"], ["a", "b"]))


def test_a_target_that_is_a_node_id_equal_to_an_outcome_id_is_refused_as_by_the_loop():
    node_id = _copy("sub")  # a node id, reached by that very object; "sub" is also an outcome
    nodes = {"r": {"player": "a", "actions": {"x": node_id}},
             node_id: {"player": "a", "actions": {"y": "o"}}}  # fmt: skip
    with pytest.raises(GameError, match="id is both a node and an outcome") as info:
        GameTree.from_nodes(nodes, {"o": [0.0], "sub": [1.0]}, root="r", players=["a"])
    assert info.value.node == "sub"


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        ({"o": [0.0], "unused": [float("inf")]}, "payoffs must be finite"),
        ({"o": [0.0], "s": [1.0]}, "id is both a node and an outcome"),
    ],
    ids=["unused-outcome", "node-also-outcome"],
)
def test_plain_trees_are_refused_as_by_the_validating_loop(outcomes, message):
    nodes = {"r": {"player": "a", "actions": {"x": "s"}}, "s": {"player": "a",
             "actions": {"y": "o"}}}  # fmt: skip
    with pytest.raises(GameError, match=message) as info:
        GameTree.from_nodes(nodes, outcomes, root="r", players=["a"])
    assert info.value.node in ("unused", "s")


def _as_arrays(nodes, outcomes, players, rng):
    """The arrays of a dict-described tree, nodes listed in a random order (siblings in order)."""
    order, parent, player, prob, action = ["n0"], [-1], [], [], [""]
    head = 0
    while head < len(order):
        spec = nodes.get(order[head])
        if spec is None:
            player.append(-1)
        else:
            player.append(players.index(spec["player"]) if "player" in spec else -1)
            chance = spec.get("chance", {})
            edges = spec.get("actions") or {b: b for b in chance}
            for a, target in edges.items():
                order.append(target)
                parent.append(head)
                action.append(a)
                prob.append(chance.get(a, 1.0))
        head += 1
    n = len(order)
    slots = rng.permutation(n)  # a random listing; each parent's children keep their order
    for p in range(n):
        kids = [i for i in range(n) if parent[i] == p]
        slots[kids] = np.sort(slots[kids])
    where = np.empty(n, dtype=np.int64)
    where[slots] = np.arange(n)  # where[k]: the node listed k-th
    parent_a = np.array(parent)
    listed_parent = np.where(parent_a[where] >= 0, slots[np.maximum(parent_a[where], 0)], -1)
    leaves = [i for i in where if order[i] in outcomes]
    return {
        "parent": listed_parent,
        "player": np.array(player)[where],
        "payoffs": [outcomes[order[i]] for i in leaves],
        "prob": np.array([1.0, *prob])[where],
        "labels": [order[i] for i in where],
        "actions": [action[i] for i in where],
    }


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_nodes", [1, 7, 300, 2_000])
def test_arrays_listed_in_any_order_build_the_tree_of_the_node_dicts(seed, n_nodes):
    nodes, outcomes = _random_spec(n_nodes, seed)
    arrays = _as_arrays(nodes, outcomes, ["a", "b"], np.random.default_rng(seed))
    from_arrays = GameTree.from_arrays(**arrays, players=["a", "b"])
    _assert_same_tree(from_arrays, GameTree.from_nodes(nodes, outcomes, root="n0",
                                                       players=["a", "b"]))  # fmt: skip


def test_arrays_without_labels_name_nodes_by_index_and_actions_by_position():
    tree = GameTree.from_arrays([2, 2, -1], [-1, -1, 0], [[1.0], [2.0]], players=["a"])
    assert tree.labels.tolist() == ["2", "0", "1"]
    assert tree.actions.tolist() == ["", "0", "1"]
    assert tree.parent.tolist() == [-1, 0, 0] and tree.payoffs.tolist() == [[1.0], [2.0]]


ENTRY = {"parent": [-1, 0, 0, 2, 2], "player": [0, -1, 1, -1, -1],
         "payoffs": [[0, 2], [-1, -1], [1, 1]],
         "labels": ["entrant", "stay_out", "incumbent", "war", "share"]}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "node", "message"),
    [
        ({"parent": [-1, 0, 0, 2, 5]}, "share", "parent is 5: a node's parent is another node's"),
        ({"parent": [-1, 0, 0, 3, 2]}, "war", "parent is 3"),
        ({"parent": [-1, -1, 0, 2, 2]}, None, "exactly one node, the root; 2 are (nodes entrant, "),
        ({"parent": [-1, 0, 3, 2, 2], "payoffs": [[0, 2]]}, "incumbent", "round a cycle"),
        ({"player": [0, -1, 2, -1, -1]}, "incumbent", "player is 2 (allowed: 0 to 1 at a decision"),
        ({"player": [0, 1, 1, -1, -1]}, "stay_out", "player is 1 (allowed: -1 at a terminal"),
        ({"player": [0, -1, -1, -1, -1]}, "incumbent", "prob is needed"),
        ({"player": [0, -1, -1, -1, -1], "prob": [1, 1, 1, 0.5, 0.4]}, "incumbent",
         "chance probabilities sum to 0.9, not 1 (tol 1e-09)"),
        ({"player": [0, -1, -1, -1, -1], "prob": [1, 1, 1, -0.5, 1.5]}, "war",
         "prob is -0.5: chance probabilities must be finite and >= 0"),
        ({"payoffs": [[0, 2], [-1, -1]]}, None, "one row per terminal node (3, in the order"),
        ({"payoffs": [[0, 2], [-1, np.nan], [1, 1]]}, "war", "payoffs must be finite"),
        ({"labels": ["entrant", "x", "entrant", "war", "share"]}, "entrant", "id given to another"),
        ({"labels": ["entrant", "x", "war", "war", "share"]}, "war", "id given to another"),
        ({"labels": ["entrant", "x"]}, None, "labels must give one label per node (5)"),
        ({"actions": ["", "out", "in", "fight", "fight"]}, "incumbent",
         "action 'fight' appears twice"),
        ({"parent": [-1.0, 0, 0, 2, 2]}, None, "parent must be a 1-d array of integers"),
        ({"parent": [-1], "player": [-1], "payoffs": [[0, 0]], "labels": ["entrant"]},
         "entrant", "the root must be a decision or chance node"),
    ],
    ids=["parent-range", "parent-is-self", "two-roots", "cycle", "player-range", "leaf-player",
         "no-prob", "chance-sum", "chance-negative", "payoff-rows", "payoff-nan", "id-repeated",
         "id-is-outcome", "labels-length", "sibling-actions", "parent-dtype", "root-alone"],
)  # fmt: skip
def test_invalid_arrays_raise_naming_the_argument_and_first_node(change, node, message):
    with pytest.raises(GameError) as info:
        GameTree.from_arrays(**{**ENTRY, **change}, players=["E", "I"], name="entry")
    assert info.value.game == "entry" and info.value.node == node
    assert message in str(info.value)


def test_outcome_ids_may_repeat_and_equal_hashes_are_not_taken_for_repeats():
    assert hash(-1) == hash(-2)  # CPython: two distinct ids, one hash
    ids = {"labels": [-1, "o", -2, "o", "o"], "actions": ["", -1, -2, -1, -2]}
    tree = GameTree.from_arrays(**{**ENTRY, **ids}, players=["E", "I"])
    assert tree.labels.tolist() == [-1, "o", -2, "o", "o"]
    assert tree.actions.tolist() == ["", -1, -2, -1, -2]


@given(random_trees(), st.integers(0, 2**32 - 1))
def test_arrays_in_a_random_listing_give_the_same_tree_and_equilibrium(spec, seed):
    nodes, outcomes, root, players = spec
    assert root == "n0"
    arrays = _as_arrays(nodes, outcomes, players, np.random.default_rng(seed))
    from_arrays = GameTree.from_arrays(**arrays, players=players)
    from_nodes = GameTree.from_nodes(nodes, outcomes, root=root, players=players)
    _assert_same_tree(from_arrays, from_nodes)
    # integer payoffs: ties happen, and are broken (and reported) the same way
    same = subgame_perfect_equilibrium(from_arrays).to_dict()
    assert same == subgame_perfect_equilibrium(from_nodes).to_dict()
