"""The shipped Keras 3 adapter against the contract, on the JAX backend (real Keras and JAX).

The backend is Keras's own setting; these tests ask for JAX (``KERAS_BACKEND``) unless the
environment names another before Keras is imported.
"""

from __future__ import annotations

import os
from typing import ClassVar

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
pytest.importorskip("keras")

from gradspec.conformance.adapters import keras_adapter

from ._contract import AdapterContractTests

_TANH = "keras.ops.tanh returns float32 for a float64 input (its result_type(x, float))"
_ON_JAX = {
    **{
        f"test_elementwise_matches_reference[{member}-float64]": _TANH
        for member in ("tanh", "tanh_derivative")
    },
    "test_nan_passes_through_activations[tanh-float64]": _TANH,
    "test_activation_jacobian_is_the_diagonal_of_the_derivative[tanh]": _TANH,
    "test_every_op_graph_matches_finite_differences": _TANH,
    "test_random_graphs_match_the_reference_engine": _TANH,
    "test_elementwise_matches_reference[swish-float32]": (
        "XLA on the CPU flushes a subnormal silu result to 0"
    ),
}


class TestKerasAdapter(AdapterContractTests):
    adapter = keras_adapter
    # What Keras gets wrong depends on its backend; these were measured on JAX.
    library_defects: ClassVar[dict[str, str]] = (
        _ON_JAX if keras_adapter.name.endswith("(jax backend)") else {}
    )
