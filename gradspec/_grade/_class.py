"""The class-level outputs: ``grades.csv``, ``grades.json``, ``summary.md``, ``summary.json``.

``grades.json`` is the machine-readable record of a run (the settings, the rubric's digest
and every `SubmissionGrade`); ``gradspec grade --merge`` reads it from each shard's folder,
so the merged CSV and summary are computed exactly as a single run would compute them.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._feedback import format_points
from ._scoring import STATUSES, SubmissionGrade

__all__ = [
    "GRADES_JSON",
    "MergeError",
    "class_summary",
    "grades_csv",
    "merge_records",
    "summary_markdown",
    "write_class_outputs",
]

GRADES_JSON = "grades.json"


class MergeError(ValueError):
    """Shard outputs that cannot be joined (missing, from another rubric, overlapping)."""


def grades_csv(grades: Sequence[SubmissionGrade], families: Sequence[str]) -> str:
    """One row per submission: points, max, per-family points, findings, status, flags."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "submission",
            "points",
            "max_points",
            *[f"{family}_points" for family in families],
            "findings",
            "status",
            "flags",
            "seconds",
        ]
    )
    for grade in sorted(grades, key=lambda g: g.name):
        writer.writerow(
            [
                grade.name,
                format_points(grade.points),
                format_points(grade.max_points),
                *[format_points(grade.family_points.get(family, 0.0)) for family in families],
                len(grade.findings),
                grade.status,
                "; ".join(grade.flags),
                f"{grade.seconds:.1f}",
            ]
        )
    return buffer.getvalue()


def class_summary(grades: Sequence[SubmissionGrade]) -> dict[str, Any]:
    """What is most common across the class: statuses, failing clauses, findings."""
    points = [g.points for g in grades if g.status == "graded"]
    failing: Counter[str] = Counter()
    not_provided: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for grade in grades:
        for clause in grade.clauses:
            titles[clause.id] = clause.title
            if clause.outcome == "fail":
                failing[clause.id] += 1
            elif clause.outcome == "not provided":
                not_provided[clause.id] += 1
    findings: dict[tuple[Any, ...], dict[str, Any]] = {}
    for grade in grades:
        for finding in grade.findings:
            key = (finding.get("kind"), finding.get("member"), tuple(finding["clauses"]))
            entry = findings.setdefault(
                key,
                {
                    "kind": finding.get("kind"),
                    "member": finding.get("member"),
                    "clauses": list(finding["clauses"]),
                    "example": finding.get("summary"),
                    "submissions": [],
                },
            )
            entry["submissions"].append(grade.name)
    return {
        "submissions": len(grades),
        "max_points": max((g.max_points for g in grades), default=0.0),
        "statuses": {status: sum(g.status == status for g in grades) for status in STATUSES},
        "points": {
            "graded": len(points),
            "mean": round(statistics.fmean(points), 4) if points else None,
            "median": statistics.median(points) if points else None,
            "min": min(points, default=None),
            "max": max(points, default=None),
        },
        "failing_clauses": [
            {"id": ident, "title": titles[ident], "submissions": count}
            for ident, count in sorted(failing.items(), key=lambda item: (-item[1], item[0]))
        ],
        "not_provided_clauses": [
            {"id": ident, "title": titles[ident], "submissions": count}
            for ident, count in sorted(not_provided.items(), key=lambda item: (-item[1], item[0]))
        ],
        "findings": sorted(
            ({**entry, "count": len(entry["submissions"])} for entry in findings.values()),
            key=lambda entry: (-entry["count"], entry["clauses"], str(entry["member"])),
        ),
        "flagged": sorted(g.name for g in grades if g.flags),
    }


