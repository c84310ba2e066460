"""The gradspec reference implementation: ground truth for the math of neural-network layers.

This module itself satisfies the adapter contract (module-level functions with the contract's
names), so the conformance suite can load it as the ``reference`` adapter.

Public surface, by family:

- activations and derivatives: :func:`sigmoid`, :func:`tanh`, :func:`hardtanh`, :func:`relu`,
  :func:`leaky_relu`, :func:`swish` and ``*_derivative`` for each;
- the layer: :func:`linear`, :func:`linear_backward`;
- the useful Jacobians and the way between Jacobian form and the shape convention:
  :func:`activation_jacobian`, :func:`linear_jacobian_x`, :func:`linear_jacobian_b`,
  :func:`linear_jacobian_W`, :func:`dot_jacobian`, :func:`jacobian_to_gradient`,
  :func:`gradient_to_jacobian`, :func:`vector_jacobian_product`;
- why networks are non-linear: :func:`collapse_linear_stack`, :func:`apply_linear_stack`;
- the backprop engine on the contract's graph format: :func:`backprop`, :func:`jacobian`,
  and :class:`GraphError` for every graph it refuses;
- the gradient check (central differences with a documented step rule and estimated error
  bounds): :func:`check_gradient`, :func:`check_jacobian`, :func:`numerical_jacobian`, with
  their results :class:`GradientCheck` and :class:`Kink`;
- the exact oracle, :mod:`gradspec.reference.oracle` (mpmath, rounded once).
"""

from ._activations import (
    hardtanh,
    hardtanh_derivative,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    swish,
    swish_derivative,
    tanh,
    tanh_derivative,
)
from ._backprop import backprop, jacobian
from ._collapse import apply_linear_stack, collapse_linear_stack
from ._gradcheck import GradientCheck, Kink, check_gradient, check_jacobian, numerical_jacobian
from ._graph import GraphError
from ._jacobians import (
    activation_jacobian,
    dot_jacobian,
    gradient_to_jacobian,
    jacobian_to_gradient,
    linear_jacobian_b,
    linear_jacobian_W,
    linear_jacobian_x,
    vector_jacobian_product,
)
from ._linear import linear, linear_backward

#: Display name used in conformance reports.
name = "gradspec reference"

__all__ = [
    "GradientCheck",
    "GraphError",
    "Kink",
    "activation_jacobian",
    "apply_linear_stack",
    "backprop",
    "check_gradient",
    "check_jacobian",
    "collapse_linear_stack",
    "dot_jacobian",
    "gradient_to_jacobian",
    "hardtanh",
    "hardtanh_derivative",
    "jacobian",
    "jacobian_to_gradient",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_backward",
    "linear_jacobian_W",
    "linear_jacobian_b",
    "linear_jacobian_x",
    "name",
    "numerical_jacobian",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
    "vector_jacobian_product",
]
