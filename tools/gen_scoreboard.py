"""The docs' Scoreboard page: what the suite finds in each library, from committed files.

Reads, from ``docs/_generated/scoreboard/``:

* ``NAME.json``: the default-profile report of each library (``benchmarks/scoreboard.py``);
* ``runs.json``: how each report was made (command, exit status, wall and CPU seconds);
* ``repro.json``: the findings and whether each reproducer, written in the library's own
  API, still reproduces (``benchmarks/scoreboard_repro.py``);

and writes ``docs/scoreboard.md``. Nothing is rerun: ``python tools/gen_scoreboard.py``.
A failed clause that no finding explains is listed as such, never hidden.
"""

from __future__ import annotations

import json
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
from the library's own functions and every derivative from its own autodiff. A *finding*
explains one or more failed or flagged clauses; each says how it was verified without
gradspec and comes with a reproducer in the library's own API, rerun by
`python benchmarks/scoreboard_repro.py` (the result is shown beside it). Failed clauses no
finding explains are listed as *not yet explained*.

Regenerate: `python benchmarks/scoreboard.py` (the reports, minutes per library),
`python benchmarks/scoreboard_repro.py`, then `python tools/gen_scoreboard.py`.
Times are wall and CPU seconds of the whole `gradspec check` process on a shared 2-core
machine: compare the CPU column.
"""


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def _summary_table(reports: dict[str, dict], runs: dict[str, dict]) -> list[str]:
    lines = [
        "| library | version | pass | acceptable | fail | not provided | examples | "
        "wall s | CPU s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, report in reports.items():
        s, run = report["summary"], runs.get(name, {})
        lines.append(
            f"| [{name}](#{name}) | {report['adapter']['name']} | {s['pass']} | "
            f"{s['acceptable']} | {s['fail']} | {s['not_provided']} | {s['examples']} | "
            f"{run.get('wall_seconds', '-')} | {run.get('cpu_seconds', '-')} |"
        )
    for name, run in runs.items():
        if "skipped" in run:
            lines.append(f"| {name} | {run['skipped']} | | | | | | | |")
    return lines


def _failures(report: dict) -> list[tuple[str, str, str]]:
    """(clause id, dtype, failure summary) of every failed clause and dtype."""
    rows = []
    for clause in report["clauses"]:
        for row in clause.get("dtypes", []):
            if row["outcome"] == "fail" and row.get("failure"):
                rows.append((clause["id"], row["dtype"], row["failure"]["summary"]))
        if clause["outcome"] == "fail" and not clause.get("dtypes"):
            rows.append((clause["id"], "-", clause.get("reason") or "failed"))
    return rows


def _library_section(name: str, report: dict, run: dict, findings: list[dict]) -> list[str]:
    lines = ["", f"## {name}", "", f"**{report['adapter']['name']}**"]
    if run:
        lines += ["", f"Command: `{run['command']}` (exit status {run['exit_status']})."]
    failures = _failures(report)
    explained = {c for f in findings for c in f["clauses"]}
    if failures:
        lines += ["", "| clause | dtype | failure |", "|---|---|---|"]
        for clause, dtype, summary in failures:
            mark = "" if clause in explained else " *(not yet explained)*"
            lines.append(f"| {clause} | {dtype} | {summary.replace('|', '/')}{mark} |")
    else:
        lines += ["", "No clause failed."]
    acceptable = [c for c in report["clauses"] if c["outcome"] == "acceptable"]
    if acceptable:
        lines += ["", "Acceptable (inside what the spec allows; the library's own choices):", ""]
        for clause in acceptable:
            for flag in clause["flags"].values():
                lines.append(f"- {clause['id']}: {flag}")
    for finding in findings:
        lines += [
            "",
            f"### {finding['summary'].split(':')[0].split(';')[0]}",
            "",
            finding["summary"],
            "",
            f"- Kind: {KIND[finding['kind']]}.",
            f"- Clauses: {', '.join(finding['clauses'])}.",
            f"- Verified: {finding['verified']}",
            f"- Reproducer rerun: **{finding['result']}**"
            + (f" (`{finding['output'].splitlines()[-1]}`)" if finding.get("output") else "")
            + ".",
        ]
        if finding.get("upstream"):
            lines.append(f"- Upstream: {finding['upstream']}")
        lines += ["", "```python", finding["code"].rstrip(), "```"]
    return lines


def render() -> str:
    """The page's Markdown from the committed files."""
    runs = _load("runs.json")
    names = [p.stem for p in sorted(DATA.glob("*.json")) if p.stem not in ("runs", "repro")]
    reports = {name: _load(f"{name}.json") for name in names}
    repro = _load("repro.json") if (DATA / "repro.json").exists() else []
    lines = [INTRO, *_summary_table(reports, runs)]
    for name, report in reports.items():
        findings = [f for f in repro if f["library"] == name]
        lines += _library_section(name, report, runs.get(name, {}), findings)
    return "\n".join(lines) + "\n"


def main() -> int:
    PAGE.write_text(render())
    print(f"wrote {PAGE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