def summary_markdown(summary: Mapping[str, Any], *, title: str) -> str:
    """The class summary as a page for staff."""
    points = summary["points"]
    lines = [f"# {title}", "", f"{summary['submissions']} submission(s); "]
    lines[-1] += ", ".join(f"{count} {status}" for status, count in summary["statuses"].items())
    lines.append("")
    if points["graded"]:
        lines += [
            f"Points of the graded ones (out of {format_points(summary['max_points'])}): "
            f"mean {points['mean']:.4g}, median {format_points(points['median'])}, "
            f"min {format_points(points['min'])}, max {format_points(points['max'])}.",
            "",
        ]
    lines += ["## Most common findings", ""]
    if summary["findings"]:
        lines += ["| submissions | member | clauses | example |", "|---|---|---|---|"]
        for entry in summary["findings"]:
            clauses = ", ".join(f"`{c}`" for c in entry["clauses"])
            example = str(entry["example"]).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {entry['count']} | {entry['member'] or '-'} | {clauses} | {example} |")
    else:
        lines.append("None.")
    lines += ["", "## Failing clauses", ""]
    lines += _count_table(summary["failing_clauses"])
    lines += ["", "## Clauses not provided", ""]
    lines += _count_table(summary["not_provided_clauses"])
    if summary["flagged"]:
        lines += ["", "## Flagged for review", ""]
        lines += [f"- {name}" for name in summary["flagged"]]
    return "\n".join(lines) + "\n"


def _count_table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    if not rows:
        return ["None."]
    lines = ["| submissions | clause | title |", "|---|---|---|"]
    lines += [f"| {row['submissions']} | `{row['id']}` | {row['title']} |" for row in rows]
    return lines


def write_class_outputs(
    out: Path,
    grades: Sequence[SubmissionGrade],
    *,
    families: Sequence[str],
    settings: Mapping[str, Any],
) -> dict[str, Path]:
    """Write grades.csv, grades.json, summary.md and summary.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    ordered = sorted(grades, key=lambda g: g.name)
    summary = class_summary(ordered)
    record = {**settings, "families": list(families), "submissions": [g.to_json() for g in ordered]}
    paths = {
        "csv": out / "grades.csv",
        "json": out / GRADES_JSON,
        "summary_md": out / "summary.md",
        "summary_json": out / "summary.json",
    }
    paths["csv"].write_text(grades_csv(ordered, families), encoding="utf-8")
    paths["json"].write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    paths["summary_json"].write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    title = f"gradspec grade: {settings.get('rubric', {}).get('name', 'class summary')}"
    paths["summary_md"].write_text(summary_markdown(summary, title=title), encoding="utf-8")
    return paths


#: Settings that must agree between shards for their grades to be comparable.
_MUST_AGREE = ("gradspec_version", "profile", "seed", "select", "isolate")


def merge_records(folders: Sequence[Path]) -> tuple[dict[str, Any], list[SubmissionGrade]]:
    """Read each shard's ``grades.json`` and join them.

    Raises
    ------
    MergeError
        A folder without ``grades.json``, shards graded with another rubric or settings, or
        a submission present in two shards.
    """
    if not folders:
        raise MergeError("--merge needs at least one folder written by gradspec grade.")
    records = []
    for folder in folders:
        path = Path(folder) / GRADES_JSON
        try:
            records.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, json.JSONDecodeError) as error:
            raise MergeError(
                f"{str(path)!r} could not be read ({error}); --merge takes the --out folders "
                "of earlier gradspec grade runs."
            ) from None
    first_path, first = records[0]
    grades: dict[str, SubmissionGrade] = {}
    origin: dict[str, Path] = {}
    for path, record in records:
        if record.get("rubric", {}).get("digest") != first.get("rubric", {}).get("digest"):
            raise MergeError(
                f"{path} was graded with another rubric than {first_path}; grade every shard "
                "with the same rubric file."
            )
        for key in _MUST_AGREE:
            if record.get(key) != first.get(key):
                raise MergeError(
                    f"{path} has {key} = {record.get(key)!r} but {first_path} has "
                    f"{first.get(key)!r}; shards must be graded with the same settings."
                )
        for data in record.get("submissions", []):
            grade = SubmissionGrade.from_json(data)
            if grade.name in grades:
                raise MergeError(
                    f"the submission {grade.name!r} is in both {origin[grade.name]} and {path}; "
                    "shards of one class do not overlap (use --shard I/N with the same N)."
                )
            grades[grade.name] = grade
            origin[grade.name] = path
    settings = {key: value for key, value in first.items() if key not in ("submissions", "shard")}
    settings["shard"] = None
    settings["merged_from"] = [str(path.parent) for path, _ in records]
    return settings, [grades[name] for name in sorted(grades)]
