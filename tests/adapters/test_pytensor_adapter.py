"""The shipped PyTensor adapter against the contract (real PyTensor, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytensor")

from gradspec.conformance.adapters import pytensor_adapter

from ._contract import AdapterContractTests


class TestPytensorAdapter(AdapterContractTests):
    adapter = pytensor_adapter
