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
- ``gradspec compare SPEC SPEC ...``: the same inputs through several implementations, one
  table per member of where they differ (text, Markdown or JSON).

``gradspec`` alone, or ``gradspec --version``, prints the version.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

import gradspec
from gradspec import _vectors_cli

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
    check.add_argument(
        "--adapter",
        required=True,
        metavar="SPEC",
        help="reference, torch, jax, package.module[:name] or path/to/file.py[:name]",
    )
    check.add_argument(
        "--profile",
        choices=("quick", "default", "thorough"),
        default="default",
        help="how many examples each clause draws (default: %(default)s)",
    )
    check.add_argument("--seed", type=int, default=0, help="seed of every property (default: 0)")
    check.add_argument(
        "--strict",
        action="store_true",
        help="require the reference's conventions: acceptable results count as failures",
    )
    check.add_argument(
        "-k",
        "--select",
        metavar="PATTERN",
        help="run only clauses whose id or title matches (comma-separated; globs like "
        "'ACT-*-VALUE' match ids, other terms are case-insensitive substrings)",
    )
    check.add_argument("--report-json", metavar="PATH", help="write the JSON report here")
    check.add_argument("--junitxml", metavar="PATH", help="write a JUnit XML report here")
    check.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    check.add_argument(
        "--write-vectors",
        metavar="DIR",
        help="write each failure as a portable test vector and a Python reproducer into DIR",
    )

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
    _add_compare_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "clauses":
            return _clauses(sys.stdout)
        if args.command == "accuracy":
            return _accuracy(args.points, sys.stdout)
        if args.command == "vectors":
            return _vectors_cli.run(args)
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


def _check(args: argparse.Namespace) -> int:
    from gradspec.conformance._adapter import AdapterLoadError, load_adapter
    from gradspec.conformance._format import (
        format_failure,
        format_progress,
        format_summary,
        format_table,
    )
    from gradspec.conformance._model import Outcome
    from gradspec.conformance._report import write_json, write_junit
    from gradspec.conformance._runner import exit_status, run_suite, select_clauses

    clauses = _registry()
    if args.select is not None and not select_clauses(clauses, args.select):
        raise _UsageError(
            f"-k {args.select!r} matches no clause, so nothing would run. "
            "List the clause ids with: gradspec clauses"
        )
    try:
        adapter = load_adapter(args.adapter)
    except AdapterLoadError as error:
        raise _UsageError(str(error)) from None

    def progress(result, done: int, total: int) -> None:
        print(format_progress(result, done, total), file=sys.stderr, flush=True)

    print(
        f"gradspec {gradspec.__version__}: checking {adapter.name} ({adapter.spec}), "
        f"profile {args.profile}, seed {args.seed}{', strict' if args.strict else ''}",
        file=sys.stderr,
    )
    report = run_suite(
        adapter,
        profile=args.profile,
        seed=args.seed,
        strict=args.strict,
        select=args.select,
        progress=None if args.quiet else progress,
        clauses=clauses,
    )
    out = sys.stdout
    failures = [r for r in report.results if r.failure is not None]
    for result in failures:
        print(format_failure(result.failure, result.dtype), file=out, end="\n\n")
    print(format_table(report.by_clause()), file=out)
    print("", file=out)
    print(
        format_summary(
            report.counts(),
            examples=report.examples,
            seconds=report.seconds,
            strict=report.strict,
        ),
        file=out,
    )
    if report.executed == 0:
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
    for path, write in ((args.report_json, write_json), (args.junitxml, write_junit)):
        if path:
            try:
                write(report, path)
            except OSError as error:
                raise _UsageError(f"could not write the report {path!r}: {error}") from None
    if args.write_vectors:
        from gradspec.conformance._counterexamples import write_counterexamples

        written = write_counterexamples(report, args.write_vectors)
        print(f"wrote {len(written)} counterexample file(s) into {args.write_vectors}", file=out)
    out.flush()
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
