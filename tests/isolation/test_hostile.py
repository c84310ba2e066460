"""Hostile adapters, each run by a real ``gradspec check`` process (no mocks).

Every adapter in ``fixtures/`` does one thing a submission can do to a grader: exit, crash,
hang, patch the suite, print into the protocol, raise what is not an Exception, and so on.
Under ``--isolate`` each must end with exit status 1 and a report that names the clause and
the reason, and the cheaters' reports must equal the honest adapter's (``_honest.py``: a
sigmoid off by 0.01, a correct derivative). In process, every exception a member raises must
still be that clause's failure, never a traceback or an exit status of the adapter's choice.

The runs are started together in a module fixture (three at a time) to keep the module fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ..conformance.helpers import clean_env

FIXTURES = Path(__file__).with_name("fixtures")

#: Two clauses: the honest adapter fails the first (its sigmoid is off) and passes the second.
SELECT = "ACT-SIGMOID-VALUE,ACT-SIGMOID-DERIVATIVE-VALUE"
LIMITS = ["--profile", "quick", "--call-timeout", "1", "--memory-mb", "2048"]

#: ``raises.py``: each member raises something else; its clause must fail naming it.
RAISES = {
    "ACT-SIGMOID-VALUE": "sigmoid raised SystemExit",
    "ACT-TANH-VALUE": "tanh raised GeneratorExit",
    "ACT-RELU-VALUE": "relu raised Escape: not an Exception",
    "ACT-SWISH-VALUE": "swish raised KeyboardInterrupt",
    "ACT-HARDTANH-VALUE": "hardtanh raised Skipped: hardtanh is not ready",
    "ACT-TANH-DERIVATIVE-VALUE": "tanh_derivative raised ValueError: red text with a bell, "
    "a NUL and ]]> <tag> & more",
}

#: ``ends_the_process.py``: each member ends or stalls the child; the run goes on.
ENDS = {
    "ACT-SIGMOID-VALUE": "exited with status 0 while answering sigmoid",
    "ACT-TANH-VALUE": "killed by signal SIGSEGV while answering tanh",
    "ACT-RELU-VALUE": "killed by signal SIGTERM while answering relu",
    "ACT-SWISH-VALUE": "(swish) within 1 s and was stopped",
    "ACT-HARDTANH-VALUE": "(hardtanh) within 1 s and was stopped",
    "ACT-TANH-DERIVATIVE-VALUE": "tanh_derivative raised MemoryError",
}

#: Cheaters and other tricks whose report must be exactly the honest adapter's.
SAME_AS_HONEST = [
    "patch_runner",
    "patch_reference",
    "atexit_exit",
    "thread_left_running",
    "print_stdout",
    "close_stdout",
    "chdir",
    "getattr_raises",
]

#: Adapters that cannot be loaded: exit 2 with one paragraph naming the problem.
CANNOT_LOAD = {
    "exit_at_import": "raised SystemExit",
    "os_exit_at_import": "exited with status 0",
    "name_str_raises": "its member 'name' is a _Name that cannot be turned into text",
    "dtypes_dict": "its member 'dtypes' is ({'float64': True},)",
}

#: In process, the tricks that a process cannot survive (os._exit...) are out of reach;
#: these must still change nothing.
IN_PROCESS_SAME_AS_HONEST = [
    "atexit_exit",
    "thread_left_running",
    "close_stdout",
    "chdir",
    "getattr_raises",
]
IN_PROCESS_CANNOT_LOAD = {
    "exit_at_import": "raised SystemExit",
    "name_str_raises": "its member 'name' is a _Name that cannot be turned into text",
    "dtypes_dict": "its member 'dtypes' is ({'float64': True},)",
}

#: The clauses each fixture runs (SELECT unless named here).
SELECTIONS = {
    "raises": ",".join([*RAISES, "ACT-SIGMOID-DERIVATIVE-VALUE"]),
    "ends_the_process": ",".join([*ENDS, "ACT-SIGMOID-DERIVATIVE-VALUE"]),
    "intermittent": "ACT-SIGMOID-VALUE,ACT-SIGMOID-SYMMETRY",
    "always_raises": "ACT-SIGMOID-VALUE,ROB-NO-MUTATION",
}


class Run:
    """One finished ``gradspec check`` process and the reports it left."""

    def __init__(self, folder: Path, process: subprocess.CompletedProcess[str]) -> None:
        self.returncode = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.folder = folder
        report = folder / "report.json"
        self.report: dict[str, Any] | None = (
            json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
        )

    def rows(self) -> list[tuple[Any, ...]]:
        """What a verdict is made of: per clause and dtype, outcome, examples and failure."""
        assert self.report is not None, self.stderr
        return [
            (
                clause["id"],
                row["dtype"],
                row["outcome"],
                row["examples"],
                row["failure"] and row["failure"]["summary"],
            )
            for clause in self.report["clauses"]
            for row in clause["dtypes"]
        ]

    def failures(self, clause_id: str) -> list[str]:
        assert self.report is not None, self.stderr
        (clause,) = [c for c in self.report["clauses"] if c["id"] == clause_id]
        return [row["failure"]["summary"] for row in clause["dtypes"] if row["failure"]]


def _run(base: Path, fixture: str, isolate: bool) -> Run:
    folder = base / f"{fixture}-{'isolated' if isolate else 'in-process'}"
    folder.mkdir()
    args = [
        sys.executable,
        "-m",
        "gradspec",
        "check",
        *(["--isolate"] if isolate else []),
        "--adapter",
        str(FIXTURES / f"{fixture}.py"),
        "-k",
        SELECTIONS.get(fixture, SELECT),
        *LIMITS,
        "--report-json",
        "report.json",  # relative on purpose: os.chdir in a member must not move it
        "--junitxml",
        "junit.xml",
    ]
    process = subprocess.run(
        args, cwd=folder, env=clean_env(), capture_output=True, text=True, timeout=120
    )
    return Run(folder, process)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Run]:
    base = tmp_path_factory.mktemp("hostile")
    special = ["raises", "intermittent", "always_raises"]
    jobs = [
        ("ends_the_process", True),  # the longest: started first
        *((name, True) for name in ["honest", *special, *SAME_AS_HONEST, *CANNOT_LOAD]),
        *(
            (name, False)
            for name in ["honest", *special, *IN_PROCESS_SAME_AS_HONEST, *IN_PROCESS_CANNOT_LOAD]
        ),
    ]
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = pool.map(lambda job: _run(base, *job), jobs)
        return dict(zip(jobs, done, strict=True))


def _no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr


def test_the_honest_baseline_fails_its_sigmoid_and_passes_its_derivative(runs):
    for isolate in (True, False):
        run = runs["honest", isolate]
        assert run.returncode == 1, run.stderr
        outcomes = {(r[0], r[1]): r[2] for r in run.rows()}
        assert set(outcomes) == {
            (clause, dtype)
            for clause in ("ACT-SIGMOID-VALUE", "ACT-SIGMOID-DERIVATIVE-VALUE")
            for dtype in ("float32", "float64")
        }
        assert {v for (c, _), v in outcomes.items() if c == "ACT-SIGMOID-VALUE"} == {"fail"}
        assert {v for (c, _), v in outcomes.items() if c != "ACT-SIGMOID-VALUE"} == {"pass"}
        assert run.report["complete"] is True


def _each_clause_fails_with(run: Run, expected: dict[str, str]) -> None:
    assert run.returncode == 1, run.stdout + run.stderr
    _no_traceback(run)
    for clause_id, text in expected.items():
        failures = run.failures(clause_id)
        assert len(failures) == 2, (clause_id, failures)  # float32, then float64
        for summary in failures:
            assert text in summary, (clause_id, summary)
            assert "Flaky" not in summary and "bug in gradspec" not in summary
    # The run went on to the end: the one correct member still passes.
    assert run.report["complete"] is True
    assert {r[2] for r in run.rows() if r[0] == "ACT-SIGMOID-DERIVATIVE-VALUE"} == {"pass"}


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_every_exception_a_member_raises_fails_its_clause_naming_it(runs, isolate):
    _each_clause_fails_with(runs["raises", isolate], RAISES)


def test_isolated_whatever_ends_or_stalls_the_child_fails_that_clause_with_the_reason(runs):
    _each_clause_fails_with(runs["ends_the_process", True], ENDS)


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_an_intermittent_error_is_reported_as_the_members_own(runs, isolate):
    run = runs["intermittent", isolate]
    assert run.returncode == 1
    _no_traceback(run)
    for clause_id in ("ACT-SIGMOID-VALUE", "ACT-SIGMOID-SYMMETRY"):
        for summary in run.failures(clause_id):
            assert "sigmoid raised RuntimeError: intermittent failure on call" in summary
            assert "Flaky" not in summary and "bug in gradspec" not in summary


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_when_every_call_raises_a_clause_over_all_members_says_so(runs, isolate):
    run = runs["always_raises", isolate]
    assert run.returncode == 1
    for summary in run.failures("ROB-NO-MUTATION"):
        assert "sigmoid raised RuntimeError: sigmoid is broken" in summary
    assert "provides none of the members" not in run.stdout


@pytest.mark.parametrize("fixture", SAME_AS_HONEST)
def test_isolated_cheaters_and_tricks_get_the_honest_report(runs, fixture):
    run = runs[fixture, True]
    assert run.returncode == 1, run.stdout + run.stderr
    _no_traceback(run)
    assert run.rows() == runs["honest", True].rows()
    assert (run.folder / "junit.xml").exists()


@pytest.mark.parametrize("fixture", list(CANNOT_LOAD))
def test_isolated_an_adapter_that_cannot_load_is_a_clear_load_error(runs, fixture):
    run = runs[fixture, True]
    assert run.returncode == 2, run.stdout + run.stderr
    _no_traceback(run)
    assert CANNOT_LOAD[fixture] in run.stderr
    # The report left behind says it is not a result.
    assert run.report["complete"] is False and run.report["clauses"] == []
    assert "could not be loaded" in run.report["incomplete_reason"]


@pytest.mark.parametrize("fixture", IN_PROCESS_SAME_AS_HONEST)
def test_in_process_exit_handlers_threads_closed_stdout_and_chdir_change_nothing(runs, fixture):
    run = runs[fixture, False]
    assert run.returncode == 1, run.stdout + run.stderr
    _no_traceback(run)
    assert run.rows() == runs["honest", False].rows()
    assert "2 clauses: 1 pass, 0 acceptable, 1 fail" in run.stdout  # the summary got out


@pytest.mark.parametrize("fixture", list(IN_PROCESS_CANNOT_LOAD))
def test_in_process_load_errors_are_one_paragraph_with_exit_2(runs, fixture):
    run = runs[fixture, False]
    assert run.returncode == 2, run.stdout + run.stderr
    _no_traceback(run)
    assert IN_PROCESS_CANNOT_LOAD[fixture] in run.stderr


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_terminal_escapes_in_a_message_leave_the_junit_file_well_formed(runs, isolate):
    run = runs["raises", isolate]
    text = (run.folder / "junit.xml").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    failures = [f.get("message") for f in ET.fromstring(text).iter("failure")]
    assert sum("red text with a bell" in message for message in failures) == 2
    assert "\x1b" not in run.stdout  # nor can the message repaint the terminal


def test_the_summary_line_totals_calls_and_shapes(runs):
    run = runs["honest", True]
    summary = run.report["summary"]
    assert summary["calls"] == sum(c["calls"] for c in run.report["clauses"]) > 0
    assert 0 < summary["shapes"] <= summary["calls"]
    assert f"{summary['calls']} adapter calls, {summary['shapes']} distinct shapes" in run.stdout
