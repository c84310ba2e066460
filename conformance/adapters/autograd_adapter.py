"""The HIPS autograd adapter: contract version 1 run through ``autograd.numpy`` and its vjps.

autograd differentiates NumPy code written with ``autograd.numpy``; it has no activation
functions of its own, so each activation is the textbook ``autograd.numpy`` expression a
user writes (sigmoid as ``1 / (1 + exp(-z))``, relu as ``maximum(z, 0)``, hard tanh as
``clip``, leaky relu as ``where``); a finding about sigmoid or swish values is therefore
about that expression, while every derivative finding is about autograd's rules. Every derivative is
``autograd.make_vjp`` of that expression (autograd's own backward rules), never a formula
written here. The members come from the shared skeleton (`._library.LibraryAdapter`); this
file is the backend. Results are passed on in whatever dtype autograd returns.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._library import EagerBackend, LibraryAdapter, export, require

autograd = require("autograd", pip="autograd")
anp = require("autograd.numpy", pip="autograd")


def _sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + anp.exp(-z))


def _version() -> str:
    from importlib.metadata import version

    return version("autograd")


class AutogradBackend(EagerBackend):
    """``autograd.numpy`` expressions and ``autograd.make_vjp``."""

    library = f"autograd {_version()}"
    ops: ClassVar[dict[str, Any]] = {
        "linear": lambda W, x, b: anp.dot(x, W.T) + b,
        "matmul": anp.matmul,
        "add": anp.add,
        "mul": anp.multiply,
        "dot": anp.dot,
        "sum": anp.sum,
        "sigmoid": _sigmoid,
        "tanh": anp.tanh,
        "hardtanh": lambda z: anp.clip(z, -1.0, 1.0),
        "relu": lambda z: anp.maximum(z, 0.0),
        "leaky_relu": lambda z, negative_slope=0.01: anp.where(z > 0, z, negative_slope * z),
        "swish": lambda z: z * _sigmoid(z),
    }

    def to_library(self, array: np.ndarray) -> Any:
        return np.array(array, copy=True)  # autograd works on NumPy arrays themselves

    def vjp(self, key, f, primals, cotangent, params):
        copies = tuple(self.to_library(a) for a in primals)
        pullback, output = autograd.make_vjp(lambda ps: f(*ps, *params))(copies)
        return np.asarray(output), [np.asarray(g) for g in pullback(cotangent)]


__all__ = export(LibraryAdapter(AutogradBackend()), globals())
