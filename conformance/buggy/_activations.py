"""Wrong activations and derivatives: the formulas people write down wrong.

Each class is the reference adapter with one elementwise member replaced by code as a
person would write it. Where the naive code overflows, it runs under
``numpy.errstate(all="ignore")``: a student sees a warning scroll past and keeps the result,
so the suite must judge the garbage value, not the warning.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradspec import reference as ref

from ._base import ReferenceAdapter

__all__ = [
    "HardtanhDerivativeAlwaysOne",
    "HardtanhNotesTypo",
    "LeakyReluDerivativeSlopeHardCoded",
    "LeakyReluSlopeHardCoded",
    "LeakyReluSlopeOnPositiveSide",
    "ReluDerivativeFromOutput",
    "ReluDerivativeSign",
    "SigmoidDerivativePlusSign",
    "SigmoidDerivativeQuotientOverflow",
    "SwishDerivativeMissingProductTerm",
    "SwishSigmoidOfNegative",
    "TanhDerivativeForwardDifference",
    "TanhDerivativeMissingSquare",
    "TanhNaiveExp",
]


class TanhDerivativeMissingSquare(ReferenceAdapter):
    name = "tanh-derivative-missing-square"
    bug = "tanh'(z) written as 1 - tanh(z), forgetting the square"
    expected_clauses = (
        "ACT-TANH-DERIVATIVE-VALUE",
        "ACT-TANH-DERIVATIVE-IDENTITY",
        "GRAD-TANH-FD",
    )
    expected_findings = (("tanh_derivative", "value"),)

    def tanh_derivative(self, z: Any) -> Any:
        return 1 - ref.tanh(z)


class SigmoidDerivativePlusSign(ReferenceAdapter):
    name = "sigmoid-derivative-plus-sign"
    bug = "sigmoid'(z) written as s (1 + s) instead of s (1 - s)"
    expected_clauses = (
        "ACT-SIGMOID-DERIVATIVE-VALUE",
        "ACT-SIGMOID-DERIVATIVE-IDENTITY",
        "GRAD-SIGMOID-FD",
    )
    expected_findings = (("sigmoid_derivative", "value"),)

    def sigmoid_derivative(self, z: Any) -> Any:
        s = ref.sigmoid(z)
        return s * (1 + s)


class SigmoidDerivativeQuotientOverflow(ReferenceAdapter):
    name = "sigmoid-derivative-quotient-overflow"
    bug = (
        "sigmoid'(z) computed as exp(-z) / (1 + exp(-z))**2: the square overflows for "
        "z < -355 (result 0) and exp(-z) for z < -709 (inf / inf = NaN)"
    )
    # Not ACT-SIGMOID-DERIVATIVE-VALUE: the formula is accurate on its range, |z| <= 20.
    expected_clauses = ("ROB-LARGE-FINITE",)
    expected_findings = (("sigmoid_derivative", "value"),)

    def sigmoid_derivative(self, z: Any) -> Any:
        with np.errstate(all="ignore"):
            e = np.exp(-z)
            return e / (1 + e) ** 2


class TanhDerivativeForwardDifference(ReferenceAdapter):
    name = "tanh-derivative-forward-difference"
    bug = (
        "tanh'(z) approximated by the forward difference (tanh(z + h) - tanh(z)) / h with "
        "h = 1e-4 instead of the analytic 1 - tanh^2"
    )
    expected_clauses = ("ACT-TANH-DERIVATIVE-VALUE", "ACT-TANH-DERIVATIVE-IDENTITY")
    expected_findings = (("tanh_derivative", "value"),)

    def tanh_derivative(self, z: Any) -> Any:
        h = 1e-4
        return (ref.tanh(z + h) - ref.tanh(z)) / h


class TanhNaiveExp(ReferenceAdapter):
    name = "tanh-naive-exp"
    bug = (
        "tanh(z) computed from the notes' formula (e^z - e^-z) / (e^z + e^-z): inf / inf = "
        "NaN for |z| > 710, and cancellation near 0"
    )
    expected_clauses = ("ROB-LARGE-FINITE", "ACT-TANH-VALUE")
    expected_findings = (("tanh", "value"),)

    def tanh(self, z: Any) -> Any:
        with np.errstate(all="ignore"):
            return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


class LeakyReluSlopeOnPositiveSide(ReferenceAdapter):
    name = "leaky-relu-slope-on-positive-side"
    bug = "leaky_relu multiplies the positive side by the slope instead of the negative side"
    expected_clauses = ("ACT-LEAKY-RELU-VALUE", "ACT-LEAKY-RELU-DEFINITION")
    expected_findings = (("leaky_relu", "value"),)

    def leaky_relu(self, z: Any, negative_slope: float = 0.01) -> Any:
        slope = z.dtype.type(negative_slope)  # keeps float32 float32: one bug per entry
        return np.where(z > 0, slope * z, z)


class LeakyReluSlopeHardCoded(ReferenceAdapter):
    name = "leaky-relu-slope-hard-coded"
    bug = "leaky_relu ignores its negative_slope argument and always uses 0.01"
    expected_clauses = ("ACT-LEAKY-RELU-DEFINITION", "ACT-LEAKY-RELU-VALUE")
    expected_findings = (("leaky_relu", "value"),)

    def leaky_relu(self, z: Any, negative_slope: float = 0.01) -> Any:
        return np.where(z > 0, z, 0.01 * z)


class LeakyReluDerivativeSlopeHardCoded(ReferenceAdapter):
    name = "leaky-relu-derivative-slope-hard-coded"
    bug = "leaky_relu_derivative ignores its negative_slope argument and always uses 0.01"
    expected_clauses = ("ACT-LEAKY-RELU-DERIVATIVE-VALUE", "GRAD-LEAKY-RELU-FD")
    expected_findings = (("leaky_relu_derivative", "value"),)

    def leaky_relu_derivative(self, z: Any, negative_slope: float = 0.01) -> Any:
        return np.where(np.isnan(z), z, np.where(z > 0, 1.0, 0.01)).astype(z.dtype)


class ReluDerivativeSign(ReferenceAdapter):
    name = "relu-derivative-sign"
    bug = "relu'(z) written as sign(z), which is -1 (not 0) for negative z"
    expected_clauses = ("ACT-RELU-DERIVATIVE-VALUE", "GRAD-RELU-FD")
    expected_findings = (("relu_derivative", "value"),)

    def relu_derivative(self, z: Any) -> Any:
        return np.sign(z)


class ReluDerivativeFromOutput(ReferenceAdapter):
    name = "relu-derivative-from-output"
    bug = (
        "relu'(z) computed from the cached output as relu(z) >= 0, which is true everywhere, "
        "so the derivative is 1 on the negative side too"
    )
    expected_clauses = ("ACT-RELU-DERIVATIVE-VALUE", "GRAD-RELU-FD")
    expected_findings = (("relu_derivative", "value"),)

    def relu_derivative(self, z: Any) -> Any:
        a = ref.relu(z)
        return np.where(np.isnan(a), a, a >= 0).astype(a.dtype)


class HardtanhNotesTypo(ReferenceAdapter):
    name = "hardtanh-notes-typo"
    bug = "hardtanh copied from the lecture notes' typo: 0 (not z) on [-1, 1]"
    expected_clauses = ("ACT-HARDTANH-VALUE", "ACT-HARDTANH-CLIP")
    expected_findings = (("hardtanh", "value"),)

    def hardtanh(self, z: Any) -> Any:
        return np.where(z < -1, -1.0, np.where(z > 1, 1.0, 0.0 * z))


class HardtanhDerivativeAlwaysOne(ReferenceAdapter):
    name = "hardtanh-derivative-always-one"
    bug = "hardtanh'(z) = 1 everywhere, as if hardtanh were the identity (no flat tails)"
    expected_clauses = ("ACT-HARDTANH-DERIVATIVE-VALUE", "GRAD-HARDTANH-FD")
    expected_findings = (("hardtanh_derivative", "value"),)

    def hardtanh_derivative(self, z: Any) -> Any:
        return np.ones_like(z)


class SwishDerivativeMissingProductTerm(ReferenceAdapter):
    name = "swish-derivative-missing-product-term"
    bug = "swish'(z) written as sigmoid(z), dropping the product rule's second term z sigmoid'(z)"
    expected_clauses = ("ACT-SWISH-DERIVATIVE-VALUE", "GRAD-SWISH-FD")
    expected_findings = (("swish_derivative", "value"),)

    def swish_derivative(self, z: Any) -> Any:
        return ref.sigmoid(z)


class SwishSigmoidOfNegative(ReferenceAdapter):
    name = "swish-sigmoid-of-negative"
    bug = "swish(z) written as z sigmoid(-z), the sign inside the sigmoid flipped"
    expected_clauses = ("ACT-SWISH-VALUE", "ACT-SWISH-DEFINITION")
    expected_findings = (("swish", "value"),)

    def swish(self, z: Any) -> Any:
        return z * ref.sigmoid(-z)
