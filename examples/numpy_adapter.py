"""A complete gradspec adapter in plain NumPy: all 16 members of the contract, from scratch.

This file is both an implementation and its adapter: the functions have the contract's
names, so the module itself is what ``gradspec check --adapter examples/numpy_adapter.py``
loads. It imports nothing but NumPy. Copy it as a starting point, or compare it with your
own code member by member.

Conventions used throughout:

- every activation computes in float64 and rounds once to the input's dtype, so float32
  results are as accurate as float32 allows;
- nothing writes into an argument (the suite checks that inputs are unchanged);
- results have the dtype of the inputs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

#: Shown in the suite's reports.
name = "numpy example adapter"
#: The dtypes this implementation supports (the default of the contract: both).
dtypes = ("float32", "float64")


# --- activations -------------------------------------------------------------------------------


def _elementwise(formula: Callable[[np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    """Wrap a float64 formula: widen the input once, round the result once."""

    def apply(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            result = formula(z.astype(np.float64))
        return np.asarray(result, dtype=np.float64).astype(z.dtype)

    return apply


def _sigmoid64(z: np.ndarray) -> np.ndarray:
    t = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + t), t / (1.0 + t))


def _swish_derivative64(z: np.ndarray) -> np.ndarray:
    s = _sigmoid64(z)
    value = s * (1.0 + z * _sigmoid64(-z))
    # The limits at +-inf (the formula gives inf * 0 = NaN there).
    return np.where(np.isinf(z), np.where(z > 0, 1.0, 0.0), value)


def _sigmoid_derivative64(z: np.ndarray) -> np.ndarray:
    # sigma' = t / (1 + t)^2 with t = e^{-|z|}: no 1 - sigma, so the tails keep their digits.
    t = np.exp(-np.abs(z))
    return t / (1.0 + t * (2.0 + t))


def _tanh_derivative64(z: np.ndarray) -> np.ndarray:
    # tanh' = 4t / (1 + t)^2 with t = e^{-2|z|}: no 1 - tanh^2. Where 4t is subnormal
    # (2|z| > 700), t itself has lost bits, so the numerator is computed as one exp there.
    t = np.exp(-2.0 * np.abs(z))
    numerator = np.where(2.0 * np.abs(z) > 700.0, np.exp(np.log(4.0) - 2.0 * np.abs(z)), 4.0 * t)
    return numerator / (1.0 + t * (2.0 + t))


sigmoid = _elementwise(_sigmoid64)
sigmoid_derivative = _elementwise(_sigmoid_derivative64)
tanh = _elementwise(np.tanh)
tanh_derivative = _elementwise(_tanh_derivative64)
hardtanh = _elementwise(lambda z: np.clip(z, -1.0, 1.0))  # clip propagates NaN
# 1 strictly inside (-1, 1), 0 outside and at the kinks (the reference's convention).
hardtanh_derivative = _elementwise(
    lambda z: np.where(np.isnan(z), z, ((z > -1.0) & (z < 1.0)).astype(np.float64))
)
relu = _elementwise(lambda z: np.maximum(z, 0.0))  # maximum propagates NaN
relu_derivative = _elementwise(lambda z: np.where(np.isnan(z), z, (z > 0).astype(np.float64)))
swish = _elementwise(lambda z: np.where(np.isneginf(z), 0.0, z * _sigmoid64(z)))
swish_derivative = _elementwise(_swish_derivative64)


def _slope(negative_slope: float) -> float:
    slope = float(negative_slope)
    if not (np.isfinite(slope) and slope >= 0):
        raise ValueError(f"negative_slope must be a finite number >= 0; got {negative_slope!r}")
    return slope


def leaky_relu(z: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    s = _slope(negative_slope)
    # s * z for z <= 0, but 0 (not 0 * -inf = NaN) when s = 0; NaN stays NaN.
    negative = (lambda z: s * z) if s else (lambda z: np.zeros_like(z))
    return _elementwise(lambda z: np.where(np.isnan(z) | (z > 0), z, negative(z)))(z)


def leaky_relu_derivative(z: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    s = _slope(negative_slope)
    return _elementwise(lambda z: np.where(np.isnan(z), z, np.where(z > 0, 1.0, s)))(z)


# --- the linear layer ----------------------------------------------------------------------------


def linear(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z = W x + b for x of shape (n,); z[i] = W x[i] + b for a batch x of shape (B, n)."""
    return x @ W.T + b if x.ndim == 2 else W @ x + b


