"""The MLX adapter: contract version 1 run through ``mlx.nn`` / ``mlx.core`` and ``mx.vjp``,
on the CPU.

Values come from ``mlx.core`` (``sigmoid``, ``tanh``) and ``mlx.nn`` (``hard_tanh``,
``relu``, ``leaky_relu``, ``silu``); the layer is what ``mlx.nn.Linear`` runs
(``mx.addmm(b, x, W.T)``); every derivative comes from ``mx.vjp``. The members come from
the shared skeleton (`._library.LibraryAdapter`); this file is the backend. Results are
passed on in whatever dtype MLX returns.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._library import EagerBackend, LibraryAdapter, export, require

mx = require("mlx.core", pip='"mlx[cpu]"')
nn = require("mlx.nn", pip='"mlx[cpu]"')
# float64 exists only on MLX's CPU device.
mx.set_default_device(mx.cpu)
_DTYPES = {"float32": mx.float32, "float64": mx.float64}


class MlxBackend(EagerBackend):
    """MLX arrays on the CPU and ``mx.vjp``."""

    library = f"MLX {mx.__version__}"
    ops: ClassVar[dict[str, Any]] = {
        "linear": lambda W, x, b: mx.addmm(b, x, W.T),
        "matmul": mx.matmul,
        "add": mx.add,
        "mul": mx.multiply,
        "dot": mx.inner,
        "sum": mx.sum,
        "sigmoid": mx.sigmoid,
        "tanh": mx.tanh,
        "hardtanh": lambda z: nn.hard_tanh(z, min_val=-1.0, max_val=1.0),
        "relu": nn.relu,
        "leaky_relu": lambda z, negative_slope=0.01: nn.leaky_relu(z, negative_slope),
        "swish": nn.silu,
    }

    def to_library(self, array: np.ndarray) -> Any:
        # mx.array alone turns float64 into float32; name the dtype to convert exactly.
        return mx.array(np.array(array, copy=True), dtype=_DTYPES[array.dtype.name])

    def to_numpy(self, value: Any) -> np.ndarray:
        return np.array(value, copy=True)

    def vjp(self, key, f, primals, cotangent, params):
        outputs, gradients = mx.vjp(
            lambda *p: f(*p, *params),
            [self.to_library(a) for a in primals],
            [self.to_library(cotangent)],
        )
        return self.to_numpy(outputs[0]), [self.to_numpy(g) for g in gradients]


__all__ = export(LibraryAdapter(MlxBackend()), globals())
