"""The Keras 3 adapter: contract version 1 run through ``keras.ops``, on the backend Keras is
set to (``KERAS_BACKEND`` or ``~/.keras/keras.json``: JAX, TensorFlow or PyTorch).

Values come from ``keras.ops`` (``sigmoid``, ``tanh``, ``hard_tanh``, ``relu``,
``leaky_relu``, ``silu``; the layer as ``keras.layers.Dense`` computes it,
``matmul(x, W^T) + b``). Keras 3 has no gradient API of its own, so every derivative comes
from the backend's autodiff, exactly as the shipped adapter of that backend takes it
(``jax.vjp``, ``tf.GradientTape``, ``torch.autograd.grad``): the backend class is reused
with Keras's ops in place of the backend's. On the JAX backend that means importing the JAX
adapter, which turns on ``jax_enable_x64`` (otherwise JAX computes float64 in float32).

Some Keras ops return another dtype than they were given (``keras.ops.tanh`` on the JAX
backend turns float64 into float32). The suite reports that as a finding of the values; for
the derivatives, the cotangent of ones is cast to the dtype of the op's output, as a Keras
user's loss would be, so that the backend's vjp runs instead of rejecting a cotangent of the
input's dtype. The gradient then comes back in whatever dtype the backend gives, which the
suite judges as it is.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

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

    def __init__(self) -> None:
        super().__init__()
        #: The output dtype of each computation, per its key and its inputs' dtypes.
        self._output_dtypes: dict[Any, np.dtype] = {}

    def vjp(self, key, f, primals, cotangent, params):
        # The backend's vjp needs a cotangent of the output's dtype, which is not the
        # input's where a Keras op changes the dtype; one forward run per computation says.
        dtypes_key = (key, tuple(str(p.dtype) for p in primals))
        output_dtype = self._output_dtypes.get(dtypes_key)
        if output_dtype is None:
            output = self.evaluate(key, f, primals, params)
            output_dtype = self._output_dtypes[dtypes_key] = output.dtype
        return super().vjp(key, f, primals, cotangent.astype(output_dtype, copy=False), params)


__all__ = export(LibraryAdapter(KerasBackend()), globals())
