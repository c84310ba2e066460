"""Reading and checking a computation graph, before any numeric work.

`check_graph` turns the contract's JSON-compatible graph dict and the input arrays into a
`Plan`: the nodes in a topological order, the shape of every value and the common
dtype. Every way a graph or its inputs can be wrong is found here and raised as one
`GraphError` whose message names the node, what was wrong and what was expected.
Nothing here computes a value of the graph, so a bad graph never costs a forward pass.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._rules import OPS, Op, Shape, ShapeMismatch
from ._validation import SUPPORTED_DTYPES

__all__ = ["GraphError", "Node", "Plan", "check_graph", "topological_order"]

_NODE_KEYS = ("name", "op", "args")


def _is_name(value: Any) -> bool:
    return isinstance(value, str)


class GraphError(ValueError):
    """A computation graph, or the inputs given for it, cannot be evaluated.

    Raised before any numeric work, with a message naming the node (or input) at fault, what
    was wrong and what was expected.
    """


class Node(NamedTuple):
    """One checked node: its op's table entry and its attributes with defaults filled in."""

    name: str
    op_name: str
    op: Op
    args: tuple[str, ...]
    attributes: dict[str, Any]

    def describe(self) -> str:
        return f"node {self.name!r} ({self.op_name})"


@dataclass(frozen=True)
class Plan:
    """A checked graph, ready to evaluate.

    Attributes
    ----------
    inputs : tuple of str
        The graph's input names, in the order the graph lists them.
    arrays : dict of str to ndarray
        The input arrays (the caller's own arrays: never write into them).
    order : list of Node
        Every node, each after all the nodes it uses.
    shapes : dict of str to tuple of int
        The shape of every input and node value.
    dtype : numpy.dtype
        The dtype shared by every input, and so by every value and gradient.
    output : str
        The name of the output (a node or an input).
    """

    inputs: tuple[str, ...]
    arrays: dict[str, np.ndarray]
    order: list[Node]
    shapes: dict[str, Shape]
    dtype: np.dtype[Any]
    output: str


def check_graph(graph: Any, inputs: Any, *, func: str) -> Plan:
    """Check ``graph`` and ``inputs`` completely and return the `Plan` to evaluate.

    The checks run from the cheapest to the most informed: the dict's structure, each node's
    op, argument count and attributes, the names (duplicates, inputs shadowed, dangling
    references, the output), cycles, the input arrays (present, float, one dtype), and last
    the shapes, inferred node by node in topological order from the input arrays.

    Parameters
    ----------
    graph : dict
        ``{"inputs": [...], "nodes": [{"name", "op", "args", ...attributes}], "output": name}``.
    inputs : dict of str to ndarray
        One float32 or float64 array per graph input, all of one dtype.
    func : str
        The public function's name, used to start every message.

    Returns
    -------
    Plan

    Raises
    ------
    GraphError
        For the first problem found.
    """
    if not isinstance(graph, Mapping):
        raise GraphError(
            f"{func}: graph must be a dict with keys 'inputs', 'nodes' and 'output'; "
            f"got a {type(graph).__name__}."
        )
    input_names = _read_input_names(graph, func)
    nodes = [_read_node(raw, index, func) for index, raw in enumerate(_read_list(graph, func))]
    _check_names(input_names, nodes, func)
    output = _read_output(graph, input_names, nodes, func)
    order = _topological_order(nodes, func)
    arrays, dtype = _read_arrays(input_names, inputs, func)
    shapes = _infer_shapes(order, arrays, func)
    return Plan(input_names, arrays, order, shapes, dtype, output)


# --- structure -------------------------------------------------------------------------------


def _read_input_names(graph: Mapping[str, Any], func: str) -> tuple[str, ...]:
    unknown = sorted(set(graph) - {"inputs", "nodes", "output"}, key=str)
    if unknown:
        raise GraphError(
            f"{func}: graph has unknown keys {unknown}; "
            "expected exactly 'inputs', 'nodes' and 'output'."
        )
    if "inputs" not in graph:
        raise GraphError(f"{func}: graph has no 'inputs' key; expected a list of input names.")
    names = graph["inputs"]
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise GraphError(f"{func}: graph['inputs'] must be a list of strings; got {names!r}.")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise GraphError(f"{func}: input name {name!r} is listed twice in graph['inputs'].")
        seen.add(name)
    return tuple(names)