def linear_backward(
    W: np.ndarray, x: np.ndarray, b: np.ndarray, grad_z: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_W, grad_x, grad_b), each with the shape of its parameter."""
    if x.ndim == 2:  # a batch: W and b are shared, so their gradients add up over it
        return grad_z.T @ x, grad_z @ W, grad_z.sum(axis=0)
    return np.outer(grad_z, x), grad_z @ W, grad_z.copy()


# --- computation graphs ------------------------------------------------------------------------

#: The activation ops: each op's function and derivative (the members above).
_ACTIVATIONS: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]] = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "hardtanh": (hardtanh, hardtanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "swish": (swish, swish_derivative),
}
#: How many arguments each op takes.
_ARITY = {"linear": 3, "matmul": 2, "add": 2, "mul": 2, "dot": 2, "sum": 1}
_ARITY.update({op: 1 for op in _ACTIVATIONS})


def _order(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray]) -> list[dict]:
    """The nodes in topological order (Kahn's algorithm), after checking the graph."""
    nodes = list(graph["nodes"])
    names = [node["name"] for node in nodes]
    known = set(graph["inputs"])
    if set(inputs) != known:
        raise ValueError(f"inputs {sorted(inputs)} do not match the graph's {sorted(known)}")
    if len(set(names)) != len(names) or known & set(names):
        raise ValueError(f"duplicate names among the inputs and nodes: {names}")
    by_name = {node["name"]: node for node in nodes}
    for node in nodes:
        if node["op"] not in _ARITY:
            raise ValueError(f"node {node['name']!r}: unknown op {node['op']!r}")
        if len(node["args"]) != _ARITY[node["op"]]:
            raise ValueError(f"node {node['name']!r}: {node['op']} takes {_ARITY[node['op']]}")
        for arg in node["args"]:
            if arg not in known and arg not in by_name:
                raise ValueError(f"node {node['name']!r}: {arg!r} names nothing")
    if graph["output"] not in by_name and graph["output"] not in known:
        raise ValueError(f"the output {graph['output']!r} names nothing")
    waiting = {n: sum(a in by_name for a in by_name[n]["args"]) for n in by_name}
    readers: dict[str, list[str]] = {n: [] for n in by_name}
    for node in nodes:
        for arg in node["args"]:
            if arg in by_name:
                readers[arg].append(node["name"])
    ready = deque(n for n in names if waiting[n] == 0)
    order = []
    while ready:
        current = ready.popleft()
        order.append(by_name[current])
        for reader in readers[current]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                ready.append(reader)
    if len(order) != len(nodes):
        raise ValueError("the graph has a cycle")
    return order


def _forward(node: dict, a: list[np.ndarray]) -> np.ndarray:
    op = node["op"]
    if op in _ACTIVATIONS:
        f = _ACTIVATIONS[op][0]
        return f(a[0], node.get("negative_slope", 0.01)) if op == "leaky_relu" else f(a[0])
    if op == "linear":
        W, x, b = a
        if not (W.ndim == 2 and x.shape == (W.shape[1],) and b.shape == (W.shape[0],)):
            raise ValueError(f"linear: shapes {W.shape}, {x.shape}, {b.shape} do not fit")
        return W @ x + b
    if op == "matmul":
        A, B = a
        if A.ndim != 2 or B.ndim not in (1, 2) or A.shape[1] != B.shape[0]:
            raise ValueError(f"matmul: shapes {A.shape} and {B.shape} do not fit")
        return A @ B
    if op in ("add", "mul"):
        if a[0].shape != a[1].shape:
            raise ValueError(f"{op}: shapes {a[0].shape} and {a[1].shape} differ")
        return a[0] + a[1] if op == "add" else a[0] * a[1]
    if op == "dot":
        if a[0].ndim != 1 or a[0].shape != a[1].shape:
            raise ValueError(f"dot: shapes {a[0].shape} and {a[1].shape} are not one length")
        return np.asarray(a[0] @ a[1])
    return np.asarray(np.sum(a[0]), dtype=a[0].dtype)  # sum


def _backward(node: dict, a: list[np.ndarray], g: np.ndarray) -> list[np.ndarray]:
    """The contributions of the node's adjoint g to each argument's adjoint (its VJPs)."""
    op = node["op"]
    if op in _ACTIVATIONS:
        df = _ACTIVATIONS[op][1]
        slope = node.get("negative_slope", 0.01)
        return [g * (df(a[0], slope) if op == "leaky_relu" else df(a[0]))]
    if op == "linear":
        W, x, _ = a
        return [np.outer(g, x), W.T @ g, g]
    if op == "matmul":
        A, B = a
        return [np.outer(g, B), A.T @ g] if B.ndim == 1 else [g @ B.T, A.T @ g]
    if op == "add":
        return [g, g]
    if op == "mul":
        return [g * a[1], g * a[0]]
    if op == "dot":
        return [g * a[1], g * a[0]]
    return [np.full_like(a[0], g)]  # sum: the same gradient in every element


def _run(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray]):
    order = _order(graph, inputs)
    values: dict[str, np.ndarray] = {k: np.asarray(v) for k, v in inputs.items()}
    for node in order:
        values[node["name"]] = _forward(node, [values[arg] for arg in node["args"]])
    return order, values


def _gradients(order: list[dict], values: dict, output: str, seed: np.ndarray) -> dict:
    # Fresh zero adjoints, added to with +=: fan-out sums its contributions, and no input
    # array is ever written to.
    adjoint = {k: np.zeros_like(v) for k, v in values.items()}
    adjoint[output] = adjoint[output] + seed
    for node in reversed(order):
        args = [values[arg] for arg in node["args"]]
        contributions = _backward(node, args, adjoint[node["name"]])
        for arg, contribution in zip(node["args"], contributions, strict=True):
            adjoint[arg] += contribution
    return adjoint


def backprop(
    graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The scalar output and the gradient of it for every input (the shape convention)."""
    order, values = _run(graph, inputs)
    out = values[graph["output"]]
    if out.ndim != 0:
        raise ValueError(f"backprop needs a scalar output; {graph['output']!r} has {out.shape}")
    adjoint = _gradients(order, values, graph["output"], np.ones((), out.dtype))
    return out, {k: adjoint[k] for k in graph["inputs"]}


def jacobian(graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray], wrt: str) -> np.ndarray:
    """d output / d inputs[wrt] in Jacobian form: shape (output.size, inputs[wrt].size)."""
    order, values = _run(graph, inputs)
    out = values[graph["output"]]
    rows = []
    for i in range(out.size):  # one backward pass per output element, seeded with a one-hot
        seed = np.zeros(out.size, out.dtype)
        seed[i] = 1
        rows.append(_gradients(order, values, graph["output"], seed.reshape(out.shape))[wrt])
    width = np.asarray(inputs[wrt]).size
    return np.array([r.reshape(-1) for r in rows], dtype=out.dtype).reshape(out.size, width)
