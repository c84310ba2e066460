"""The gradspec reference implementation: ground truth for the math of neural-network layers.

This module itself satisfies the adapter contract (module-level functions with the contract's
names), so the conformance suite can load it as the ``reference`` adapter.

Public surface, by family:

- activations and derivatives: `sigmoid`, `tanh`, `hardtanh`, `relu`,
  `leaky_relu`, `swish` and ``*_derivative`` for each;
- the layer: `linear`, `linear_backward`;
- the useful Jacobians and the way between Jacobian form and the shape convention:
  `activation_jacobian`, `linear_jacobian_x`, `linear_jacobian_b`,
  `linear_jacobian_W`, `dot_jacobian`, `jacobian_to_gradient`,
  `gradient_to_jacobian`, `vector_jacobian_product`;
- why networks are non-linear: `collapse_linear_stack`, `apply_linear_stack`;
- the backprop engine on the contract's graph format: `backprop`, `jacobian`,
  and `GraphError` for every graph it refuses;
- the gradient check (central differences with a documented step rule and estimated error
  bounds): `check_gradient`, `check_jacobian`, `numerical_jacobian`, with
  their results `GradientCheck` and `Kink`, all built on the one finite-difference rule
  `central_difference` (its step rule `relative_step`, its result `Difference`);
- the exact oracle, `gradspec.reference.oracle` (mpmath, rounded once), and
  `ulp_distance`, the one count of representable numbers between two arrays.
"""

from . import oracle
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
from ._numdiff import Difference, central_difference, relative_step
from ._ulp import ulp_distance

#: Display name used in conformance reports.
name = "gradspec reference"

__all__ = [
    "Difference",
    "GradientCheck",
    "GraphError",
    "Kink",
    "activation_jacobian",
    "apply_linear_stack",
    "backprop",
    "central_difference",
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
    "oracle",
    "relative_step",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
    "ulp_distance",
    "vector_jacobian_product",
]
