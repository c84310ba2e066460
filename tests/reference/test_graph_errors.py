"""Every way a graph or its inputs can be wrong: one GraphError, before any numeric work.

Each case starts from the contract's example graph, breaks one thing, and lists the words the
message must contain: the node (or input) at fault and what was expected.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from gradspec.reference import _backprop
from gradspec.reference._backprop import backprop, jacobian
from gradspec.reference._graph import GraphError


def example() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    graph = {
        "inputs": ["W", "x", "b", "u"],
        "nodes": [
            {"name": "s", "op": "dot", "args": ["u", "a"]},
            {"name": "z", "op": "linear", "args": ["W", "x", "b"]},
            {"name": "a", "op": "leaky_relu", "args": ["z"], "negative_slope": 0.1},
        ],
        "output": "s",
    }
    inputs = {"W": np.ones((3, 4)), "x": np.ones(4), "b": np.ones(3), "u": np.ones(3)}
    return graph, inputs


def node(graph: dict, name: str) -> dict:
    return next(n for n in graph["nodes"] if n["name"] == name)


def broken(change: Callable[[dict, dict], object]) -> tuple[dict, dict]:
    graph, inputs = example()
    graph = copy.deepcopy(graph)
    change(graph, inputs)
    return graph, inputs


def _add_node(graph: dict, **fields: Any) -> None:
    graph["nodes"].append(fields)


CASES = {
    # structure
    "graph not a dict": (lambda g, i: None, ["graph must be a dict", "NoneType"]),
    "missing nodes key": (lambda g, i: g.pop("nodes"), ["'nodes'"]),
    "missing output key": (lambda g, i: g.pop("output"), ["'output'"]),
    "unknown top-level key": (lambda g, i: g.update(edges=[]), ["'edges'", "'inputs'"]),
    "inputs not a list": (lambda g, i: g.update(inputs="W"), ["graph['inputs']", "list"]),
    "input listed twice": (lambda g, i: g["inputs"].append("x"), ["'x'", "twice"]),
    "nodes not a list": (lambda g, i: g.update(nodes={}), ["graph['nodes']", "list"]),
    "node not a dict": (lambda g, i: g["nodes"].append("t"), ["graph['nodes'][3]", "dict"]),
    "node without op": (lambda g, i: node(g, "z").pop("op"), ["graph['nodes'][1]", "'op'"]),
    "name not a string": (lambda g, i: node(g, "z").update(name=3), ["'name'", "string"]),
    "args a string": (lambda g, i: node(g, "a").update(args="z"), ["node 'a'", "list of names"]),
    # ops, arity, attributes
    "unknown op": (
        lambda g, i: node(g, "a").update(op="leakyrelu"),
        ["node 'a'", "'leakyrelu'", "known ops", "leaky_relu", "tanh", "matmul"],
    ),
    "too many args": (
        lambda g, i: node(g, "a").update(args=["z", "z"]),
        ["node 'a' (leaky_relu)", "expected 1 args (a)", "got 2"],
    ),
    "too few args": (
        lambda g, i: node(g, "z").update(args=["W", "x"]),
        ["node 'z' (linear)", "expected 3 args (W, x, b)", "got 2"],
    ),
    "attribute on an op without any": (
        lambda g, i: node(g, "z").update(negative_slope=0.1),
        ["node 'z' (linear)", "unknown attribute 'negative_slope'", "accepts: none"],
    ),
    "misspelt attribute": (
        lambda g, i: node(g, "a").update(slope=0.1),
        ["node 'a' (leaky_relu)", "'slope'", "accepts: negative_slope"],
    ),
    "negative slope": (
        lambda g, i: node(g, "a").update(negative_slope=-1),
        ["node 'a' (leaky_relu)", "'negative_slope'", ">= 0"],
    ),
    # names
    "duplicate name": (
        lambda g, i: _add_node(g, name="a", op="tanh", args=["x"]),
        ["'a'", "unique"],
    ),
    "node shadows an input": (
        lambda g, i: _add_node(g, name="x", op="tanh", args=["b"]),
        ["node 'x' (tanh)", "input"],
    ),
    "dangling name": (
        lambda g, i: node(g, "s").update(args=["u", "h"]),
        ["node 's' (dot)", "'h'", "neither a graph input nor a node"],
    ),
    "output does not exist": (lambda g, i: g.update(output="loss"), ["'loss'", "neither"]),
    "output not a string": (lambda g, i: g.update(output=["s"]), ["graph['output']", "string"]),
    # cycles
    "cycle": (
        lambda g, i: node(g, "z").update(op="add", args=["a", "b"]),
        ["cycle", "'a' -> 'z' -> 'a'", "acyclic"],
    ),
    "self loop": (
        lambda g, i: _add_node(g, name="t", op="tanh", args=["t"]),
        ["cycle", "'t' -> 't'"],
    ),
    # input arrays
    "missing input array": (lambda g, i: i.pop("b"), ["no array", "'b'"]),
    "extra input array": (lambda g, i: i.update(v=np.ones(3)), ["'v'", "not graph inputs"]),
    "integer input": (
        lambda g, i: i.update(x=np.ones(4, dtype=np.int64)),
        ["input 'x'", "int64", "float32 or float64"],
    ),
    "float16 input": (lambda g, i: i.update(u=np.ones(3, np.float16)), ["input 'u'", "float16"]),
    "mixed dtypes": (
        lambda g, i: i.update(u=np.ones(3, np.float32)),
        ["one dtype", "u is float32", "x is float64"],
    ),
    # shapes, inferred before evaluation
    "linear x of the wrong length": (
        lambda g, i: i.update(x=np.ones(5)),
        ["node 'z' (linear): W has shape (3, 4) but x has shape (5,); expected x of shape (4,)"],
    ),
    "linear b of the wrong length": (
        lambda g, i: i.update(b=np.ones(4)),
        ["node 'z' (linear)", "b has shape (4,)", "expected b of shape (3,)"],
    ),
    "linear with a batch": (
        lambda g, i: i.update(x=np.ones((2, 4))),
        ["node 'z' (linear)", "x must be 1-D", "not a batch"],
    ),
    "shape error downstream names the arguments": (
        lambda g, i: i.update(u=np.ones(4)),
        ["node 's' (dot)", "u has shape (4,) but h has shape (3,)", "h='a'"],
    ),
    "add without broadcasting": (
        lambda g, i: _add_node(g, name="t", op="add", args=["x", "b"]),
        ["node 't' (add)", "expected b of shape (4,)", "b='b'", "a='x'"],
    ),
    "matmul inner dimensions": (
        lambda g, i: _add_node(g, name="t", op="matmul", args=["W", "b"]),
        [
            "node 't' (matmul)",
            "A has shape (3, 4) but B has shape (3,)",
            "expected B of shape (4,)",
        ],
    ),
    "matmul of a vector": (
        lambda g, i: _add_node(g, name="t", op="matmul", args=["x", "W"]),
        ["node 't' (matmul)", "A must be 2-D", "(4,)"],
    ),
    "dot of a matrix": (
        lambda g, i: _add_node(g, name="t", op="dot", args=["W", "W"]),
        ["node 't' (dot)", "u must be 1-D", "(3, 4)"],
    ),
    # what backprop needs of the output
    "non-scalar output": (
        lambda g, i: g.update(output="a"),
        ["'a'", "shape (3,)", "scalar", "jacobian(graph, inputs, wrt)"],
    ),
}


@pytest.fixture
def no_numeric_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the forward pass fail loudly: a GraphError must come before any evaluation."""

    def forbidden(*args: object) -> None:
        raise AssertionError("the forward pass ran before the graph was rejected")

    monkeypatch.setattr(_backprop, "_forward", forbidden)


