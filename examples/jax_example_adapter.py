"""A small JAX adapter: values from jax.numpy, derivatives from jax.grad and jax.vjp.

Run it with ``gradspec check --adapter examples/jax_example_adapter.py``. It provides four
members; every other clause is reported as *not provided*. The complete adapter that ships
with gradspec is ``gradspec.conformance.adapters.jax_adapter`` (``--adapter jax``).
"""

from __future__ import annotations

import jax
import numpy as np

# float64 needs JAX's x64 mode; without it every float64 input would be computed in float32
# and fail the dtype clause.
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402  (after the x64 switch)

name = f"jax {jax.__version__} (example)"


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(jax.nn.sigmoid(jnp.asarray(z)))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    # jax.grad wants a scalar function: differentiate sigmoid element by element with vmap,
    # over the flattened array, and restore the shape.
    flat = jnp.asarray(z).reshape(-1)
    return np.asarray(jax.vmap(jax.grad(jax.nn.sigmoid))(flat)).reshape(np.shape(z))


def linear(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(_layer(jnp.asarray(W), jnp.asarray(x), jnp.asarray(b)))


def linear_backward(W, x, b, grad_z):
    # The vector-Jacobian product of the layer with grad_z: (grad_W, grad_x, grad_b).
    _, vjp = jax.vjp(_layer, jnp.asarray(W), jnp.asarray(x), jnp.asarray(b))
    return tuple(np.asarray(g) for g in vjp(jnp.asarray(grad_z)))


def _layer(W, x, b):
    return x @ W.T + b  # one example (n,) or a batch (B, n)
