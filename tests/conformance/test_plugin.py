"""The pytest plugin end to end: ``python -m pytest --pyargs gradspec.conformance``.

Each test runs pytest in a subprocess in an empty folder, with the quick profile and a
selection derived from the clause registry.
"""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET

import pytest

from gradspec.conformance.clauses import CLAUSES

from .helpers import plugin_args, pytest_suite, run, write_adapter

SIGMOID_CLAUSES = [c.id for c in CLAUSES if set(c.members) <= {"sigmoid", "sigmoid_derivative"}]
OTHER_CLAUSES = [c.id for c in CLAUSES if c.id not in SIGMOID_CLAUSES]
FIRST = SIGMOID_CLAUSES[0]


def suite(tmp_path, *args, **env):
    return pytest_suite("--gradspec-profile", "quick", *args, cwd=tmp_path, **env)


def test_items_are_named_by_clause_and_dtype(tmp_path):
    result = suite(tmp_path, "--gradspec-adapter", "reference", "--collect-only", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    names = {line.rsplit("::", 1)[-1] for line in result.stdout.splitlines() if "::" in line}
    for clause in CLAUSES:
        dtypes = ("float32", "float64") if clause.per_dtype else ("float64",)
        assert {f"{clause.id}[{dtype}]" for dtype in dtypes} <= names


def test_the_reference_passes_and_k_selects(tmp_path):
    result = suite(
        tmp_path, "--gradspec-adapter", "reference", "-k", FIRST, "--junitxml", "out.xml"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout and "deselected" in result.stdout
    cases = list(ET.parse(tmp_path / "out.xml").getroot().iter("testcase"))
    assert sorted(case.get("name") for case in cases) == [f"{FIRST}[float32]", f"{FIRST}[float64]"]
    # Only the report asked for: no .pytest_cache, .hypothesis or anything of ours.
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]


def test_the_adapter_can_come_from_the_environment(tmp_path):
    result = suite(tmp_path, "-k", FIRST, GRADSPEC_ADAPTER="reference")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_a_failure_shows_the_suites_message_without_a_traceback(tmp_path):
    write_adapter(tmp_path, "def sigmoid(z):\n    raise RuntimeError('my sigmoid is not done')\n")
    result = suite(tmp_path, "--gradspec-adapter", "my_adapter.py", "-k", FIRST, "-x")
    assert result.returncode == 1
    assert f"FAIL {FIRST}" in result.stdout
    assert "RuntimeError: my sigmoid is not done" in result.stdout
    assert "1 failed" in result.stdout  # -x stopped after the first
    assert "Traceback" not in result.stdout and "_runner.py" not in result.stdout


def test_not_provided_is_a_skip_and_all_skipped_exits_1(tmp_path):
    write_adapter(tmp_path, "from gradspec.reference import sigmoid, sigmoid_derivative\n")
    result = suite(tmp_path, "--gradspec-adapter", "my_adapter.py", "-k", OTHER_CLAUSES[0], "-rs")
    assert result.returncode == 1, result.stdout
    assert "skipped" in result.stdout and "not provided" in result.stdout
    assert "no clause ran" in result.stdout


def test_a_loading_error_is_reported_without_a_traceback(tmp_path):
    result = suite(tmp_path, "--gradspec-adapter", "missing_adapter.py")
    assert result.returncode not in (0, 5)
    assert "missing_adapter.py" in result.stdout and "does not exist" in result.stdout
    assert "Traceback" not in result.stdout


FLAGGING_REGISTRY = """
import gradspec.conformance.clauses as registry
from gradspec.conformance._model import Clause


def kink(ctx):
    ctx.record()
    ctx.flag("kink-relu-0", "relu'(0) = 0.5, between the one-sided derivatives")


registry.CLAUSES = (
    Clause("T-KINK", "a clause that flags", "kinks", "test", "", "", "", ("sigmoid",), "", kink),
)
"""


def test_acceptable_passes_is_listed_and_fails_under_strict(tmp_path):
    # A plugin named on the command line (a folder's conftest.py has no say) replaces the
    # registry with one clause that always flags, so the test does not depend on which
    # inputs the real kink clauses draw.
    (tmp_path / "flagging_registry.py").write_text(FLAGGING_REGISTRY, encoding="utf-8")
    flagging = {"PYTHONPATH": str(tmp_path)}
    lenient = suite(
        tmp_path,
        "-p",
        "flagging_registry",
        "--gradspec-adapter",
        "reference",
        "--junitxml",
        "out.xml",
        **flagging,
    )
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert "2 passed" in lenient.stdout
    assert "T-KINK[float64]: kink-relu-0: relu'(0) = 0.5" in lenient.stdout
    properties = ET.parse(tmp_path / "out.xml").getroot().iter("property")
    assert (
        "gradspec_acceptable",
        "kink-relu-0: relu'(0) = 0.5, between the one-sided derivatives",
    ) in {(p.get("name"), p.get("value")) for p in properties}

    strict = suite(
        tmp_path,
        "-p",
        "flagging_registry",
        "--gradspec-adapter",
        "reference",
        "--gradspec-strict",
        **flagging,
    )
    assert strict.returncode == 1, strict.stdout
    assert "2 failed" in strict.stdout
    assert "strict mode requires the reference's convention" in strict.stdout


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist missing")
def test_runs_under_xdist(tmp_path):
    result = suite(tmp_path, "--gradspec-adapter", "reference", "-k", FIRST, "-n", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


HOMEWORK_INI = '[pytest]\naddopts = -k "not SIGMOID and not ROB"\n'
HOMEWORK_CONFTEST = """
import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.skip(reason="the homework's conftest skips everything"))
"""
WRONG_SIGMOID = (
    "from gradspec.reference import sigmoid as _s\n\ndef sigmoid(z):\n    return _s(z) * 2\n"
)


@pytest.mark.parametrize("ini_name", ["pytest.ini", "tox.ini"])
def test_the_homework_folder_has_no_say_in_the_session(tmp_path, ini_name):
    homework = tmp_path / "homework"
    homework.mkdir()
    (homework / ini_name).write_text(HOMEWORK_INI, encoding="utf-8")
    (homework / "conftest.py").write_text(HOMEWORK_CONFTEST, encoding="utf-8")
    write_adapter(homework, WRONG_SIGMOID)
    # Started the way a grader would, from inside the folder, without -p no:cacheprovider.
    result = run(
        [
            "-m",
            "pytest",
            "--pyargs",
            "gradspec.conformance",
            *plugin_args(),
            "--gradspec-adapter",
            "my_adapter.py",
            "--gradspec-profile",
            "quick",
            "-k",
            "ACT-SIGMOID-VALUE",
        ],
        homework,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 failed" in result.stdout and "skipped" not in result.stdout
    assert sorted(p.name for p in homework.iterdir()) == sorted(
        [ini_name, "conftest.py", "my_adapter.py"]
    )  # no .pytest_cache, nothing else written


@pytest.mark.parametrize("isolate", [[], ["--gradspec-isolate"]], ids=["in-process", "isolated"])
def test_pytest_skip_inside_a_member_is_a_failure(tmp_path, isolate):
    write_adapter(tmp_path, "import pytest\n\ndef sigmoid(z):\n    pytest.skip('later')\n")
    result = suite(tmp_path, "--gradspec-adapter", "my_adapter.py", "-k", FIRST, *isolate)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 failed" in result.stdout and "skipped" not in result.stdout
    assert "sigmoid raised Skipped: later" in result.stdout


def test_an_isolated_session_survives_an_exit_in_a_member(tmp_path):
    write_adapter(tmp_path, "import os\n\ndef sigmoid(z):\n    os._exit(0)\n")
    result = suite(
        tmp_path, "--gradspec-adapter", "my_adapter.py", "-k", FIRST, "--gradspec-isolate"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 failed" in result.stdout and "exited with status 0" in result.stdout
