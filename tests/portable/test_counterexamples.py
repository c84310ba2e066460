"""A failure found by the suite becomes a vector that fails the buggy adapter and passes the fix."""

from __future__ import annotations

import json
import subprocess
import sys

from gradspec.conformance import load_adapter, run_suite
from gradspec.conformance._counterexamples import write_counterexamples
from gradspec.conformance._model import Outcome
from gradspec.conformance._vector_schema import validate_file
from gradspec.conformance._vectors import check_case

BUGGY = "gradspec.conformance.buggy:TanhDerivativeMissingSquare"


def test_a_counterexample_is_a_vector_and_a_reproducer(tmp_path):
    report = run_suite(load_adapter(BUGGY), profile="quick", select="ACT-TANH-DERIVATIVE-VALUE")
    assert any(r.outcome is Outcome.FAIL for r in report.results)
    written = write_counterexamples(report, tmp_path)
    vectors = [p for p in written if p.suffix == ".json"]
    assert vectors and len(written) == 2 * len(vectors)
    for path in vectors:
        document = json.loads(path.read_text())
        assert validate_file(document) == []
        case = document["cases"][0]
        assert case["flags"] == ["counterexample"] and case["clause"] == "ACT-TANH-DERIVATIVE-VALUE"
        assert check_case(load_adapter(BUGGY), case).outcome is Outcome.FAIL
        assert check_case(load_adapter("reference"), case).outcome is Outcome.PASS
    script = next(p for p in written if p.suffix == ".py")
    run = [sys.executable, str(script)]
    assert subprocess.run(run, capture_output=True, check=False).returncode == 1
    assert subprocess.run([*run, "reference"], capture_output=True, check=False).returncode == 0
