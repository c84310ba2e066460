"""The shipped JAX adapter against the contract (real JAX, no mocks)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")

import jax

from gradspec.conformance.adapters import jax_adapter

from ._contract import AdapterContractTests


class TestJaxAdapter(AdapterContractTests):
    adapter = jax_adapter


def test_importing_the_adapter_enables_float64_for_the_process():
    # Documented side effect: without it JAX would compute float64 inputs in float32.
    assert jax.config.jax_enable_x64
    assert jax_adapter.tanh(np.array([0.1])).dtype == np.float64
