"""Findings: the distinct defects behind a run's failures, one per (member, what is wrong).

Clauses are the spec's statements; a user fixes *defects*. One defect usually breaks several
clauses (a tanh' without its square fails its value clause, its identity, its finite
difference check and the large-input clause, in both dtypes), and since every clause owns one
property and judges every member, each failure names the member at fault and the kind of
defect (`gradspec.conformance._model.KINDS`). A finding groups the failures of one member
and kind, over every clause and dtype:

- ``member``, ``kind`` and ``summary``: what is wrong;
- ``clauses`` and ``dtypes``: where it shows;
- ``evidence``: the worst input, expected and actual values and the error, from the failure
  that shows it best (a clause of the member's own, before a clause that involves several);
- ``hint``: the best hint of any of its failures, in any dtype: a recognised formula first,
  a pattern next, a range of inputs last;
- ``reproducer``: that failure's copy-paste Python.

A failure that involves several members (an identity, a finite-difference check: ``member``
``"tanh_derivative+tanh"``) joins the finding of one of them that failed on its own (of the
same kind if there is one), and makes a finding of its first member otherwise. Wrong values
whose every hint is "transposed" join the member's wrong-shape finding. Ops an engine does
not support are one finding each ("op hardtanh unsupported").

Examples
--------
>>> from gradspec.conformance._model import ClauseResult, Failure, Outcome
>>> bad = Failure("ROB-DTYPE", "t", "relu_derivative returns dtype float64 for float32 input",
...               member="relu_derivative", kind="dtype", dtype="float32")
>>> row = ClauseResult("ROB-DTYPE", "t", "float32", Outcome.FAIL, 3, failure=bad,
...                    failures=(bad,))
>>> [(f.member, f.kind, f.clauses) for f in findings([row])]
[('relu_derivative', 'dtype', ('ROB-DTYPE',))]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._model import KINDS, ClauseResult, Failure
from .contract import MEMBERS

__all__ = ["Evidence", "Finding", "defects_line", "findings", "format_findings", "hint_rank"]

#: Kinds whose failures are distinct defects per summary, not per member.
_PER_SUMMARY = ("unsupported-op",)
_MEMBER_IN_REPRODUCER = re.compile(r"adapter\.call\('([a-z_]+)'")


@dataclass(frozen=True)
class Evidence:
    """The worst example of a finding: dtype, input, expected, actual and the error."""

    dtype: str | None
    input: Any
    expected: Any
    actual: Any
    error: str | None


@dataclass(frozen=True)
class Finding:
    """One distinct defect (see the module docstring).

    Attributes
    ----------
    member : str
        The contract member at fault (``"tanh_derivative"``).
    kind : str
        What is wrong, a key of ``KINDS`` (``"value"``, ``"dtype"``, ``"nan"``, ...).
    summary : str
        The defect in one sentence.
    hint : str or None
        The most telling hint of its failures (a recognised formula first).
    clauses, dtypes : tuple of str
        Every clause and dtype where it shows.
    evidence : Evidence
        The worst example: dtype, input, expected, actual and the error.
    reproducer : str
        Copy-paste Python that shows it.
    """

    member: str
    kind: str
    summary: str
    hint: str | None
    clauses: tuple[str, ...]
    dtypes: tuple[str, ...]
    evidence: Evidence
    reproducer: str

    @property
    def what(self) -> str:
        """The kind in words (``"wrong result dtype"``)."""
        return KINDS.get(self.kind, self.kind)


def hint_rank(hint: str | None) -> int:
    """How telling a hint is, lower is better: a recognised formula, a pattern, a range."""
    if not hint:
        return 9
    if hint.startswith("matches "):
        return 0
    if hint.startswith(("sign flipped", "off by a constant", "transposed")):
        return 1
    if hint.startswith("wrong only for some inputs"):
        return 3
    return 2


def _members(failure: Failure, clause_members: dict[str, tuple[str, ...]]) -> list[str]:
    if failure.member:
        return failure.member.split("+")
    found = _MEMBER_IN_REPRODUCER.search(failure.reproducer or "")
    if found:
        return [found.group(1)]
    named = re.match(r"[a-z_]+", failure.summary or "")
    if named and named.group(0) in MEMBERS:
        return [named.group(0)]
    members = clause_members.get(failure.clause_id, ())
    return list(members[:1]) or ["adapter"]


def _error_text(failure: Failure) -> str | None:
    from ._format import error_parts

    parts = error_parts(failure)
    if failure.tolerance:
        parts.append(f"tolerance {failure.tolerance}")
    if parts:
        return ", ".join(parts)
    return failure.summary if failure.kind in ("raises", "form", "unsupported-op") else None


def findings(
    results: Sequence[ClauseResult], clause_members: dict[str, tuple[str, ...]] | None = None
) -> list[Finding]:
    """The distinct defects behind ``results`` (the rows of a report), in report order.

    Parameters
    ----------
    results : sequence of ClauseResult
        One row per clause and dtype, each with its ``failures``.
    clause_members : dict, optional
        Each clause's members, to name the member of a failure that names none.
    """
    clause_members = clause_members or {}
    failures = [
        f for row in results for f in (row.failures or ((row.failure,) if row.failure else ()))
    ]
    groups: dict[tuple[str, ...], list[Failure]] = {}

    def key(member: str, failure: Failure) -> tuple[str, ...]:
        if failure.kind in _PER_SUMMARY:
            return (member, failure.kind, failure.summary.split(":")[0])
        return (member, failure.kind)

    # Failures of one member first, so that joint ones find their finding.
    joint = []
    for failure in failures:
        members = _members(failure, clause_members)
        if len(members) > 1:
            joint.append((failure, members))
        else:
            groups.setdefault(key(members[0], failure), []).append(failure)
    # A transposed result where the shape could not tell (a square array) is the same defect
    # as the transposed shape the shape clause found.
    for (member, kind, *rest), group in list(groups.items()):
        if kind == "value" and (member, "shape") in groups:
            if all((f.hint or "").startswith("transposed") for f in group):
                groups[(member, "shape")].extend(groups.pop((member, kind, *rest)))
    for failure, members in joint:
        home = next((key(m, failure) for m in members if key(m, failure) in groups), None)
        # A joint check (identity, finite difference) is a symptom of a defect already
        # found in one of its members, of whatever kind, where there is one.
        home = home or next((k for m in members for k in groups if k[0] == m), None)
        groups.setdefault(home or key(members[0], failure), []).append(failure)

    out = []
    for (member, kind, *_), group in groups.items():
        own = [f for f in group if f.member is None or "+" not in f.member]
        best = (own or group)[0]
        hint = min((f.hint for f in group if f.hint), key=hint_rank, default=None)
        out.append(
            Finding(
                member=member,
                kind=kind,
                summary=best.summary,
                hint=hint,
                clauses=tuple(dict.fromkeys(f.clause_id for f in group)),
                dtypes=tuple(sorted({f.dtype for f in group if f.dtype})),
                evidence=Evidence(
                    dtype=best.dtype,
                    input=best.input_value if best.input_value is not None else None,
                    expected=best.expected,
                    actual=best.actual,
                    error=_error_text(best),
                ),
                reproducer=best.reproducer,
            )
        )
    return out


def defects_line(found: Sequence[Finding]) -> str:
    """``"2 defects in 2 members"`` (``"no defect"`` when there is none)."""
    if not found:
        return "no defect"
    members = len({f.member for f in found})
    return (
        f"{len(found)} defect{'s' if len(found) != 1 else ''} in {members} "
        f"member{'s' if members != 1 else ''}"
    )


def format_findings(found: Sequence[Finding]) -> str:
    """The findings as the CLI prints them, each with its evidence and reproducer."""
    from ._format import format_value

    lines = [defects_line(found)]
    for number, finding in enumerate(found, start=1):
        lines.append("")
        lines.append(f"{number}. {finding.member}: {finding.what}")
        lines.append(f"   {finding.summary}")
        dtypes = f" [{', '.join(finding.dtypes)}]" if finding.dtypes else ""
        lines.append(f"   breaks: {', '.join(finding.clauses)}{dtypes}")
        e = finding.evidence
        if e.input is not None or e.expected is not None or e.actual is not None:
            parts = []
            if e.input is not None:
                parts.append(f"input {format_value(e.input)}")
            if e.expected is not None or e.actual is not None:
                parts.append(f"expected {format_value(e.expected)}, got {format_value(e.actual)}")
            lines.append(f"   worst [{e.dtype}]: " + "; ".join(parts))
        if e.error and e.error != finding.summary:
            lines.append(f"   error: {e.error}")
        if finding.hint:
            lines.append(f"   hint: {finding.hint}")
        if finding.reproducer:
            lines.append("   reproduce:")
            lines.extend("     " + line for line in finding.reproducer.rstrip().splitlines())
    return "\n".join(lines)
