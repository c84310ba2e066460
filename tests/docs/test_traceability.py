"""Two-way traceability between the spec (docs) and the suite (clause registry).

Every clause of the registry is stated in the docs (its generated fragment is current and
included by its section's page) and checked by the suite (it has a check); every clause id
the hand-written docs cite exists.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from gradspec.conformance.clauses import CLAUSES, SECTIONS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tools"))
import gen_clause_docs  # noqa: E402  (a script folder, not a package)

IDS = {clause.id for clause in CLAUSES}
#: A clause id as the docs would cite one: a family prefix, then upper-case words.
CITED_ID = re.compile(r"\b(?:ACT|GRAD|JAC|SHAPE|LIN|BP|ROB|KINK)(?:-[A-Z0-9]+)+\b")


def test_clause_fragments_are_current():
    stale = [
        str(path.relative_to(ROOT))
        for path, text in gen_clause_docs.fragments().items()
        if not path.exists() or path.read_text() != text
    ]
    assert not stale, f"run python tools/gen_clause_docs.py; stale: {stale}"


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_each_section_page_includes_its_clauses(section):
    page = DOCS / "spec" / f"{section}.md"
    assert page.exists(), f"no spec page for section {section!r}"
    assert f'--8<-- "docs/_generated/clauses/{section}.md"' in page.read_text()


def test_every_clause_is_stated_with_its_anchor_and_equation():
    text = "\n".join(p.read_text() for p in (DOCS / "_generated" / "clauses").glob("*.md"))
    for clause in CLAUSES:
        assert f"{{#{clause.id}}}" in text, f"{clause.id} has no anchor in the docs"
        assert rf"\[ {clause.latex} \]" in text, f"{clause.id}'s equation is not in the docs"


def test_every_clause_has_a_check_and_math():
    for clause in CLAUSES:
        assert callable(clause.check), clause.id
        assert clause.latex.strip() and clause.statement.strip() and clause.notes.strip()


def test_every_id_the_docs_cite_exists():
    unknown = {}
    for page in DOCS.rglob("*.md"):
        if "_generated/clauses" in page.as_posix():
            continue
        for cited in set(CITED_ID.findall(page.read_text())):
            if cited not in IDS:
                unknown.setdefault(cited, []).append(str(page.relative_to(ROOT)))
    assert not unknown, f"the docs cite clause ids the registry does not have: {unknown}"


def test_the_citation_pattern_sees_every_registered_id():
    """Guard for the test above: an id the pattern cannot match would never be checked."""
    assert all(CITED_ID.fullmatch(clause_id) for clause_id in IDS)
