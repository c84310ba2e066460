"""Reverse-mode differentiation of a computation graph: `backprop` and `jacobian`.

The engine has two phases, each a plain loop over the order that `check_graph` found:
evaluate every node forward, then walk the nodes in reverse and apply the chain rule, asking
each op's table entry in ``_rules.py`` for its vector-Jacobian product. The engine knows no op
by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._graph import GraphError, Plan, check_graph

__all__ = ["backprop", "jacobian"]


def backprop(graph: dict[str, Any], inputs: dict[str, np.ndarray]) -> tuple[Any, dict[str, Any]]:
    r"""Evaluate a graph with a scalar output and the gradient of that output for every input.

    Parameters
    ----------
    graph : dict
        The contract's JSON-compatible graph: ``{"inputs": [names], "nodes": [{"name": ...,
        "op": ..., "args": [...], ...attributes}], "output": name}``. Nodes may be listed in
        any order. Ops: ``linear``, ``matmul``, ``add``, ``mul``, ``dot``, ``sum``,
        ``sigmoid``, ``tanh``, ``hardtanh``, ``relu``, ``swish`` and ``leaky_relu`` (attribute
        ``negative_slope``, default 0.01).
    inputs : dict of str to ndarray
        One array per graph input, all float32 or all float64. They are not modified.

    Returns
    -------
    output : ndarray, shape ()
        The output node's value, in the inputs' dtype.
    gradients : dict of str to ndarray
        For **every** graph input, \(\partial\,\mathrm{output} / \partial\,\mathrm{input}\)
        with exactly the input's shape and dtype (the shape convention); zeros for an input the
        output does not depend on.

    Raises
    ------
    GraphError
        Before any numeric work, if the graph or the inputs are invalid (see
        `check_graph`) or the output is not a scalar (use `jacobian` then).

    Notes
    -----
    Forward, each node's value is computed from its arguments' values in topological order.
    Backward, with \(\bar v = \partial\,\mathrm{output} / \partial v\) and
    \(\bar{\mathrm{output}} = 1\), each node \(y = f(a_1, \dots, a_k)\), in reverse
    order, adds \(\mathrm{vjp}_j(\bar y)\) to \(\bar a_j\) for every argument. A value
    used by several nodes (fan-out) thus receives the sum of the gradients from every use.

    Floating-point exceptions give their IEEE results (inf, nan) without a warning.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference._backprop import backprop
    >>> graph = {
    ...     "inputs": ["x"],
    ...     "nodes": [
    ...         {"name": "c", "op": "add", "args": ["b", "b"]},
    ...         {"name": "b", "op": "add", "args": ["x", "x"]},
    ...         {"name": "s", "op": "sum", "args": ["c"]},
    ...     ],
    ...     "output": "s",
    ... }
    >>> output, gradients = backprop(graph, {"x": np.array([1.0, 2.0])})
    >>> output, gradients["x"]
    (array(12.), array([4., 4.]))
    """
    plan = check_graph(graph, inputs, func="backprop")
    shape = plan.shapes[plan.output]
    if shape != ():
        instead = "Use jacobian(graph, inputs, wrt) for a non-scalar output, or add a 'sum' node."
        wanted = f"backprop needs a scalar (shape ()) output. {instead}"
        raise GraphError(f"backprop: the output {plan.output!r} has shape {shape}; {wanted}")
    with np.errstate(all="ignore"):
        values = _forward(plan)
        gradients = _backward(plan, values, np.ones((), dtype=plan.dtype))
    output = np.array(values[plan.output], dtype=plan.dtype)  # a copy: it may be an input
    return output, gradients


def jacobian(graph: dict[str, Any], inputs: dict[str, np.ndarray], wrt: str) -> Any:
    r"""The Jacobian of a graph's output with respect to one input, in Jacobian form.

    Parameters
    ----------
    graph : dict
        As for `backprop`; the output may have any shape.
    inputs : dict of str to ndarray
        As for `backprop`.
    wrt : str
        The name of the graph input to differentiate with respect to.

    Returns
    -------
    J : ndarray, shape (output.size, inputs[wrt].size)
        Row ``i`` is the gradient of element ``i`` of the flattened output (C order) with
        respect to the flattened input. A scalar output gives one row, ``(1, n)``; reshaping
        it to ``inputs[wrt].shape`` gives what `backprop` returns.

    Raises
    ------
    GraphError
        Before any numeric work, if the graph or inputs are invalid or ``wrt`` is not an input.

    Notes
    -----
    One forward pass, then one backward pass per output element \(i\) with the one-hot
    seed \(e_i\): the VJP \(e_i^\top J\) is exactly row \(i\).

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference._backprop import jacobian
    >>> graph = {"inputs": ["z"], "nodes": [{"name": "a", "op": "relu", "args": ["z"]}],
    ...          "output": "a"}
    >>> jacobian(graph, {"z": np.array([-1.0, 2.0])}, "z")
    array([[0., 0.],
           [0., 1.]])
    """
    plan = check_graph(graph, inputs, func="jacobian")
    if not isinstance(wrt, str) or wrt not in plan.inputs:
        kind = " (it is a node)" if any(node.name == wrt for node in plan.order) else ""
        wanted = f"expected one of {list(plan.inputs)}"
        raise GraphError(f"jacobian: wrt={wrt!r} is not a graph input{kind}; {wanted}.")
    shape = plan.shapes[plan.output]
    result = np.zeros((int(np.prod(shape)), plan.arrays[wrt].size), dtype=plan.dtype)
    with np.errstate(all="ignore"):
        values = _forward(plan)
        for row in range(result.shape[0]):
            seed = np.zeros(shape, dtype=plan.dtype)
            seed.flat[row] = 1
            result[row] = _backward(plan, values, seed)[wrt].reshape(-1)
    return result


# --- the two phases --------------------------------------------------------------------------


def _forward(plan: Plan) -> dict[str, Any]:
    """Every input's and node's value, computed in topological order."""
    values: dict[str, Any] = dict(plan.arrays)
    for node in plan.order:
        arguments = [values[arg] for arg in node.args]
        values[node.name] = node.op.forward(*arguments, **node.attributes)
    return values


def _backward(plan: Plan, values: dict[str, Any], seed: np.ndarray) -> dict[str, np.ndarray]:
    """The chain rule in reverse topological order: the gradient of every graph input.

    ``seed`` is the gradient of the output itself. Each input's gradient has the input's
    shape and dtype and its own memory (zeros when the output does not depend on it).
    """
    grads: dict[str, Any] = {plan.output: seed}
    for node in reversed(plan.order):
        # Every use of this node comes later in the order, so its gradient is complete now;
        # popping it frees the memory as soon as it has been used.
        grad = grads.pop(node.name, None)
        if grad is None:  # the output does not depend on this node
            continue
        arguments = [values[arg] for arg in node.args]
        vjps = node.op.vjp(grad, *arguments, **node.attributes)
        for arg, arg_grad in zip(node.args, vjps, strict=True):
            # A fresh sum, not +=: a VJP may hand back `grad` itself (add) or a read-only
            # view of it (sum), so a stored gradient may be shared with another name's.
            grads[arg] = grads[arg] + arg_grad if arg in grads else arg_grad
    zero = np.zeros((), dtype=plan.dtype)
    return {
        name: np.array(np.broadcast_to(grads.get(name, zero), plan.shapes[name]), dtype=plan.dtype)
        for name in plan.inputs
    }
