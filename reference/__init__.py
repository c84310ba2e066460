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

from . import (
    _activations,
    _backprop,
    _collapse,
    _gradcheck,
    _graph,
    _jacobians,
    _linear,
    _numdiff,
    _ulp,
    oracle,
)
from ._activations import *  # noqa: F403
from ._backprop import *  # noqa: F403
from ._collapse import *  # noqa: F403
from ._gradcheck import *  # noqa: F403
from ._graph import *  # noqa: F403
from ._jacobians import *  # noqa: F403
from ._linear import *  # noqa: F403
from ._numdiff import *  # noqa: F403
from ._ulp import *  # noqa: F403

#: Display name used in conformance reports.
name = "gradspec reference"

# Each private module's __all__ is what it gives to the public surface.
__all__ = [
    "name",
    "oracle",
    *_activations.__all__,
    *_backprop.__all__,
    *_collapse.__all__,
    *_gradcheck.__all__,
    *_graph.__all__,
    *_jacobians.__all__,
    *_linear.__all__,
    *_numdiff.__all__,
    *_ulp.__all__,
]
