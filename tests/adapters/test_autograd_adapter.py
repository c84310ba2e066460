"""The shipped HIPS autograd adapter against the contract (real HIPS autograd, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("autograd")

from gradspec.conformance.adapters import autograd_adapter

from ._contract import AdapterContractTests


class TestAutogradAdapter(AdapterContractTests):
    adapter = autograd_adapter
