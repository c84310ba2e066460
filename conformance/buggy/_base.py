"""The unbroken adapter every bug of the catalog starts from: the reference, member for member.

Each buggy adapter subclasses `ReferenceAdapter` (or the hand-written engine built on
it) and overrides exactly one member, so whatever the suite rejects comes from that one
member. A catalog entry describes itself with three class attributes:

``name``
    A short slug, the entry's identity in reports (``tanh-derivative-missing-square``).
``bug``
    One sentence a student recognises: what the code does wrong.
``expected_clauses``
    The clause ids that must reject it (at least one).
``expected_findings``
    The findings the suite reports for it, as (member, kind) pairs
    (`gradspec.conformance._findings`): normally one, the defect itself.
"""

from __future__ import annotations

from typing import Any

from gradspec import reference as ref

__all__ = ["ReferenceAdapter", "unbroken"]


class ReferenceAdapter:
    """Every contract member, delegated to `gradspec.reference`.

    The suite instantiates it with no arguments, like any adapter class. It passes every
    clause the reference passes; the catalog's tests use it to show that a failure comes
    from the one member a bug overrides.

    Examples
    --------
    >>> import numpy as np
    >>> ReferenceAdapter().tanh_derivative(np.array([0.0]))
    array([1.])
    """

    name = "reference-delegate"

    def sigmoid(self, z: Any) -> Any:
        return ref.sigmoid(z)

    def tanh(self, z: Any) -> Any:
        return ref.tanh(z)

    def hardtanh(self, z: Any) -> Any:
        return ref.hardtanh(z)

    def relu(self, z: Any) -> Any:
        return ref.relu(z)

    def leaky_relu(self, z: Any, negative_slope: float = 0.01) -> Any:
        return ref.leaky_relu(z, negative_slope=negative_slope)

    def swish(self, z: Any) -> Any:
        return ref.swish(z)

    def sigmoid_derivative(self, z: Any) -> Any:
        return ref.sigmoid_derivative(z)

    def tanh_derivative(self, z: Any) -> Any:
        return ref.tanh_derivative(z)

    def hardtanh_derivative(self, z: Any) -> Any:
        return ref.hardtanh_derivative(z)

    def relu_derivative(self, z: Any) -> Any:
        return ref.relu_derivative(z)

    def leaky_relu_derivative(self, z: Any, negative_slope: float = 0.01) -> Any:
        return ref.leaky_relu_derivative(z, negative_slope=negative_slope)

    def swish_derivative(self, z: Any) -> Any:
        return ref.swish_derivative(z)

    def linear(self, W: Any, x: Any, b: Any) -> Any:
        return ref.linear(W, x, b)

    def linear_backward(self, W: Any, x: Any, b: Any, grad_z: Any) -> Any:
        return ref.linear_backward(W, x, b, grad_z)

    def backprop(self, graph: dict[str, Any], inputs: dict[str, Any]) -> Any:
        return ref.backprop(graph, inputs)

    def jacobian(self, graph: dict[str, Any], inputs: dict[str, Any], wrt: str) -> Any:
        return ref.jacobian(graph, inputs, wrt)


def unbroken(bug: type) -> type:
    """The correct class a catalog entry breaks: its direct base.

    Examples
    --------
    >>> class TanhWithoutSquare(ReferenceAdapter):
    ...     bug = "tanh' computed as 1 - tanh(z)"
    >>> unbroken(TanhWithoutSquare).__name__
    'ReferenceAdapter'
    """
    if len(bug.__bases__) != 1:
        raise TypeError(
            f"{bug.__name__} has {len(bug.__bases__)} base classes; a catalog entry breaks "
            "exactly one correct adapter, so it must have exactly one base."
        )
    return bug.__bases__[0]