@pytest.mark.usefixtures("no_numeric_work")
@pytest.mark.parametrize("case", list(CASES))
def test_backprop_rejects_with_a_clear_message(case):
    change, fragments = CASES[case]
    graph, inputs = broken(change)
    if case == "graph not a dict":
        graph = None
    with pytest.raises(GraphError) as info:
        backprop(graph, inputs)
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in: {info.value}"


@pytest.mark.usefixtures("no_numeric_work")
@pytest.mark.parametrize("case", [c for c in CASES if c != "non-scalar output"])
def test_jacobian_rejects_the_same_graphs(case):
    change, fragments = CASES[case]
    graph, inputs = broken(change)
    if case == "graph not a dict":
        graph = None
    with pytest.raises(GraphError) as info:
        jacobian(graph, inputs, "x")
    assert all(fragment in str(info.value) for fragment in fragments)
    assert str(info.value).startswith("jacobian: ")


@pytest.mark.usefixtures("no_numeric_work")
@pytest.mark.parametrize(
    ("wrt", "fragments"),
    [
        ("z", ["wrt='z'", "not a graph input (it is a node)", "['W', 'x', 'b', 'u']"]),
        ("y", ["wrt='y'", "not a graph input"]),
        (0, ["wrt=0", "not a graph input"]),
    ],
)
def test_jacobian_wrt_must_be_an_input(wrt, fragments):
    graph, inputs = example()
    with pytest.raises(GraphError) as info:
        jacobian(graph, inputs, wrt)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_a_cycle_message_names_only_the_nodes_on_it():
    graph, inputs = example()
    graph["nodes"] += [
        {"name": "p", "op": "tanh", "args": ["q"]},
        {"name": "q", "op": "add", "args": ["p", "x"]},
        {"name": "r", "op": "sum", "args": ["q"]},  # depends on the cycle, is not on it
    ]
    with pytest.raises(GraphError, match="cycle: 'p' -> 'q' -> 'p' ") as info:
        backprop(graph, inputs)
    assert "'r'" not in str(info.value)


@pytest.mark.usefixtures("no_numeric_work")
def test_inputs_must_be_a_dict():
    graph, inputs = example()
    with pytest.raises(
        GraphError, match="inputs must be a dict from input name to array; got a list"
    ):
        backprop(graph, list(inputs.values()))


def test_graph_error_is_a_value_error():
    assert issubclass(GraphError, ValueError)


def test_the_unbroken_example_is_accepted():
    # The cases above break it one way each; unbroken it must evaluate.
    graph, inputs = example()
    output, _ = backprop(graph, inputs)
    assert output == 3 * 5.0  # z = 4 + 1 = 5 per row, leaky_relu(5) = 5, u . a = 15
