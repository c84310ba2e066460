"""Grading a class: each submission in processes of its own, several at a time.

For one submission (`grade_one`): the static import scan, the load probe, the suite (see
``_isolated.py``), then the points from its JSON report, its feedback page and its
Gradescope ``results.json``. For a class (`grade_all`): `grade_one` over a pool of
``jobs`` worker threads, each waiting on its own child processes, then the class outputs.

Status, from what the children did:

- **could not load**: the folder has no entry point, the probe could not load the adapter,
  or ``gradspec check`` exited 2;
- **timed out**: the probe or the suite was still running when the submission's time limit
  (``--timeout``, for the probe and the suite together) ran out; its process group is killed;
- **crashed**: a child ended without its result (a signal, an exit status other than 0, 1
  or 2, or exit 0 with no report: a member or an exit handler ended the process);
- **graded**: the suite exited 0 or 1 and wrote its report; a report the suite marked
  incomplete (``"complete": false``) is **timed out** when its reason is a time limit and
  **crashed** otherwise.

With ``--isolate`` the suite itself survives a member that crashes, exits or hangs past its
per-call limit: that clause fails, the run goes on, and the submission is graded.

Points come from the report, whatever the status (a partial report, once the suite writes
them, earns the clauses it holds). Two integrity rules: a submission whose loading replaced
parts of the suite gets 0 points unless the suite ran it with ``--isolate`` (then its verdict
was computed where the submission could not reach), and one that imports gradspec gets 0
when the rubric says ``reference_import = "zero"``; both are flagged.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradspec

# The report's findings, or one per failing clause: one reading, shared with the notebook view.
from gradspec.conformance._report_view import findings_of

from ._class import write_class_outputs
from ._feedback import feedback_markdown, format_points
from ._gradescope import gradescope_results
from ._isolated import (
    Children,
    ChildRun,
    check_command,
    child_time_limit,
    parse_probe,
    probe_command,
    run_child,
    supports_isolate,
)
from ._rubric import Rubric, exact_selection
from ._scoring import (
    CRASHED,
    GRADED,
    NOT_LOADED,
    TIMED_OUT,
    SubmissionGrade,
    family_points,
    score_clauses,
    total,
)
from ._submissions import Submission, scan_imports

__all__ = ["GradeSettings", "grade_all", "grade_one"]

#: ``progress(grade, done, total)`` after each submission.
Progress = Callable[[SubmissionGrade, int, int], None]


@dataclass(frozen=True)
class GradeSettings:
    """How a class is graded (one value for every submission)."""

    rubric: Rubric
    out: Path
    profile: str = "default"
    seed: int = 0
    timeout: float = 300.0
    jobs: int = 1
    shard: str | None = None

    @property
    def select(self) -> str | None:
        from gradspec.conformance.clauses import CLAUSES

        return exact_selection(list(self.rubric.points), [c.id for c in CLAUSES])

    def record(self, isolate: bool) -> dict[str, Any]:
        """The settings as stored in grades.json (what shards must agree on)."""
        return {
            "gradspec_version": gradspec.__version__,
            "profile": self.profile,
            "seed": self.seed,
            "select": self.select,
            "isolate": isolate,
            "timeout": self.timeout,
            "shard": self.shard,
            "rubric": {
                "name": self.rubric.name,
                "source": self.rubric.source,
                "digest": self.rubric.digest,
                "max_points": self.rubric.max_points,
            },
        }


def submission_folder(out: Path, name: str) -> Path:
    """Where one submission's feedback, results.json, report and logs go."""
    return out / "submissions" / name


