"""The shipped MLX adapter against the contract (real MLX, no mocks)."""

from __future__ import annotations

import pytest

pytest.importorskip("mlx.core")

from gradspec.conformance.adapters import mlx_adapter

from ._contract import AdapterContractTests


class TestMlxAdapter(AdapterContractTests):
    adapter = mlx_adapter
