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
from ._validation import SUPPORTED_DTYPES, check_same_dtype

__all__ = ["GraphError"]

_NODE_KEYS = ("name", "op", "args")
_KNOWN_OPS = ", ".join(sorted(OPS))


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
    if not isinstance(graph, Mapping):
        raise GraphError(f"graph must be a dict with keys {keys}; got a {type(graph).__name__}.")
    unknown = sorted(set(graph) - {"inputs", "nodes", "output"}, key=str)
    if unknown:
        raise GraphError(f"graph has unknown keys {unknown}; expected exactly {keys}.")
    input_names = tuple(_entry(graph, "inputs", "a list of input names (strings)", _is_names))
    raw_nodes = _entry(graph, "nodes", "a list of node dicts", _is_list)
    nodes = [_read_node(raw, index) for index, raw in enumerate(raw_nodes)]
    _check_names(input_names, nodes)
    output = _entry(graph, "output", "the name of a node (a string)", _is_name)
    if output not in input_names and all(node.name != output for node in nodes):
        wanted = "expected the name of a node"
        raise GraphError(f"the output {output!r} is neither a node nor a graph input; {wanted}.")
    order = _topological_order(nodes)
    arrays, dtype = _read_arrays(input_names, inputs)
    shapes = _infer_shapes(order, arrays)
    return Plan(input_names, arrays, order, shapes, dtype, output)


# --- structure -------------------------------------------------------------------------------


def _entry(graph: Mapping[str, Any], key: str, expected: str, valid: Callable[[Any], bool]) -> Any:
    """``graph[key]``, or a GraphError saying it is missing or not ``expected``."""
    if key not in graph:
        raise GraphError(f"graph has no {key!r} key; expected {expected}.")
    if not valid(graph[key]):
        raise GraphError(f"graph[{key!r}] must be {expected}; got {graph[key]!r}.")
    return graph[key]


def _read_node(raw: Any, index: int) -> Node:
    at = f"graph['nodes'][{index}]"
    if not isinstance(raw, Mapping):
        raise GraphError(f"{at} must be a dict with keys {list(_NODE_KEYS)}; got {raw!r}.")
    missing = [key for key in _NODE_KEYS if key not in raw]
    if missing:
        raise GraphError(f"{at} has no {missing[0]!r} key; expected keys {list(_NODE_KEYS)}.")
    name, op_name, args = raw["name"], raw["op"], raw["args"]
    if not _is_name(name):
        raise GraphError(f"{at}: 'name' must be a string; got {name!r}.")
    op = OPS.get(op_name) if _is_name(op_name) else None
    if op is None:
        raise GraphError(f"node {name!r}: unknown op {op_name!r}; known ops: {_KNOWN_OPS}.")
    where = f"node {name!r} ({op_name})"
    if not _is_names(args):
        raise GraphError(f"{where}: 'args' must be a list of names (strings); got {args!r}.")
    if len(args) != len(op.params):
        wanted = f"expected {len(op.params)} args ({', '.join(op.params)})"
        raise GraphError(f"{where}: {wanted}; got {len(args)}: {list(args)}.")
    unknown = [key for key in raw if key not in _NODE_KEYS and key not in op.attributes]
    if unknown:
        accepts = f"{op_name} accepts: {', '.join(op.attributes) or 'none'}"
        raise GraphError(f"{where}: unknown attribute {unknown[0]!r}; {accepts}.")
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
        if count > 1:
            raise GraphError(f"input name {name!r} is listed twice in graph['inputs'].")
    inputs = set(input_names)
    defined: set[str] = set()
    for node in nodes:
        if node.name in inputs:
            wanted = "node names must differ from input names"
            raise GraphError(f"{node.describe()} has the name of a graph input; {wanted}.")
        if node.name in defined:
            raise GraphError(f"two nodes are named {node.name!r}; names must be unique.")
        defined.add(node.name)
    known = inputs | defined
    for node in nodes:
        for arg in node.args:
            if arg not in known:
                wanted = f"neither a graph input nor a node; inputs are {list(input_names)}"
                raise GraphError(f"{node.describe()} uses {arg!r}, which is {wanted}.")


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
    if not isinstance(inputs, Mapping):
        got = type(inputs).__name__
        raise GraphError(f"inputs must be a dict from input name to array; got a {got}.")
    missing = [name for name in names if name not in inputs]
    if missing:
        raise GraphError(f"no array given for the graph inputs {missing}.")
    extra = ", ".join(sorted(repr(name) for name in inputs if name not in names))
    if extra:
        wanted = f"the graph's inputs are {list(names)}"
        raise GraphError(f"arrays given for {extra}, which are not graph inputs; {wanted}.")
    arrays = {name: np.asarray(inputs[name]) for name in names}
    for name, array in arrays.items():
        if array.dtype not in SUPPORTED_DTYPES:
            wanted = "expected float32 or float64 (all inputs of one dtype)"
            raise GraphError(f"input {name!r} has dtype {array.dtype}; {wanted}.")
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
