"""The adapter contract's vocabulary, stated once: members, ops, arities, kinks and limits.

Everything in the suite that names a contract member or a graph op (the checks, the
strategies, the vectors, the adapter loader, the buggy catalog) reads it from here, so adding
an activation or an op is one edit. This module imports nothing from the rest of the suite.

Examples
--------
>>> FUNCTIONS[:2], DERIVATIVES[0]
(('sigmoid', 'tanh'), 'sigmoid_derivative')
>>> OP_ARITY["linear"], KINKS["hardtanh"]
(3, (-1.0, 1.0))
"""

from __future__ import annotations

import math

__all__ = [
    "ACTIVATION_OPS",
    "CONTRACT_VERSION",
    "DEFAULT_SLOPE",
    "DERIVATIVES",
    "DTYPES",
    "ELEMENTWISE",
    "FUNCTIONS",
    "GRAPH_MEMBERS",
    "GRAPH_OPS",
    "KINKS",
    "LIMITS",
    "MEMBERS",
    "OP_ARITY",
    "SLOPED",
    "derivative_of",
]

#: The contract's version: 1.1 added the optional member ``graph_ops``.
CONTRACT_VERSION = "1.1"

#: The dtypes of the contract, in report order.
DTYPES: tuple[str, ...] = ("float32", "float64")

#: The elementwise activations, in the order of the specification.
FUNCTIONS: tuple[str, ...] = ("sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "swish")
#: Their derivatives, member ``f + "_derivative"`` for each of `FUNCTIONS`.
DERIVATIVES: tuple[str, ...] = tuple(f"{f}_derivative" for f in FUNCTIONS)
#: Every elementwise member, functions first then derivatives.
ELEMENTWISE: tuple[str, ...] = (*FUNCTIONS, *DERIVATIVES)
#: The members that take a computation graph.
GRAPH_MEMBERS: tuple[str, ...] = ("backprop", "jacobian")
#: Every callable member of the contract.
MEMBERS: tuple[str, ...] = (*ELEMENTWISE, "linear", "linear_backward", *GRAPH_MEMBERS)

#: Members (and graph ops) that take ``negative_slope``, and its default.
SLOPED: tuple[str, ...] = ("leaky_relu", "leaky_relu_derivative")
DEFAULT_SLOPE = 0.01

#: Where each activation is not differentiable (its derivative's excluded inputs).
KINKS: dict[str, tuple[float, ...]] = {
    "hardtanh": (-1.0, 1.0),
    "relu": (0.0,),
    "leaky_relu": (0.0,),
}

#: The graph ops and the number of arguments each takes.
OP_ARITY: dict[str, int] = {
    "linear": 3,
    "matmul": 2,
    "add": 2,
    "mul": 2,
    "dot": 2,
    "sum": 1,
    **dict.fromkeys(FUNCTIONS, 1),
}
#: Every graph op, and the elementwise ones among them.
GRAPH_OPS: tuple[str, ...] = tuple(OP_ARITY)
ACTIVATION_OPS: tuple[str, ...] = FUNCTIONS

#: Each elementwise member's limits at (+inf, -inf), for the default slope.
LIMITS: dict[str, tuple[float, float]] = {
    "sigmoid": (1.0, 0.0),
    "tanh": (1.0, -1.0),
    "hardtanh": (1.0, -1.0),
    "relu": (math.inf, 0.0),
    "leaky_relu": (math.inf, -math.inf),
    "swish": (math.inf, 0.0),
    "sigmoid_derivative": (0.0, 0.0),
    "tanh_derivative": (0.0, 0.0),
    "hardtanh_derivative": (0.0, 0.0),
    "relu_derivative": (1.0, 0.0),
    "leaky_relu_derivative": (1.0, DEFAULT_SLOPE),
    "swish_derivative": (1.0, 0.0),
}


def derivative_of(member: str) -> str | None:
    """The activation ``member`` is the derivative of, or None for an activation.

    >>> derivative_of("tanh_derivative"), derivative_of("tanh")
    ('tanh', None)
    """
    return member.removesuffix("_derivative") if member in DERIVATIVES else None
