"""The MyGrad adapter: contract version 1 run through ``mygrad`` tensors and ``backward``.

Values come from ``mygrad.nnet.activations`` (``sigmoid``, ``tanh``, ``hard_tanh``,
``relu``, ``leaky_relu``) and, for swish, which MyGrad lacks, ``z * sigmoid(z)`` in MyGrad
ops; every derivative comes from ``Tensor.backward`` with the cotangent as its gradient.
The members come from the shared skeleton (`._library.LibraryAdapter`); this file is the
backend. Results are passed on in whatever dtype MyGrad returns.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._library import EagerBackend, LibraryAdapter, export, require

mg = require("mygrad", pip="mygrad")
activations = require("mygrad.nnet.activations", pip="mygrad")


class MygradBackend(EagerBackend):
    """MyGrad tensors, ``mygrad.nnet.activations`` and ``Tensor.backward``."""

    library = f"MyGrad {mg.__version__}"
    ops: ClassVar[dict[str, Any]] = {
        "linear": lambda W, x, b: mg.matmul(x, mg.transpose(W)) + b,
        "matmul": mg.matmul,
        "add": mg.add,
        "mul": mg.multiply,
        "dot": mg.matmul,  # 1-D @ 1-D is the inner product
        "sum": mg.sum,
        "sigmoid": activations.sigmoid,
        "tanh": activations.tanh,
        "hardtanh": lambda z: activations.hard_tanh(z, lower_bound=-1.0, upper_bound=1.0),
        "relu": activations.relu,
        "leaky_relu": lambda z, negative_slope=0.01: activations.leaky_relu(z, negative_slope),
        "swish": lambda z: mg.multiply(z, activations.sigmoid(z)),
    }

    def to_library(self, array: np.ndarray) -> Any:
        return mg.tensor(array, copy=True)

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.array(value.data if hasattr(value, "data") else value, copy=True)

    def vjp(self, key, f, primals, cotangent, params):
        leaves = [self.to_library(a) for a in primals]
        output = f(*leaves, *params)
        output.backward(np.array(cotangent, copy=True))
        return self.to_numpy(output), [
            None if t.grad is None else np.array(t.grad, copy=True) for t in leaves
        ]


__all__ = export(LibraryAdapter(MygradBackend()), globals())
