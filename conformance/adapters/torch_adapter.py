"""The PyTorch adapter: contract version 1 run through PyTorch's eager ops and autograd.

The adapter uses PyTorch the way its users do, so that the suite measures PyTorch and not
this file: values come from ``torch.sigmoid``, ``torch.tanh`` and
``torch.nn.functional``; every derivative comes from ``torch.autograd`` (never a formula
written here); the layer is ``torch.nn.functional.linear`` (what ``torch.nn.Linear`` runs);
graphs are built from torch ops and differentiated by ``torch.autograd.grad``. The members
come from the shared skeleton (`._library.LibraryAdapter`); this file is the backend: array
conversion, the op table and the vjp. Whatever PyTorch returns (its kink conventions, NaN or
0 at infinities, flushed tails) is passed on unchanged for the suite to judge; see
``FINDINGS.md`` beside this file.

Conversions: every NumPy input is copied into a new tensor (``torch.tensor``), so nothing the
library or autograd does can write into the caller's array; results are returned as NumPy
arrays of the dtype PyTorch computed in.

Examples
--------
>>> import numpy as np
>>> from gradspec.conformance.adapters import torch_adapter
>>> torch_adapter.relu_derivative(np.array([-1.0, 0.0, 2.0]))  # PyTorch's relu'(0) is 0
array([0., 0., 1.])
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._library import EagerBackend, LibraryAdapter, export, require

torch = require("torch", pip="torch")
F = torch.nn.functional


def _hardtanh(t: Any) -> Any:
    return F.hardtanh(t, min_val=-1.0, max_val=1.0)


class TorchBackend(EagerBackend):
    """PyTorch eager tensors and ``torch.autograd.grad``."""

    library = f"PyTorch {torch.__version__}"
    ops: ClassVar[dict[str, Any]] = {
        "linear": lambda W, x, b: F.linear(x, W, b),
        "matmul": torch.matmul,
        "add": torch.add,
        "mul": torch.mul,
        "dot": torch.dot,
        "sum": torch.sum,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "hardtanh": _hardtanh,
        "relu": F.relu,
        "swish": F.silu,
        "leaky_relu": lambda t, negative_slope=0.01: F.leaky_relu(
            t, negative_slope=float(negative_slope)
        ),
    }

    def to_library(self, array: np.ndarray, grad: bool = False) -> Any:
        # torch.from_numpy would share the caller's memory; a copy makes writes impossible.
        return torch.tensor(array, requires_grad=grad)

    def to_numpy(self, value: Any) -> np.ndarray:
        return value.detach().numpy()

    def evaluate(self, key, f, arrays, params):
        with torch.no_grad():
            return super().evaluate(key, f, arrays, params)

    def vjp(self, key, f, primals, cotangent, params):
        leaves = [self.to_library(a, grad=True) for a in primals]
        output = f(*leaves, *params)
        gradients = torch.autograd.grad(
            output, leaves, grad_outputs=self.to_library(cotangent), allow_unused=True
        )
        return self.to_numpy(output), [None if g is None else self.to_numpy(g) for g in gradients]


__all__ = export(LibraryAdapter(TorchBackend()), globals())
