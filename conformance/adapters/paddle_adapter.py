"""The PaddlePaddle adapter: contract version 1 run through ``paddle.nn.functional`` and
``paddle.grad``, on the CPU.

Values come from ``paddle.nn.functional`` (``sigmoid``, ``tanh``, ``hardtanh``, ``relu``,
``leaky_relu``, ``silu``, ``linear``); every derivative comes from ``paddle.grad`` with the
cotangent as ``grad_outputs``. The members come from the shared skeleton
(`._library.LibraryAdapter`); this file is the backend. Results are passed on in whatever
dtype Paddle returns.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._library import EagerBackend, LibraryAdapter, export, require

paddle = require("paddle", pip="paddlepaddle")
paddle.set_device("cpu")
F = paddle.nn.functional


class PaddleBackend(EagerBackend):
    """Paddle eager tensors and ``paddle.grad``."""

    library = f"PaddlePaddle {paddle.__version__}"
    ops: ClassVar[dict[str, Any]] = {
        # paddle's linear takes the weight as (in, out), as paddle.nn.Linear stores it.
        "linear": lambda W, x, b: F.linear(x, paddle.transpose(W, [1, 0]), b),
        "matmul": paddle.matmul,
        "add": paddle.add,
        "mul": paddle.multiply,
        "dot": paddle.dot,
        "sum": paddle.sum,
        "sigmoid": F.sigmoid,
        "tanh": F.tanh,
        "hardtanh": lambda z: F.hardtanh(z, min=-1.0, max=1.0),
        "relu": F.relu,
        "leaky_relu": lambda z, negative_slope=0.01: F.leaky_relu(z, float(negative_slope)),
        "swish": F.silu,
    }

    def to_library(self, array: np.ndarray, grad: bool = False) -> Any:
        return paddle.to_tensor(np.array(array, copy=True), stop_gradient=not grad)

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.array(value.numpy(), copy=True)

    def evaluate(self, key, f, arrays, params):
        with paddle.no_grad():
            return super().evaluate(key, f, arrays, params)

    def vjp(self, key, f, primals, cotangent, params):
        leaves = [self.to_library(a, grad=True) for a in primals]
        output = f(*leaves, *params)
        gradients = paddle.grad(
            [output], leaves, grad_outputs=[self.to_library(cotangent)], allow_unused=True
        )
        return self.to_numpy(output), [None if g is None else self.to_numpy(g) for g in gradients]


__all__ = export(LibraryAdapter(PaddleBackend()), globals())
