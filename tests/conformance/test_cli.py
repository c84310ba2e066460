"""``python -m gradspec``: exit statuses, messages and files, run as real subprocesses.

Selections (``-k``) are derived from the clause registry so the tests hold as clauses are
added, and keep each run short; every run uses the quick profile.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

import gradspec
from gradspec.conformance._report import REPORT_SCHEMA
from gradspec.conformance.clauses import CLAUSES
from gradspec.conformance.contract import ELEMENTWISE

from .helpers import gradspec as run_gradspec
from .helpers import validate, write_adapter

SIGMOID_ONLY = {"sigmoid", "sigmoid_derivative"}
#: Clauses an adapter providing only sigmoid and its derivative can run.
SIGMOID_CLAUSES = [c.id for c in CLAUSES if set(c.members) <= SIGMOID_ONLY]
#: Clauses it cannot run.
OTHER_CLAUSES = [c.id for c in CLAUSES if not set(c.members) <= SIGMOID_ONLY]

SIGMOID_ADAPTER = "from gradspec.reference import sigmoid, sigmoid_derivative\n"


def check(tmp_path, *args, **env):
    return run_gradspec("check", "--profile", "quick", *args, cwd=tmp_path, **env)


def test_version_alone_and_with_the_flag(tmp_path):
    for args in ((), ("--version",)):
        result = run_gradspec(*args, cwd=tmp_path)
        assert result.returncode == 0
        assert result.stdout.strip() == f"gradspec {gradspec.__version__}"


def test_a_passing_run_exits_0_writes_only_the_reports_asked_for(tmp_path):
    assert SIGMOID_CLAUSES, "the registry has no sigmoid clause to run"
    result = check(
        tmp_path,
        "--adapter",
        "reference",
        "-k",
        ",".join(SIGMOID_CLAUSES),
        "--report-json",
        "report.json",
        "--junitxml",
        "junit.xml",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junit.xml", "report.json"]
    for clause_id in SIGMOID_CLAUSES:
        assert clause_id in result.stdout  # the table
        assert clause_id in result.stderr  # the progress lines
    summary = result.stdout.strip().splitlines()[-1]
    assert f"{len(SIGMOID_CLAUSES)} clauses: {len(SIGMOID_CLAUSES)} pass" in summary

    report = json.loads((tmp_path / "report.json").read_text())
    assert validate(report, REPORT_SCHEMA) == []
    assert [c["id"] for c in report["clauses"]] == SIGMOID_CLAUSES
    assert report["summary"]["exit_status"] == 0
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    assert {case.get("name").split("[")[0] for case in cases} == set(SIGMOID_CLAUSES)


def test_an_adapter_missing_members_runs_what_it_has_and_reports_the_rest(tmp_path):
    write_adapter(tmp_path, SIGMOID_ADAPTER)
    result = check(tmp_path, "--adapter", "my_adapter.py", "--report-json", "r.json", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    outcomes = {
        c["id"]: c["outcome"] for c in json.loads((tmp_path / "r.json").read_text())["clauses"]
    }
    assert {outcomes[i] for i in SIGMOID_CLAUSES} <= {"pass", "acceptable"}
    assert {outcomes[i] for i in OTHER_CLAUSES} <= {"not provided"}
    assert "not provided" in result.stdout


def test_members_that_raise_fail_with_exit_1_and_no_traceback(tmp_path):
    write_adapter(
        tmp_path,
        "def sigmoid(z):\n    raise RuntimeError('my sigmoid is not finished')\n",
    )
    result = check(tmp_path, "--adapter", "my_adapter.py", "-k", SIGMOID_CLAUSES[0])
    assert result.returncode == 1
    # The defect comes first, naming the member, what is wrong and the clause it breaks.
    assert result.stdout.startswith("1 defect in 1 member\n\n1. sigmoid: raises on valid input")
    assert f"breaks: {SIGMOID_CLAUSES[0]} [float32, float64]" in result.stdout
    assert "RuntimeError: my sigmoid is not finished" in result.stdout
    assert "; 1 defect in 1 member;" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("source", "spec"),
    [
        (
            "from gradspec.reference import sigmoid\n\nclass Mine:\n"
            "    def sigmoid(self, z):\n        return sigmoid(z)\n",
            "my_adapter.py:Mine",
        ),
        (
            "from types import SimpleNamespace\nfrom gradspec.reference import sigmoid\n\n"
            "def make():\n    return SimpleNamespace(sigmoid=sigmoid, dtypes=('float64',))\n",
            "my_adapter.py:make",
        ),
    ],
    ids=["class", "factory"],
)
def test_class_and_factory_adapters_by_file_and_name(tmp_path, source, spec):
    write_adapter(tmp_path, source)
    clause = next(c.id for c in CLAUSES if c.members == ("sigmoid",))
    result = check(tmp_path, "--adapter", spec, "-k", clause)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 pass" in result.stdout


@pytest.mark.parametrize(
    ("source", "spec", "expected"),
    [
        (None, "no_such_adapter_anywhere", "no module named 'no_such_adapter_anywhere'"),
        (None, "missing.py", "does not exist"),
        ("x = 1\n", "my_adapter.py", "provides none of the contract's members"),
        ("import no_such_dependency_xyz\n", "my_adapter.py", "ModuleNotFoundError"),
        ("def sigmoid(z):\n    return z\n", "my_adapter.py:Nope", "no attribute 'Nope'"),
    ],
    ids=["unknown-module", "missing-file", "no-members", "import-error", "no-attribute"],
)
def test_loading_errors_exit_2_with_one_paragraph(tmp_path, source, spec, expected):
    if source is not None:
        write_adapter(tmp_path, source)
    result = check(tmp_path, "--adapter", spec)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("gradspec check: error:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_nothing_provided_is_never_exit_0(tmp_path):
    assert OTHER_CLAUSES, "every clause needs only sigmoid: no clause to select"
    write_adapter(tmp_path, SIGMOID_ADAPTER)
    result = check(tmp_path, "--adapter", "my_adapter.py", "-k", OTHER_CLAUSES[0])
    assert result.returncode == 1
    assert "No check ran" in result.stdout


def test_a_selection_matching_nothing_is_a_usage_error(tmp_path):
    result = check(tmp_path, "--adapter", "reference", "-k", "NO-SUCH-CLAUSE-*")
    assert result.returncode == 2
    assert "matches no clause" in result.stderr


def test_bad_options_are_usage_errors(tmp_path):
    assert check(tmp_path, "--adapter", "reference", "--seed", "x").returncode == 2
    assert run_gradspec("check", cwd=tmp_path).returncode == 2  # --adapter is required


def test_clauses_lists_every_clause_with_its_members(tmp_path):
    result = run_gradspec("clauses", cwd=tmp_path)
    assert result.returncode == 0
    for clause in CLAUSES:
        assert clause.id in result.stdout
        assert ", ".join(clause.members) in result.stdout
    assert f"{len(CLAUSES)} clauses" in result.stdout


def test_accuracy_reports_every_function_in_both_dtypes(tmp_path):
    from gradspec.reference.oracle import FUNCTIONS

    result = run_gradspec("accuracy", "--points", "8", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    for name in FUNCTIONS:
        assert name in rows
    assert "float32" in result.stdout and "float64" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_quick_leaves_the_grades_out_and_says_how_to_get_them(tmp_path):
    # The quick profile is for a fast verdict: a whole run measures no grade there, and says
    # so; the default profile, or a required grade in quick, measures all 24.
    quick = check(tmp_path, "--adapter", "reference", "-q", "--report-json", "q.json")
    assert quick.returncode == 0, quick.stdout
    assert "Accuracy grades: not measured by the quick profile" in quick.stdout
    assert json.loads((tmp_path / "q.json").read_text())["accuracy"] == []
    required = check(
        tmp_path,
        "--adapter",
        "reference",
        "-q",
        "--accuracy",
        "within-4-ulp",
        "--report-json",
        "r.json",
    )
    assert required.returncode == 0, required.stdout
    assert "not measured" not in required.stdout
    grades = json.loads((tmp_path / "r.json").read_text())["accuracy"]
    assert {(g["member"], g["dtype"]) for g in grades} == {
        (m, d) for m in ELEMENTWISE for d in ("float32", "float64")
    }


def test_an_accuracy_requirement_names_the_member_below_it_and_exits_1(tmp_path):
    args = ("--adapter", "gradspec.conformance.buggy:TanhDerivativeNaiveTail")
    args += ("-k", "ACT-TANH-DERIVATIVE-VALUE", "--report-json", "r.json")
    plain = check(tmp_path, *args)
    assert plain.returncode == 0, plain.stdout  # correct: the textbook formula passes
    required = check(tmp_path, *args, "--accuracy", "within-4-ulp")
    assert required.returncode == 1
    assert "accuracy required (within-4-ulp) not met: tanh_derivative [float" in required.stdout
    assert "tails lost beyond |z| = " in required.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["required_accuracy"] == "within-4-ulp"
    grades = {(g["member"], g["dtype"]): g["grade"] for g in report["accuracy"]}
    assert grades[("tanh_derivative", "float64")].startswith("tails lost beyond |z| = ")
