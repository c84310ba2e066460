"""The grader's parts on their own: rubric, submission layout, shards, import scan, findings."""

from __future__ import annotations

import copy
import json

import pytest

from gradspec._grade._rubric import RubricError, exact_selection, load_rubric
from gradspec._grade._scoring import score_clauses
from gradspec._grade._submissions import (
    SubmissionError,
    find_submissions,
    parse_shard,
    scan_imports,
    shard,
)
from gradspec.conformance._report_view import findings_of
from gradspec.conformance._runner import select_clauses
from gradspec.conformance.clauses import CLAUSES

from ..conformance.helpers import run
from ._class import write_class

# --- rubric --------------------------------------------------------------------------------


def test_the_default_rubric_grades_every_clause():
    rubric = load_rubric()
    assert list(rubric.points) == [clause.id for clause in CLAUSES]
    assert rubric.max_points == sum(rubric.points.values()) > 0
    assert rubric.visibility == "visible" and rubric.reference_import == "flag"


def test_clause_points_override_their_family(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('[families]\nlinear = 2\n[clauses]\n"LIN-BATCH" = 5\n"LIN-FORWARD" = 0\n')
    rubric = load_rubric(path)
    assert rubric.points == {"LIN-BATCH": 5.0, "LIN-BACKWARD": 2.0, "LIN-BATCH-BACKWARD": 2.0}
    assert rubric.family_max() == {"linear": 9.0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[families]\nvalue = 1\n", "not a family"),
        ('[clauses]\n"ACT-NOPE" = 1\n', "not a clause id"),
        ("[families]\nvalues = -1\n", "points must be a number >= 0"),
        ('[families]\nvalues = "two"\n', "points must be a number >= 0"),
        ("[families]\nvalues = 0\n", "gives no clause any points"),
        ("[familes]\nvalues = 1\n", "has a table [familes]"),
        ("[grading]\nacceptable = 2\n[families]\nvalues = 1\n", "must be in [0, 1]"),
        ('[grading]\nreference_import = "ban"\n[families]\nvalues = 1\n', "flag, zero"),
        ('[gradescope]\nvisibility = "public"\n[families]\nvalues = 1\n', "visibility must"),
        ("[families\n", "not valid TOML"),
    ],
)
def test_a_bad_rubric_is_named_with_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RubricError, match=None) as error:
        load_rubric(path)
    assert message in str(error.value) and "bad.toml" in str(error.value)


def test_the_selection_matches_exactly_the_rubric_clauses():
    ids = ["LIN-BATCH", "ACT-TANH-VALUE", "BP-VALUE"]
    every = [clause.id for clause in CLAUSES]
    pattern = exact_selection(ids, every)
    assert sorted(c.id for c in select_clauses(CLAUSES, pattern)) == sorted(ids)
    assert exact_selection(every, every) is None


# --- submissions ---------------------------------------------------------------------------


def _folder(tmp_path, name, files):
    folder = tmp_path / name
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(text)
    return folder


def test_folder_entry_points_in_their_documented_order(tmp_path):
    _folder(
        tmp_path, "a", {"submission.toml": 'adapter = "x.py:K"\n', "x.py": "", "adapter.py": ""}
    )
    _folder(tmp_path, "b", {"gradspec_adapter.py": "", "adapter.py": ""})
    _folder(tmp_path, "c", {"adapter.py": "", "other.py": ""})
    _folder(tmp_path, "d", {"only.py": ""})
    _folder(tmp_path, "e", {"one.py": "", "two.py": ""})
    _folder(tmp_path, "f", {"submission.toml": 'adapter = "../x.py"\n'})
    found = {s.name: s for s in find_submissions(sorted(tmp_path.iterdir()))}
    assert found["a"].shown_spec == "x.py:K" and found["a"].spec.endswith("/a/x.py:K")
    assert found["b"].shown_spec == "gradspec_adapter.py"
    assert found["c"].shown_spec == "adapter.py"
    assert found["d"].shown_spec == "only.py"
    assert found["e"].spec is None and "2 .py files" in found["e"].problem
    assert found["f"].spec is None and "inside the submission's folder" in found["f"].problem


def test_two_submissions_with_one_name_are_refused(tmp_path):
    (tmp_path / "alice.py").write_text("")
    _folder(tmp_path, "alice", {"adapter.py": ""})
    with pytest.raises(SubmissionError, match="two submissions are named 'alice'"):
        find_submissions([tmp_path / "alice.py", tmp_path / "alice"])


def test_shards_partition_the_class(tmp_path):
    for index in range(11):
        (tmp_path / f"s{index:02}.py").write_text("")
    class_ = find_submissions(sorted(tmp_path.iterdir()))
    parts = [shard(list(reversed(class_)), i, 3) for i in (1, 2, 3)]
    names = [s.name for part in parts for s in part]
    assert sorted(names) == sorted(s.name for s in class_) and len(set(names)) == 11
    assert [len(part) for part in parts] == [4, 4, 3]
    assert parse_shard(" 2/3 ") == (2, 3)
    for bad in ("0/3", "4/3", "1-3", "a/b"):
        with pytest.raises(SubmissionError):
            parse_shard(bad)


