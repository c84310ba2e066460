"""Machine-readable reports of a run: JSON and JUnit XML, both written atomically.

The CLI writes them after every clause too, marked ``"complete": false`` (JUnit: the suite
property ``complete``), so a run that is interrupted, stopped by its time limit or killed
leaves the rows it finished, and never an older report that looks current.

JSON report (``schema_version`` 1; `REPORT_SCHEMA` is the same as a JSON Schema)::

    {
      "schema_version": 1,
      "gradspec_version": "0.1.0",
      "adapter": {"spec": "reference", "name": "gradspec reference"},
      "library_versions": {"numpy": "2.4.0", ...},
      "profile": "default", "seed": 0, "strict": false, "select": null,
      "python": "3.11.9", "platform": "Linux-...", "started": "2025-01-01T00:00:00+00:00",
      "seconds": 12.3, "complete": true, "incomplete_reason": null,
      "summary": {"pass": 38, "acceptable": 2, "fail": 0, "not_provided": 0,
                  "examples": 4321, "executed": 80, "exit_status": 0,
                  "calls": 5000, "shapes": 150, "defects": 0},
      "findings": [
        {"member": "relu_derivative", "kind": "dtype", "summary": "...", "hint": "...",
         "clauses": ["ROB-DTYPE"], "dtypes": ["float32"],
         "evidence": {"dtype": "float32", "input": null, "expected": "float32",
                      "actual": "float64", "error": null},
         "reproducer": "..."}
      ],
      "accuracy": [
        {"member": "tanh_derivative", "dtype": "float64", "worst_ulp": 1.0,
         "worst_input": -2.4e-14, "grade": "faithful"}, ...
      ],
      "required_accuracy": null,
      "clauses": [
        {"id": "ACT-SIGMOID-VALUE", "title": "...", "outcome": "pass", "examples": 120,
         "worst_ulp": 1.0, "worst_abs": 1e-16, "worst_rel": 2e-16, "flags": {}, "reason": null,
         "seconds": 0.4, "calls": 130, "shapes": 12,
         "dtypes": [
           {"dtype": "float32", "outcome": "pass", "examples": 60, "worst_ulp": 0.5, ...,
            "failure": null},
           ...
         ]}
      ]
    }

Findings are the distinct defects behind the failures (`gradspec.conformance._findings`);
``accuracy`` grades every elementwise member and dtype (`gradspec.conformance._grades`).
Outcomes are ``"pass"``, ``"acceptable"``, ``"fail"`` and ``"not provided"``. The clause row
combines its dtypes (worst outcome, examples added up); ``dtypes`` keeps each one. A failure
has every field of `gradspec.conformance._model.Failure` plus ``text``, the message
exactly as the CLI prints it. Arrays become nested lists; NaN and infinities, which JSON
cannot hold, become the strings ``"nan"``, ``"inf"`` and ``"-inf"``; any other object its
``repr``. ``calls`` counts adapter calls and ``shapes`` the distinct (member, dtype, argument
shapes) combinations among them (in the summary: over the whole run).

JUnit XML: one ``<testcase>`` per clause and dtype, named ``ID[dtype]``. A failure is a
``<failure>`` with the same text; not provided is ``<skipped>`` with the reason; an acceptable
result passes with the flags in ``<system-out>`` (the common JUnit schema allows
``<properties>`` only on the suite). Terminal escapes and characters XML cannot hold are
removed from every text, so any exception message gives a well-formed file.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from ._adapter import without_escapes
from ._findings import Finding, defects_line, format_findings
from ._format import format_failure, format_summary, format_table
from ._grades import as_json
from ._html import report_html
from ._model import ClauseResult, Failure, Outcome
from ._results import RunResults, exit_status

__all__ = [
    "REPORT_SCHEMA",
    "SuiteReport",
    "junit_tree",
    "report_to_json",
    "write_json",
    "write_junit",
]

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_FLAGS = {"type": "object", "additionalProperties": {"type": "string"}}
_OUTCOME = {"enum": [outcome.value for outcome in Outcome]}

_FAILURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [*(f.name for f in fields(Failure)), "text"],
    "properties": {
        "clause_id": {"type": "string"},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "inputs": {"type": "object"},
        "index": {"type": ["array", "null"], "items": {"type": "integer"}},
        "abs_error": _NUMBER_OR_NULL,
        "rel_error": _NUMBER_OR_NULL,
        "ulp_error": _NUMBER_OR_NULL,
        "hint": {"type": ["string", "null"]},
        "reproducer": {"type": "string"},
        "text": {"type": "string"},
    },
}

_ROW_PROPERTIES: dict[str, Any] = {
    "outcome": _OUTCOME,
    "examples": {"type": "integer", "minimum": 0},
    "worst_ulp": _NUMBER_OR_NULL,
    "worst_abs": _NUMBER_OR_NULL,
    "worst_rel": _NUMBER_OR_NULL,
    "flags": _FLAGS,
    "reason": {"type": ["string", "null"]},
    "seconds": {"type": "number", "minimum": 0},
    "calls": {"type": "integer", "minimum": 0},
    "shapes": {"type": "integer", "minimum": 0},
    "worst_tol": _NUMBER_OR_NULL,
    "notes": _FLAGS,
}

#: The JSON report's schema (JSON Schema, draft 2020-12 keywords only).
#: The counts of a report's summary, each a non-negative integer.
_SUMMARY_COUNTS = (
    "pass",
    "acceptable",
    "fail",
    "not_provided",
    "examples",
    "executed",
    "exit_status",
    "calls",
    "shapes",
    "defects",
)

_FINDING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "member",
        "kind",
        "summary",
        "hint",
        "clauses",
        "dtypes",
        "evidence",
        "reproducer",
    ],
    "properties": {
        "member": {"type": "string"},
        "kind": {"type": "string"},
        "summary": {"type": "string"},
        "hint": {"type": ["string", "null"]},
        "clauses": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "dtypes": {"type": "array", "items": {"enum": ["float32", "float64"]}},
        "evidence": {
            "type": "object",
            "required": ["dtype", "input", "expected", "actual", "error"],
            "properties": {
                "dtype": {"type": ["string", "null"]},
                "error": {"type": ["string", "null"]},
            },
        },
        "reproducer": {"type": "string"},
    },
}
_ACCURACY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["member", "dtype", "worst_ulp", "worst_input", "grade"],
    "properties": {
        "member": {"type": "string"},
        "dtype": {"enum": ["float32", "float64"]},
        "worst_ulp": {"type": ["number", "string"]},
        "worst_input": {"type": ["number", "string"]},
        "grade": {"type": "string"},
    },
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "gradspec conformance report",
    "type": "object",
    "required": [
        "schema_version",
        "gradspec_version",
        "adapter",
        "library_versions",
        "profile",
        "seed",
        "strict",
        "select",
        "python",
        "platform",
        "started",
        "seconds",
        "complete",
        "incomplete_reason",
        "summary",
        "findings",
        "accuracy",
        "clauses",
    ],
    "properties": {
        "schema_version": {"const": 1},
        "gradspec_version": {"type": "string"},
        "adapter": {
            "type": "object",
            "required": ["spec", "name"],
            "properties": {"spec": {"type": "string"}, "name": {"type": "string"}},
        },
        "library_versions": {"type": "object", "additionalProperties": {"type": "string"}},
        "profile": {"enum": ["quick", "default", "thorough"]},
        "seed": {"type": "integer"},
        "strict": {"type": "boolean"},
        "select": {"type": ["string", "null"]},
        "python": {"type": "string"},
        "platform": {"type": "string"},
        "started": {"type": "string"},
        "seconds": {"type": "number", "minimum": 0},
        "complete": {"type": "boolean"},
        "incomplete_reason": {"type": ["string", "null"]},
        "summary": {
            "type": "object",
            "required": list(_SUMMARY_COUNTS),
            "properties": {name: {"type": "integer", "minimum": 0} for name in _SUMMARY_COUNTS},
        },
        "findings": {"type": "array", "items": _FINDING_SCHEMA},
        "accuracy": {"type": "array", "items": _ACCURACY_SCHEMA},
        "required_accuracy": {"type": ["string", "null"]},
        "clauses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", *_ROW_PROPERTIES, "dtypes"],
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    **_ROW_PROPERTIES,
                    "dtypes": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["dtype", *_ROW_PROPERTIES, "failure"],
                            "properties": {
                                "dtype": {"enum": ["float32", "float64"]},
                                **_ROW_PROPERTIES,
                                "failure": {"oneOf": [{"type": "null"}, _FAILURE_SCHEMA]},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _jsonable(value: Any) -> Any:
    """Convert NumPy values and non-finite floats into plain JSON."""
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return repr(value)


def _failure_json(failure: Failure, dtype: str | None) -> dict[str, Any]:
    data = {f.name: _jsonable(getattr(failure, f.name)) for f in fields(Failure)}
    data["text"] = format_failure(failure, dtype)
    return data


def _row_json(row: ClauseResult) -> dict[str, Any]:
    return {
        "outcome": row.outcome.value,
        "examples": row.examples,
        "worst_ulp": _jsonable(row.worst_ulp),
        "worst_abs": _jsonable(row.worst_abs),
        "worst_rel": _jsonable(row.worst_rel),
        "flags": dict(row.flags),
        "reason": row.reason,
        "seconds": row.seconds,
        "calls": row.calls,
        "shapes": len(row.shapes),
        "worst_tol": _jsonable(row.worst_tol),
        "notes": dict(row.notes),
    }


class SuiteReport(RunResults):
    """A run's results (`RunResults`) with the forms users read them in.

    What `gradspec.check` returns in a notebook and ``run_suite`` returns in code: the
    verdict (``ok``), the findings, the JSON data, and the text and HTML displays.

    Attributes
    ----------
    adapter_spec, adapter_name : str
        How the adapter was named, and its display name.
    library_versions : dict[str, str]
        Versions of numpy and of the libraries the adapter imported (torch, jax...).
    gradspec_version, profile, python, platform : str
        The run's environment and search effort.
    seed : int
    strict : bool
    started : str
        Start time, ISO 8601 in UTC.
    seconds : float
        Wall-clock duration of the whole run.
    results : list of ClauseResult
        One row per clause and dtype, in clause order.
    select : str or None
        The selection pattern, if the run was restricted.
    complete : bool
        False while the run goes on, and for a run that stopped early (Ctrl-C, time limit):
        its rows are then only those done so far.
    incomplete_reason : str or None
        Why an incomplete run stopped.
    clause_members : dict of str to tuple of str
        The members each clause run needs (names the member of a failure that names none).
    accuracy : list of AccuracyGrade
        The accuracy of every elementwise member and dtype (see ``_accuracy_grades``).
    """

    def to_json(self) -> dict:
        """The report as plain JSON data, as ``--report-json`` writes it."""
        return report_to_json(self)

    def summary_line(self) -> str:
        """The closing line the CLI prints: outcomes, defects, examples, calls, time."""
        return format_summary(
            self.counts(),
            examples=self.examples,
            seconds=self.seconds,
            strict=self.strict,
            calls=self.calls,
            shapes=self.shapes,
            defects=defects_line(self.findings),
        )

    def __str__(self) -> str:
        found = self.findings
        parts = [format_findings(found)] if found else []
        return "\n\n".join([*parts, format_table(self.by_clause()), self.summary_line()])

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        # IPython's plain-text display: the same text as str(), not the dataclass repr.
        printer.text(str(self))  # type: ignore[attr-defined]

    def _repr_html_(self) -> str:
        return report_html(self.to_json())


def report_to_json(report: RunResults) -> dict[str, Any]:
    """The report as plain JSON data (see the module docstring for the layout)."""
    per_clause: dict[str, list[ClauseResult]] = {}
    for result in report.results:
        per_clause.setdefault(result.clause_id, []).append(result)
    combined = {row.clause_id: row for row in report.by_clause()}
    clauses = []
    for clause_id, rows in per_clause.items():
        row = combined[clause_id]
        dtypes = [
            {
                "dtype": each.dtype,
                **_row_json(each),
                "failure": None
                if each.failure is None
                else _failure_json(each.failure, each.dtype),
            }
            for each in rows
        ]
        clauses.append({"id": clause_id, "title": row.title, **_row_json(row), "dtypes": dtypes})
    counts = report.counts()
    found = report.findings
    return {
        "schema_version": 1,
        "gradspec_version": report.gradspec_version,
        "adapter": {"spec": report.adapter_spec, "name": report.adapter_name},
        "library_versions": dict(report.library_versions),
        "profile": report.profile,
        "seed": report.seed,
        "strict": report.strict,
        "select": report.select,
        "python": report.python,
        "platform": report.platform,
        "started": report.started,
        "seconds": report.seconds,
        "complete": report.complete,
        "incomplete_reason": report.incomplete_reason,
        "summary": {
            "pass": counts[Outcome.PASS],
            "acceptable": counts[Outcome.ACCEPTABLE],
            "fail": counts[Outcome.FAIL],
            "not_provided": counts[Outcome.NOT_PROVIDED],
            "examples": report.examples,
            "executed": report.executed,
            "exit_status": exit_status(report),
            "calls": report.calls,
            "shapes": report.shapes,
            "defects": len(found),
        },
        "findings": [_finding_json(finding) for finding in found],
        "accuracy": [_jsonable(as_json(grade)) for grade in report.accuracy],
        "required_accuracy": report.required_accuracy,
        "clauses": clauses,
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    e = finding.evidence
    return {
        "member": finding.member,
        "kind": finding.kind,
        "summary": finding.summary,
        "hint": finding.hint,
        "clauses": list(finding.clauses),
        "dtypes": list(finding.dtypes),
        "evidence": {
            "dtype": e.dtype,
            "input": _jsonable(e.input),
            "expected": _jsonable(e.expected),
            "actual": _jsonable(e.actual),
            "error": e.error,
        },
        "reproducer": finding.reproducer,
    }


def _write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    # Written beside the target and renamed over it, so a reader (a CI step, a dashboard)
    # never sees half a report, and an interrupted run leaves the previous one intact.
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp creates the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(report: RunResults, path: str | os.PathLike[str]) -> None:
    """Write the JSON report to ``path`` (UTF-8, indented, atomically)."""
    text = json.dumps(report_to_json(report), indent=2, allow_nan=False) + "\n"
    _write_atomically(path, text.encode("utf-8"))


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without terminal escape sequences and characters XML 1.0 cannot hold.

    Examples
    --------
    >>> xml_text(chr(27) + "[31mred" + chr(27) + "[0m" + chr(7) + " text")
    'red text'
    """
    return _NOT_XML.sub("", without_escapes(text))


