"""The shipped TensorFlow adapter against the contract (real TensorFlow, no mocks)."""

from __future__ import annotations

from typing import ClassVar

import pytest

pytest.importorskip("tensorflow")

from gradspec.conformance.adapters import tensorflow_adapter

from ._contract import AdapterContractTests


class TestTensorflowAdapter(AdapterContractTests):
    adapter = tensorflow_adapter
    library_defects: ClassVar[dict[str, str]] = {
        "test_elementwise_matches_reference[leaky_relu-float64]": (
            "tf.nn.leaky_relu rounds its float64 alpha to float32"
        ),
        "test_elementwise_matches_reference[leaky_relu_derivative-float64]": (
            "tf.nn.leaky_relu rounds its float64 alpha to float32"
        ),
        "test_linear_and_backward_match_reference[float64]": (
            "TensorFlow's matvec gradient flushes a subnormal product to 0"
        ),
        "test_contract_example_graph": ("tf.nn.leaky_relu rounds its float64 alpha to float32"),
        "test_random_graphs_match_the_reference_engine": (
            "tf.nn.leaky_relu rounds its float64 alpha to float32"
        ),
    }