def test_the_import_scan_finds_gradspec_however_it_is_spelled(tmp_path):
    source = tmp_path / "hw.py"
    source.write_text(
        "import numpy as np\n"
        "import gradspec.reference as r\n"
        "from gradspec import reference\n"
        "import importlib\n"
        "m = importlib.import_module('gradspec.reference')\n"
        "n = __import__('gradspec')\n"
        "from gradspecial import x\n"
    )
    found = scan_imports([source], tmp_path)
    assert [line.split(":")[1] for line in found] == ["2", "3", "5", "6"]
    assert found[0] == "hw.py:2: import gradspec.reference"


# --- findings and points from a real report ------------------------------------------------


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """The JSON report gradspec check writes for a submission with two defects."""
    folder = tmp_path_factory.mktemp("report")
    (path,) = write_class(folder, ["tanh_missing_square"])
    report = folder / "report.json"
    done = run(
        [
            "-m",
            "gradspec",
            "check",
            "--adapter",
            str(path),
            "--profile",
            "quick",
            "-q",
            "--select",
            "ACT-TANH-VALUE,ACT-TANH-DERIVATIVE-VALUE,GRAD-TANH-FD",
            "--report-json",
            str(report),
        ],
        cwd=folder,
    )
    assert done.returncode == 1, done.stderr
    return json.loads(report.read_text())


def test_without_findings_in_the_report_each_failing_clause_is_one(real_report):
    # A report written by a gradspec without findings (before contract 1.1's suite).
    older = {key: value for key, value in real_report.items() if key != "findings"}
    findings = findings_of(older)
    assert [f["clauses"] for f in findings] == [["ACT-TANH-DERIVATIVE-VALUE"], ["GRAD-TANH-FD"]]
    first = findings[0]
    assert first["member"] == "tanh_derivative" and first["kind"] == "clause"
    assert first["dtypes"] == ["float32", "float64"]
    assert "load_adapter" in first["reproducer"] and first["hint"]


def test_findings_in_the_report_are_used_as_given(real_report):
    report = copy.deepcopy(real_report)
    report["findings"] = [
        {
            "member": "tanh_derivative",
            "kind": "formula",
            "summary": "tanh' computed as 1 - tanh",
            "hint": "square it",
            "clauses": ["ACT-TANH-DERIVATIVE-VALUE", "GRAD-TANH-FD"],
            "dtypes": ["float32", "float64"],
            "evidence": {"z": -20.0},
            "reproducer": "print(1)",
        }
    ]
    findings = findings_of(report)
    assert len(findings) == 1 and findings[0]["kind"] == "formula"
    assert findings[0]["evidence"] == {"z": -20.0}


def test_points_are_shared_by_dtypes(real_report, tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('[clauses]\n"ACT-TANH-VALUE" = 3\n"ACT-TANH-DERIVATIVE-VALUE" = 4\n')
    rubric = load_rubric(path)
    report = copy.deepcopy(real_report)
    row = next(c for c in report["clauses"] if c["id"] == "ACT-TANH-DERIVATIVE-VALUE")
    row["dtypes"][1]["outcome"] = "pass"  # right in float64 only: half the points
    scores = {s.id: s.points for s in score_clauses(report, rubric, why_not_run="-")}
    assert scores == {"ACT-TANH-VALUE": 3.0, "ACT-TANH-DERIVATIVE-VALUE": 2.0}
    missing = score_clauses(None, rubric, why_not_run="timed out")
    assert {s.outcome for s in missing} == {"not run"} and sum(s.points for s in missing) == 0


def test_a_report_marked_incomplete_is_not_graded(real_report):
    from gradspec._grade._grader import _check_status
    from gradspec._grade._isolated import ChildRun

    finished = ChildRun(returncode=1, timed_out=False, seconds=1.0)
    assert _check_status(finished, real_report, 10)[0] == "graded"
    partial = {
        **real_report,
        "complete": False,
        "incomplete_reason": "the time limit (9 s) ran out",
    }
    status, reason = _check_status(finished, partial, 10)
    assert status == "timed out" and "time limit (9 s)" in reason
    stopped = {**real_report, "complete": False, "incomplete_reason": "interrupted (Ctrl-C)"}
    assert _check_status(finished, stopped, 10)[0] == "crashed"


def test_the_suite_command_uses_the_options_the_installed_suite_has(tmp_path):
    from gradspec._grade._isolated import check_command, check_options, supports_isolate

    options = check_options()
    assert {"--adapter", "--report-json", "--select", "--profile"} <= options
    command = check_command(
        "x.py",
        report=tmp_path / "r.json",
        profile="quick",
        seed=3,
        select="A[B]",
        isolate=supports_isolate(),
        time_limit=20.0,
    )
    assert command[command.index("--seed") + 1] == "3"
    assert ("--isolate" in command) == ("--isolate" in options)
    assert ("--timeout" in command) == ("--timeout" in options)
