"""The docs' Scoreboard page: what the suite finds in each library, from committed files.

Reads, from ``docs/_generated/scoreboard/``:

* ``NAME.json``: the default-profile report of each library (``benchmarks/scoreboard.py``);
* ``runs.json``: how each report was made (command, exit status, wall and CPU seconds);
* ``repro.json``: the findings and whether each reproducer, written in the library's own
  API, still reproduces (``benchmarks/scoreboard_repro.py``);

and writes ``docs/scoreboard.md``. Nothing is rerun: ``python tools/gen_scoreboard.py``.
A finding of the suite that no note verifies is marked as such, never hidden.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "docs" / "_generated" / "scoreboard"
PAGE = ROOT / "docs" / "scoreboard.md"

KIND = {
    "defect": "defect of the library",
    "choice": "deliberate choice of the library",
    "expression": "not the library's: the library has no such function, and the finding "
    "is about the expression the adapter writes for it",
}

INTRO = """\
# Scoreboard: what the suite finds in the libraries

Each library below ran the whole suite with the default profile (seed 0) through its
shipped adapter (`gradspec check --adapter NAME`), which only converts arrays: values come
from the library's own functions and every derivative from its own autodiff. Each library's
table lists the suite's *findings* (the distinct defects behind its failed clauses, as
`gradspec check` reports them), and links each to the *note* that verifies it without
gradspec: a direct call, the library's source or the exact value from mpmath, with a
reproducer in the library's own API, rerun by `python benchmarks/scoreboard_repro.py` (the
result is shown beside it). A finding no note verifies is marked *not yet verified*.

