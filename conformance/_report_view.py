"""Reading a JSON report (``report_to_json``) for people: its findings, given or derived.

A report that has a ``findings`` list (one entry per distinct defect, with ``member``,
``kind``, ``summary``, ``hint``, ``clauses``, ``dtypes``, ``evidence`` and ``reproducer``) is
read as it is. A report without one gets one finding per failing clause, built from that
clause's first failing dtype: ``kind`` is ``"clause"``, ``clauses`` the clause alone,
``dtypes`` the dtypes it failed in, ``evidence`` empty. Either way every finding also has
``text``: the failure message as the CLI prints it (empty when the report gives none).

Used by the notebook display (``_html.py``) and by ``gradspec grade``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["findings_of"]


def findings_of(report: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The report's findings, or one per failing clause (see the module docstring)."""
    if not report:
        return []
    given = report.get("findings")
    if isinstance(given, list):
        return [_normal(item) for item in given if isinstance(item, Mapping)]
    derived = []
    for row in report.get("clauses", []):
        if row.get("outcome") != "fail":
            continue
        failing = [d for d in row.get("dtypes", []) if d.get("outcome") == "fail"]
        failure = next((d["failure"] for d in failing if isinstance(d.get("failure"), Mapping)), {})
        derived.append(
            _normal(
                {
                    "member": _member_of(row["id"], failure.get("summary", "")),
                    "kind": "clause",
                    "summary": failure.get("summary") or f"{row['id']} failed",
                    "hint": failure.get("hint"),
                    "clauses": [row["id"]],
                    "dtypes": [d.get("dtype") for d in failing],
                    "evidence": {},
                    "reproducer": failure.get("reproducer") or "",
                    "text": failure.get("text") or "",
                }
            )
        )
    return derived


def _normal(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "member": item.get("member"),
        "kind": str(item.get("kind") or "defect"),
        "summary": str(item.get("summary") or ""),
        "hint": item.get("hint"),
        "clauses": [str(c) for c in item.get("clauses") or []],
        "dtypes": [str(d) for d in item.get("dtypes") or []],
        "evidence": dict(item.get("evidence") or {}),
        "reproducer": str(item.get("reproducer") or ""),
        "text": str(item.get("text") or ""),
    }


def _member_of(clause_id: str, summary: str) -> str | None:
    """The member a failing clause is about: the one its summary names, else its first."""
    from .clauses import get_clause

    try:
        members = get_clause(clause_id).members
    except KeyError:
        return None
    # The member the summary names first ("tanh_derivative(z) disagrees with ... tanh"),
    # the longer name winning where one contains the other.
    named = sorted((summary.find(m), -len(m), m) for m in members if m in summary)
    return named[0][2] if named else (members[0] if members else None)
