"""What one run of the suite found: its rows, outcomes, findings and exit status.

The data of a run, apart from how it is shown: `gradspec.conformance._report` builds the
user-facing `SuiteReport` (JSON, JUnit, text, notebook displays) on `RunResults`, and the
runner fills one in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._findings import Finding, findings
from ._grades import meets
from ._model import ClauseResult, Outcome

__all__ = ["SEVERITY", "RunResults", "combine", "exit_status"]

#: Severity used to combine rows: the worst outcome wins.
SEVERITY = {Outcome.NOT_PROVIDED: 0, Outcome.PASS: 1, Outcome.ACCEPTABLE: 2, Outcome.FAIL: 3}


@dataclass
class RunResults:
    """Everything one run of the suite found, with what is needed to reproduce it.

    The fields are documented on `gradspec.conformance._report.SuiteReport`, the form users get.
    """

    adapter_spec: str
    adapter_name: str
    library_versions: dict[str, str]
    gradspec_version: str
    profile: str
    seed: int
    strict: bool
    python: str
    platform: str
    started: str
    seconds: float = 0.0
    results: list[ClauseResult] = field(default_factory=list)
    select: str | None = None
    complete: bool = True
    incomplete_reason: str | None = None
    clause_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    accuracy: list[Any] = field(default_factory=list)
    #: The grade every elementwise member must reach (``--accuracy``), if any.
    required_accuracy: str | None = None

    def below_accuracy(self) -> list[Any]:
        """The accuracy grades below `required_accuracy` (none when nothing is required)."""
        if self.required_accuracy is None:
            return []
        return meets(self.accuracy, self.required_accuracy)

    @property
    def findings(self) -> list[Finding]:
        """The distinct defects behind the failures (see `gradspec.conformance._findings`)."""
        return findings(self.results, self.clause_members)

    def by_clause(self) -> list[ClauseResult]:
        """One combined row per clause (see `combine`), in clause order."""
        order: dict[str, list[ClauseResult]] = {}
        for result in self.results:
            order.setdefault(result.clause_id, []).append(result)
        return [combine(rows) for rows in order.values()]

    def counts(self) -> dict[Outcome, int]:
        """How many clauses (combined rows) ended in each outcome."""
        counts = dict.fromkeys(Outcome, 0)
        for row in self.by_clause():
            counts[row.outcome] += 1
        return counts

    @property
    def examples(self) -> int:
        """Examples verified over every clause and dtype."""
        return sum(result.examples for result in self.results)

    @property
    def calls(self) -> int:
        """Adapter calls over every clause and dtype."""
        return sum(result.calls for result in self.results)

    @property
    def shapes(self) -> int:
        """Distinct (member, dtype, argument shapes) keys over the whole run."""
        keys: set[tuple[Any, ...]] = set()
        for result in self.results:
            keys |= result.shapes
        return len(keys)

    @property
    def executed(self) -> int:
        """Clause-and-dtype rows whose check actually ran (anything but not provided)."""
        return sum(result.outcome is not Outcome.NOT_PROVIDED for result in self.results)

    @property
    def ok(self) -> bool:
        """Whether the run conforms: at least one check ran and every provided one conformed."""
        return exit_status(self) == 0


def exit_status(report: RunResults) -> int:
    """0 when every provided clause conformed, at least one ran and the run completed, else 1.

    Under ``strict`` the runner has already turned acceptable results into failures, so
    this needs no flag of its own.
    """
    if report.executed == 0 or not report.complete:
        return 1
    if report.below_accuracy():
        return 1
    conforming = (Outcome.PASS, Outcome.NOT_PROVIDED, Outcome.ACCEPTABLE)
    return 0 if all(result.outcome in conforming for result in report.results) else 1


def combine(rows: Sequence[ClauseResult]) -> ClauseResult:
    """Merge one clause's per-dtype rows into the row shown in tables.

    The outcome is the worst one (fail > acceptable > pass > not provided), examples add
    up, errors are the worst seen, and the failure is the first failing dtype's.
    """
    if len(rows) == 1:
        return rows[0]
    worst = max(rows, key=lambda row: SEVERITY[row.outcome])
    flags: dict[str, str] = {}
    for row in rows:
        for name, detail in row.flags.items():
            flags.setdefault(name, detail)
    reasons = list(dict.fromkeys(row.reason for row in rows if row.reason))
    if len(reasons) > 1:
        reasons = [f"{row.dtype}: {row.reason}" for row in rows if row.reason]
    return ClauseResult(
        clause_id=rows[0].clause_id,
        title=rows[0].title,
        dtype=None,
        outcome=worst.outcome,
        examples=sum(row.examples for row in rows),
        worst_ulp=_max_or_none(row.worst_ulp for row in rows),
        worst_abs=_max_or_none(row.worst_abs for row in rows),
        worst_rel=_max_or_none(row.worst_rel for row in rows),
        worst_tol=_max_or_none(row.worst_tol for row in rows),
        flags=flags,
        failure=next((row.failure for row in rows if row.failure is not None), None),
        reason="; ".join(reasons) or None,
        seconds=sum(row.seconds for row in rows),
        calls=sum(row.calls for row in rows),
        shapes=frozenset().union(*(row.shapes for row in rows)),
        failures=tuple(f for row in rows for f in row.failures),
        notes={k: v for row in rows for k, v in row.notes.items()},
    )


def _max_or_none(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None
