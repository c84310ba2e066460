"""The shipped Keras adapter against the contract (real Keras, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("keras")

from gradspec.conformance.adapters import keras_adapter

from ._contract import AdapterContractTests


class TestKerasAdapter(AdapterContractTests):
    adapter = keras_adapter
