"""The gradspec conformance suite: does an implementation follow the spec?

An implementation plugs in through an *adapter* (a module, object or class exposing some
of the contract's members, such as ``sigmoid``, ``linear_backward`` or ``backprop``). The
suite runs every *clause* of the spec against it with property-based tests and reports, per
clause and dtype, one of four outcomes: pass, acceptable (a documented alternative, such as
another derivative at a kink), fail, or not provided (a member the clause needs is missing).

Three ways to run it:

- the command line: ``gradspec check --adapter path/to/my_adapter.py``;
- inside pytest: ``pytest --pyargs gradspec.conformance --gradspec-adapter my_package.adapter
  -p no:cacheprovider`` (one test item per clause and dtype);
- from Python::

      from gradspec.conformance import load_adapter, run_suite

      report = run_suite(load_adapter("reference"), profile="quick")
      failing = [r for r in report.results if r.outcome is Outcome.FAIL]
      for finding in report.findings:  # the distinct defects behind the failures
          print(finding.member, finding.kind, finding.clauses)
      for grade in report.accuracy:    # worst ULP vs the exact oracle, and its grade
          print(grade.member, grade.dtype, grade.grade)

Each clause owns one property (a dtype defect fails ROB-DTYPE only; the value clauses note
it and judge the values), so one defect is one *finding*, however many clauses it breaks.

``CLAUSES`` is the registry of clauses, imported on first use.
"""

from __future__ import annotations

from typing import Any

from ._adapter import AdapterLoadError, load_adapter
from ._findings import Finding
from ._grades import AccuracyGrade
from ._model import ClauseResult, Failure, Outcome
from ._report import write_json, write_junit
from ._runner import SuiteReport, run_suite

# The report objects a user reads (`SuiteReport` holds `ClauseResult`s with their `Failure`,
# `Finding`s and `AccuracyGrade`s) are public here, where the API reference documents them.
__all__ = [
    "CLAUSES",
    "AccuracyGrade",
    "AdapterLoadError",
    "ClauseResult",
    "Failure",
    "Finding",
    "Outcome",
    "SuiteReport",
    "load_adapter",
    "run_suite",
    "write_json",
    "write_junit",
]


def __getattr__(name: str) -> Any:
    # The registry imports every check module; loading it only when asked keeps
    # `import gradspec.conformance` cheap for the pytest plugin and the CLI's --help.
    if name == "CLAUSES":
        from .clauses import CLAUSES

        return CLAUSES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
