"""A small float64 forward evaluator for the drawn graphs, used to find kinks.

The checks never trust it for expected values (the reference does that); they use it to see
whether a relu, leaky_relu or hardtanh node receives an argument at or near its kink, where
a finite difference straddles two slopes and valid implementations may disagree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import special

__all__ = [
    "KINKED",
    "evaluate",
    "hits_kink",
    "kink_arguments",
    "near_kink",
    "topological_order",
]

#: Kinked ops and their kinks.
KINKED: dict[str, tuple[float, ...]] = {
    "relu": (0.0,),
    "leaky_relu": (0.0,),
    "hardtanh": (-1.0, 1.0),
}


def _leaky(a: np.ndarray, node: Mapping[str, Any]) -> np.ndarray:
    slope = float(node.get("negative_slope", 0.01))
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
    """The nodes of a valid graph, each after the nodes it uses (Kahn's algorithm)."""
    nodes = {n["name"]: n for n in graph["nodes"]}
    waiting = {name: {a for a in n["args"] if a in nodes} for name, n in nodes.items()}
    users: dict[str, list[str]] = {name: [] for name in nodes}
    for name, deps in waiting.items():
        for dep in deps:
            users[dep].append(name)
    ready = deque(sorted(name for name, deps in waiting.items() if not deps))
    order = []
    while ready:
        name = ready.popleft()
        order.append(nodes[name])
        for user in users[name]:
            waiting[user].discard(name)
            if not waiting[user]:
                ready.append(user)
    return order


def evaluate(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every value of the graph, computed in float64."""
    values = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()}
    with np.errstate(all="ignore"):
        for node in topological_order(graph):
            args = [values[a] for a in node["args"]]
            values[node["name"]] = np.asarray(_OPS[node["op"]](node, *args), dtype=np.float64)
    return values


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


def near_kink(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray], dtype: Any) -> bool:
    """Whether a kinked node's argument is on a kink, up to rounding in ``dtype``.

    On a kink, valid implementations may differ (any subgradient is acceptable); within a few
    hundred ULP of one, an implementation computing in ``dtype`` may land on it.
    """
    tol = 256 * float(np.finfo(dtype).eps)
    for _, args, kinks in kink_arguments(graph, evaluate(graph, inputs)):
        for k in kinks:
            if (np.abs(args - k) <= tol * np.maximum(1.0, np.abs(args))).any():
                return True
    return False
