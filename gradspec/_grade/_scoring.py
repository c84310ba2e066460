"""From a JSON report and a rubric to points, and to the findings a student reads first.

The JSON report of ``gradspec check --report-json`` is the only input: what the grader knows
about a submission is what the report says, so this module works the same whether the
report came from an in-process run or from ``--isolate``.

Findings come from ``gradspec.conformance._report_view.findings_of``: the report's own
``findings`` list when it has one, else one finding per failing clause.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ._rubric import Rubric

__all__ = [
    "CRASHED",
    "GRADED",
    "NOT_LOADED",
    "STATUSES",
    "TIMED_OUT",
    "ClauseScore",
    "SubmissionGrade",
    "score_clauses",
]

GRADED, TIMED_OUT, CRASHED, NOT_LOADED = "graded", "timed out", "crashed", "could not load"
#: Every status a submission can end in.
STATUSES: tuple[str, ...] = (GRADED, TIMED_OUT, CRASHED, NOT_LOADED)

_EARNING = {"pass": 1.0, "acceptable": None}  # None: the rubric's acceptable share


@dataclass
class ClauseScore:
    """One rubric clause for one submission."""

    id: str
    title: str
    family: str
    outcome: str  # "pass", "acceptable", "fail", "not provided" or "not run"
    points: float
    max_points: float
    dtypes: dict[str, str] = field(default_factory=dict)
    #: The failure text (as the CLI prints it), the reason it was not provided, or why it
    #: did not run.
    detail: str = ""


@dataclass
class SubmissionGrade:
    """Everything the outputs show about one submission (``grades.json`` holds these)."""

    name: str
    status: str
    points: float
    max_points: float
    family_points: dict[str, float]
    clauses: list[ClauseScore]
    findings: list[dict[str, Any]]
    #: Why the status is not "graded" (the load error, the signal, the timeout).
    reason: str | None = None
    #: Integrity flags for staff: imports of gradspec, bindings of the suite replaced.
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    isolated: bool = False
    #: The spec a student uses in reproducers, relative to the submission's folder.
    shown_spec: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionGrade:
        values = dict(data)
        values["clauses"] = [ClauseScore(**row) for row in values.get("clauses", [])]
        return cls(**values)


def score_clauses(
    report: Mapping[str, Any] | None, rubric: Rubric, *, why_not_run: str
) -> list[ClauseScore]:
    """One `ClauseScore` per rubric clause, in rubric order.

    A clause absent from the report (the run ended before it, or there is no report) is
    ``"not run"`` with 0 points and ``why_not_run`` as its detail.
    """
    rows = {row["id"]: row for row in (report or {}).get("clauses", []) if "id" in row}
    scores = []
    for clause_id, points in rubric.points.items():
        row = rows.get(clause_id)
        if row is None:
            scores.append(
                ClauseScore(
                    id=clause_id,
                    title=rubric.titles[clause_id],
                    family=rubric.families[clause_id],
                    outcome="not run",
                    points=0.0,
                    max_points=points,
                    detail=why_not_run,
                )
            )
            continue
        per_dtype = row.get("dtypes") or [row]
        share = points / len(per_dtype)
        earned = 0.0
        dtypes = {}
        texts = []
        for each in per_dtype:
            outcome = each.get("outcome", "fail")
            dtypes[str(each.get("dtype"))] = outcome
            if outcome in _EARNING:
                fraction = _EARNING[outcome]
                earned += share * (rubric.acceptable if fraction is None else fraction)
            failure = each.get("failure")
            if isinstance(failure, Mapping) and failure.get("text"):
                texts.append(str(failure["text"]))
            elif outcome == "not provided" and each.get("reason"):
                texts.append(f"not provided [{each.get('dtype')}]: {each['reason']}")
            elif each.get("flags"):
                flags = "; ".join(f"{k}: {v}" for k, v in each["flags"].items())
                texts.append(f"acceptable [{each.get('dtype')}]: {flags}")
        scores.append(
            ClauseScore(
                id=clause_id,
                title=str(row.get("title", rubric.titles[clause_id])),
                family=rubric.families[clause_id],
                outcome=str(row.get("outcome", "fail")),
                points=_round(earned),
                max_points=points,
                dtypes=dtypes,
                detail="\n\n".join(texts),
            )
        )
    return scores


def family_points(scores: Sequence[ClauseScore], rubric: Rubric) -> dict[str, float]:
    """Points earned per graded family, in registry order."""
    totals = dict.fromkeys(rubric.family_order(), 0.0)
    for score in scores:
        totals[score.family] += score.points
    return {family: _round(points) for family, points in totals.items()}


def total(scores: Sequence[ClauseScore]) -> float:
    return _round(math.fsum(score.points for score in scores))


def _round(value: float) -> float:
    # Shares of a clause's points are exact halves for two dtypes; rounding removes the
    # binary noise of sums like 0.1 + 0.2 from the CSV without hiding real differences.
    return round(value, 6)
