"""The shipped MyGrad adapter against the contract (real MyGrad, no mocks)."""

from __future__ import annotations

from typing import ClassVar

import pytest

pytest.importorskip("mygrad")

from gradspec.conformance.adapters import mygrad_adapter

from ._contract import AdapterContractTests


class TestMygradAdapter(AdapterContractTests):
    adapter = mygrad_adapter
    library_defects: ClassVar[dict[str, str]] = {
        "test_elementwise_matches_reference[hardtanh-float32]": (
            "MyGrad's hard_tanh returns float64 for float32 input"
        ),
        "test_elementwise_matches_reference[leaky_relu-float32]": (
            "MyGrad's leaky_relu returns float64 for float32 input"
        ),
        "test_kinks_give_a_value_between_the_one_sided_derivatives[leaky_relu-float32]": (
            "MyGrad's leaky_relu'(0) is 0, outside [slope, 1]"
        ),
        "test_kinks_give_a_value_between_the_one_sided_derivatives[leaky_relu-float64]": (
            "MyGrad's leaky_relu'(0) is 0, outside [slope, 1]"
        ),
        "test_nan_passes_through_activations[hardtanh-float32]": (
            "MyGrad's hard_tanh returns float64 for float32 input"
        ),
        "test_nan_passes_through_activations[leaky_relu-float32]": (
            "MyGrad's leaky_relu returns float64 for float32 input"
        ),
        "test_graph_results_keep_the_dtype[float32]": (
            "MyGrad's hard_tanh/leaky_relu give float64 gradients"
        ),
    }
