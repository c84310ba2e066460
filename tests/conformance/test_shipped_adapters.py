"""The suite never fails a correct implementation: the shipped library adapters conform.

Real PyTorch and real JAX run the whole suite (quick profile, fixed seed). Their documented
deviations come out *acceptable* with named flags, never *fail*. benchmarks/seed_sweep.py
repeats this under 20 seeds.
"""

from __future__ import annotations

import pytest

from gradspec.conformance import Outcome, load_adapter, run_suite
from gradspec.conformance._format import format_failure


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["torch", "jax"])
def test_library_adapter_conforms(spec):
    report = run_suite(load_adapter(spec), profile="quick", seed=0)
    failures = [r for r in report.results if r.outcome is Outcome.FAIL]
    assert not failures, "\n\n".join(format_failure(r.failure, r.dtype) for r in failures)
    outcomes = {r.outcome for r in report.results}
    assert Outcome.PASS in outcomes
    assert Outcome.NOT_PROVIDED not in outcomes  # both adapters provide every member


def test_reports_name_only_the_libraries_each_adapter_uses():
    # Both libraries are loaded in this process; each report must still list only its own.
    torch_adapter, jax_adapter = load_adapter("torch"), load_adapter("jax")
    reference_adapter = load_adapter("reference")
    assert set(torch_adapter.library_versions()) == {"numpy", "torch"}
    assert set(jax_adapter.library_versions()) == {"numpy", "jax", "jaxlib"}
    assert set(reference_adapter.library_versions()) == {"numpy"}
