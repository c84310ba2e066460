"""The JAX adapter: contract version 1 run through ``jax.nn``, ``jax.numpy`` and JAX transforms.

The adapter uses JAX the way its users do, so that the suite measures JAX and not this file:
values come from ``jax.nn`` and ``jax.numpy``; every derivative comes from a JAX transform
(``jax.grad``, ``jax.vjp``, ``jax.jacrev``), never from a formula written here. The adapter only
converts arrays. Whatever JAX returns (its kink conventions, NaN at infinities, flushed
subnormals) is passed on unchanged for the suite to judge; see ``FINDINGS.md`` beside this
file.

.. warning::
   Importing this module turns on ``jax_enable_x64`` **for the whole process**: without it
   JAX silently computes float64 inputs in float32. A side effect for other JAX code in the
   same process: default dtypes become 64-bit (``jax.numpy.zeros(3)`` is float64).
   float32 inputs stay float32.

Speed: the elementwise members are jitted once at import and called on the flattened input
(then reshaped), so XLA compiles once per function, dtype and element count, not per shape.
Graphs run eagerly: each graph is a new function, and jitting it would compile every call.

Examples
--------
>>> import numpy as np
>>> from gradspec.conformance.adapters import jax_adapter
>>> jax_adapter.relu_derivative(np.array([-1.0, 0.0, 2.0]))  # JAX's relu'(0) is 0
array([0., 0., 1.])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax

# Before any array is created: x64 is read when arrays and traces are made.
jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import ArrayLike  # noqa: E402

from gradspec.reference._validation import as_float_array  # noqa: E402

from ._graph import evaluate, read_graph, size  # noqa: E402

__all__ = [
    "backprop",
    "dtypes",
    "hardtanh",
    "hardtanh_derivative",
    "jacobian",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_backward",
    "name",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
]

#: Display name used in conformance reports.
name = f"JAX {jax.__version__}"

#: Both dtypes of the contract (float64 thanks to ``jax_enable_x64``).
dtypes = ("float32", "float64")

#: The library function behind each activation. Each takes (z, *parameters).
_ACTIVATIONS: dict[str, Callable[..., jax.Array]] = {
    "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh,
    "hardtanh": jax.nn.hard_tanh,
    "relu": jax.nn.relu,
    "leaky_relu": jax.nn.leaky_relu,
    "swish": jax.nn.silu,
}


def _elementwise_derivative(f: Callable[..., jax.Array]) -> Callable[..., jax.Array]:
    # For an elementwise f the gradient of sum(f(z)) is f'(z) elementwise; the slope of
    # leaky_relu rides along as a second, non-differentiated argument.
    return jax.grad(lambda z, *parameters: jnp.sum(f(z, *parameters)))


# Jitted once here; the negative slope is a traced argument, so a new slope does not recompile.
_VALUE = {name: jax.jit(f) for name, f in _ACTIVATIONS.items()}
_DERIVATIVE = {name: jax.jit(_elementwise_derivative(f)) for name, f in _ACTIVATIONS.items()}


def _array(value: ArrayLike, *, arg: str, func: str) -> jax.Array:
    """A JAX array of ``value`` with its dtype (float32 stays float32)."""
    return jnp.asarray(as_float_array(value, name=arg, func=func))


def _apply(table: dict[str, Any], activation: str, func: str, z: ArrayLike, *parameters: float):
    array = as_float_array(z, name="z", func=func)
    # Flattened so that the jitted function is compiled per element count, not per shape.
    result = table[activation](jnp.asarray(array.reshape(-1)), *parameters)
    return np.asarray(result).reshape(array.shape)


def sigmoid(z: ArrayLike) -> np.ndarray:
    """``jax.nn.sigmoid``."""
    return _apply(_VALUE, "sigmoid", "sigmoid", z)


def tanh(z: ArrayLike) -> np.ndarray:
    """``jax.numpy.tanh``."""
    return _apply(_VALUE, "tanh", "tanh", z)


def hardtanh(z: ArrayLike) -> np.ndarray:
    """``jax.nn.hard_tanh``."""
    return _apply(_VALUE, "hardtanh", "hardtanh", z)


def relu(z: ArrayLike) -> np.ndarray:
    """``jax.nn.relu``."""
    return _apply(_VALUE, "relu", "relu", z)


def leaky_relu(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    """``jax.nn.leaky_relu``."""
    return _apply(_VALUE, "leaky_relu", "leaky_relu", z, float(negative_slope))


def swish(z: ArrayLike) -> np.ndarray:
    """``jax.nn.silu`` (swish with beta = 1)."""
    return _apply(_VALUE, "swish", "swish", z)


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    """``jax.grad`` of ``jax.nn.sigmoid``, elementwise."""
    return _apply(_DERIVATIVE, "sigmoid", "sigmoid_derivative", z)


def tanh_derivative(z: ArrayLike) -> np.ndarray:
    """``jax.grad`` of ``jax.numpy.tanh``, elementwise."""
    return _apply(_DERIVATIVE, "tanh", "tanh_derivative", z)


def hardtanh_derivative(z: ArrayLike) -> np.ndarray:
    """``jax.grad`` of ``jax.nn.hard_tanh``, elementwise."""
    return _apply(_DERIVATIVE, "hardtanh", "hardtanh_derivative", z)


def relu_derivative(z: ArrayLike) -> np.ndarray:
    """``jax.grad`` of ``jax.nn.relu``, elementwise."""
    return _apply(_DERIVATIVE, "relu", "relu_derivative", z)


def leaky_relu_derivative(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    """``jax.grad`` of ``jax.nn.leaky_relu``, elementwise."""
    return _apply(_DERIVATIVE, "leaky_relu", "leaky_relu_derivative", z, float(negative_slope))


def swish_derivative(z: ArrayLike) -> np.ndarray:
    """``jax.grad`` of ``jax.nn.silu``, elementwise."""
    return _apply(_DERIVATIVE, "swish", "swish_derivative", z)


def _layer(W: jax.Array, x: jax.Array, b: jax.Array) -> jax.Array:
    # x @ W.T covers one example (n,) and a batch (B, n) alike, as in flax's Dense.
    return x @ W.T + b


def _layer_backward(W: jax.Array, x: jax.Array, b: jax.Array, grad_z: jax.Array):
    _, pullback = jax.vjp(_layer, W, x, b)
    return pullback(grad_z)


# One XLA compilation per shape for the whole layer, instead of one per primitive eagerly.
_LAYER = jax.jit(_layer)
_LAYER_BACKWARD = jax.jit(_layer_backward)


def linear(W: ArrayLike, x: ArrayLike, b: ArrayLike) -> np.ndarray:
    """z = x @ W.T + b in ``jax.numpy``, for x of shape (n,) or (B, n)."""
    arrays = (_array(a, arg=n, func="linear") for n, a in (("W", W), ("x", x), ("b", b)))
    return np.asarray(_LAYER(*arrays))


def linear_backward(
    W: ArrayLike, x: ArrayLike, b: ArrayLike, grad_z: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_W, grad_x, grad_b) from ``jax.vjp`` of the layer with cotangent ``grad_z``."""
    func = "linear_backward"
    W_, x_, b_, g_ = (
        _array(a, arg=n, func=func) for n, a in (("W", W), ("x", x), ("b", b), ("grad_z", grad_z))
    )
    z = jax.eval_shape(_layer, W_, x_, b_)
    if g_.shape != z.shape or g_.dtype != z.dtype:
        # jax.vjp would report this as an internal type error; say it in the contract's terms.
        raise ValueError(
            f"{func}: grad_z must have the shape and dtype of z, {z.shape} {z.dtype}; "
            f"got {g_.shape} {g_.dtype}."
        )
    return tuple(np.asarray(g) for g in _LAYER_BACKWARD(W_, x_, b_, g_))  # type: ignore[return-value]


