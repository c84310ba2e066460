"""The tinygrad adapter: contract version 1 run through tinygrad's ``Tensor`` ops and
``Tensor.gradient``, on the CPU device.

Values come from tinygrad's own methods (``sigmoid``, ``tanh``, ``hardtanh``, ``relu``,
``leaky_relu``, ``silu``, ``linear``); every derivative comes from ``Tensor.gradient`` with
the cotangent as ``gradient``. tinygrad compiles a kernel per shape, so elementwise members
get the input flattened and zero-padded to a power of two (one compilation per padded
length, `._library.padded_length`). The members come from the
shared skeleton (`._library.LibraryAdapter`); this file is the backend. Results are passed
on in whatever dtype tinygrad returns. The CPU device needs ``clang`` on the PATH.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any, ClassVar

import numpy as np

from ._library import EagerBackend, LibraryAdapter, export, require

tinygrad = require("tinygrad", pip="tinygrad")
Tensor = tinygrad.Tensor


def _linear(W: Any, x: Any, b: Any) -> Any:
    return x.linear(W.transpose(), b)  # what tinygrad.nn.Linear runs


class TinygradBackend(EagerBackend):
    """tinygrad tensors and ``Tensor.gradient``."""

    library = f"tinygrad {version('tinygrad')}"
    flatten = True
    ops: ClassVar[dict[str, Any]] = {
        "linear": _linear,
        "matmul": lambda A, B: A.matmul(B),
        "add": lambda a, b: a.add(b),
        "mul": lambda a, b: a.mul(b),
        "dot": lambda u, h: u.dot(h),
        "sum": lambda a: a.sum(),
        "sigmoid": lambda z: z.sigmoid(),
        "tanh": lambda z: z.tanh(),
        "hardtanh": lambda z: z.hardtanh(-1.0, 1.0),
        "relu": lambda z: z.relu(),
        "leaky_relu": lambda z, negative_slope=0.01: z.leaky_relu(negative_slope),
        "swish": lambda z: z.silu(),
    }

    def to_library(self, array: np.ndarray) -> Any:
        # Tensor.gradient differentiates w.r.t. any tensor; no requires_grad flag needed.
        return Tensor(np.array(array, copy=True))

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.array(value.numpy(), copy=True)

    def vjp(self, key, f, primals, cotangent, params):
        leaves = [self.to_library(a) for a in primals]
        output = f(*leaves, *params)
        gradients = output.gradient(*leaves, gradient=self.to_library(cotangent))
        return self.to_numpy(output), [None if g is None else self.to_numpy(g) for g in gradients]


__all__ = export(LibraryAdapter(TinygradBackend()), globals())
