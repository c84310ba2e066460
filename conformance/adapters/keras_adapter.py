"""The Keras 3 adapter: contract version 1 run through ``keras.ops``, on the backend Keras is
set to (``KERAS_BACKEND`` or ``~/.keras/keras.json``: JAX, TensorFlow or PyTorch).

Values come from ``keras.ops`` (``sigmoid``, ``tanh``, ``hard_tanh``, ``relu``,
``leaky_relu``, ``silu``; the layer as ``keras.layers.Dense`` computes it,
``matmul(x, W^T) + b``). Keras 3 has no gradient API of its own, so every derivative comes
from the backend's autodiff, exactly as the shipped adapter of that backend takes it
(``jax.vjp``, ``tf.GradientTape``, ``torch.autograd.grad``): the backend class is reused
with Keras's ops in place of the backend's. On the JAX backend that means importing the JAX
adapter, which turns on ``jax_enable_x64`` (otherwise JAX computes float64 in float32).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ._library import Backend, LibraryAdapter, export, require

keras = require("keras", pip="keras")
ops = keras.ops


def _base() -> type[Backend]:
    """The shipped backend class of Keras's configured backend, for its autodiff."""
    backend = keras.backend.backend()
    if backend == "jax":
        from .jax_adapter import JaxBackend

        return JaxBackend
    if backend == "tensorflow":
        from .tensorflow_adapter import TensorflowBackend

        return TensorflowBackend
    if backend == "torch":
        from .torch_adapter import TorchBackend

        return TorchBackend
    raise ImportError(
        f"the Keras adapter supports the jax, tensorflow and torch backends; Keras is set to "
        f"{backend!r} (KERAS_BACKEND or ~/.keras/keras.json)."
    )


_Base: Any = _base()


class KerasBackend(_Base):
    """``keras.ops`` on the configured backend, differentiated by that backend."""

    library = f"Keras {keras.__version__} ({keras.backend.backend()} backend)"
    ops: ClassVar[dict[str, Any]] = {
        "linear": lambda W, x, b: ops.add(ops.matmul(x, ops.transpose(W)), b),
        "matmul": ops.matmul,
        "add": ops.add,
        "mul": ops.multiply,
        "dot": ops.dot,
        "sum": ops.sum,
        "sigmoid": ops.sigmoid,
        "tanh": ops.tanh,
        "hardtanh": ops.hard_tanh,
        "relu": ops.relu,
        "leaky_relu": lambda z, negative_slope=0.01: ops.leaky_relu(z, negative_slope),
        "swish": ops.silu,
    }


__all__ = export(LibraryAdapter(KerasBackend()), globals())