def junit_tree(report: RunResults) -> ET.ElementTree:
    """The JUnit XML document: one testcase per clause and dtype."""
    failures = sum(r.outcome is Outcome.FAIL for r in report.results)
    skipped = sum(r.outcome is Outcome.NOT_PROVIDED for r in report.results)
    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=xml_text(f"gradspec conformance: {report.adapter_name}"),
        tests=str(len(report.results)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{report.seconds:.3f}",
        timestamp=report.started,
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("adapter", report.adapter_spec),
        ("gradspec", report.gradspec_version),
        ("profile", report.profile),
        ("seed", str(report.seed)),
        ("strict", str(report.strict).lower()),
        ("complete", str(report.complete).lower()),
        *([("incomplete_reason", report.incomplete_reason)] if report.incomplete_reason else []),
        ("calls", str(report.calls)),
        ("shapes", str(report.shapes)),
        *sorted(report.library_versions.items()),
        ("defects", defects_line(report.findings)),
        *(
            ("finding", f"{f.member}: {f.summary} (breaks {', '.join(f.clauses)})")
            for f in report.findings
        ),
        *(("accuracy", f"{g.member} [{g.dtype}]: {g.grade}") for g in report.accuracy),
    ):
        ET.SubElement(properties, "property", name=xml_text(name), value=xml_text(value))
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="gradspec.conformance",
            name=f"{result.clause_id}[{result.dtype}]",
            time=f"{result.seconds:.3f}",
        )
        if result.outcome is Outcome.FAIL and result.failure is not None:
            failure = ET.SubElement(case, "failure", message=xml_text(result.failure.summary))
            failure.text = xml_text(format_failure(result.failure, result.dtype))
        elif result.outcome is Outcome.NOT_PROVIDED:
            ET.SubElement(case, "skipped", message=xml_text(f"not provided: {result.reason}"))
        elif result.flags:
            out = ET.SubElement(case, "system-out")
            out.text = xml_text(
                "acceptable: " + "; ".join(f"{n} ({d})" for n, d in result.flags.items())
            )
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report: RunResults, path: str | os.PathLike[str]) -> None:
    """Write the JUnit XML report to ``path`` (UTF-8, atomically)."""
    root = junit_tree(report).getroot()
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    _write_atomically(path, data + b"\n")
