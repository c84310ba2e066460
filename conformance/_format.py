"""Text for people: the failure message, the progress line, the table and the summary.

Every failure, wherever it is shown (CLI, pytest, JSON, JUnit), uses `format_failure`,
one pattern written for a student who has never seen the suite's code::

    FAIL ACT-TANH-DERIVATIVE-VALUE  tanh'(z) matches the reference  [float64]
      tanh_derivative(z) differs from the reference
      worst element: index (3,), input z = 0.5
      expected 0.7864477329659274, got 0.4621171572600098
      error: abs 3.2e-01, rel 4.1e-01, 1.8e+15 ULP
      hint: ...
      reproduce:
        <Python code>

Lines with nothing to say are left out; the first two are always there.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._model import ClauseResult, Failure, Outcome

__all__ = [
    "error_parts",
    "format_accuracy_table",
    "format_failure",
    "format_progress",
    "format_summary",
    "format_table",
    "format_value",
    "worst_error",
]

_INDENT = "  "

#: How outcomes read in tables: failures stand out, the rest is quiet.
_LABELS = {
    Outcome.PASS: "pass",
    Outcome.ACCEPTABLE: "acceptable",
    Outcome.FAIL: "FAIL",
    Outcome.NOT_PROVIDED: "not provided",
}


def format_value(value: Any) -> str:
    """A value as a student would type it: full float precision, short arrays in full.

    >>> format_value(np.float64(0.1))
    '0.1'
    >>> format_value(np.array([1.0, -0.5], dtype=np.float32))
    'array([ 1. , -0.5], dtype=float32)'
    """
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=17, threshold=12, edgeitems=3, floatmode="maxprec"):
            return repr(value)
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def format_failure(failure: Failure, dtype: str | None = None) -> str:
    """The failure message in the suite's one pattern (see the module docstring)."""
    suffix = f"  [{dtype}]" if dtype else ""
    lines = [f"FAIL {failure.clause_id}  {failure.title}{suffix}", _INDENT + failure.summary]
    if failure.inputs and failure.index is None:
        for name, value in failure.inputs.items():
            lines.append(f"{_INDENT}input {name} = {format_value(value)}")
    if failure.index is not None:
        element = f"{_INDENT}worst element: index {tuple(int(i) for i in failure.index)}"
        if failure.input_value is not None:
            element += f", input {_input_name(failure)} = {format_value(failure.input_value)}"
        # Arguments other than the arrays (negative_slope) belong to the example too.
        for name, value in failure.inputs.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                element += f", {name} = {format_value(value)}"
        lines.append(element)
    if failure.expected is not None or failure.actual is not None:
        lines.append(
            f"{_INDENT}{failure.expected_label} {format_value(failure.expected)}, "
            f"got {format_value(failure.actual)}"
        )
    errors = error_parts(failure)
    if errors:
        lines.append(f"{_INDENT}error: {', '.join(errors)}")
    if failure.tolerance:
        lines.append(f"{_INDENT}tolerance: {failure.tolerance}")
    if failure.hint:
        lines.append(f"{_INDENT}hint: {failure.hint}")
    if failure.reproducer:
        lines.append(f"{_INDENT}reproduce:")
        lines.append(textwrap.indent(failure.reproducer.rstrip(), _INDENT * 2))
    return "\n".join(lines)


def _input_name(failure: Failure) -> str:
    # An elementwise clause has a single array input; name it so the student knows which one.
    arrays = [k for k, v in failure.inputs.items() if isinstance(v, np.ndarray)]
    return arrays[0] if len(arrays) == 1 else "value"


def error_parts(failure: Failure) -> list[str]:
    """The errors of a failure, as the messages print them (abs, rel, ULP)."""
    parts = []
    if failure.abs_error is not None:
        parts.append(f"abs {failure.abs_error:.1e}")
    if failure.rel_error is not None:
        parts.append(f"rel {failure.rel_error:.1e}")
    if failure.ulp_error is not None:
        parts.append(f"{failure.ulp_error:.3g} ULP")
    return parts


