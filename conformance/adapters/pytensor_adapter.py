"""The PyTensor adapter: contract version 1 as symbolic PyTensor graphs, compiled with
``pytensor.function`` and differentiated with ``pytensor.grad``.

Values come from ``pytensor.tensor`` (``sigmoid``, ``tanh``; ``clip``, ``maximum`` and
``switch`` where PyTensor has no activation, as PyMC writes them); every derivative comes
from ``pytensor.grad`` with the cotangent given as ``known_grads``. Each computation is
built and compiled once per key, dtypes and number of dimensions (PyTensor's own types are
dtype + ndim) and cached; parameters (leaky_relu's slope) are Python constants in the graph,
as a user writes them. The members come from the shared skeleton
(`._library.LibraryAdapter`); this file is the backend. Results are passed on in whatever
dtype PyTensor returns.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from ._library import Backend, LibraryAdapter, export, require

pytensor = require("pytensor", pip="pytensor")
pt = require("pytensor.tensor", pip="pytensor")

#: How many compiled functions to keep.
CACHE_SIZE = 256


class PytensorBackend(Backend):
    """Symbolic PyTensor graphs, ``pytensor.grad`` and ``pytensor.function``."""

    library = f"PyTensor {pytensor.__version__}"
    flatten = True
    ops: ClassVar[dict[str, Any]] = {
        "linear": lambda W, x, b: pt.dot(x, W.T) + b,
        "matmul": pt.dot,
        "add": pt.add,
        "mul": pt.mul,
        "dot": pt.dot,
        "sum": pt.sum,
        "sigmoid": pt.sigmoid,
        "tanh": pt.tanh,
        "hardtanh": lambda z: pt.clip(z, -1.0, 1.0),
        "relu": lambda z: pt.maximum(z, 0.0),
        "leaky_relu": lambda z, negative_slope=0.01: pt.switch(z > 0, z, negative_slope * z),
        "swish": lambda z: z * pt.sigmoid(z),
    }

    def __init__(self) -> None:
        self._compiled: OrderedDict[Any, Any] = OrderedDict()

    def _function(self, key: Any, arrays: Sequence[np.ndarray], build: Callable) -> Any:
        types = tuple((str(a.dtype), a.ndim) for a in arrays)
        full_key = (key, types)
        compiled = self._compiled.get(full_key)
        if compiled is None:
            variables = [pt.tensor(dtype=d, shape=(None,) * n) for d, n in types]
            inputs, outputs = build(variables)
            compiled = self._compiled[full_key] = pytensor.function(inputs, outputs)
            if len(self._compiled) > CACHE_SIZE:
                self._compiled.popitem(last=False)
        return compiled

    def evaluate(self, key, f, arrays, params):
        compiled = self._function(("evaluate", key, params), arrays, lambda v: (v, f(*v, *params)))
        return np.asarray(compiled(*(np.array(a, copy=True) for a in arrays)))

    def vjp(self, key, f, primals, cotangent, params):
        def build(variables: list) -> tuple[list, list]:
            output = f(*variables, *params)
            seed = output.type()
            gradients = pytensor.grad(
                None, variables, known_grads={output: seed}, disconnected_inputs="ignore"
            )
            return [*variables, seed], [output, *gradients]

        compiled = self._function(("vjp", key, params, cotangent.ndim), primals, build)
        output, *gradients = compiled(
            *(np.array(a, copy=True) for a in primals), np.array(cotangent, copy=True)
        )
        return np.asarray(output), [np.asarray(g) for g in gradients]


__all__ = export(LibraryAdapter(PytensorBackend()), globals())
