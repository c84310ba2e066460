"""The shipped tinygrad adapter against the contract (real tinygrad, no mocks)."""

from __future__ import annotations

from typing import ClassVar

import pytest

pytest.importorskip("tinygrad")

from gradspec.conformance.adapters import tinygrad_adapter

from ._contract import AdapterContractTests


class TestTinygradAdapter(AdapterContractTests):
    adapter = tinygrad_adapter
    library_defects: ClassVar[dict[str, str]] = {
        "test_elementwise_matches_reference[tanh-float32]": (
            "tinygrad's tanh loses relative accuracy near 0 (cancellation)"
        ),
        "test_elementwise_matches_reference[tanh-float64]": (
            "tinygrad's tanh loses relative accuracy near 0 (cancellation)"
        ),
        "test_nan_passes_through_activations[relu-float32]": (
            "tinygrad's relu(NaN) is 0 (NaN swallowed)"
        ),
        "test_nan_passes_through_activations[relu-float64]": (
            "tinygrad's relu(NaN) is 0 (NaN swallowed)"
        ),
    }
