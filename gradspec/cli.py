"""The ``gradspec`` console command.

Subcommands:

- ``gradspec check --adapter SPEC``: run the conformance suite, print a table and a summary,
  optionally write JSON and JUnit XML reports. Exit status 0 when every provided clause
  conforms (and at least one ran), 1 when any fails or none ran, 2 for a usage or loading
  error.
- ``gradspec clauses``: list the clauses (id, title, members they need).
- ``gradspec accuracy``: the reference's worst error in ULPs per function and dtype, measured
  against the exact oracle.
- ``gradspec vectors --adapter SPEC``: check an adapter against the portable test vectors.
- ``gradspec grade SUBMISSION... --out DIR``: grade a class of submissions (see
  ``gradspec/_grade/``).
- ``gradspec compare SPEC SPEC ...``: the same inputs through several implementations, one
  table per member of where they differ (text, Markdown or JSON).

``gradspec`` alone, or ``gradspec --version``, prints the version.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import gradspec
from gradspec import _vectors_cli
from gradspec._grade import _cli as _grade_cli
from gradspec._options import add_check_options

__all__ = ["main"]

#: Exit statuses, as documented for CI scripts.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    """A problem with what the user asked for; printed as one paragraph, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradspec",
        description="gradspec: a trusted reference and a conformance suite for the math of "
        "neural-network layers.",
    )
    parser.add_argument("--version", action="version", version=f"gradspec {gradspec.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="run the conformance suite against an adapter",
        description="Run every clause of the spec against an adapter. Exit status: 0 when "
        "every provided clause passed (acceptable allowed unless --strict), 1 when any failed "
        "or no check ran, 2 for a usage or loading error.",
    )
    add_check_options(check)

    commands.add_parser("clauses", help="list the clauses: id, title, members they need")

    accuracy = commands.add_parser(
        "accuracy",
        help="the reference's worst error in ULPs per function and dtype",
        description="Measure gradspec.reference against the exact oracle "
        "(gradspec.reference.oracle) on a log-spaced sample of the finite range, both signs, "
        "plus 0, ±1 and ±inf, and print the worst error in ULPs per function and dtype.",
    )
    accuracy.add_argument(
        "--points",
        type=int,
        default=200,
        help="log-spaced magnitudes per sign (default: %(default)s)",
    )
    _vectors_cli.add_parser(commands)
    # gradspec grade: its options and its code live in gradspec/_grade/_cli.py.
    _grade_cli.add_parser(commands)
    _add_compare_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Called with no ``argv`` (the console command), ``check`` ends the process itself once
    its reports are written, so that an adapter's ``atexit`` handlers or leftover threads
    cannot hold the process or change its exit status.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            status = _check(args)
            if argv is None:
                _exit_now(status)
            return status
        if args.command == "clauses":
            return _clauses(sys.stdout)
        if args.command == "accuracy":
            return _accuracy(args.points, sys.stdout)
        if args.command == "vectors":
            return _vectors_cli.run(args)
        if args.command == "grade":
            return _grade_cli.run(args)
        if args.command == "compare":
            return _compare(args, sys.stdout)
    except _UsageError as error:
        print(f"gradspec {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"gradspec {args.command}: interrupted", file=sys.stderr)
        return 130
    print(f"gradspec {gradspec.__version__}")
    return EXIT_OK


def _registry() -> tuple:
    try:
        from gradspec.conformance.clauses import CLAUSES
    except Exception as error:  # a broken install must still read as one paragraph
        raise _UsageError(
            "the clause registry (gradspec.conformance.clauses) could not be imported: "
            f"{type(error).__name__}: {error}. Reinstall gradspec; if it persists, it is a "
            "bug in gradspec."
        ) from None
    return tuple(CLAUSES)


def _exit_now(status: int) -> None:
    """End the process with ``status``, skipping interpreter shutdown (atexit, threads)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed by adapter code
            pass
    os._exit(status)


def _private_stream(stream: TextIO) -> TextIO:
    """A duplicate of ``stream``'s descriptor: adapter code that closes sys.stdout, or even
    descriptor 1, cannot silence the report."""
    try:
        fd = os.dup(stream.fileno())
    except (AttributeError, OSError, ValueError):  # not a real file (captured in a test)
        return stream
    return os.fdopen(
        fd, "w", encoding=getattr(stream, "encoding", None) or "utf-8", errors="replace"
    )


def _report_paths(args: argparse.Namespace) -> dict[str, Path]:
    """The report paths, absolute (a member's os.chdir cannot move them), checked up front."""
    paths: dict[str, Path] = {}
    for option, value in (("--report-json", args.report_json), ("--junitxml", args.junitxml)):
        if value:
            paths[option] = Path(os.path.abspath(os.path.expanduser(value)))
    if len(set(paths.values())) < len(paths):
        raise _UsageError(
            f"--report-json and --junitxml name the same file ({paths['--junitxml']}); one "
            "would overwrite the other. Give each report its own path."
        )
    for option, path in paths.items():
        if path.is_dir():
            raise _UsageError(f"{option} {str(path)!r} is a folder; give a file path.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _UsageError(
                f"{option}: cannot create the folder {str(path.parent)!r}: {error.strerror}"
            ) from None
        if not os.access(path.parent, os.W_OK | os.X_OK) or (
            path.exists() and not os.access(path, os.W_OK)
        ):
            raise _UsageError(
                f"{option} {str(path)!r} cannot be written (no permission); nothing was run."
            )
    return paths


class _Reports:
    """Writes the reports after each clause (partial) and at the end, atomically."""

    def __init__(self, paths: dict[str, Path]) -> None:
        from gradspec.conformance._report import write_json, write_junit

        self.writers = [
            (path, write_json if option == "--report-json" else write_junit)
            for option, path in paths.items()
        ]
        self.latest: Any = None
        self.lock = threading.Lock()

    def write(self, report: Any) -> None:
        with self.lock:
            self.latest = report
            for path, write in self.writers:
                try:
                    write(report, path)
                except OSError as error:
                    raise _UsageError(
                        f"could not write the report {str(path)!r}: {error}"
                    ) from None


def _placeholder_report(spec: str, args: argparse.Namespace, reason: str) -> Any:
    """An empty, incomplete report: written before any adapter code runs, so no older
    report is left looking current, and the paths are proven writable."""
    import platform
    from datetime import datetime, timezone

    from gradspec.conformance._runner import SuiteReport

    return SuiteReport(
        adapter_spec=spec,
        adapter_name=spec,
        library_versions={},
        gradspec_version=gradspec.__version__,
        profile=args.profile,
        seed=args.seed,
        strict=args.strict,
        python=platform.python_version(),
        platform=platform.platform(),
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        select=args.select,
        complete=False,
        incomplete_reason=reason,
    )


def _watchdog(reports: _Reports, limit: float, grace: float, err: TextIO) -> threading.Timer:
    """In process, a member stuck in one call cannot be interrupted: past the time limit
    (and a grace period for an isolated child to be stopped), save what is done and end."""

    def give_up() -> None:
        latest = reports.latest
        if latest is not None:
            latest.complete = False
            latest.incomplete_reason = (
                f"stopped by --timeout {limit:g}: a member call was still running"
            )
            try:
                reports.write(latest)
            except _UsageError:
                pass
        print(
            f"gradspec check: the time limit of {limit:g} s ran out while a member call was "
            "running; the partial report is written. Use --isolate to have such a call "
            "stopped and the run reported properly.",
            file=err,
            flush=True,
        )
        os._exit(EXIT_FAILED)

    timer = threading.Timer(limit + grace, give_up)
    timer.daemon = True
    return timer


def _load(spec: str, args: argparse.Namespace) -> Any:
    from gradspec.conformance._adapter import load_adapter

    if not args.isolate:
        return load_adapter(spec)
    from gradspec.conformance._isolate import load_isolated

    return load_isolated(
        spec,
        call_timeout=args.call_timeout,
        start_timeout=args.start_timeout,
        memory_mb=args.memory_mb or None,
    )


def _check(args: argparse.Namespace) -> int:
    from gradspec.conformance import _interrupt
    from gradspec.conformance._adapter import AdapterLoadError
    from gradspec.conformance._findings import format_findings
    from gradspec.conformance._format import (
        format_accuracy_table,
        format_progress,
        format_table,
    )
    from gradspec.conformance._model import Outcome
    from gradspec.conformance._runner import (
        RunInterrupted,
        exit_status,
        measures_grades,
        run_suite,
        select_clauses,
    )

    spec = args.adapter or os.environ.get("GRADSPEC_ADAPTER", "")
    if not spec.strip():
        raise _UsageError(
            "no adapter given: name one with --adapter SPEC or the GRADSPEC_ADAPTER "
            "environment variable (for example --adapter reference)."
        )
    if args.isolate and spec.strip().startswith("cmd:"):
        raise _UsageError(
            f"--isolate is for Python adapters; {spec!r} is already a separate program "
            "(drop --isolate)."
        )
    if args.memory_mb < 0:
        raise _UsageError(f"--memory-mb must be 0 (no limit) or more; got {args.memory_mb}.")
    # Everything that depends on the working folder is fixed before adapter code runs.
    paths = _report_paths(args)
    clauses = _registry()
    if args.select is not None and not select_clauses(clauses, args.select):
        raise _UsageError(
            f"-k {args.select!r} matches no clause, so nothing would run. "
            "List the clause ids with: gradspec clauses"
        )
    reports = _Reports(paths)
    vectors = os.path.abspath(args.write_vectors) if args.write_vectors else None
    out, err = _private_stream(sys.stdout), _private_stream(sys.stderr)
    reports.write(
        _placeholder_report(spec, args, "the run is starting: the adapter is not loaded yet")
    )
    timer = None
    started = time.monotonic()
    if args.timeout is not None:
        # --timeout counts from here, loading included. The runner stops at the limit
        # itself; this is the backstop for a call (or an import) that never returns in
        # process (an isolated child's call is stopped by the limit directly).
        timer = _watchdog(reports, args.timeout, 10.0 if args.isolate else 1.0, err)
        timer.start()
    try:
        with _interrupt.watching():  # a Ctrl-C while importing is not the adapter's error
            adapter = _load(spec, args)
    except AdapterLoadError as error:
        reports.write(_placeholder_report(spec, args, f"the adapter could not be loaded: {error}"))
        raise _UsageError(str(error)) from None

    def progress(result, done: int, total: int) -> None:
        print(format_progress(result, done, total), file=err, flush=True)

    mode = ", isolated" if args.isolate else ""
    print(
        f"gradspec {gradspec.__version__}: checking {adapter.name} ({adapter.spec}), "
        f"profile {args.profile}, seed {args.seed}{', strict' if args.strict else ''}{mode}",
        file=err,
        flush=True,
    )
    # The whole registry is passed in as `clauses`, so the runner cannot tell a full run
    # from a chosen one: say it.
    graded = measures_grades(
        args.profile, whole_registry=args.select is None, accuracy=args.accuracy
    )
    interrupted = False
    try:
        report = run_suite(
            adapter,
            profile=args.profile,
            seed=args.seed,
            strict=args.strict,
            select=args.select,
            progress=None if args.quiet else progress,
            clauses=clauses,
            checkpoint=reports.write,
            time_limit=None
            if args.timeout is None
            else max(0.0, args.timeout - (time.monotonic() - started)),
            accuracy=args.accuracy,
            grade=graded,
        )
    except RunInterrupted as stop:
        report, interrupted = stop.report, True
    finally:
        if timer is not None:
            timer.cancel()
        close = getattr(adapter.obj, "close", None) if args.isolate else None
        if close is not None:
            close()
    reports.write(report)
    # The defects first, each with its reproducer (the per-clause failures are in the
    # reports); then the clause table and the accuracy grades.
    found = report.findings
    if found:
        print(format_findings(found), file=out, end="\n\n")
    print(format_table(report.by_clause()), file=out)
    if report.accuracy:
        print("", file=out)
        print(format_accuracy_table(report.accuracy), file=out)
    elif args.select is None and not graded:
        print(
            f"\nAccuracy grades: not measured by the {args.profile} profile (the default "
            "profile measures them; --accuracy GRADE requires one in any profile).",
            file=out,
        )
    for grade in report.below_accuracy():
        print(
            f"accuracy required ({args.accuracy}) not met: {grade.member} [{grade.dtype}] is "
            f"graded {grade.grade} (worst {grade.worst_ulp:.3g} ULP at z = {grade.worst_input!r})",
            file=out,
        )
    print("", file=out)
    print(report.summary_line(), file=out)
    if not report.complete:
        print(
            f"The run is incomplete ({report.incomplete_reason}); the report holds the "
            "clauses done so far. An incomplete run does not pass.",
            file=out,
        )
    elif report.executed == 0:
        print(
            f"No check ran: {adapter.spec!r} provides none of the members the "
            f"{'selected ' if args.select else ''}clauses need in the dtypes it declares "
            f"({', '.join(adapter.dtypes)}). A run with nothing checked does not pass.",
            file=out,
        )
    elif report.counts()[Outcome.NOT_PROVIDED]:
        print(
            "Clauses not provided are neither passed nor failed; add the members named "
            "above to check them.",
            file=out,
        )
    if vectors:
        from gradspec.conformance._counterexamples import write_counterexamples

        written = write_counterexamples(report, vectors)
        print(f"wrote {len(written)} counterexample file(s) into {vectors}", file=out)
    out.flush()
    if interrupted:
        print("gradspec check: interrupted; the partial report is written", file=err, flush=True)
        return 130
    return exit_status(report)


def _clauses(out: TextIO) -> int:
    clauses = _registry()
    width = max((len(clause.id) for clause in clauses), default=0)
    for clause in clauses:
        dtypes = "float32, float64" if clause.per_dtype else "float64"
        print(f"{clause.id.ljust(width)}  {clause.title}", file=out)
        print(f"{' ' * width}  needs: {', '.join(clause.members)}; dtypes: {dtypes}", file=out)
    print(f"\n{len(clauses)} clauses", file=out)
    return EXIT_OK


def _accuracy(points: int, out: TextIO) -> int:
    if points < 1:
        raise _UsageError(f"--points must be at least 1; got {points}.")
    from gradspec._accuracy import format_accuracy, measure_accuracy

    print(format_accuracy(measure_accuracy(points=points)), file=out)
    return EXIT_OK


# -- gradspec compare ------------------------------------------------------------------


def _add_compare_parser(commands: argparse._SubParsersAction) -> None:
    compare = commands.add_parser(
        "compare",
        help="the same inputs through several implementations: where they differ",
        description="Feed the same fixed inputs to the elementwise members of every adapter "
        "and print, per member, where they differ from each other or from the exact value "
        "(kinks, infinities and NaN, signed zeros, subnormals, dtypes, array-length "
        "dependence, saturation tails, worst ULP error). Exit status 0, or 2 for a usage or "
        "loading error.",
    )
    compare.add_argument(
        "specs", nargs="+", metavar="SPEC", help="adapters, as --adapter takes them"
    )
    compare.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="output format (default: %(default)s)",
    )
    compare.add_argument(
        "--member",
        action="append",
        metavar="NAME",
        help="compare only this elementwise member (repeatable; default: all)",
    )


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    from gradspec.conformance._adapter import ELEMENTWISE, AdapterLoadError, load_adapter
    from gradspec.conformance._comparison import (
        compare,
        format_json,
        format_markdown,
        format_text,
    )

    members = tuple(args.member or ELEMENTWISE)
    unknown = [m for m in members if m not in ELEMENTWISE]
    if unknown:
        raise _UsageError(
            f"--member {', '.join(unknown)}: not an elementwise member; expected one of "
            f"{', '.join(ELEMENTWISE)}."
        )
    adapters = []
    for spec in args.specs:
        try:
            adapters.append(load_adapter(spec))
        except AdapterLoadError as error:
            raise _UsageError(str(error)) from None
    comparison = compare(adapters, members=members)
    if args.format == "json":
        out.write(format_json(comparison))
    elif args.format == "markdown":
        out.write(format_markdown(comparison))
    else:
        out.write(format_text(comparison))
    return EXIT_OK
