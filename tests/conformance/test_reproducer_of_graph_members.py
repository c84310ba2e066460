"""The reproducer of a dtype failure of a graph member runs as printed.

It used to print ``graph.dtype`` (the graph is a dict), so the copy-paste Python a user is
told to run stopped with an AttributeError before showing the dtypes.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from gradspec import reference
from gradspec.conformance import Outcome, load_adapter, run_suite


class BackpropInFloat64:
    """The reference, except that backprop returns its output as float64."""

    name = "backprop in float64"

    def backprop(self, graph, inputs):
        output, gradients = reference.backprop(graph, inputs)
        return np.asarray(output, dtype=np.float64), gradients


SPEC = f"{__name__}:BackpropInFloat64"


def test_the_dtype_reproducer_of_backprop_runs_and_shows_both_dtypes():
    report = run_suite(load_adapter(SPEC), profile="quick", select="ROB-DTYPE")
    failed = [r for r in report.results if r.outcome is Outcome.FAIL]
    assert failed, "ROB-DTYPE did not fail a backprop that returns float64 for float32"
    code = failed[0].failure.reproducer
    assert SPEC in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<reproducer>", "exec"), {})
    printed = out.getvalue()
    assert "input dtype:  float32" in printed, printed
