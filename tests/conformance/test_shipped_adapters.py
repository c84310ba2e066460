"""Shipped library adapters: the suite never fails a correct implementation (torch, jax);
names resolve, a missing library is a clear exit-2 error with the pip line, and autograd
runs the quick profile through the real command line.

Real PyTorch and real JAX run the whole suite (quick profile, fixed seed). Their documented
deviations come out *acceptable* with named flags, never *fail*. benchmarks/seed_sweep.py
repeats this under 20 seeds.

A library is made unimportable in the child by a ``sitecustomize`` on ``PYTHONPATH`` that
puts ``None`` in ``sys.modules`` for it (what Python does for a module that must not be
imported), so the test needs no second virtualenv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradspec.conformance import Outcome, load_adapter, run_suite
from gradspec.conformance._adapter import SHIPPED
from gradspec.conformance._format import format_failure
from gradspec.conformance.adapters import LIBRARIES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["torch", "jax"])
def test_library_adapter_conforms(spec):
    report = run_suite(load_adapter(spec), profile="quick", seed=0)
    failures = [r for r in report.results if r.outcome is Outcome.FAIL]
    assert not failures, "\n\n".join(format_failure(r.failure, r.dtype) for r in failures)
    outcomes = {r.outcome for r in report.results}
    assert Outcome.PASS in outcomes
    assert Outcome.NOT_PROVIDED not in outcomes  # both adapters provide every member


def test_reports_name_only_the_libraries_each_adapter_uses():
    # Both libraries are loaded in this process; each report must still list only its own.
    torch_adapter, jax_adapter = load_adapter("torch"), load_adapter("jax")
    reference_adapter = load_adapter("reference")
    assert set(torch_adapter.library_versions()) == {"numpy", "torch"}
    assert set(jax_adapter.library_versions()) == {"numpy", "jax", "jaxlib"}
    assert set(reference_adapter.library_versions()) == {"numpy"}


def _gradspec(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gradspec", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_every_library_adapter_is_a_shipped_name():
    for name, (module, extra, _) in LIBRARIES.items():
        assert SHIPPED[name] == (f"gradspec.conformance.adapters.{module}", extra)


@pytest.mark.parametrize("name", sorted(LIBRARIES))
def test_a_missing_library_exits_2_with_the_pip_line(name, tmp_path):
    blocked = name  # each adapter is named after its library's top-level import
    (tmp_path / "sitecustomize.py").write_text(
        f"import sys\nsys.modules[{blocked!r}] = None  # this library is not installed\n"
    )
    done = _gradspec(
        "check", "--adapter", name, "--profile", "quick", env={"PYTHONPATH": str(tmp_path)}
    )
    assert done.returncode == 2, done.stderr
    pip = LIBRARIES[name][2]
    extra = LIBRARIES[name][1]
    assert f"pip install {pip}" in done.stderr
    assert f'pip install "gradspec[{extra}]"' in done.stderr
    assert "Traceback" not in done.stderr


def test_autograd_runs_the_quick_profile(tmp_path):
    # CI installs autograd (the test extra); its quick run takes seconds.
    pytest.importorskip("autograd")
    report_path = tmp_path / "autograd.json"
    # (the quick profile grades only when a grade is required: the weakest one here)
    done = _gradspec(
        "check", "--adapter", "autograd", "--profile", "quick", "-q",
        "--accuracy", "tails-lost", "--report-json", str(report_path),
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(report_path.read_text())
    assert report["summary"]["executed"] > 0
    assert report["adapter"]["name"].startswith("autograd ")
    # A graded run grades every elementwise member in every dtype (12 members, 2 dtypes).
    assert {(g["member"], g["dtype"]) for g in report["accuracy"]} >= {("tanh", "float64")}
    assert len(report["accuracy"]) == 24
    failed = {c["id"] for c in report["clauses"] if c["outcome"] == "fail"}
    # Every failure of the quick profile is a finding of the committed default-profile
    # scoreboard run, where each one is verified and explained.
    scoreboard = json.loads((ROOT / "docs/_generated/scoreboard/autograd.json").read_text())
    known = {c["id"] for c in scoreboard["clauses"] if c["outcome"] == "fail"}
    assert failed <= known, f"new failures {failed - known}: check them and rerun the scoreboard"
    assert (done.returncode == 1) == bool(failed)
