"""docs/scoreboard.md is rendered from the committed scoreboard files, and agrees with them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "docs" / "_generated" / "scoreboard"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_scoreboard", ROOT / "tools/gen_scoreboard.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_is_the_rendering_of_the_committed_files():
    assert (ROOT / "docs" / "scoreboard.md").read_text() == _generator().render(), (
        "docs/scoreboard.md is stale: run python tools/gen_scoreboard.py"
    )


def _reports() -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text())
        for p in sorted(DATA.glob("*.json"))
        if p.stem not in ("runs", "repro")
    }


def _key(finding: dict) -> str:
    return f"{finding['member']} {finding['kind']}"


def test_every_finding_of_the_suite_is_verified_by_a_note():
    # The page must not show a defect without saying how it was checked outside gradspec.
    notes = json.loads((DATA / "repro.json").read_text())
    unverified = [
        (library, _key(finding))
        for library, report in _reports().items()
        for finding in report["findings"]
        if not any(n["library"] == library and _key(finding) in n["explains"] for n in notes)
    ]
    assert unverified == [], "findings no note verifies: add one to benchmarks/scoreboard_repro.py"


def test_every_note_explains_a_finding_of_its_report_and_reproduces():
    # A note about something the library's report does not find would be a claim the suite
    # did not make (or a stale one, after the library or the suite changed).
    reports = _reports()
    for note in json.loads((DATA / "repro.json").read_text()):
        found = {_key(f) for f in reports[note["library"]]["findings"]}
        assert note["explains"], note["summary"]
        assert set(note["explains"]) <= found, (note["library"], set(note["explains"]) - found)
        assert note["result"] in ("reproduced", "library not installed"), note["summary"]
        assert note["verified"].strip(), note["summary"]


def test_every_report_is_a_complete_default_run_with_grades():
    for library, report in _reports().items():
        assert report["complete"] and report["profile"] == "default", library
        assert report["summary"]["executed"] > 0, library
        assert report["accuracy"], f"{library}: no accuracy grades (rerun the scoreboard)"


def test_the_performance_page_shows_every_library_run_time():
    page = (ROOT / "docs" / "performance.md").read_text()
    runs = json.loads((DATA / "runs.json").read_text())
    section = page[page.index("## Library run times") :]
    for library, run in runs.items():
        if "skipped" in run:
            continue
        row = next(line for line in section.splitlines() if line.startswith(f"| {library} |"))
        assert f"| {run['cpu_seconds']:.1f} |" in row, (library, row)
