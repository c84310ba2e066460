"""The shipped PaddlePaddle adapter against the contract (real PaddlePaddle, no mocks)."""

from __future__ import annotations

from typing import ClassVar

import pytest

pytest.importorskip("paddle")

from gradspec.conformance.adapters import paddle_adapter

from ._contract import AdapterContractTests


class TestPaddleAdapter(AdapterContractTests):
    adapter = paddle_adapter
    library_defects: ClassVar[dict[str, str]] = {
        "test_nan_passes_through_activations[relu-float32]": (
            "paddle.nn.functional.relu(NaN) is 0 (NaN swallowed)"
        ),
        "test_nan_passes_through_activations[relu-float64]": (
            "paddle.nn.functional.relu(NaN) is 0 (NaN swallowed)"
        ),
    }