def _read_list(graph: Mapping[str, Any], func: str) -> list[Any]:
    if "nodes" not in graph:
        raise GraphError(f"{func}: graph has no 'nodes' key; expected a list of node dicts.")
    nodes = graph["nodes"]
    if not isinstance(nodes, (list, tuple)):
        raise GraphError(
            f"{func}: graph['nodes'] must be a list of node dicts; got a {type(nodes).__name__}."
        )
    return list(nodes)


def _read_node(raw: Any, index: int, func: str) -> Node:
    # Each message is built only when it is raised: this runs once per node.
    if not isinstance(raw, Mapping) or not ("name" in raw and "op" in raw and "args" in raw):
        where = f"{func}: graph['nodes'][{index}]"
        if not isinstance(raw, Mapping):
            raise GraphError(f"{where} must be a dict with keys {list(_NODE_KEYS)}; got {raw!r}.")
        missing = next(key for key in _NODE_KEYS if key not in raw)
        raise GraphError(f"{where} has no {missing!r} key; expected keys {list(_NODE_KEYS)}.")
    name, op_name, args = raw["name"], raw["op"], raw["args"]
    if not isinstance(name, str):
        raise GraphError(f"{func}: graph['nodes'][{index}]: 'name' must be a string; got {name!r}.")
    if not isinstance(op_name, str):
        raise GraphError(f"{func}: node {name!r}: 'op' must be a string; got {op_name!r}.")
    op = OPS.get(op_name)
    if op is None:
        raise GraphError(
            f"{func}: node {name!r}: unknown op {op_name!r}; known ops: {', '.join(sorted(OPS))}."
        )
    if not isinstance(args, (list, tuple)) or not all(map(_is_name, args)):
        raise GraphError(
            f"{func}: node {name!r} ({op_name}): 'args' must be a list of names (strings); "
            f"got {args!r}."
        )
    if len(args) != len(op.params):
        raise GraphError(
            f"{func}: node {name!r} ({op_name}): expected {len(op.params)} args "
            f"({', '.join(op.params)}); got {len(args)}: {list(args)}."
        )
    if len(raw) > len(_NODE_KEYS):  # attributes given: each must be one the op accepts
        for key in raw:
            if key not in _NODE_KEYS and key not in op.attributes:
                accepted = ", ".join(op.attributes) or "none"
                raise GraphError(
                    f"{func}: node {name!r} ({op_name}): unknown attribute {key!r}; "
                    f"{op_name} accepts: {accepted}."
                )
    attributes = {}
    for key, spec in op.attributes.items():
        try:
            attributes[key] = spec.check(raw.get(key, spec.default))
        except (TypeError, ValueError) as exc:
            raise GraphError(
                f"{func}: node {name!r} ({op_name}): bad attribute {key!r}: {exc}"
            ) from None
    return Node(name, op_name, op, tuple(args), attributes)


# --- names -----------------------------------------------------------------------------------


def _check_names(input_names: tuple[str, ...], nodes: list[Node], func: str) -> None:
    inputs = set(input_names)
    defined: set[str] = set()
    for node in nodes:
        if node.name in inputs:
            raise GraphError(
                f"{func}: {node.describe()} has the name of a graph input; "
                "node names must differ from input names."
            )
        if node.name in defined:
            raise GraphError(f"{func}: two nodes are named {node.name!r}; names must be unique.")
        defined.add(node.name)
    for node in nodes:
        for arg in node.args:
            if arg not in inputs and arg not in defined:
                raise GraphError(
                    f"{func}: {node.describe()} uses {arg!r}, which is neither a graph input "
                    f"nor a node; inputs are {list(input_names)}."
                )


def _read_output(
    graph: Mapping[str, Any], input_names: tuple[str, ...], nodes: list[Node], func: str
) -> str:
    if "output" not in graph:
        raise GraphError(f"{func}: graph has no 'output' key; expected the name of a node.")
    output = graph["output"]
    if not isinstance(output, str):
        raise GraphError(f"{func}: graph['output'] must be a node name (string); got {output!r}.")
    if output not in input_names and all(node.name != output for node in nodes):
        raise GraphError(
            f"{func}: the output {output!r} is neither a node nor a graph input; "
            "expected the name of a node."
        )
    return output


# --- order -----------------------------------------------------------------------------------


