"""The TensorFlow adapter: contract version 1 run through ``tf.nn`` / ``tf.math`` eagerly and
``tf.GradientTape``, on the CPU.

Values come from ``tf.nn`` (``sigmoid``, ``relu``, ``leaky_relu``, ``silu``),
``tf.math.tanh`` and, for hard tanh, which TensorFlow lacks, ``tf.clip_by_value(z, -1, 1)``;
the layer is what ``tf.keras.layers.Dense`` computes, ``x W^T + b`` (``tf.linalg.matvec``
for one example); every derivative comes from ``GradientTape.gradient`` with the cotangent
as ``output_gradients``. The members come from the shared skeleton
(`._library.LibraryAdapter`); this file is the backend. Results are passed on in whatever
dtype TensorFlow returns.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from ._library import EagerBackend, LibraryAdapter, export, require

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no start-up banner on every run
tf = require("tensorflow", pip="tensorflow-cpu")


def _linear(W: Any, x: Any, b: Any) -> Any:
    if len(x.shape) == 1:
        return tf.linalg.matvec(W, x) + b
    return tf.linalg.matmul(x, W, transpose_b=True) + b


def _matmul(A: Any, B: Any) -> Any:
    return tf.linalg.matvec(A, B) if len(B.shape) == 1 else tf.linalg.matmul(A, B)


class TensorflowBackend(EagerBackend):
    """TensorFlow eager tensors and ``tf.GradientTape``."""

    library = f"TensorFlow {tf.__version__}"
    ops: ClassVar[dict[str, Any]] = {
        "linear": _linear,
        "matmul": _matmul,
        "add": tf.math.add,
        "mul": tf.math.multiply,
        "dot": lambda u, h: tf.tensordot(u, h, 1),
        "sum": tf.math.reduce_sum,
        "sigmoid": tf.nn.sigmoid,
        "tanh": tf.math.tanh,
        "hardtanh": lambda z: tf.clip_by_value(z, -1.0, 1.0),
        "relu": tf.nn.relu,
        "leaky_relu": lambda z, negative_slope=0.01: tf.nn.leaky_relu(z, alpha=negative_slope),
        "swish": tf.nn.silu,
    }

    def to_library(self, array: np.ndarray) -> Any:
        return tf.constant(np.array(array, copy=True))

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.array(value, copy=True)

    def vjp(self, key, f, primals, cotangent, params):
        leaves = [self.to_library(a) for a in primals]
        with tf.GradientTape() as tape:
            for leaf in leaves:
                tape.watch(leaf)
            output = f(*leaves, *params)
        gradients = tape.gradient(output, leaves, output_gradients=self.to_library(cotangent))
        return self.to_numpy(output), [None if g is None else self.to_numpy(g) for g in gradients]


__all__ = export(LibraryAdapter(TensorflowBackend()), globals())