Regenerate: `python benchmarks/scoreboard.py` (the reports, minutes per library),
`python benchmarks/scoreboard_repro.py`, then `python tools/gen_scoreboard.py`.
Times are CPU seconds of the whole `gradspec check` process on a shared 2-core machine
(the wall time is in each library's section, and on the
[performance page](performance.md#library-run-times)).
"""


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def _summary_table(reports: dict[str, dict], runs: dict[str, dict]) -> list[str]:
    # Narrow enough for the content column: what a reader compares first (findings, fails,
    # CPU time); examples, the wall time and members not provided (none: every shipped
    # adapter provides all 16) are in each library's section and report.
    lines = [
        "| library | version | findings | pass | acceptable | fail | CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, report in reports.items():
        s, run = report["summary"], runs.get(name, {})
        lines.append(
            f"| [{name}](#{name}) | {report['adapter']['name']} | "
            f"{len(report.get('findings', []))} | {s['pass']} | {s['acceptable']} | "
            f"{s['fail']} | {run.get('cpu_seconds', '-')} |"
        )
    for name, run in runs.items():
        if "skipped" in run:
            lines.append(f"| {name} | {run['skipped']} | | | | | |")
    return lines


def _key(finding: dict) -> str:
    """How a note names one of the suite's findings: ``"member kind"``."""
    return f"{finding['member']} {finding['kind']}"


def _anchor(name: str, index: int) -> str:
    return f"{name}-note-{index + 1}"


def _cell(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, list | dict) else str(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return text.replace("|", "/")


def _example(evidence: dict) -> str:
    """The worst example of a finding, in a few words."""
    if evidence.get("expected") is None:
        return "-"
    what = f"{_cell(evidence['actual'])}, expected {_cell(evidence['expected'])}"
    if evidence.get("input") is None:
        return what
    return f"z = {_cell(evidence['input'])}: {what}"


def _title(summary: str) -> str:
    """A note's heading: its summary up to the first colon, semicolon or parenthesis."""
    short = re.split(r"[:;]| \(", summary, maxsplit=1)[0].rstrip(". ")
    return short if len(short) <= 80 else short[:77].rsplit(" ", 1)[0] + "..."


def _findings_table(name: str, report: dict, notes: list[dict]) -> list[str]:
    """The suite's findings for ``name``, each linked to the notes that verify it."""
    found = report.get("findings", [])
    if not found:
        return ["", "The suite found no defect."]
    lines = [
        "",
        "| member | verified in | what is wrong | clauses [dtypes] | worst example |",
        "|---|---|---|---|---|",
    ]
    for finding in found:
        example = _example(finding.get("evidence") or {})
        verified = [
            f"[note {i + 1}](#{_anchor(name, i)})"
            for i, note in enumerate(notes)
            if _key(finding) in note["explains"]
        ]
        lines.append(
            f"| {finding['member']} | {', '.join(verified) or '**not yet verified**'} | "
            f"{finding['summary'].replace('|', '/')} | {', '.join(finding['clauses'])} "
            f"[{', '.join(finding['dtypes'])}] | {example} |"
        )
    return lines


def _accuracy_table(report: dict) -> list[str]:
    """The accuracy grades of the report, one row per member, one column per dtype."""
    grades = report.get("accuracy", [])
    if not grades:
        return []
    dtypes = sorted({g["dtype"] for g in grades})
    members = list(dict.fromkeys(g["member"] for g in grades))
    cell = {(g["member"], g["dtype"]): g for g in grades}
    lines = [
        "",
        "Accuracy grades (worst error in ULPs against the exact oracle over the whole finite "
        "range; `gradspec check` grades every elementwise member on a full run of the default "
        "or thorough profile):",
        "",
        "| member | " + " | ".join(dtypes) + " |",
        "|---|" + "---|" * len(dtypes),
    ]
    for member in members:
        row = [
            f"{g['grade']}; worst {float(g['worst_ulp']):.3g} ULP".replace("|", "\\|")
            if (g := cell.get((member, d)))
            else "-"
            for d in dtypes
        ]
        lines.append(f"| {member} | " + " | ".join(row) + " |")
    return lines


def _library_section(name: str, report: dict, run: dict, notes: list[dict]) -> list[str]:
    lines = ["", f"## {name}", "", f"**{report['adapter']['name']}**"]
    if run:
        lines += [
            "",
            f"Command: `{run['command']}` (exit status {run['exit_status']}, "
            f"{run['wall_seconds']} s wall, {run['cpu_seconds']} s CPU, "
            f"{report['summary']['examples']:,} examples).",
        ]
    lines += _findings_table(name, report, notes)
    lines += _accuracy_table(report)
    acceptable = [c for c in report["clauses"] if c["outcome"] == "acceptable"]
    if acceptable:
        lines += [
            "",
            "Acceptable (inside what the spec allows: the library's own choices, no finding):",
            "",
        ]
        for clause in acceptable:
            for flag in clause["flags"].values():
                lines.append(f"- {clause['id']}: {flag}")
    for index, note in enumerate(notes):
        clauses = sorted(
            {
                c
                for f in report.get("findings", [])
                if _key(f) in note["explains"]
                for c in f["clauses"]
            }
        )
        lines += [
            "",
            f"### Note {index + 1}: {_title(note['summary'])} {{#{_anchor(name, index)}}}",
            "",
            note["summary"],
            "",
            f"- Kind: {KIND[note['kind']]}.",
            f"- Explains the suite's findings: {', '.join(note['explains'])} "
            f"(clauses {', '.join(clauses)}).",
            f"- Verified: {note['verified']}",
            f"- Reproducer rerun: **{note['result']}**"
            + (f" (`{note['output'].splitlines()[-1]}`)" if note.get("output") else "")
            + ".",
        ]
        if note.get("upstream"):
            lines.append(f"- Upstream: {note['upstream']}")
        lines += ["", "```python", note["code"].rstrip(), "```"]
    return lines


def render() -> str:
    """The page's Markdown from the committed files."""
    runs = _load("runs.json")
    names = [p.stem for p in sorted(DATA.glob("*.json")) if p.stem not in ("runs", "repro")]
    reports = {name: _load(f"{name}.json") for name in names}
    repro = _load("repro.json") if (DATA / "repro.json").exists() else []
    lines = [INTRO, *_summary_table(reports, runs)]
    for name, report in reports.items():
        notes = [note for note in repro if note["library"] == name]
        lines += _library_section(name, report, runs.get(name, {}), notes)
    return "\n".join(lines) + "\n"


def main() -> int:
    PAGE.write_text(render())
    print(f"wrote {PAGE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
