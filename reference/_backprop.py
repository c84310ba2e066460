"""Reverse-mode differentiation of a computation graph: `backprop` and `jacobian`.

The engine has two phases, each a plain loop over the order that `check_graph` found:
evaluate every node forward, then walk the nodes in reverse and apply the chain rule, asking
each op's table entry in ``_rules.py`` for its vector-Jacobian product. The engine knows no op
by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._graph import GraphError, Node, Plan, check_graph

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
        raise GraphError(
            f"backprop: the output {plan.output!r} has shape {shape}; backprop needs a scalar "
            "(shape ()) output. Use jacobian(graph, inputs, wrt) for a non-scalar output, or "
            "add a 'sum' node."
        )
    with np.errstate(all="ignore"):
        values = _forward(plan)
        grads = _backward(plan.order, values, plan.output, np.ones((), dtype=plan.dtype))
    output = np.array(values[plan.output], dtype=plan.dtype)  # a copy: it may be an input
    return output, _input_gradients(plan, grads)


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
    seed \(e_i\): the VJP \(e_i^\top J\) is exactly row \(i\). The backward passes
    visit only the nodes that both depend on ``wrt`` and feed the output.

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
        raise GraphError(
            f"jacobian: wrt={wrt!r} is not a graph input{kind}; "
            f"expected one of {list(plan.inputs)}."
        )
    shape = plan.shapes[plan.output]
    dtype = plan.dtype
    result = np.zeros((int(np.prod(shape)), plan.arrays[wrt].size), dtype=dtype)
    order, needed = _between(plan, wrt)
    with np.errstate(all="ignore"):
        values = _forward(plan)
        for row in range(result.shape[0]):
            seed = np.zeros(shape, dtype=dtype)
            seed.flat[row] = 1
            grads = _backward(order, values, plan.output, seed, keep=needed)
            if wrt in grads:
                result[row] = np.ravel(grads[wrt])
    return result


# --- the two phases --------------------------------------------------------------------------


def _forward(plan: Plan) -> dict[str, Any]:
    """Every input's and node's value, computed in topological order."""
    values: dict[str, Any] = dict(plan.arrays)
    for node in plan.order:
        arguments = [values[arg] for arg in node.args]
        values[node.name] = node.op.forward(*arguments, **node.attributes)
    return values


def _backward(
    order: list[Node],
    values: dict[str, Any],
    output: str,
    seed: np.ndarray,
    keep: set[str] | None = None,
) -> dict[str, Any]:
    """The chain rule in reverse topological order; returns the gradients left for inputs.

    ``seed`` is the gradient of the output itself. Only gradients of names in ``keep`` (all
    names when None) are stored.
    """
    grads: dict[str, Any] = {output: seed}
    for node in reversed(order):
        # Every use of this node comes later in the order, so its gradient is complete now;
        # popping it frees the memory as soon as it has been used.
        grad = grads.pop(node.name, None)
        if grad is None:  # the output does not depend on this node
            continue
        arguments = [values[arg] for arg in node.args]
        for arg, arg_grad in zip(
            node.args, node.op.vjp(grad, *arguments, **node.attributes), strict=True
        ):
            if keep is not None and arg not in keep:
                continue
            if arg in grads:
                # A fresh sum, not +=: a VJP may hand back `grad` itself (add), so the stored
                # array can be shared with another name's gradient.
                grads[arg] = grads[arg] + arg_grad
            else:
                grads[arg] = arg_grad
    return grads


def _between(plan: Plan, wrt: str) -> tuple[list[Node], set[str]]:
    """The nodes that depend on ``wrt`` and feed the output, and the names depending on wrt."""
    depends = {wrt}
    for node in plan.order:
        if any(arg in depends for arg in node.args):
            depends.add(node.name)
    feeds = {plan.output}
    for node in reversed(plan.order):
        if node.name in feeds:
            feeds.update(node.args)
    order = [node for node in plan.order if node.name in depends and node.name in feeds]
    return order, depends


def _input_gradients(plan: Plan, grads: dict[str, Any]) -> dict[str, np.ndarray]:
    """One gradient per input: its exact shape and dtype, never sharing memory with another."""
    result: dict[str, np.ndarray] = {}
    handed_out: set[int] = set()
    for name in plan.inputs:
        grad = grads.get(name)
        shape = plan.shapes[name]
        if grad is None:  # the output does not depend on this input
            grad = np.zeros(shape, dtype=plan.dtype)
        elif not (
            isinstance(grad, np.ndarray)
            and grad.flags.owndata
            and grad.flags.writeable
            and id(grad) not in handed_out
        ):
            # A NumPy scalar, a view (sum's broadcast) or an array already given to another
            # input (add hands one gradient to both arguments): give this input its own copy.
            grad = np.array(grad, dtype=plan.dtype)
        handed_out.add(id(grad))
        result[name] = grad
    return result
