"""FINDINGS.md is the output of ``gradspec compare torch jax reference --format markdown``.

Regenerating the whole file takes minutes (the saturation tails and ULP samples call the
oracle thousands of times), so the test regenerates the kinked members, whose tables carry
the conventions and PyTorch's array-length dependence, and compares their sections with the
committed file byte for byte; ``test_findings_names_its_command`` checks the rest came from
the same command.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("jax")

from gradspec.conformance._adapter import load_adapter
from gradspec.conformance._comparison import compare, format_markdown

FINDINGS = Path(__file__).resolve().parents[2] / "conformance" / "adapters" / "FINDINGS.md"
SPECS = ("torch", "jax", "reference")
REGENERATED = ("hardtanh_derivative", "relu_derivative", "leaky_relu_derivative")


def _sections(markdown: str) -> dict[str, str]:
    """The text under each ``## member`` heading, by member."""
    parts = re.split(r"^## (\w+)\n", markdown, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_findings_names_its_command():
    text = FINDINGS.read_text()
    assert text.startswith(f"# gradspec compare {' '.join(SPECS)}\n")
    assert f"`gradspec compare {' '.join(SPECS)} --format markdown`" in text


def test_kink_sections_of_findings_are_a_fresh_comparison():
    adapters = [load_adapter(spec) for spec in SPECS]
    fresh = _sections(format_markdown(compare(adapters, members=REGENERATED)))
    committed = _sections(FINDINGS.read_text())
    assert set(fresh) == set(REGENERATED)
    for member in REGENERATED:
        assert fresh[member].strip() == committed[member].strip(), (
            f"{member}: FINDINGS.md is stale; rerun gradspec compare {' '.join(SPECS)} "
            "--format markdown > conformance/adapters/FINDINGS.md"
        )
    # The facts the file exists for: PyTorch's hardtanh'(NaN) depends on the array's length.
    length_rows = [r for r in fresh["hardtanh_derivative"].splitlines() if "array length" in r]
    assert length_rows and all("0.0, 1.0" in row.split("|")[5] for row in length_rows)