def topological_order(uses: Mapping[str, Sequence[str]]) -> list[str]:
    """Kahn's algorithm: the names of ``uses`` (name -> the names it uses), each after its uses.

    A name is released once every name it uses has been placed; names it uses that are not
    keys (the graph's inputs) are already available. Iterative, so a chain of any length
    works. Names start in sorted order, which makes the order, and so every floating-point sum
    of the backward pass, independent of the order a graph lists its nodes in. A cycle leaves
    its names (and those depending on them) out: the result is then shorter than ``uses``.

    >>> topological_order({"c": ["b", "b"], "b": ["x"], "a": ["b", "c"]})
    ['b', 'c', 'a']
    """
    users: dict[str, list[str]] = {name: [] for name in uses}
    waiting: dict[str, int] = {}
    for name in sorted(uses):
        known = [arg for arg in uses[name] if arg in users]  # a repeated arg counts twice
        waiting[name] = len(known)
        for arg in known:
            users[arg].append(name)
    ready = deque(name for name in sorted(uses) if waiting[name] == 0)
    order = []
    while ready:
        name = ready.popleft()
        order.append(name)
        for user in users[name]:
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    return order


def _topological_order(nodes: list[Node], func: str) -> list[Node]:
    """The nodes in `topological_order`, or a GraphError naming a cycle."""
    by_name = {node.name: node for node in nodes}
    order = topological_order({node.name: node.args for node in nodes})
    if len(order) < len(nodes):
        cycle = _find_cycle(set(by_name) - set(order), by_name)
        raise GraphError(
            f"{func}: the graph has a cycle: {' -> '.join(repr(n) for n in cycle)} "
            "(each node is an argument of the next); a graph must be acyclic."
        )
    return [by_name[name] for name in order]


def _find_cycle(stuck: set[str], by_name: dict[str, Node]) -> list[str]:
    """Return the names on one cycle among ``stuck``, in data-flow order, first name repeated.

    Every stuck node uses at least one other stuck node, so walking from any of them along
    such arguments must revisit a node; the walk from that node on is a cycle.
    """
    name = min(stuck)
    position: dict[str, int] = {}
    path: list[str] = []
    while name not in position:
        position[name] = len(path)
        path.append(name)
        name = next(arg for arg in by_name[name].args if arg in stuck)
    cycle = path[position[name] :]
    cycle.reverse()  # the walk went from users to arguments; data flows the other way
    start = cycle.index(min(cycle))  # the same message whichever node the walk began at
    cycle = cycle[start:] + cycle[:start]
    return [*cycle, cycle[0]]


# --- arrays and shapes -----------------------------------------------------------------------


def _read_arrays(
    input_names: tuple[str, ...], inputs: Any, func: str
) -> tuple[dict[str, np.ndarray], np.dtype[Any]]:
    if not isinstance(inputs, Mapping):
        raise GraphError(
            f"{func}: inputs must be a dict from input name to array; "
            f"got a {type(inputs).__name__}."
        )
    missing = [name for name in input_names if name not in inputs]
    if missing:
        raise GraphError(f"{func}: no array given for the graph inputs {missing}.")
    extra = sorted(repr(name) for name in inputs if name not in input_names)
    if extra:
        raise GraphError(
            f"{func}: arrays given for {', '.join(extra)}, which are not graph inputs; "
            f"the graph's inputs are {list(input_names)}."
        )
    arrays = {}
    for name in input_names:
        array = np.asarray(inputs[name])
        if array.dtype not in SUPPORTED_DTYPES:
            raise GraphError(
                f"{func}: input {name!r} has dtype {array.dtype}; "
                "expected float32 or float64 (all inputs of one dtype)."
            )
        arrays[name] = array
    dtypes = {array.dtype for array in arrays.values()}
    if len(dtypes) > 1:
        listing = ", ".join(f"{name} is {array.dtype}" for name, array in arrays.items())
        raise GraphError(f"{func}: all inputs must have one dtype; got {listing}.")
    dtype = dtypes.pop() if dtypes else np.dtype(np.float64)
    return arrays, dtype


def _infer_shapes(order: list[Node], arrays: dict[str, np.ndarray], func: str) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {name: array.shape for name, array in arrays.items()}
    for node in order:
        try:
            shapes[node.name] = node.op.shape(*(shapes[arg] for arg in node.args))
        except ShapeMismatch as exc:
            # Shape messages speak of the op's params (W, x, b); say which names those are
            # unless the graph uses the param names themselves.
            pairs = list(zip(node.op.params, node.args, strict=True))
            binding = ", ".join(f"{param}={arg!r}" for param, arg in pairs)
            where = f" (args: {binding})" if any(p != a for p, a in pairs) else ""
            raise GraphError(f"{func}: {node.describe()}: {exc}{where}.") from None
    return shapes