def grade_one(
    submission: Submission, settings: GradeSettings, children: Children | None = None
) -> SubmissionGrade:
    """Grade one submission and write its folder of outputs (see the module docstring)."""
    children = children or Children()
    # Absolute: the children run in a temporary working directory of their own.
    folder = submission_folder(settings.out.resolve(), submission.name)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    isolate = supports_isolate()
    student = _StudentText(submission)

    flags: list[str] = []
    root = submission.path if submission.path.is_dir() else submission.path.parent
    static = scan_imports(submission.sources, root)
    if static:
        flags.append("imports gradspec in its source: " + "; ".join(static))
    tampered = False
    report: dict[str, Any] | None = None
    status, reason = GRADED, None

    if submission.spec is None:
        status, reason = NOT_LOADED, submission.problem
    else:
        probe = run_child(
            probe_command(submission.spec),
            timeout=settings.timeout,
            log_dir=folder,
            label="probe",
            children=children,
        )
        loaded = parse_probe(probe)
        if probe.timed_out:
            status = TIMED_OUT
            reason = f"loading the submission did not finish within {settings.timeout:g} s"
        elif loaded is None:
            status = CRASHED
            reason = f"while being loaded, the process {_ending(probe)}" + _tail(probe.stderr)
        elif not loaded["loaded"]:
            status, reason = NOT_LOADED, str(loaded["error"])
        else:
            flags += _probe_flags(loaded)
            tampered = bool(loaded["tampered"])
            report_path = folder / "report.json"
            remaining = settings.timeout - (time.perf_counter() - started)
            check = run_child(
                check_command(
                    submission.spec,
                    report=report_path,
                    profile=settings.profile,
                    seed=settings.seed,
                    select=settings.select,
                    isolate=isolate,
                    time_limit=child_time_limit(remaining),
                ),
                timeout=remaining,
                log_dir=folder,
                label="check",
                children=children,
            )
            report = _read_report(report_path, submission.spec)
            status, reason = _check_status(check, report, settings.timeout)

    why_not_run = {
        GRADED: "not in the report",
        TIMED_OUT: "not run: the time limit ran out first",
        CRASHED: "not run: the process ended first",
        NOT_LOADED: "not run: the submission could not be loaded",
    }[status]
    clauses = score_clauses(report, rubric=settings.rubric, why_not_run=why_not_run)
    for clause in clauses:
        clause.detail = student(clause.detail)
    findings = [
        {**f, "reproducer": student(f["reproducer"]), "text": student(f["text"])}
        for f in findings_of(report)
    ]
    zeroed = None
    if tampered and not isolate:
        zeroed = (
            "points set to 0: loading the submission replaced parts of the suite, so the "
            "in-process report cannot be trusted (gradspec check --isolate can grade it)"
        )
    elif static and settings.rubric.reference_import == "zero":
        zeroed = "points set to 0: the rubric gives no points to submissions importing gradspec"
    if zeroed:
        flags.append(zeroed)
        for clause in clauses:
            clause.points = 0.0
    grade = SubmissionGrade(
        name=submission.name,
        status=status,
        points=total(clauses),
        max_points=settings.rubric.max_points,
        family_points=family_points(clauses, settings.rubric),
        clauses=clauses,
        findings=findings,
        reason=student(reason) if reason else None,
        flags=flags,
        seconds=time.perf_counter() - started,
        isolated=isolate,
        shown_spec=submission.shown_spec,
    )
    (folder / "feedback.md").write_text(feedback_markdown(grade), encoding="utf-8")
    results = gradescope_results(grade, settings.rubric)
    (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return grade


class _StudentText:
    """Rewrites text for the student: absolute paths become paths from their own folder."""

    def __init__(self, submission: Submission) -> None:
        root = submission.path if submission.path.is_dir() else submission.path.parent
        self._prefix = str(root) + os.sep

    def __call__(self, text: str) -> str:
        return text.replace(self._prefix, "") if text else text


def _probe_flags(loaded: dict[str, Any]) -> list[str]:
    flags = []
    if loaded.get("imported_reference"):
        flags.append("imports gradspec.reference when loaded (checked at run time)")
    if loaded.get("namespace_refs"):
        flags.append("holds gradspec objects: " + ", ".join(loaded["namespace_refs"]))
    if loaded.get("tampered"):
        flags.append("replaced parts of the suite while loading: " + "; ".join(loaded["tampered"]))
    return flags


def _read_report(path: Path, spec: str) -> dict[str, Any] | None:
    """The report, if the child wrote one for this adapter; None otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("clauses"), list):
        return None
    if data.get("adapter", {}).get("spec") != spec:
        return None
    return data


def _check_status(
    check: ChildRun, report: dict[str, Any] | None, timeout: float
) -> tuple[str, str | None]:
    if check.timed_out:
        return TIMED_OUT, f"the suite did not finish within {timeout:g} s" + _last_clause(check)
    if check.returncode == 2:
        return NOT_LOADED, _tail(check.stderr, lines=8).strip() or "gradspec check exited 2"
    if check.returncode in (0, 1) and report is not None:
        if report.get("complete") is False:
            # A suite that writes partial reports marks one it could not finish.
            why = str(report.get("incomplete_reason") or "the run did not finish")
            status = TIMED_OUT if "time" in why.lower() else CRASHED
            return status, f"the suite's report is incomplete: {why}" + _last_clause(check)
        return GRADED, None
    return CRASHED, f"while the suite ran, the process {_ending(check)}" + _last_clause(check) + (
        _tail(check.stderr)
    )


def _ending(run: ChildRun) -> str:
    code = run.returncode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    if code == 0:
        return "exited with status 0 before the suite's report was written"
    return f"exited with status {code} before the suite's report was written"


def _last_clause(run: ChildRun) -> str:
    # The progress lines on stderr ("[12/110] ACT-TANH-VALUE[float64] pass (...)") tell
    # which clause was the last to finish.
    for line in reversed(run.stderr.splitlines()):
        if line.startswith("[") and "] " in line:
            return f"; the last clause to finish was {line.split('] ', 1)[1].split(' ')[0]}"
    return ""


def _tail(text: str, lines: int = 15) -> str:
    kept = [line for line in text.strip().splitlines() if not line.startswith("[")][-lines:]
    return ("\n" + "\n".join(kept)) if kept else ""


def grade_all(
    submissions: Sequence[Submission],
    settings: GradeSettings,
    *,
    progress: Progress | None = None,
) -> list[SubmissionGrade]:
    """Grade ``submissions`` over ``settings.jobs`` workers and write the class outputs."""
    settings.out.mkdir(parents=True, exist_ok=True)
    children = Children()
    grades: list[SubmissionGrade] = []
    pool = ThreadPoolExecutor(max_workers=max(1, settings.jobs), thread_name_prefix="grade")
    try:
        futures = [pool.submit(grade_one, s, settings, children) for s in submissions]
        for done, future in enumerate(as_completed(futures), start=1):
            grade = future.result()
            grades.append(grade)
            if progress is not None:
                progress(grade, done, len(submissions))
    except BaseException:
        # Ctrl-C or a bug of the grader: no child may outlive the run.
        pool.shutdown(wait=False, cancel_futures=True)
        children.kill_all()
        raise
    pool.shutdown()
    (settings.out / "rubric.toml").write_text(settings.rubric.text, encoding="utf-8")
    write_class_outputs(
        settings.out,
        grades,
        families=settings.rubric.family_order(),
        settings=settings.record(supports_isolate()),
    )
    return sorted(grades, key=lambda g: g.name)


def format_grade_line(grade: SubmissionGrade, done: int, count: int) -> str:
    """The progress line of one finished submission."""
    width = len(str(count))
    findings = f", {len(grade.findings)} finding(s)" if grade.findings else ""
    flagged = ", flagged" if grade.flags else ""
    return (
        f"[{done:>{width}}/{count}] {grade.name}: {grade.status}, "
        f"{format_points(grade.points)}/{format_points(grade.max_points)}{findings}{flagged} "
        f"({grade.seconds:.1f} s)"
    )
