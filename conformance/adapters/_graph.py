"""Reading a computation graph of the adapter contract, for the shipped library adapters.

PyTorch and JAX have no notion of the contract's JSON graphs, so the adapters share this
module to read one: check it completely (names, ops, arity, shapes, one dtype), order its
nodes topologically, and then run each node with the library's own op (:func:`evaluate`).
Every differentiation is left to the library.

The shapes are checked here, before the library sees anything, because the libraries
broadcast: ``torch.add`` and ``jnp.add`` happily add a (3,) array to a (1,) array, which the
contract says must be rejected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradspec.reference._validation import (
    as_float_array,
    check_negative_slope,
    check_same_dtype,
)

__all__ = ["OPS", "Node", "Plan", "evaluate", "read_graph", "size"]

#: Each op of contract version 1 and its number of arguments.
OPS: dict[str, int] = {
    "linear": 3,
    "matmul": 2,
    "add": 2,
    "mul": 2,
    "dot": 2,
    "sum": 1,
    "sigmoid": 1,
    "tanh": 1,
    "hardtanh": 1,
    "relu": 1,
    "swish": 1,
    "leaky_relu": 1,
}

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Node:
    """One node: ``name = op(*args, **attributes)``."""

    name: str
    op: str
    args: tuple[str, ...]
    attributes: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A checked graph, ready to evaluate.

    Attributes
    ----------
    inputs : dict of str to ndarray
        The input arrays, by name, in the graph's order (float32 or float64, one dtype).
    nodes : tuple of Node
        Every node, in a topological order (each after the nodes it reads).
    output : str
        The name whose value is the graph's result.
    shapes : dict of str to tuple of int
        The shape of every input and node.
    """

    inputs: dict[str, np.ndarray]
    nodes: tuple[Node, ...]
    output: str
    shapes: dict[str, Shape]

    @property
    def dtype(self) -> np.dtype[Any]:
        """The one dtype of the inputs (float64 for a graph without inputs)."""
        return next((a.dtype for a in self.inputs.values()), np.dtype(np.float64))


def read_graph(
    graph: Mapping[str, Any],
    inputs: Mapping[str, Any],
    *,
    func: str,
    scalar_output: bool = False,
    wrt: str | None = None,
) -> Plan:
    """Check ``graph`` and ``inputs`` against the contract and order the nodes.

    Parameters
    ----------
    graph : dict
        ``{"inputs": [...], "nodes": [{"name", "op", "args", ...}], "output": name}``.
    inputs : dict of str to ndarray
        One array per name in ``graph["inputs"]``, all float32 or all float64.
    func : str
        The adapter member being run, for error messages.
    scalar_output : bool
        Require the output to be 0-d (``backprop``).
    wrt : str, optional
        An input name that must exist (``jacobian``).

    Returns
    -------
    Plan

    Raises
    ------
    ValueError
        For a malformed graph: a cycle, an unknown op, a wrong number of arguments, a dangling
        or duplicate name, arguments of the wrong shape, a missing or extra input array.
    TypeError
        For inputs that are not float32/float64 arrays of one dtype.
    """
    if not isinstance(graph, Mapping):
        raise TypeError(f"{func}: graph must be a dict; got {type(graph).__name__}.")
    for key in ("inputs", "nodes", "output"):
        if key not in graph:
            raise ValueError(
                f"{func}: graph has no {key!r} entry (it needs inputs, nodes, output)."
            )
    arrays = _read_inputs(graph["inputs"], inputs, func=func)
    nodes = [_read_node(raw, position, func=func) for position, raw in enumerate(graph["nodes"])]
    _check_names(arrays, nodes, func=func)
    ordered = _topological_order(nodes, func=func)
    shapes: dict[str, Shape] = {name: a.shape for name, a in arrays.items()}
    for node in ordered:
        shapes[node.name] = _result_shape(node, [shapes[a] for a in node.args], func=func)

    output = graph["output"]
    if not isinstance(output, str) or output not in shapes:
        raise ValueError(
            f"{func}: graph output {output!r} names no input or node; "
            f"known names: {', '.join(shapes) or '(none)'}."
        )
    if scalar_output and shapes[output] != ():
        raise ValueError(
            f"{func}: the output {output!r} must be a scalar (shape ()) to take its gradient; "
            f"it has shape {shapes[output]}. Add a 'sum' or 'dot' node, or use jacobian."
        )
    if wrt is not None and wrt not in arrays:
        raise ValueError(
            f"{func}: wrt={wrt!r} is not an input of the graph; inputs: {', '.join(arrays)}."
        )
    return Plan(inputs=arrays, nodes=tuple(ordered), output=output, shapes=shapes)


def evaluate(
    plan: Plan, leaves: Mapping[str, Any], ops: Mapping[str, Callable[..., Any]]
) -> dict[str, Any]:
    """Run every node of ``plan`` with the library's ``ops``, in topological order.

    Parameters
    ----------
    plan : Plan
    leaves : dict of str to library array
        A value for every input name (tensors, JAX arrays or tracers).
    ops : dict of str to callable
        One library function per op name, called as ``ops[op](*args, **attributes)``.

    Returns
    -------
    dict of str to library array
        The value of every input and node.
    """
    values = dict(leaves)
    for node in plan.nodes:
        values[node.name] = ops[node.op](*(values[a] for a in node.args), **node.attributes)
    return values


