"""The report as HTML, for Jupyter's rich display (``SuiteReport._repr_html_``).

Built from the JSON report (``report_to_json``), the one machine-readable form of a run, so
it shows whatever the report holds: a verdict line, the findings first (each with its hint
and reproducer), the clause table, then the accuracy grades when the report has them.
Every piece of text is escaped: exception messages and names come from the code under test.
Styles are inline, so the output looks the same in Jupyter, VS Code and an exported page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from ._report_view import findings_of

__all__ = ["report_html"]

_COLOURS = {
    "pass": "#1b7f3b",
    "acceptable": "#8a6d00",
    "fail": "#b00020",
    "not provided": "#666666",
}
_CELL = "padding:2px 8px;text-align:left;border-bottom:1px solid #ddd"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def report_html(data: Mapping[str, Any]) -> str:
    """The HTML fragment for the JSON report ``data`` (a ``<div>``, no page around it)."""
    parts = ['<div class="gradspec-report" style="font-family:sans-serif;font-size:13px">']
    parts.append(_verdict(data))
    parts.append(_findings(findings_of(data)))
    parts.append(_clauses(data.get("clauses", [])))
    accuracy = data.get("accuracy")
    if isinstance(accuracy, list) and accuracy:
        parts.append(_accuracy(accuracy))
    parts.append("</div>")
    return "\n".join(parts)


def _verdict(data: Mapping[str, Any]) -> str:
    summary = data.get("summary", {})
    adapter = data.get("adapter", {})
    if summary.get("executed", 0) == 0:
        verdict, colour = "nothing was checked", _COLOURS["not provided"]
    elif summary.get("exit_status") == 0:
        verdict, colour = "conforms", _COLOURS["pass"]
    else:
        verdict, colour = "does not conform", _COLOURS["fail"]
    counts = ", ".join(
        f"{summary.get(key, 0)} {label}"
        for key, label in (
            ("pass", "pass"),
            ("acceptable", "acceptable"),
            ("fail", "fail"),
            ("not_provided", "not provided"),
        )
    )
    defects = summary.get("defects")
    if defects is not None:
        counts += f"; {defects} defect(s)"
    return (
        f"<p><b>{_e(adapter.get('name', 'adapter'))}</b> "
        f'<span style="color:{colour};font-weight:bold">{_e(verdict)}</span><br>'
        f"{_e(counts)}; {_e(summary.get('examples', 0))} examples in "
        f"{float(data.get('seconds', 0.0)):.1f} s (profile {_e(data.get('profile'))}, "
        f"seed {_e(data.get('seed'))})</p>"
    )


def _findings(findings: Sequence[Mapping[str, Any]]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    parts = [f"<h4>Findings ({len(findings)})</h4>", "<ol>"]
    for finding in findings:
        about = f" <code>{_e(finding['member'])}</code>" if finding.get("member") else ""
        clauses = ", ".join(f"<code>{_e(c)}</code>" for c in finding.get("clauses", []))
        dtypes = ", ".join(_e(d) for d in finding.get("dtypes", []))
        item = [f"<li><b>{_e(finding.get('summary', ''))}</b>{about}<br>"]
        item.append(f"clauses: {clauses}" + (f" ({dtypes})" if dtypes else ""))
        if finding.get("hint"):
            item.append(f"<br>hint: {_e(finding['hint'])}")
        if finding.get("reproducer"):
            item.append(
                "<details><summary>reproducer</summary>"
                f'<pre style="background:#f6f6f6;padding:6px">{_e(finding["reproducer"])}</pre>'
                "</details>"
            )
        item.append("</li>")
        parts.append("".join(item))
    parts.append("</ol>")
    return "\n".join(parts)


def _clauses(rows: Sequence[Mapping[str, Any]]) -> str:
    header = "".join(
        f'<th style="{_CELL}">{name}</th>'
        for name in ("clause", "title", "outcome", "examples", "worst error")
    )
    body = []
    for row in rows:
        outcome = str(row.get("outcome", ""))
        colour = _COLOURS.get(outcome, "inherit")
        note = row.get("reason") or ""
        cells = [
            f"<code>{_e(row.get('id', ''))}</code>",
            _e(row.get("title", "")),
            f'<span style="color:{colour}" title="{_e(note)}">{_e(outcome)}</span>',
            _e(row.get("examples", 0)),
            _e(_worst(row)),
        ]
        body.append("<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in cells) + "</tr>")
    return (
        f"<h4>Clauses ({len(rows)})</h4>"
        f'<table style="border-collapse:collapse"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _worst(row: Mapping[str, Any]) -> str:
    for key, label in (("worst_ulp", "ULP"), ("worst_rel", "rel"), ("worst_abs", "abs")):
        value = row.get(key)
        if isinstance(value, (int, float)) and value:
            return f"{value:.3g} ULP" if label == "ULP" else f"{label} {value:.1e}"
        if isinstance(value, str):  # "inf" or "nan", as the JSON report spells them
            return f"{value} {label}"
    return "-"


def _accuracy(rows: Sequence[Mapping[str, Any]]) -> str:
    names = ("member", "dtype", "worst_ulp", "worst_input", "grade")
    header = "".join(f'<th style="{_CELL}">{name.replace("_", " ")}</th>' for name in names)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{_e(row.get(n, ""))}</td>' for n in names) + "</tr>"
        for row in rows
        if isinstance(row, Mapping)
    )
    return (
        "<h4>Accuracy</h4>"
        f'<table style="border-collapse:collapse"><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
