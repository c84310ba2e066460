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


def test_every_finding_explains_a_failed_or_flagged_clause_of_its_report():
    # A finding about a clause the library's report does not fail or flag would be a claim
    # the suite did not make.
    for finding in json.loads((DATA / "repro.json").read_text()):
        report = json.loads((DATA / f"{finding['library']}.json").read_text())
        outcomes = {c["id"]: c["outcome"] for c in report["clauses"]}
        for clause in finding["clauses"]:
            assert outcomes[clause] in ("fail", "acceptable"), (finding["library"], clause)
        assert finding["result"] in ("reproduced", "library not installed"), finding["summary"]
