"""The shipped PyTensor adapter against the contract (real PyTensor, no mocks)."""

from __future__ import annotations

from typing import ClassVar

import pytest

pytest.importorskip("pytensor")

from gradspec.conformance.adapters import pytensor_adapter

from ._contract import AdapterContractTests


class TestPytensorAdapter(AdapterContractTests):
    adapter = pytensor_adapter
    library_defects: ClassVar[dict[str, str]] = {
        "test_elementwise_matches_reference[leaky_relu-float32]": (
            "the Python slope constant upcasts float32 to float64 (floatX=float64)"
        ),
        "test_elementwise_matches_reference[leaky_relu_derivative-float32]": (
            "the Python slope constant upcasts float32 to float64"
        ),
        "test_kinks_give_a_value_between_the_one_sided_derivatives[leaky_relu-float32]": (
            "the Python slope constant upcasts float32 to float64"
        ),
        "test_nan_passes_through_activations[leaky_relu-float32]": (
            "the Python slope constant upcasts float32 to float64"
        ),
        "test_graph_results_keep_the_dtype[float32]": (
            "the Python slope constant upcasts float32 to float64"
        ),
    }