#: The library op behind each graph op; ``linear`` takes the contract's (W, x, b) order.
_OPS: dict[str, Callable[..., jax.Array]] = {
    "linear": _layer,
    "matmul": jnp.matmul,
    "add": jnp.add,
    "mul": jnp.multiply,
    "dot": jnp.dot,
    "sum": jnp.sum,
    **_ACTIVATIONS,
}


def backprop(
    graph: Mapping[str, Any], inputs: Mapping[str, ArrayLike]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``jax.value_and_grad`` of the graph's output as a function of the dict of inputs."""
    plan = read_graph(graph, inputs, func="backprop", scalar_output=True)

    def output_of(leaves: dict[str, jax.Array]) -> jax.Array:
        return evaluate(plan, leaves, _OPS)[plan.output]

    leaves = {n: jnp.asarray(a) for n, a in plan.arrays.items()}
    output, gradients = jax.value_and_grad(output_of)(leaves)
    return np.asarray(output), {n: np.asarray(g) for n, g in gradients.items()}


def jacobian(graph: Mapping[str, Any], inputs: Mapping[str, ArrayLike], wrt: str) -> np.ndarray:
    """``jax.jacrev`` of the output w.r.t. ``inputs[wrt]``, reshaped to (out.size, in.size)."""
    plan = read_graph(graph, inputs, func="jacobian", wrt=wrt)
    constants = {n: jnp.asarray(a) for n, a in plan.arrays.items()}

    def output_of(t: jax.Array) -> jax.Array:
        return evaluate(plan, {**constants, wrt: t}, _OPS)[plan.output]

    full = np.asarray(jax.jacrev(output_of)(constants[wrt]))
    return full.reshape(size(plan.shapes[plan.output]), size(plan.shapes[wrt]))
