"""Reports survive Ctrl-C, kills and time limits; their paths are checked before anything runs.

Real ``gradspec check`` processes, stopped with real signals.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ..conformance.helpers import clean_env
from ..conformance.helpers import gradspec as run_gradspec

FIXTURES = Path(__file__).with_name("fixtures")
SLOW = str(FIXTURES / "slow_but_correct.py")


def _start(folder: Path, *args: str) -> subprocess.Popen[str]:
    # A session of its own, so a signal to its process group is what a terminal's Ctrl-C is.
    return subprocess.Popen(
        [sys.executable, "-m", "gradspec", "check", *args],
        cwd=folder,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _rows(path: Path) -> int:
    try:
        return len(json.loads(path.read_text(encoding="utf-8"))["clauses"])
    except (OSError, ValueError, KeyError):
        return -1


def _wait_for_rows(process: subprocess.Popen[str], path: Path, rows: int) -> None:
    deadline = time.monotonic() + 60
    while _rows(path) < rows:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run wrote no partial report"
        time.sleep(0.05)


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_ctrl_c_stops_the_run_and_leaves_the_partial_report(tmp_path, isolate):
    (tmp_path / "report.json").write_text('{"old": "report"}', encoding="utf-8")
    process = _start(
        tmp_path,
        *(["--isolate"] if isolate else []),
        "--adapter",
        SLOW,
        "--report-json",
        "report.json",
        "--junitxml",
        "junit.xml",
    )
    _wait_for_rows(process, tmp_path / "report.json", 2)
    os.killpg(process.pid, signal.SIGINT)  # the whole foreground group, as a terminal does
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stdout + stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["complete"] is False
    assert "interrupted (Ctrl-C)" in report["incomplete_reason"]
    assert len(report["clauses"]) >= 2
    assert report["summary"]["exit_status"] == 1  # an incomplete run never passes
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["complete"] == "false"
    assert len(suite.findall("testcase")) >= 2
    assert "The run is incomplete" in stdout


def test_a_killed_run_leaves_the_rows_it_finished_and_no_old_report(tmp_path):
    (tmp_path / "report.json").write_text('{"old": "report"}', encoding="utf-8")
    process = _start(tmp_path, "--adapter", SLOW, "--report-json", "report.json")
    _wait_for_rows(process, tmp_path / "report.json", 1)
    process.kill()
    process.communicate(timeout=60)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["complete"] is False and len(report["clauses"]) >= 1


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_the_whole_run_time_limit_stops_a_hung_member_and_says_so(tmp_path, isolate):
    started = time.monotonic()
    result = run_gradspec(
        "check",
        *(["--isolate", "--call-timeout", "60"] if isolate else []),
        "--adapter",
        str(FIXTURES / "ends_the_process.py"),
        "-k",
        "ACT-SWISH-VALUE",  # swish sleeps for ten minutes
        "--profile",
        "quick",
        "--timeout",
        "5",
        "--report-json",
        "report.json",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert time.monotonic() - started < 40
    assert "Traceback" not in result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["complete"] is False
    rows = [row for clause in report["clauses"] for row in clause["dtypes"]]
    if isolate:
        # The hung call was stopped, its clause failed with the reason, the run stopped.
        assert "the time limit ran out after 1 of 2 clause runs" in report["incomplete_reason"]
        assert [row["outcome"] for row in rows] == ["fail"]
        assert "whole run's time limit ran out" in rows[0]["failure"]["summary"]
    else:
        # In process a call cannot be stopped: the run ends with what it had saved.
        assert "stopped by --timeout 5" in report["incomplete_reason"]
        assert rows == []


def test_report_paths_are_checked_before_any_adapter_code_runs(tmp_path):
    marker = tmp_path / "imported"
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    adapter = str(FIXTURES / "marks_import.py")
    for args, message in (
        (["--report-json", "a-file/report.json"], "cannot create the folder"),
        (["--junitxml", "."], "is a folder"),
        (["--report-json", "same.xml", "--junitxml", "./same.xml"], "name the same file"),
    ):
        result = run_gradspec(
            "check", "--adapter", adapter, *args, cwd=tmp_path, GRADSPEC_TEST_MARKER=str(marker)
        )
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
        assert not marker.exists(), "adapter code ran before the paths were checked"
    result = run_gradspec(
        "check",
        "--adapter",
        adapter,
        "-k",
        "ACT-SIGMOID-VALUE",
        "--profile",
        "quick",
        cwd=tmp_path,
        GRADSPEC_TEST_MARKER=str(marker),
    )
    assert result.returncode == 0 and marker.exists()  # the same adapter, paths fine: it runs


def test_the_adapter_may_come_from_gradspec_adapter(tmp_path):
    result = run_gradspec(
        "check",
        "-k",
        "ACT-SIGMOID-VALUE",
        "--profile",
        "quick",
        cwd=tmp_path,
        GRADSPEC_ADAPTER="reference",
    )
    assert result.returncode == 0, result.stderr
    assert "checking gradspec reference (reference)" in result.stderr
    missing = run_gradspec("check", "--profile", "quick", cwd=tmp_path)
    assert missing.returncode == 2 and "GRADSPEC_ADAPTER" in missing.stderr


def test_isolate_is_documented_in_help(tmp_path):
    result = run_gradspec("check", "--help", cwd=tmp_path)
    for option in ("--isolate", "--timeout", "--call-timeout", "--memory-mb", "untrusted"):
        assert option in result.stdout
