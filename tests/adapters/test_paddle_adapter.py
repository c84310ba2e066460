"""The shipped PaddlePaddle adapter against the contract (real PaddlePaddle, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("paddle")

from gradspec.conformance.adapters import paddle_adapter

from ._contract import AdapterContractTests


class TestPaddleAdapter(AdapterContractTests):
    adapter = paddle_adapter
