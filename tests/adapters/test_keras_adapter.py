"""The shipped Keras 3 adapter against the contract, on the JAX backend (real Keras and JAX).

The backend is Keras's own setting; these tests ask for JAX (``KERAS_BACKEND``) unless the
environment names another before Keras is imported.
"""

from __future__ import annotations

import os
from typing import ClassVar

import numpy as np
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


@pytest.mark.skipif(
    not keras_adapter.name.endswith("(jax backend)"), reason="the dtype change is JAX's"
)
def test_derivatives_run_where_keras_changes_the_dtype() -> None:
    """keras.ops.tanh turns float64 into float32 on JAX: the value shows it, and the
    derivative is still computed (the adapter casts the cotangent, not the result)."""
    z = np.array([0.5, -1.0, 3.0])
    assert keras_adapter.tanh(z).dtype == np.float32  # Keras's own result, passed on
    derivative = keras_adapter.tanh_derivative(z)
    # float32 accuracy (an absolute few eps of float32): what Keras computes, judged by the
    # suite, not hidden here.
    expected = 1 - np.tanh(z) ** 2
    np.testing.assert_allclose(derivative, expected, rtol=0, atol=4 * np.finfo(np.float32).eps)
    assert not np.array_equal(derivative, expected)  # float64 accuracy would be a surprise
