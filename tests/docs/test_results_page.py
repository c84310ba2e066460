"""The Results page is generated from committed reports, and those reports say what we claim."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import gen_results  # noqa: E402  (a script folder, not a package)

from gradspec.conformance.clauses import CLAUSES  # noqa: E402


def test_results_page_matches_the_committed_reports():
    assert gen_results.PAGE.read_text() == gen_results.render(*gen_results.load()), (
        "run python tools/gen_results.py"
    )


def test_shipped_adapters_conform_in_the_published_reports():
    reports, _ = gen_results.load()
    for name, report in reports.items():
        assert report["summary"]["fail"] == 0, name
        assert report["summary"]["executed"] > 0, name
        assert {c["id"] for c in report["clauses"]} == {c.id for c in CLAUSES}, (
            f"{name}'s report predates the current clause registry: rerun with --run"
        )


def test_published_catalog_covers_the_catalog():
    from gradspec.conformance.buggy import CATALOG

    _, catalog = gen_results.load()
    assert [e["name"] for e in catalog["entries"]] == [entry.name for entry in CATALOG]
    assert all(e["caught"] for e in catalog["entries"])
