"""Wrong linear layers: transposes, products in the wrong order, batch sums forgotten.

Each backward bug takes the reference's three gradients and recomputes one of them the way
a person gets it wrong, so the other two stay right.
"""

from __future__ import annotations

from typing import Any

from gradspec import reference as ref

from ._base import ReferenceAdapter

__all__ = [
    "LinearBatchGradientsAveraged",
    "LinearForwardInputOnLeft",
    "LinearGradBiasNotSummed",
    "LinearGradWeightsTransposed",
    "LinearGradXWithoutTranspose",
]


class LinearForwardInputOnLeft(ReferenceAdapter):
    name = "linear-forward-input-on-left"
    bug = (
        "linear computes x @ W + b, the (in, out) weight layout of Keras, instead of W x + b "
        "for W of shape (out, in)"
    )
    expected_clauses = ("LIN-FORWARD", "LIN-BATCH")
    expected_findings = (("linear", "raises"),)

    def linear(self, W: Any, x: Any, b: Any) -> Any:
        return x @ W + b


class LinearGradWeightsTransposed(ReferenceAdapter):
    name = "linear-grad-weights-transposed"
    bug = "grad_W computed as outer(x, g), the transpose of outer(g, x): shape (n, m), not W's"
    expected_clauses = ("LIN-BACKWARD", "SHAPE-LINEAR-GRADIENTS", "GRAD-LINEAR-FD")
    expected_findings = (("linear_backward", "shape"),)

    def linear_backward(self, W: Any, x: Any, b: Any, grad_z: Any) -> Any:
        _, grad_x, grad_b = ref.linear_backward(W, x, b, grad_z)
        grad_W = x.T @ grad_z if x.ndim == 2 else x[:, None] * grad_z[None, :]
        return grad_W, grad_x, grad_b


class LinearGradXWithoutTranspose(ReferenceAdapter):
    name = "linear-grad-x-without-transpose"
    bug = "grad_x computed as W g instead of W^T g (fails outright unless W is square)"
    expected_clauses = ("LIN-BACKWARD", "GRAD-LINEAR-FD", "SHAPE-LINEAR-GRADIENTS")
    expected_findings = (("linear_backward", "raises"),)

    def linear_backward(self, W: Any, x: Any, b: Any, grad_z: Any) -> Any:
        grad_W, _, grad_b = ref.linear_backward(W, x, b, grad_z)
        # For a batch, row i is W g_i: (W @ G^T)^T.
        grad_x = (W @ grad_z.T).T
        return grad_W, grad_x, grad_b


class LinearGradBiasNotSummed(ReferenceAdapter):
    name = "linear-grad-bias-not-summed"
    bug = "grad_b returned as grad_z itself, not summed over the batch: shape (B, m), not (m,)"
    expected_clauses = ("LIN-BATCH-BACKWARD", "SHAPE-LINEAR-GRADIENTS")
    expected_findings = (("linear_backward", "shape"),)

    def linear_backward(self, W: Any, x: Any, b: Any, grad_z: Any) -> Any:
        grad_W, grad_x, _ = ref.linear_backward(W, x, b, grad_z)
        return grad_W, grad_x, grad_z.copy()


class LinearBatchGradientsAveraged(ReferenceAdapter):
    name = "linear-batch-gradients-averaged"
    bug = (
        "grad_W and grad_b averaged over the batch (the habit of a mean loss) instead of "
        "summed, so they are B times too small"
    )
    expected_clauses = ("LIN-BATCH-BACKWARD",)
    expected_findings = (("linear_backward", "value"),)

    def linear_backward(self, W: Any, x: Any, b: Any, grad_z: Any) -> Any:
        grad_W, grad_x, grad_b = ref.linear_backward(W, x, b, grad_z)
        if x.ndim == 2 and len(x) > 0:
            grad_W, grad_b = grad_W / len(x), grad_b / len(x)
        return grad_W, grad_x, grad_b
