"""``gradspec grade`` on a class of 14 submissions, through the real command and real processes.

The class (`_class.py`): right ones (a file, and a folder naming a class), a partial one,
three with one common bug each, a hang, a segmentation fault, an exit(0) in a member and one
at import, a cheater that patches the suite's runner, a syntax error, one answering with
gradspec.reference and a folder without an entry point.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradspec._grade._isolated import supports_isolate

from ..conformance.helpers import clean_env
from ._class import ENDS_ITS_PROCESS, expected_status
from .conftest import grade, gradspec_grade, validate_gradescope

MAX_POINTS = 15.0  # the sum of the test rubric's points
#: Whether the suite runs each submission with --isolate too (then crashes fail a clause).
ISOLATED = supports_isolate()
EXPECTED_STATUS = expected_status(ISOLATED)
BUGS = {
    "tanh_missing_square": {"ACT-TANH-DERIVATIVE-VALUE", "GRAD-TANH-FD"},
    "relu_derivative_sign": {"ACT-RELU-DERIVATIVE-VALUE"},
    "linear_grad_transposed": {"LIN-BACKWARD"},
}


def test_every_submission_ends_in_its_expected_status(graded_class):
    rows = graded_class.rows()
    assert {name: row["status"] for name, row in rows.items()} == EXPECTED_STATUS
    # Some submissions were not graded, and the command says so in its exit status.
    assert graded_class.process.returncode == 1, graded_class.process.stderr


def test_points_are_ordered_right_above_buggy_above_partial(graded_class):
    rows = graded_class.rows()
    points = {name: float(row["points"]) for name, row in rows.items()}
    assert {float(row["max_points"]) for row in rows.values()} == {MAX_POINTS}
    assert points["correct"] == points["folder_class"] == MAX_POINTS
    for bug in BUGS:
        assert points["partial"] < points[bug] < MAX_POINTS, (bug, points)
    for name, status in EXPECTED_STATUS.items():
        if status != "graded":
            assert points[name] == 0, name
    for name in ENDS_ITS_PROCESS:  # graded under --isolate: the other clauses earn points
        assert (0 < points[name] < MAX_POINTS) if ISOLATED else points[name] == 0, name


def test_family_points_add_up_to_the_points(graded_class):
    for name, row in graded_class.rows().items():
        families = [float(v) for k, v in row.items() if k.endswith("_points") and k != "max_points"]
        assert sum(families) == pytest.approx(float(row["points"])), name


def test_each_bug_is_a_finding_naming_its_clauses(graded_class):
    rows = graded_class.rows()
    for bug, clauses in BUGS.items():
        # One bug is one finding, naming every clause it breaks.
        assert int(rows[bug]["findings"]) == 1
        report = json.loads((graded_class.out / "submissions" / bug / "report.json").read_text())
        failing = {c["id"] for c in report["clauses"] if c["outcome"] == "fail"}
        assert failing == clauses
        text = graded_class.feedback(bug)
        # Findings come first, each with its hint and a reproducer, then the clause table.
        assert text.index("## Findings") < text.index("## Clauses")
        for clause in clauses:
            assert f"`{clause}`" in text.split("## Clauses")[0]
        assert text.count("- hint: ") >= 1
        assert text.count("```python") == 1
    assert int(rows["correct"]["findings"]) == 0


def test_a_reproducer_from_the_feedback_runs_in_the_students_folder(graded_class, tmp_path):
    text = graded_class.feedback("tanh_missing_square")
    code = re.search(r"```python\n(.*?)```", text, flags=re.S).group(1)
    shutil.copy(graded_class.submissions / "tanh_missing_square.py", tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    expected = re.search(r"expected: +\[(.*)\]", result.stdout).group(1)
    actual = re.search(r"actual: +\[(.*)\]", result.stdout).group(1)
    assert float(expected) != float(actual)  # it shows the defect


def test_reproducers_import_only_public_names(graded_class):
    for bug in BUGS:
        assert "conformance._adapter" not in graded_class.feedback(bug)


def test_hostile_submissions_are_named_in_their_feedback(graded_class):
    if not ISOLATED:
        assert "SIGSEGV" in graded_class.feedback("crash")
        assert "exited with status 0" in graded_class.feedback("exit_zero")
    else:  # the clause being run fails, naming the member that ended the child
        assert "tanh" in graded_class.feedback("crash").split("## Clauses")[0]
        assert "relu_derivative" in graded_class.feedback("exit_zero").split("## Clauses")[0]
    # The loader turns an exit at import into a load error that names it.
    assert "could not be loaded" in graded_class.feedback("exit_at_import")
    assert "(status: timed out)" in graded_class.feedback("hang")
    assert "SyntaxError" in graded_class.feedback("syntax_error")
    assert "no adapter found" in graded_class.feedback("no_entry_point")


def test_the_cheater_gains_nothing_and_is_flagged(graded_class):
    row = graded_class.rows()["cheater"]
    # Its members are wrong: patched in process it reads as a full pass, so the grader
    # either zeroes it (in-process report) or grades its real results (--isolate).
    assert float(row["points"]) < MAX_POINTS
    assert "gradspec.conformance._runner.run_clause replaced" in row["flags"]
    assert "Flagged for review" in graded_class.feedback("cheater")


def test_an_import_of_the_reference_is_flagged_statically_and_at_run_time(graded_class):
    row = graded_class.rows()["uses_reference"]
    assert "uses_reference.py:1: from gradspec.reference import" in row["flags"]
    # At run time: what the submission's loading imported, and what its namespace holds.
    assert "imports gradspec.reference when loaded" in row["flags"]
    assert "holds gradspec objects" in row["flags"]
    assert "Flagged for review" in graded_class.feedback("uses_reference")
    for honest in ("correct", "folder_class", "partial", "tanh_missing_square"):
        assert graded_class.rows()[honest]["flags"] == "", honest


def test_gradescope_results_are_valid_and_agree_with_the_csv(graded_class):
    rows = graded_class.rows()
    for name in EXPECTED_STATUS:
        results = graded_class.results(name)
        validate_gradescope(results)
        assert results["score"] == pytest.approx(float(rows[name]["points"]))
        assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(MAX_POINTS)
        if name != "cheater":  # zeroed tests add up to the zeroed score
            assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"])
    failed = {
        t["name"].split(":")[0]
        for t in graded_class.results("relu_derivative_sign")["tests"]
        if t["status"] == "failed"
    }
    assert failed == BUGS["relu_derivative_sign"]


def test_the_class_summary_counts_the_common_failures(graded_class):
    summary = json.loads((graded_class.out / "summary.json").read_text())
    assert summary["submissions"] == len(EXPECTED_STATUS)
    assert summary["statuses"]["graded"] == list(EXPECTED_STATUS.values()).count("graded")
    failing = {row["id"]: row["submissions"] for row in summary["failing_clauses"]}
    assert failing["ACT-TANH-DERIVATIVE-VALUE"] >= 1 and failing["LIN-BACKWARD"] >= 1
    total = sum(int(row["findings"]) for row in graded_class.rows().values())
    assert sum(entry["count"] for entry in summary["findings"]) == total
    assert set(summary["flagged"]) == {"cheater", "uses_reference"}
    page = (graded_class.out / "summary.md").read_text()
    assert "## Most common findings" in page and "`LIN-BACKWARD`" in page


def test_shards_merged_give_the_rows_of_one_run(graded_class, rubric_file, tmp_path):
    names = ("correct.py", "tanh_missing_square.py", "syntax_error.py")
    for name in names:
        shutil.copy(graded_class.submissions / name, tmp_path / name)
    folder = tmp_path / "hw"
    folder.mkdir()
    for name in names:
        shutil.move(tmp_path / name, folder / name)
    for index in (1, 2):
        # A relative --out (the command runs in tmp_path): the children run elsewhere.
        done = grade(folder, Path(f"shard{index}"), rubric_file, "--shard", f"{index}/2")
        assert done.returncode in (0, 1), done.stderr
    shard_rows = [
        (tmp_path / f"shard{i}" / "grades.csv").read_text().splitlines()[1:] for i in (1, 2)
    ]
    assert sorted(len(rows) for rows in shard_rows) == [1, 2]  # round-robin by name
    merged = gradspec_grade("--merge", "shard1", "shard2", "--out", "merged", cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr

    with (tmp_path / "merged" / "grades.csv").open(newline="") as stream:
        rows = {row["submission"]: row for row in csv.DictReader(stream)}
    whole = graded_class.rows()
    assert set(rows) == {"correct", "tanh_missing_square", "syntax_error"}
    for name, row in rows.items():
        for key in row:
            if key != "seconds":
                assert row[key] == whole[name][key], (name, key)
        assert (tmp_path / "merged" / "submissions" / name / "feedback.md").is_file()
    # A shard cannot be merged twice.
    again = gradspec_grade("--merge", "shard1", "shard1", "--out", "twice", cwd=tmp_path)
    assert again.returncode == 2 and "is in both" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py", "--out", "o"], "does not exist"),
        (["--out", "o"], "exactly one of the three"),
        (["x.py"], "needs --out"),
        (["x.py", "--out", "o", "--shard", "3/2"], "between 1 and N"),
        (["x.py", "--out", "o", "--rubric", "bad.toml"], "[families] names 'value'"),
        (["x.py", "--out", "o", "--jobs", "0"], "--jobs must be at least 1"),
    ],
)
def test_usage_errors_are_one_paragraph_and_exit_2(tmp_path, args, message):
    (tmp_path / "x.py").write_text("")
    (tmp_path / "bad.toml").write_text("[families]\nvalue = 1\n")
    result = gradspec_grade(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_docs_example_grades_as_the_page_says(tmp_path):
    examples = Path(__file__).resolve().parents[2] / "examples" / "grading"
    done = grade(examples / "submissions", tmp_path / "grades", examples / "rubric.toml")
    assert done.returncode == 0, done.stderr
    with (tmp_path / "grades" / "grades.csv").open(newline="") as stream:
        points = {row["submission"]: row["points"] for row in csv.DictReader(stream)}
    assert points == {"alice": "15", "bob": "11", "carol": "15"}  # as docs/grading.md shows


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in command:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_ctrl_c_ends_the_grader_and_every_child(tmp_path):
    from ._class import write_class

    write_class(tmp_path / "hw", ["hang"])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gradspec",
            "grade",
            str(tmp_path / "hw" / "hang.py"),
            "--out",
            str(tmp_path / "out"),
            "--profile",
            "quick",
            "--timeout",
            "120",
        ],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As a terminal's foreground job: a test run started in the background (by a
        # non-interactive shell's `&`) inherits SIGINT ignored, and Python then never
        # raises KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    started = tmp_path / "out" / "submissions" / "hang" / "check.stderr.txt"
    deadline = time.monotonic() + 60
    while not (started.exists() and "checking" in started.read_text()):
        assert time.monotonic() < deadline, "the suite never started"
        time.sleep(0.1)
    children = set(_processes_mentioning(str(tmp_path / "hw" / "hang.py"))) - {process.pid}
    assert children  # the suite's process, running the hanging member
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    time.sleep(0.2)
    assert _processes_mentioning(str(tmp_path / "hw" / "hang.py")) == []
