"""Reading and checking a computation graph, before any numeric work.

`check_graph` turns the contract's JSON-compatible graph dict and the input arrays into a
`Plan`: the nodes in a topological order, the shape of every value and the common
dtype. Every way a graph or its inputs can be wrong is found here and raised as one
`GraphError` whose message names the node, what was wrong and what was expected.
Nothing here computes a value of the graph, so a bad graph never costs a forward pass.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._rules import OPS, Op, Shape, ShapeMismatch
from ._validation import SUPPORTED_DTYPES, check_same_dtype, require

__all__ = ["GraphError"]

_NODE_KEYS = ("name", "op", "args")
_KNOWN_OPS = ", ".join(sorted(OPS))


def _require(ok: bool, message: str) -> None:
    """`require` raising a GraphError: ``message`` names what was wrong and what was expected."""
    require(ok, message, GraphError)


def _is_name(value: Any) -> bool:
    return isinstance(value, str)


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_names(value: Any) -> bool:
    return _is_list(value) and all(map(_is_name, value))


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
    try:
        return _check(graph, inputs)
    except GraphError as exc:  # every message starts with the public function's name
        raise GraphError(f"{func}: {exc}") from None


def _check(graph: Any, inputs: Any) -> Plan:
    """`check_graph`, its messages not yet prefixed by the function's name."""
    keys = "'inputs', 'nodes' and 'output'"
    not_a_dict = f"graph must be a dict with keys {keys}; got a {type(graph).__name__}."
    _require(isinstance(graph, Mapping), not_a_dict)
    unknown = sorted(set(graph) - {"inputs", "nodes", "output"}, key=str)
    _require(not unknown, f"graph has unknown keys {unknown}; expected exactly {keys}.")
    input_names = tuple(_entry(graph, "inputs", "a list of input names (strings)", _is_names))
    raw_nodes = _entry(graph, "nodes", "a list of node dicts", _is_list)
    nodes = [_read_node(raw, index) for index, raw in enumerate(raw_nodes)]
    _check_names(input_names, nodes)
    output = _entry(graph, "output", "the name of a node (a string)", _is_name)
    known = {*input_names, *(node.name for node in nodes)}
    wrong_output = f"the output {output!r} is neither a node nor a graph input; expected a node."
    _require(output in known, wrong_output)
    order = _topological_order(nodes)
    arrays, dtype = _read_arrays(input_names, inputs)
    shapes = _infer_shapes(order, arrays)
    return Plan(input_names, arrays, order, shapes, dtype, output)


# --- structure -------------------------------------------------------------------------------


def _entry(graph: Mapping[str, Any], key: str, expected: str, valid: Callable[[Any], bool]) -> Any:
    """``graph[key]``, or a GraphError saying it is missing or not ``expected``."""
    _require(key in graph, f"graph has no {key!r} key; expected {expected}.")
    _require(valid(graph[key]), f"graph[{key!r}] must be {expected}; got {graph[key]!r}.")
    return graph[key]


def _read_node(raw: Any, index: int) -> Node:
    at = f"graph['nodes'][{index}]"
    _require(isinstance(raw, Mapping), f"{at} must be a dict with keys {_NODE_KEYS}; got {raw!r}.")
    missing = ", ".join(repr(key) for key in _NODE_KEYS if key not in raw)
    _require(not missing, f"{at} has no {missing} key; expected keys {_NODE_KEYS}.")
    name, op_name, args = raw["name"], raw["op"], raw["args"]
    _require(_is_name(name), f"{at}: 'name' must be a string; got {name!r}.")
    op = OPS.get(op_name) if _is_name(op_name) else None
    _require(op is not None, f"node {name!r}: unknown op {op_name!r}; known ops: {_KNOWN_OPS}.")
    where = f"node {name!r} ({op_name})"
    _require(_is_names(args), f"{where}: 'args' must be a list of names (strings); got {args!r}.")
    params = ", ".join(op.params)
    wrong_count = f"{where}: expected {len(op.params)} args ({params}); got {len(args)}: {args}."
    _require(len(args) == len(op.params), wrong_count)
    unknown = ", ".join(repr(k) for k in raw if k not in _NODE_KEYS and k not in op.attributes)
    accepts = ", ".join(op.attributes) or "none"
    _require(not unknown, f"{where}: unknown attribute {unknown}; {op_name} accepts: {accepts}.")
    attributes = {}
    for key, spec in op.attributes.items():
        try:
            attributes[key] = spec.check(raw.get(key, spec.default))
        except (TypeError, ValueError) as exc:
            raise GraphError(f"{where}: bad attribute {key!r}: {exc}") from None
    return Node(name, op_name, op, tuple(args), attributes)


# --- names -----------------------------------------------------------------------------------


def _check_names(input_names: tuple[str, ...], nodes: list[Node]) -> None:
    for name, count in Counter(input_names).items():
        _require(count == 1, f"input name {name!r} is listed twice in graph['inputs'].")
    inputs = set(input_names)
    defined: set[str] = set()
    for node in nodes:
        shadows = f"{node.describe()} has the name of a graph input; names must differ."
        _require(node.name not in inputs, shadows)
        duplicate = f"two nodes are named {node.name!r}; names must be unique."
        _require(node.name not in defined, duplicate)
        defined.add(node.name)
    known = inputs | defined
    for node in nodes:
        for arg in node.args:
            dangling = f"{node.describe()} uses {arg!r}, which is neither a graph input nor a node"
            _require(arg in known, f"{dangling}; inputs are {list(input_names)}.")


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


def _topological_order(nodes: list[Node]) -> list[Node]:
    """The nodes in `topological_order`, or a GraphError naming a cycle."""
    by_name = {node.name: node for node in nodes}
    order = topological_order({node.name: node.args for node in nodes})
    if len(order) < len(nodes):
        cycle = " -> ".join(map(repr, _find_cycle(set(by_name) - set(order), by_name)))
        acyclic = "(each node is an argument of the next); a graph must be acyclic"
        raise GraphError(f"the graph has a cycle: {cycle} {acyclic}.")
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


def _read_arrays(names: tuple[str, ...], inputs: Any) -> tuple[dict[str, np.ndarray], np.dtype]:
    not_a_dict = f"inputs must be a dict from input name to array; got a {type(inputs).__name__}."
    _require(isinstance(inputs, Mapping), not_a_dict)
    missing = [name for name in names if name not in inputs]
    _require(not missing, f"no array given for the graph inputs {missing}.")
    extra = ", ".join(sorted(repr(name) for name in inputs if name not in names))
    wanted = f"the graph's inputs are {list(names)}"
    _require(not extra, f"arrays given for {extra}, which are not graph inputs; {wanted}.")
    arrays = {name: np.asarray(inputs[name]) for name in names}
    for name, array in arrays.items():
        wrong_dtype = f"input {name!r} has dtype {array.dtype}; expected float32 or float64."
        _require(array.dtype in SUPPORTED_DTYPES, wrong_dtype)
    if not arrays:  # a graph without inputs computes constants, in float64
        return arrays, np.dtype(np.float64)
    try:
        return arrays, check_same_dtype("inputs", **arrays)
    except TypeError as exc:  # the same rule as every public function, as a GraphError
        raise GraphError(str(exc)) from None


def _infer_shapes(order: list[Node], arrays: dict[str, np.ndarray]) -> dict[str, Shape]:
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
            raise GraphError(f"{node.describe()}: {exc}{where}.") from None
    return shapes
