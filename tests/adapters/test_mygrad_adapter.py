"""The shipped MyGrad adapter against the contract (real MyGrad, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("mygrad")

from gradspec.conformance.adapters import mygrad_adapter

from ._contract import AdapterContractTests


class TestMygradAdapter(AdapterContractTests):
    adapter = mygrad_adapter