def worst_error(result: ClauseResult) -> str:
    """The table's "worst error" cell, saying what it measures.

    ULPs where the clause measures them, with the share of the tolerance used (``"tol
    0.12"``: the worst error was 12% of what the clause allows); else that share alone;
    ``"exact"`` for a clause whose property holds exactly or not at all (shapes, dtypes,
    rejections); ``"-"`` when nothing was measured.
    """
    share = f"tol {result.worst_tol:.2g}" if result.worst_tol is not None else None
    if result.worst_ulp is not None:
        return f"{result.worst_ulp:.3g} ULP" + (f", {share}" if share else "")
    if share:
        return share
    if result.worst_rel is not None and result.worst_rel > 0:
        return f"rel {result.worst_rel:.1e}"
    if result.worst_abs is not None and result.worst_abs > 0:
        return f"abs {result.worst_abs:.1e}"
    return "exact" if result.examples else "-"


def format_progress(result: ClauseResult, done: int, total: int) -> str:
    """One line per clause and dtype, for stderr while the suite runs."""
    width = len(str(total))
    dtype = f" [{result.dtype}]" if result.dtype else ""
    detail = (
        result.reason
        if result.outcome is Outcome.NOT_PROVIDED
        else f"{result.examples} examples, {result.calls} calls, {len(result.shapes)} shapes, "
        f"{result.seconds:.2f} s"
    )
    return (
        f"[{done:>{width}}/{total}] {result.clause_id}{dtype} {_LABELS[result.outcome]} ({detail})"
    )


def format_table(rows: Sequence[ClauseResult], *, title_width: int = 44) -> str:
    """A fixed-width table, one row per clause, then the reasons and flags worth reading."""
    header = ("clause", "title", "outcome", "examples", "worst error (tol: share used)")
    cells = [
        (
            row.clause_id,
            _clip(row.title, title_width),
            _LABELS[row.outcome],
            str(row.examples),
            worst_error(row),
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]

    def render(line: Sequence[str]) -> str:
        left = [text.ljust(width) for text, width in zip(line[:3], widths[:3], strict=True)]
        right = [line[3].rjust(widths[3]), line[4]]
        return "  ".join([*left, *right]).rstrip()

    out = [render(header), render(["-" * width for width in widths])]
    out.extend(render(line) for line in cells)
    notes = []
    for row in rows:
        if row.outcome is Outcome.NOT_PROVIDED and row.reason:
            notes.append(f"not provided  {row.clause_id}: {row.reason}")
        for name, detail in row.flags.items():
            notes.append(f"flag          {row.clause_id}: {name} ({detail})")
    if notes:
        out.append("")
        out.extend(notes)
    return "\n".join(out)


def format_accuracy_table(grades: Sequence[Any]) -> str:
    """Accuracy grades (`gradspec.conformance._grades`): one row per member, a cell per dtype."""
    by_member: dict[str, dict[str, Any]] = {}
    for grade in grades:
        by_member.setdefault(grade.member, {})[grade.dtype] = grade
    dtypes = sorted({grade.dtype for grade in grades})
    cells = [
        [member]
        + [f"{row[d].worst_ulp:.3g} ULP {row[d].grade}" if d in row else "-" for d in dtypes]
        for member, row in by_member.items()
    ]
    header = ["accuracy (worst error vs the exact oracle)", *dtypes]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    out = [
        "  ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, ["-" * w for w in widths], *cells]
    ]
    points = max((grade.points for grade in grades), default=0)
    out.append(
        f"(up to {points} finite inputs per member and dtype over the whole range; a grade is "
        "not a verdict: --accuracy GRADE makes one a requirement)"
    )
    return "\n".join(out)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_summary(
    counts: dict[Outcome, int],
    *,
    examples: int,
    seconds: float,
    strict: bool = False,
    calls: int | None = None,
    shapes: int | None = None,
    defects: str | None = None,
) -> str:
    """The closing line: counts by outcome, the defects (``"2 defects in 2 members"``),
    examples (adapter calls, distinct shapes) and time."""
    clauses = sum(counts.values())
    parts = [
        f"{counts[Outcome.PASS]} pass",
        f"{counts[Outcome.ACCEPTABLE]} acceptable",
        f"{counts[Outcome.FAIL]} fail",
        f"{counts[Outcome.NOT_PROVIDED]} not provided",
    ]
    mode = " (strict)" if strict else ""
    found = f"; {defects}" if defects else ""
    work = f"{examples} examples"
    if calls is not None:
        work += f", {calls} adapter calls"
    if shapes is not None:
        work += f", {shapes} distinct shapes"
    return f"{clauses} clauses{mode}: {', '.join(parts)}{found}; {work} in {seconds:.1f} s"
