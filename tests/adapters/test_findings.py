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


NOTES = FINDINGS.with_name("FINDINGS_NOTES.md")
#: Figures the notes quote from the tables: two decimals, as the tail and ULP rows print them.
_TABLE_FIGURE = re.compile(r"(?<![\d.])\d+\.\d\d(?![\de])")


def test_every_note_explains_a_table_of_findings_and_quotes_its_figures():
    # The notes are hand-written beside the generated file; a regeneration that drops or
    # changes a row they rely on must show up here, not as a stale sentence on the site.
    tables = _sections(FINDINGS.read_text())
    notes = re.split(r"^### (.+)\n", NOTES.read_text(), flags=re.MULTILINE)
    by_member = dict(zip(notes[1::2], notes[2::2], strict=True))
    assert set(by_member) - {"Across members"} <= set(tables), "a note for a missing table"
    assert len(by_member) > 5
    for member, note in by_member.items():
        if member == "Across members":
            continue
        figures = set(_TABLE_FIGURE.findall(note))
        missing = {f for f in figures if f not in tables[member]}
        assert not missing, f"{member}: the note quotes {missing}, which its table lacks"


def test_the_findings_page_shows_the_table_and_the_notes():
    page = (FINDINGS.parents[2] / "docs" / "findings.md").read_text()
    assert '--8<-- "conformance/adapters/FINDINGS.md"' in page
    assert '--8<-- "conformance/adapters/FINDINGS_NOTES.md"' in page
