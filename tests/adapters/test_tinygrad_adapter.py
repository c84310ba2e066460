"""The shipped tinygrad adapter against the contract (real tinygrad, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("tinygrad")

from gradspec.conformance.adapters import tinygrad_adapter

from ._contract import AdapterContractTests


class TestTinygradAdapter(AdapterContractTests):
    adapter = tinygrad_adapter
