"""Code that looks wrong but that the spec accepts: the suite must not reject it.

Two kinds, each the reference adapter with one member replaced:

- **kink conventions.** At a kink the derivative may be any value between the left and right
  derivatives (the contract's kink rule). These pick the other end of that range than the
  reference; the suite reports them *acceptable* with a flag, and fails them only under
  ``--strict``.
- **the textbook formulas of the major libraries.** ``s (1 - s)`` and ``1 - tanh^2`` return
  exactly 0 in the saturated tails, where the true derivative is tiny; ``1 / (1 + exp(-z))``
  returns 0 where the true sigmoid is subnormal. The spec's tolerances accept both (an
  absolute floor for the derivatives' tails, subnormal results flushed to zero), because
  PyTorch, JAX and NumPy code compute exactly this.

A suite that rejected these would be over-strict, not strong; the catalog's tests check that
it does not. Each class names the clauses it is run on (``checked_clauses``) and why it is
valid (``note``).
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
    "SigmoidDerivativeNaiveTail",
    "SigmoidNaiveExp",
    "TanhDerivativeNaiveTail",
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


class SigmoidDerivativeNaiveTail(ReferenceAdapter):
    name = "sigmoid-derivative-naive-tail"
    note = (
        "sigmoid'(z) = s (1 - s), PyTorch's and JAX's formula: exactly 0 for z > ~37 where the "
        "true value is tiny; within the spec's absolute floor for the tails"
    )
    checked_clauses = ("ACT-SIGMOID-DERIVATIVE-VALUE", "ROB-LARGE-FINITE")

    def sigmoid_derivative(self, z: Any) -> Any:
        s = ref.sigmoid(z)
        return s * (1 - s)


class TanhDerivativeNaiveTail(ReferenceAdapter):
    name = "tanh-derivative-naive-tail"
    note = (
        "tanh'(z) = 1 - tanh(z)^2, every major library's formula: exactly 0 for abs(z) > ~19; "
        "within the spec's absolute floor for the tails"
    )
    checked_clauses = ("ACT-TANH-DERIVATIVE-VALUE", "ROB-LARGE-FINITE")

    def tanh_derivative(self, z: Any) -> Any:
        return 1 - ref.tanh(z) ** 2


class SigmoidNaiveExp(ReferenceAdapter):
    name = "sigmoid-naive-exp"
    note = (
        "sigmoid(z) = 1 / (1 + exp(-z)): 0 only where exp(-z) overflows (z < -709 in float64, "
        "z < -88.7 in float32), where the true value is subnormal; flushing it is accepted"
    )
    checked_clauses = ("ACT-SIGMOID-VALUE", "ROB-LARGE-FINITE", "ROB-SUBNORMAL")

    def sigmoid(self, z: Any) -> Any:
        # The overflow warnings are what a user of this formula sees and ignores.
        with np.errstate(all="ignore"):
            return 1 / (1 + np.exp(-z))
