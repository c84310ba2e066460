"""The JavaScript example adapter, through the pipe: the conformance suite and the vectors.

Skipped when ``node`` is missing, except in CI (the environment variable CI is set), where a
missing ``node`` fails: the example is the proof that the protocol works outside Python.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gradspec.conformance import load_adapter
from gradspec.conformance._model import Outcome
from gradspec.conformance._vectors import run_vectors

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "js" / "gradspec_adapter.js"
NODE = shutil.which("node")

if NODE is None:
    if os.environ.get("CI"):
        pytest.fail("node is not installed; CI must run the JavaScript example", pytrace=False)
    pytest.skip("node (Node.js >= 18) is not installed", allow_module_level=True)

SPEC = f"cmd:{NODE} {SCRIPT}"


def test_the_vectors_pass():
    adapter = load_adapter(SPEC)
    try:
        report = run_vectors(adapter)
    finally:
        adapter.obj.close()
    assert report.results
    assert [r for r in report.results if r.outcome is not Outcome.PASS] == []


def _cap_memory() -> None:
    # A guard for the shared machine: the suite must not take more than this.
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def test_the_quick_suite_passes_through_the_pipe(tmp_path):
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "gradspec", "check", "--adapter", SPEC, "--profile", "quick",
         "--report-json", str(report), "-q"],
        capture_output=True, text=True, check=False, preexec_fn=_cap_memory, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    clauses = json.loads(report.read_text())["clauses"]
    assert clauses and {c["outcome"] for c in clauses} <= {"pass", "acceptable"}
