"""The shipped TensorFlow adapter against the contract (real TensorFlow, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow")

from gradspec.conformance.adapters import tensorflow_adapter

from ._contract import AdapterContractTests


class TestTensorflowAdapter(AdapterContractTests):
    adapter = tensorflow_adapter
