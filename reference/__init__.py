"""The gradspec reference implementation: ground truth for the math of neural-network layers.

This module itself satisfies the adapter contract (module-level functions with the contract's
names), so the conformance suite can load it as the ``reference`` adapter.

Public surface, by family:

- activations and derivatives: :func:`sigmoid`, :func:`tanh`, :func:`hardtanh`, :func:`relu`,
  :func:`leaky_relu`, :func:`swish` and ``*_derivative`` for each;
- the layer: :func:`linear`, :func:`linear_backward`.
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
from ._linear import linear, linear_backward

#: Display name used in conformance reports.
name = "gradspec reference"

__all__ = [
    "hardtanh",
    "hardtanh_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_backward",
    "name",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
]
