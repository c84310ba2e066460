"""Valid conventions the suite must accept: kink choices other than the reference's.

At a kink the derivative may be any value between the left and right derivatives (the
contract's kink rule); these adapters pick the other end of that range. The suite reports
them as *acceptable* with a flag (or fails them only under ``--strict``); rejecting them would
make the suite over-strict, which the catalog's tests check as well.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradspec import reference as ref

from ._base import ReferenceAdapter

__all__ = [
    "HardtanhDerivativeOneAtKinks",
    "LeakyReluDerivativeOneAtZero",
    "ReluDerivativeOneAtZero",
]


class ReluDerivativeOneAtZero(ReferenceAdapter):
    name = "relu-derivative-one-at-zero"
    note = "relu'(z) = 1 for z >= 0: relu'(0) = 1 is a valid subgradient"
    checked_clauses = ("ACT-RELU-DERIVATIVE-VALUE", "GRAD-RELU-FD", "KINK-RELU")

    def relu_derivative(self, z: Any) -> Any:
        return np.where(np.isnan(z), z, z >= 0).astype(z.dtype)


class HardtanhDerivativeOneAtKinks(ReferenceAdapter):
    name = "hardtanh-derivative-one-at-kinks"
    note = "hardtanh'(+-1) = 1 (JAX's choice): a valid subgradient at both kinks"
    checked_clauses = ("ACT-HARDTANH-DERIVATIVE-VALUE", "GRAD-HARDTANH-FD", "KINK-HARDTANH")

    def hardtanh_derivative(self, z: Any) -> Any:
        return np.where(np.isnan(z), z, (z >= -1) & (z <= 1)).astype(z.dtype)


class LeakyReluDerivativeOneAtZero(ReferenceAdapter):
    name = "leaky-relu-derivative-one-at-zero"
    note = "leaky_relu'(0) = 1 (z >= 0 takes the positive branch): a valid subgradient"
    checked_clauses = ("ACT-LEAKY-RELU-DERIVATIVE-VALUE", "GRAD-LEAKY-RELU-FD", "KINK-LEAKY-RELU")

    def leaky_relu_derivative(self, z: Any, negative_slope: float = 0.01) -> Any:
        out = ref.leaky_relu_derivative(z, negative_slope=negative_slope)
        return np.where(z == 0, np.ones_like(out), out)
