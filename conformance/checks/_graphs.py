"""A small float64 evaluator of the drawn graphs, written apart from the reference.

It gives the graph clauses their expected values (`evaluate` forward, `gradients` and
`jacobian` by reverse mode, each op's derivative by its own formula), so that the suite's
verdict on `gradspec.reference.backprop` is a verdict against something else: a reference
whose gradients were all doubled fails BP-VALUE. It also tells where a relu, leaky_relu or
hardtanh node receives an argument at or near its kink, where valid implementations may
disagree, and bounds the rounding error of every result (`error_magnitudes`).

It computes in float64 with NumPy's matmul; the tolerances (``4 (N + d + 2) eps M``) are
several times the error of that evaluation, in either dtype under test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import special

from gradspec.reference._graph import topological_order as reference_order

from ..contract import DEFAULT_SLOPE, KINKS

__all__ = [
    "KINKED",
    "covering_inputs",
    "error_magnitudes",
    "evaluate",
    "gradients",
    "hits_kink",
    "jacobian",
    "kink_arguments",
    "near_kink",
    "topological_order",
]

#: Kinked ops and their kinks.
KINKED: dict[str, tuple[float, ...]] = KINKS


def _leaky(a: np.ndarray, node: Mapping[str, Any]) -> np.ndarray:
    slope = float(node.get("negative_slope", DEFAULT_SLOPE))
    return np.where(a > 0, a, slope * a)


_OPS = {
    "linear": lambda n, W, x, b: W @ x + b,
    "matmul": lambda n, A, B: A @ B,
    "add": lambda n, a, b: a + b,
    "mul": lambda n, a, b: a * b,
    "dot": lambda n, u, h: np.dot(u, h),
    "sum": lambda n, a: np.sum(a),
    "sigmoid": lambda n, a: special.expit(a),
    "tanh": lambda n, a: np.tanh(a),
    "hardtanh": lambda n, a: np.clip(a, -1.0, 1.0),
    "relu": lambda n, a: np.maximum(a, 0.0),
    "leaky_relu": lambda n, a: _leaky(a, n),
    "swish": lambda n, a: a * special.expit(a),
}


def topological_order(graph: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The nodes of a valid graph, each after the nodes it uses (the reference's Kahn sort)."""
    nodes = {n["name"]: n for n in graph["nodes"]}
    return [nodes[name] for name in reference_order({k: n["args"] for k, n in nodes.items()})]


