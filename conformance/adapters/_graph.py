"""Reading a computation graph of the adapter contract, for the shipped library adapters.

PyTorch and JAX have no notion of the contract's JSON graphs, so the adapters check a graph
with the reference's own checker (`gradspec.reference._graph.check_graph`: names, ops,
arity, attributes, cycles, one dtype, shapes) and then run each node, in the topological order
it found, with the library's own op (`evaluate`). Every derivative is left to the
library.

The checker runs before the library sees anything because the libraries broadcast:
``torch.add`` and ``jnp.add`` happily add a (3,) array to a (1,) array, which the contract
says must be rejected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from gradspec.reference._graph import GraphError, Plan, check_graph

__all__ = [
    "GraphError",
    "Plan",
    "evaluate",
    "graph_function",
    "read_graph",
    "size",
    "structure_key",
]


def read_graph(
    graph: Any,
    inputs: Any,
    *,
    func: str,
    scalar_output: bool = False,
    wrt: str | None = None,
) -> Plan:
    """Check ``graph`` and ``inputs`` completely, before any library call.

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
        ``order`` (nodes in topological order), ``arrays``, ``shapes``, ``dtype``, ``output``.

    Raises
    ------
    GraphError
        A ValueError naming what is wrong: a cycle, an unknown op, a dangling or duplicate
        name, arguments of the wrong shape, bad input arrays, a non-scalar output for
        ``backprop``, or a ``wrt`` that is not an input.
    """
    plan = check_graph(graph, inputs, func=func)
    if scalar_output and plan.shapes[plan.output] != ():
        raise GraphError(
            f"{func}: the output {plan.output!r} must be a scalar (shape ()) to take its "
            f"gradient; it has shape {plan.shapes[plan.output]}. End the graph with a 'sum' or "
            "'dot' node, or use jacobian."
        )
    if wrt is not None and wrt not in plan.inputs:
        raise GraphError(
            f"{func}: wrt={wrt!r} is not a graph input; expected one of {list(plan.inputs)}."
        )
    return plan


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
    for node in plan.order:
        function = ops[node.op_name]
        values[node.name] = function(*(values[a] for a in node.args), **node.attributes)
    return values


def size(shape: tuple[int, ...]) -> int:
    """The number of elements of an array of ``shape`` (1 for a scalar)."""
    return math.prod(shape)


def structure_key(plan: Plan, *extra: Any) -> tuple[Any, ...]:
    """A hashable description of ``plan``'s computation, without its array values.

    Two plans with the same key run the same ops on the same argument names with the same
    attributes, on inputs of the same shapes: a library that compiles a graph (JAX,
    PyTensor) can reuse what it compiled for one plan for the other. The nodes are listed by
    name, so the same graph listed in another order (the contract allows any) has the same
    key: each order computes every node from the same arguments.
    """
    nodes = tuple(
        sorted(
            (node.name, node.op_name, node.args, tuple(sorted(node.attributes.items())))
            for node in plan.order
        )
    )
    shapes = tuple(plan.shapes[name] for name in plan.inputs)
    return (plan.inputs, nodes, shapes, str(plan.dtype), plan.output, *extra)


def graph_function(plan: Plan, ops: Mapping[str, Callable[..., Any]]) -> Callable[..., Any]:
    """The graph as a function of its input arrays, in ``plan.inputs`` order, to its output.

    The function runs `evaluate` on whatever it is given (library tensors, tracers or
    symbolic variables), so each library's own autodiff can differentiate it.
    """

    def output_of(*leaves: Any) -> Any:
        return evaluate(plan, dict(zip(plan.inputs, leaves, strict=True)), ops)[plan.output]

    return output_of
