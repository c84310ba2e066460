"""The JAX adapter: contract version 1 run through ``jax.nn``, ``jax.numpy`` and JAX transforms.

The adapter uses JAX the way its users do, so that the suite measures JAX and not this file:
values come from ``jax.nn`` and ``jax.numpy``; every derivative comes from a JAX transform
(``jax.vjp``, ``jax.jacrev``), never from a formula written here. The members come from the
shared skeleton (`._library.LibraryAdapter`); this file is the backend. Whatever JAX returns
(its kink conventions, NaN at infinities, flushed subnormals) is passed on unchanged for the
suite to judge; see ``FINDINGS.md`` beside this file.

.. warning::
   Importing this module turns on ``jax_enable_x64`` **for the whole process**: without it
   JAX silently computes float64 inputs in float32. A side effect for other JAX code in the
   same process: default dtypes become 64-bit (``jax.numpy.zeros(3)`` is float64).
   float32 inputs stay float32.

Speed: every computation is compiled with ``jax.jit``, once per shape and dtype (JAX caches
compiled code per jitted function, shape and dtype): one jitted function per activation and
derivative (called on the input flattened and zero-padded to a power of two of at least 128
elements, so one compilation per padded length, `._library.padded_length`), one for the
layer and its vjp, and one per graph *structure* (ops, argument names, attributes, input
shapes; its Jacobian with respect to every input at once), kept in a bounded cache, so a
graph seen again with new values is not recompiled.

Examples
--------
>>> import numpy as np
>>> from gradspec.conformance.adapters import jax_adapter
>>> jax_adapter.relu_derivative(np.array([-1.0, 0.0, 2.0]))  # JAX's relu'(0) is 0
array([0., 0., 1.])
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from ._library import Backend, LibraryAdapter, export, require

jax = require("jax", pip="jax")
# Before any array is created: x64 is read when arrays and traces are made.
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

#: How many compiled computations to keep; graphs of the suite come in few structures.
CACHE_SIZE = 512


def _layer(W: Any, x: Any, b: Any) -> Any:
    # x @ W.T covers one example (n,) and a batch (B, n) alike, as in flax's Dense.
    return x @ W.T + b


class JaxBackend(Backend):
    """``jax.numpy`` / ``jax.nn`` ops, ``jax.vjp`` and ``jax.jacrev``, each under ``jax.jit``."""

    library = f"JAX {jax.__version__}"
    flatten = True
    ops: ClassVar[dict[str, Any]] = {
        "linear": _layer,
        "matmul": jnp.matmul,
        "add": jnp.add,
        "mul": jnp.multiply,
        "dot": jnp.dot,
        "sum": jnp.sum,
        "sigmoid": jax.nn.sigmoid,
        "tanh": jnp.tanh,
        "hardtanh": jax.nn.hard_tanh,
        "relu": jax.nn.relu,
        "leaky_relu": jax.nn.leaky_relu,
        "swish": jax.nn.silu,
    }

    def __init__(self) -> None:
        self._compiled: OrderedDict[Any, Callable[..., Any]] = OrderedDict()

    def _jit(self, key: Any, build: Callable[[], Callable[..., Any]]) -> Callable[..., Any]:
        """The jitted function for ``key``, built and jitted on first use (LRU-bounded)."""
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = jax.jit(build())
            if len(self._compiled) > CACHE_SIZE:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return compiled

    def evaluate(self, key, f, arrays, params):
        # Parameters (leaky_relu's slope) are traced arguments: a new slope does not recompile.
        compiled = self._jit(("evaluate", key), lambda: f)
        return np.asarray(compiled(*(jnp.asarray(a) for a in arrays), *params))

    def vjp(self, key, f, primals, cotangent, params):
        def value_and_pullback(primals: tuple, cotangent: Any, params: tuple) -> Any:
            output, pullback = jax.vjp(lambda *p: f(*p, *params), *primals)
            return output, pullback(cotangent)

        compiled = self._jit(("vjp", key), lambda: value_and_pullback)
        output, gradients = compiled(
            tuple(jnp.asarray(a) for a in primals), jnp.asarray(cotangent), params
        )
        return np.asarray(output), [np.asarray(g) for g in gradients]

    def jacobian(self, key, f, primals, wrt):
        compiled = self._jit(("jacobian", key, wrt), lambda: jax.jacrev(f, argnums=wrt))
        return np.asarray(compiled(*(jnp.asarray(a) for a in primals)))


__all__ = export(LibraryAdapter(JaxBackend()), globals())
