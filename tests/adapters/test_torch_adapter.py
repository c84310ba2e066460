"""The shipped PyTorch adapter against the contract (real PyTorch, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from gradspec.conformance.adapters import torch_adapter

from ._contract import AdapterContractTests


class TestTorchAdapter(AdapterContractTests):
    adapter = torch_adapter
