r"""The ops a computation graph may use, in one table: arguments, attributes, shape, value, VJP.

The graph engine (``_graph.py`` and ``_backprop.py``) knows no op by name. Everything it needs
about an op is in its `Op` entry of `OPS`:

- ``params``: the names of its arguments, in order (used in error messages);
- ``attributes``: the optional node attributes it accepts, with defaults and a checker;
- ``shape``: the output shape from the argument shapes, raising `ShapeMismatch` with
  a message in terms of ``params`` when they do not fit (run before any numeric work);
- ``forward``: the value, from the argument arrays and the attributes;
- ``vjp``: the vector-Jacobian product. Given ``g``, the gradient of the final scalar with
  respect to the op's output (same shape as the output), it returns one gradient per
  argument, each with exactly that argument's shape (the shape convention).

Notes
-----
For an op \(y = f(a_1, \dots, a_k)\) and a final scalar \(s\), the chain rule gives
\(\partial s / \partial a_j = \sum_i g_i \, \partial y_i / \partial a_j\) with
\(g = \partial s / \partial y\). Each ``vjp`` computes that sum directly, never the
Jacobian \(\partial y / \partial a_j\) itself. Elementwise ops have a diagonal Jacobian,
so their VJP is ``g * f'(a)``.

A VJP may return ``g`` itself or a read-only view of it (``add``, ``sum``). The engine
therefore never writes into a gradient it received; it accumulates with a fresh addition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._activations import activation
from ._linear import linear, linear_backward
from ._validation import check_negative_slope

__all__ = ["OPS", "Attribute", "Op", "ShapeMismatch"]

Shape = tuple[int, ...]


class ShapeMismatch(Exception):
    """Raised by a shape rule; the message names the op's params, the engine adds the node."""


@dataclass(frozen=True)
class Attribute:
    """An optional node attribute: its default and a function that checks and converts it."""

    default: Any
    check: Callable[[Any], Any]


@dataclass(frozen=True)
class Op:
    """Everything the engine needs to know about one op (see the module docstring)."""

    params: tuple[str, ...]
    shape: Callable[..., Shape]
    forward: Callable[..., Any]
    vjp: Callable[..., tuple[Any, ...]]
    attributes: Mapping[str, Attribute] = field(default_factory=dict)


# --- shape rules: one per family of ops ---------------------------------------------------


def _require_ndim(param: str, shape: Shape, ndim: int, why: str = "") -> None:
    if len(shape) != ndim:
        raise ShapeMismatch(f"{param} must be {ndim}-D{why}; got shape {shape}")


def _same_shapes(a: Shape, b: Shape) -> Shape:
    if a != b:
        raise ShapeMismatch(
            f"a has shape {a} but b has shape {b}; expected b of shape {a} "
            "(elementwise ops do not broadcast)"
        )
    return a


def _linear_shape(W: Shape, x: Shape, b: Shape) -> Shape:
    _require_ndim("W", W, 2)
    _require_ndim("x", x, 1, " (the graph op takes one example, not a batch)")
    m, n = W
    if x != (n,):
        raise ShapeMismatch(f"W has shape {W} but x has shape {x}; expected x of shape ({n},)")
    if b != (m,):
        raise ShapeMismatch(f"W has shape {W} but b has shape {b}; expected b of shape ({m},)")
    return (m,)


def _matmul_shape(A: Shape, B: Shape) -> Shape:
    _require_ndim("A", A, 2)
    if len(B) not in (1, 2):
        raise ShapeMismatch(f"B must be 1-D or 2-D; got shape {B}")
    k = A[1]
    if B[0] != k:
        expected = f"({k},)" if len(B) == 1 else f"({k}, p) for some p"
        raise ShapeMismatch(f"A has shape {A} but B has shape {B}; expected B of shape {expected}")
    return (A[0], *B[1:])


def _dot_shape(u: Shape, h: Shape) -> Shape:
    _require_ndim("u", u, 1)
    _require_ndim("h", h, 1)
    if u != h:
        raise ShapeMismatch(f"u has shape {u} but h has shape {h}; expected h of shape {u}")
    return ()


# --- VJPs that need more than one line ------------------------------------------------------


def _matmul_vjp(g: np.ndarray, A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # y = A @ B. For B of shape (k, p): dA = g B^T, dB = A^T g. For B of shape (k,), y and g
    # are (m,), so dA is the outer product g B^T and dB = A^T g is (k,).
    grad_A = np.outer(g, B) if B.ndim == 1 else g @ B.T
    return grad_A, A.T @ g


def _check_slope(value: Any) -> float:
    return check_negative_slope(value, func="leaky_relu")


def _elementwise(name: str, **attributes: Attribute) -> Op:
    """An op y = f(a) applied elementwise: its Jacobian is diagonal, so the VJP is g f'(a).

    Both are the public functions of `gradspec.reference`: the engine computes exactly what
    a user calling them would get. The node's ``attributes`` are passed on to both.
    """
    function = activation(name, func="OPS")
    derivative = activation(name, func="OPS", derivative=True)
    return Op(
        params=("a",),
        shape=lambda a: a,
        forward=function,
        vjp=lambda g, a, **values: (g * derivative(a, **values),),
        attributes=attributes,
    )


# --- the table -------------------------------------------------------------------------------

#: Every op a graph may use, by name: ``Op(params, shape, forward, vjp)``, one entry each.
OPS: Mapping[str, Op] = {
    "linear": Op(
        ("W", "x", "b"), _linear_shape, linear, lambda g, W, x, b: linear_backward(W, x, b, g)
    ),
    "matmul": Op(("A", "B"), _matmul_shape, np.matmul, _matmul_vjp),
    "add": Op(("a", "b"), _same_shapes, np.add, lambda g, a, b: (g, g)),
    "mul": Op(("a", "b"), _same_shapes, np.multiply, lambda g, a, b: (g * b, g * a)),
    "dot": Op(("u", "h"), _dot_shape, np.dot, lambda g, u, h: (g * h, g * u)),
    # Every element contributes with weight 1: the gradient is g repeated, a read-only view.
    "sum": Op(("a",), lambda a: (), np.sum, lambda g, a: (np.broadcast_to(g, a.shape),)),
    "sigmoid": _elementwise("sigmoid"),
    "tanh": _elementwise("tanh"),
    "hardtanh": _elementwise("hardtanh"),
    "relu": _elementwise("relu"),
    "swish": _elementwise("swish"),
    "leaky_relu": _elementwise("leaky_relu", negative_slope=Attribute(0.01, _check_slope)),
}