def evaluate(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every value of the graph, computed in float64."""
    values = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()}
    with np.errstate(all="ignore"):
        for node in topological_order(graph):
            args = [values[a] for a in node["args"]]
            values[node["name"]] = np.asarray(_OPS[node["op"]](node, *args), dtype=np.float64)
    return values


def covering_inputs(graph: Mapping[str, Any]) -> list[str]:
    """Few inputs such that every node depends on one of them, most covering first.

    The ``wrt`` of a Jacobian goes through the nodes that depend on it; a Jacobian with
    respect to each of these inputs goes through every node of the graph. Chosen greedily
    (each next input covers the most nodes not yet covered; ties in the graph's input order).
    """
    users: dict[str, list[str]] = {}
    for node in graph["nodes"]:
        for arg in node["args"]:
            users.setdefault(arg, []).append(node["name"])
    below: dict[str, set[str]] = {}
    for name in graph["inputs"]:
        seen: set[str] = set()
        stack = [name]
        while stack:
            for user in users.get(stack.pop(), ()):
                if user not in seen:
                    seen.add(user)
                    stack.append(user)
        below[name] = seen
    uncovered = {node["name"] for node in graph["nodes"]}
    chosen: list[str] = []
    while uncovered:
        best = max(graph["inputs"], key=lambda name: len(below[name] & uncovered))
        if not below[best] & uncovered:
            break  # nodes that use no input (none in the drawn graphs)
        chosen.append(best)
        uncovered -= below[best]
    return chosen


def kink_arguments(
    graph: Mapping[str, Any], values: Mapping[str, np.ndarray]
) -> list[tuple[str, np.ndarray, tuple[float, ...]]]:
    """(node name, argument values, kinks) for every kinked node."""
    return [
        (n["name"], values[n["args"][0]], KINKED[n["op"]])
        for n in graph["nodes"]
        if n["op"] in KINKED
    ]


def hits_kink(graph: Mapping[str, Any], points: list[Mapping[str, np.ndarray]]) -> bool:
    """Whether a kinked node's argument reaches or crosses a kink between the given inputs.

    ``points`` are the inputs along a segment (for example x - h d, x, x + h d). An argument
    that sits exactly on a kink at every point (it does not move) is not a hit.
    """
    runs = [kink_arguments(graph, evaluate(graph, p)) for p in points]
    for per_node in zip(*runs, strict=True):
        for kink in per_node[0][2]:
            stacked = np.stack([np.sign(args - kink) for _, args, _ in per_node])
            constant = (stacked == stacked[0]).all(axis=0)
            if (~constant).any() or ((stacked[0] == 0) & ~constant).any():
                return True
    return False


def _held(
    producer: Mapping[str, Any] | None, values: Mapping[str, np.ndarray], tol: float
) -> np.ndarray | bool:
    """Where ``producer``'s output is flat: relu (and leaky_relu of slope 0) at a negative
    argument, hardtanh beyond [-1, 1], each farther than ``tol`` from its kink."""
    if producer is None:
        return False
    a = values[producer["args"][0]]
    margin = tol * np.maximum(1.0, np.abs(a))
    op = producer["op"]
    slope = float(producer.get("negative_slope", DEFAULT_SLOPE))
    if op == "relu" or (op == "leaky_relu" and slope == 0.0):
        return a < -margin
    if op == "hardtanh":
        return np.abs(a) > 1.0 + margin
    return False


def near_kink(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray], dtype: Any) -> bool:
    """Whether a kinked node's argument is on a kink, up to rounding in ``dtype``.

    On a kink, valid implementations may differ (any subgradient is acceptable); within a few
    hundred ULP of one, an implementation computing in ``dtype`` may land on it. An argument
    held exactly on a kink by a flat node (relu(a) = 0 for a < 0 fed to a relu, hardtanh(a) =
    1 for a > 1 to a hardtanh) does not count: whatever subgradient is taken there is
    multiplied by that node's derivative, 0, so every result is the same.
    """
    tol = 256 * float(np.finfo(dtype).eps)
    values = evaluate(graph, inputs)
    nodes = {node["name"]: node for node in graph["nodes"]}
    for name, args, kinks in kink_arguments(graph, values):
        held = _held(nodes.get(nodes[name]["args"][0]), values, tol)
        for k in kinks:
            if ((np.abs(args - k) <= tol * np.maximum(1.0, np.abs(args))) & ~held).any():
                return True
    return False


# --- error magnitudes -------------------------------------------------------------------------

_DERIVATIVES = {
    "sigmoid": lambda a, n: special.expit(a) * special.expit(-a),
    "tanh": lambda a, n: 1.0 / np.cosh(a) ** 2,
    "hardtanh": lambda a, n: ((a > -1) & (a < 1)).astype(float),
    "relu": lambda a, n: (a > 0).astype(float),
    "leaky_relu": lambda a, n: np.where(a > 0, 1.0, float(n.get("negative_slope", DEFAULT_SLOPE))),
    "swish": lambda a, n: special.expit(a) * (1 + a * special.expit(-a)),
}
#: The conditioning scale of each derivative's textbook formula (see checks._functions).
_FLOOR = {
    "sigmoid": lambda a: special.expit(a),
    "tanh": lambda a: np.ones_like(a),
    "swish": lambda a: special.expit(a) * (1 + np.abs(a)),
}
#: Multiples of eps a derivative formula may lose in float32/float64 on top of |f'| (2 ULP + 2).
_FLOOR_FACTOR = 20.0


def _outer(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.outer(g, x)


def _vjp(node: Mapping[str, Any], args: list[np.ndarray], g: np.ndarray) -> list[np.ndarray]:
    """The share of each argument of ``node`` in the gradient ``g`` of its value."""
    op = node["op"]
    if op == "linear":
        W, x, _ = args
        return [_outer(g, x), W.T @ g, g]
    if op == "matmul":
        A, B = args
        return [_outer(g, B) if B.ndim == 1 else g @ B.T, A.T @ g]
    if op == "add":
        return [g, g]
    if op in ("mul", "dot"):
        return [g * args[1], g * args[0]]
    if op == "sum":
        return [np.broadcast_to(g, args[0].shape).copy()]
    return [g * _DERIVATIVES[op](args[0], node)]


def _backward(
    graph: Mapping[str, Any], values: Mapping[str, np.ndarray], seed: np.ndarray
) -> dict[str, np.ndarray]:
    grads = {k: np.zeros_like(v) for k, v in values.items()}
    grads[graph["output"]] = seed
    with np.errstate(all="ignore"):
        for node in reversed(topological_order(graph)):
            args = [values[a] for a in node["args"]]
            shares = _vjp(node, args, grads[node["name"]])
            for name, share in zip(node["args"], shares, strict=True):
                grads[name] = grads[name] + share
    return grads


def gradients(
    graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The output (0-d) and the gradient of every input, in float64 by reverse mode.

    The output is seeded with ones, so a non-scalar output gives the gradient of its sum.
    """
    values = evaluate(graph, inputs)
    out = values[graph["output"]]
    grads = _backward(graph, values, np.ones_like(out))
    return out, {k: grads[k] for k in inputs}


def jacobian(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray], wrt: str) -> np.ndarray:
    """The (output.size, inputs[wrt].size) Jacobian in float64, one reverse pass per row."""
    values = evaluate(graph, inputs)
    out = values[graph["output"]]
    rows = []
    for i in range(out.size):
        seed = np.zeros(out.size)
        seed[i] = 1.0
        rows.append(_backward(graph, values, seed.reshape(out.shape))[wrt].reshape(-1))
    return np.array(rows).reshape(out.size, values[wrt].size)


def error_magnitudes(
    graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray]
) -> tuple[float, dict[str, np.ndarray]]:
    """Bounds, in units of eps, on the rounding error of the output and of each gradient.

    A running error analysis in absolute values: the forward pass carries ``V``, a bound on
    each value's accumulated error (|W| |x| + |b| for a layer, |f(a)| + |f'(a)| V_a for an
    activation...); the backward pass carries ``M``, the same for each gradient, where every
    product uses magnitudes and an activation's derivative may be off by the conditioning of
    its textbook formula (sigma' = s (1 - s) loses eps s, tanh' = 1 - t^2 loses eps) plus its
    argument's error. The tolerance of a check is a modest multiple of ``eps M``.

    Returns
    -------
    output : float
        Bound for the output (the sum over every element of a non-scalar output).
    gradients : dict of str to ndarray
        Bound for each input's gradient, elementwise, for the output seeded with ones.
    """
    values = evaluate(graph, inputs)
    V: dict[str, np.ndarray] = {k: np.abs(np.asarray(v, np.float64)) for k, v in inputs.items()}
    order = topological_order(graph)
    with np.errstate(all="ignore"):
        for node in order:
            op, args = node["op"], [V[a] for a in node["args"]]
            raw = [values[a] for a in node["args"]]
            if op == "linear":
                out = args[0] @ args[1] + args[2]
            elif op in ("matmul", "dot"):
                out = args[0] @ args[1]
            elif op == "add":
                out = args[0] + args[1]
            elif op == "mul":
                out = args[0] * args[1]
            elif op == "sum":
                out = np.sum(args[0])
            else:
                d = np.abs(_DERIVATIVES[op](raw[0], node))
                out = np.abs(values[node["name"]]) + d * args[0]
            V[node["name"]] = np.asarray(out, dtype=np.float64)
        output = graph["output"]
        M: dict[str, np.ndarray] = {k: np.zeros_like(v) for k, v in V.items()}
        M[output] = np.ones_like(V[output])
        for node in reversed(order):
            g = M[node["name"]]
            op, names = node["op"], node["args"]
            args = [V[a] for a in names]
            if op == "linear":
                W, x, _ = args
                parts = [_outer(g, x), W.T @ g, g]
            elif op == "matmul":
                A, B = args
                parts = [_outer(g, B) if B.ndim == 1 else g @ B.T, A.T @ g]
            elif op == "add":
                parts = [g, g]
            elif op == "mul":
                parts = [g * args[1], g * args[0]]
            elif op == "dot":
                parts = [g * args[1], g * args[0]]
            elif op == "sum":
                parts = [np.broadcast_to(g, args[0].shape)]
            else:
                a = values[names[0]]
                d = np.abs(_DERIVATIVES[op](a, node))
                floor = _FLOOR[op](a) if op in _FLOOR else 0.0
                parts = [g * (d + _FLOOR_FACTOR * floor + args[0])]
            for name, part in zip(names, parts, strict=True):
                M[name] = M[name] + part
    out_bound = float(np.sum(V[output]))
    return out_bound, {k: M[k] for k in inputs}
