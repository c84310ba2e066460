"""``feedback.md``: what one student reads about their submission.

In this order: the score and the status (and why, when it is not "graded"), the integrity
flags, the findings (each with its hint and a reproducer to run from the submission's
folder), then every graded clause with its outcome and points.
"""

from __future__ import annotations

from ._scoring import GRADED, SubmissionGrade

__all__ = ["feedback_markdown", "format_points"]

_STATUS_TEXT = {
    "timed out": "The run was stopped because it took longer than the time limit. Look for a "
    "member that loops forever or waits (input(), sleep, a lock); the clauses that did not "
    "finish earn no points.",
    "crashed": "The run ended before the suite could report: your code ended the process "
    "(sys.exit, os._exit, a signal, a crash in compiled code) or it ran out of memory.",
    "could not load": "Your submission could not be loaded, so no clause could be checked.",
}


def format_points(value: float) -> str:
    """``3.0`` -> ``"3"``, ``2.5`` -> ``"2.5"``: points as people write them."""
    return f"{value:.6g}"


def feedback_markdown(grade: SubmissionGrade) -> str:
    """The feedback page of ``grade`` (Markdown)."""
    lines = [
        f"# gradspec feedback: {grade.name}",
        "",
        f"**Score: {format_points(grade.points)} / {format_points(grade.max_points)}** "
        f"(status: {grade.status})",
        "",
    ]
    if grade.status != GRADED:
        lines += [_STATUS_TEXT.get(grade.status, ""), ""]
    if grade.reason:
        lines += ["```text", grade.reason.strip(), "```", ""]
    if grade.flags:
        lines += ["## Flagged for review", ""]
        lines += [f"- {_escape(flag)}" for flag in grade.flags]
        lines.append("")
    lines += _findings(grade)
    lines += _clause_table(grade)
    return "\n".join(lines).rstrip() + "\n"


def _findings(grade: SubmissionGrade) -> list[str]:
    if grade.status != GRADED and not grade.findings:
        return []
    lines = [f"## Findings ({len(grade.findings)})", ""]
    if not grade.findings:
        failing = [c for c in grade.clauses if c.outcome not in ("pass", "acceptable")]
        lines += [
            "No defect found in what was checked."
            if not failing
            else "No defect found; the clauses below without points were not provided "
            "(add the members they need).",
            "",
        ]
        return lines
    where = f" from your submission's folder (`{grade.shown_spec}`)" if grade.shown_spec else ""
    for number, finding in enumerate(grade.findings, start=1):
        about = f" ({finding['member']})" if finding.get("member") else ""
        lines += [f"### {number}. {_escape(finding['summary'])}{about}", ""]
        clauses = ", ".join(f"`{c}`" for c in finding["clauses"])
        dtypes = ", ".join(finding["dtypes"])
        lines.append(f"- clauses: {clauses}" + (f" ({dtypes})" if dtypes else ""))
        if finding.get("hint"):
            lines.append(f"- hint: {_escape(str(finding['hint']))}")
        lines.append("")
        seen = _what_was_seen(finding.get("text") or "")
        if seen:
            lines += ["```text", seen, "```", ""]
        if finding.get("reproducer"):
            lines += [f"Reproduce it{where}:", "", "```python"]
            lines += [finding["reproducer"].rstrip(), "```", ""]
    return lines


def _what_was_seen(text: str) -> str:
    """The failure message without its hint and reproducer, which are shown on their own."""
    kept = []
    for line in text.rstrip().splitlines():
        if line.startswith(("  hint:", "  reproduce:")):
            break
        kept.append(line)
    return "\n".join(kept)


def _clause_table(grade: SubmissionGrade) -> list[str]:
    lines = ["## Clauses", "", "| clause | title | outcome | points |", "|---|---|---|---|"]
    for clause in grade.clauses:
        dtypes = ", ".join(f"{d}: {o}" for d, o in clause.dtypes.items())
        outcome = clause.outcome + (f" ({dtypes})" if len(clause.dtypes) > 1 else "")
        lines.append(
            f"| `{clause.id}` | {_cell(clause.title)} | {_cell(outcome)} | "
            f"{format_points(clause.points)} / {format_points(clause.max_points)} |"
        )
    lines.append("")
    totals = grade.family_points
    if totals:
        lines += [
            "Points by family: "
            + ", ".join(f"{family} {format_points(points)}" for family, points in totals.items()),
            "",
        ]
    return lines


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|").replace("\n", " ")


def _escape(text: str) -> str:
    # A student's exception message could hold Markdown or HTML; show it as text.
    return text.replace("<", "&lt;").replace(">", "&gt;")