def _read_inputs(names: Any, inputs: Mapping[str, Any], *, func: str) -> dict[str, np.ndarray]:
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{func}: graph['inputs'] must be a list of names; got {names!r}.")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{func}: duplicate input name(s) {duplicates} in graph['inputs'].")
    if not isinstance(inputs, Mapping):
        raise TypeError(f"{func}: inputs must be a dict of name to array; got {type(inputs)}.")
    missing = [n for n in names if n not in inputs]
    extra = [n for n in inputs if n not in names]
    if missing or extra:
        raise ValueError(
            f"{func}: the inputs dict must hold exactly the graph's inputs {list(names)}; "
            f"missing {missing}, not in the graph {extra}."
        )
    arrays = {n: as_float_array(inputs[n], name=f"inputs[{n!r}]", func=func) for n in names}
    if arrays:
        check_same_dtype(func, **arrays)
    return arrays


def _read_node(raw: Any, position: int, *, func: str) -> Node:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        raise ValueError(
            f"{func}: node #{position} must be a dict with a string 'name'; got {raw!r}."
        )
    name = raw["name"]
    op = raw.get("op")
    if op not in OPS:
        raise ValueError(
            f"{func}: node {name!r} has unknown op {op!r}; known ops: {', '.join(OPS)}."
        )
    args = raw.get("args")
    if not isinstance(args, (list, tuple)) or not all(isinstance(a, str) for a in args):
        raise ValueError(f"{func}: node {name!r}: 'args' must be a list of names; got {args!r}.")
    if len(args) != OPS[op]:
        raise ValueError(
            f"{func}: node {name!r}: op {op!r} takes {OPS[op]} argument(s); got {len(args)}."
        )
    attributes = {}
    if op == "leaky_relu":
        slope = raw.get("negative_slope", 0.01)
        attributes["negative_slope"] = check_negative_slope(slope, func=f"{func} node {name!r}")
    return Node(name=name, op=op, args=tuple(args), attributes=attributes)


def _check_names(arrays: Mapping[str, np.ndarray], nodes: list[Node], *, func: str) -> None:
    seen = set(arrays)
    for node in nodes:
        if node.name in seen:
            kind = "an input" if node.name in arrays else "another node"
            raise ValueError(f"{func}: duplicate name {node.name!r}: a node and {kind}.")
        seen.add(node.name)
    for node in nodes:
        dangling = [a for a in node.args if a not in seen]
        if dangling:
            raise ValueError(
                f"{func}: node {node.name!r} reads {dangling}, which name no input or node."
            )


def _topological_order(nodes: list[Node], *, func: str) -> list[Node]:
    """Kahn's algorithm: release a node once every node it reads has been released."""
    by_name = {node.name: node for node in nodes}
    waiting_on = {node.name: sum(a in by_name for a in node.args) for node in nodes}
    readers: dict[str, list[str]] = {name: [] for name in by_name}
    for node in nodes:
        for arg in node.args:
            if arg in by_name:
                readers[arg].append(node.name)
    ready = [name for name, count in waiting_on.items() if count == 0]
    order: list[Node] = []
    while ready:
        name = ready.pop()
        order.append(by_name[name])
        for reader in readers[name]:
            waiting_on[reader] -= 1
            if waiting_on[reader] == 0:
                ready.append(reader)
    if len(order) < len(nodes):
        stuck = sorted(name for name, count in waiting_on.items() if count > 0)
        raise ValueError(f"{func}: the graph has a cycle through the node(s) {stuck}.")
    return order


def _result_shape(node: Node, shapes: list[Shape], *, func: str) -> Shape:
    """The shape of ``node``'s value, or a ValueError naming the node and the shapes given."""
    op = node.op
    result: Shape | None = None
    if op == "linear":
        W, x, b = shapes
        if len(W) == 2 and x == (W[1],) and b == (W[0],):
            result = (W[0],)
        wanted = "W (m, n), x (n,), b (m,)"
    elif op == "matmul":
        A, B = shapes
        if len(A) == 2 and len(B) in (1, 2) and B[0] == A[1]:
            result = (A[0], *B[1:])
        wanted = "A (p, q) and B (q, r) or (q,)"
    elif op in ("add", "mul"):
        if shapes[0] == shapes[1]:
            result = shapes[0]
        wanted = "two arrays of the same shape"
    elif op == "dot":
        u, h = shapes
        if len(u) == 1 and u == h:
            result = ()
        wanted = "two 1-D arrays of the same length"
    elif op == "sum":
        result = ()
        wanted = "any array"
    else:  # elementwise activations keep the shape
        result = shapes[0]
        wanted = "any array"
    if result is None:
        given = ", ".join(f"{a} {s}" for a, s in zip(node.args, shapes, strict=True))
        raise ValueError(
            f"{func}: node {node.name!r} ({op}) got arguments of the wrong shape: {given}; "
            f"expected {wanted}."
        )
    return result


def size(shape: Shape) -> int:
    """The number of elements of an array of ``shape`` (1 for a scalar)."""
    return math.prod(shape)
