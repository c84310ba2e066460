"""``gradspec grade``: grade a class of submissions, merge shards, write a Gradescope bundle.

Kept apart from ``cli.py``, which wires it with `add_parser` and `run`. Three forms::

    gradspec grade SUBMISSION... --out DIR [--rubric R] [--jobs N] [--timeout S]
                   [--profile P] [--seed N] [--shard I/N]
    gradspec grade --merge DIR... --out DIR
    gradspec grade --gradescope-bundle DIR [--rubric R] [--profile P] [--seed N]
                   [--timeout S] [--package WHEEL]

Exit status: 0 when every submission was graded (whatever its points: a low grade is not an
error of the grader), 1 when any timed out, crashed or could not be loaded, 2 for a usage
error (a missing path, a bad rubric, shards that do not match).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gradspec._options import add_search_options

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_SOME_NOT_GRADED, EXIT_USAGE = 0, 1, 2


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``grade`` subcommand to ``gradspec``'s subparsers."""
    parser = commands.add_parser(
        "grade",
        help="grade a class of submissions (CSV, feedback, Gradescope results)",
        description="Grade submissions (each a Python adapter file, or a folder with "
        "submission.toml, gradspec_adapter.py, adapter.py or a single .py file), each in "
        "processes of its own with a time limit, and write grades.csv, a feedback.md and a "
        "Gradescope results.json per submission, and a class summary. Exit status 0 when "
        "every submission was graded, 1 when any timed out, crashed or could not be loaded, "
        "2 for a usage error.",
    )
    parser.add_argument("submissions", nargs="*", metavar="SUBMISSION", help="files or folders")
    parser.add_argument("--out", metavar="DIR", help="where the outputs go")
    parser.add_argument(
        "--rubric", metavar="TOML", help="points per clause or family (default: the shipped one)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1),
        metavar="N",
        help="submissions graded at once (default: the number of cores)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="wall-clock limit per submission, in seconds (default: %(default)g)",
    )
    add_search_options(parser)
    parser.add_argument(
        "--shard",
        metavar="I/N",
        help="grade only the I-th of N shards (every N-th submission by name, from the I-th)",
    )
    parser.add_argument(
        "--merge",
        nargs="+",
        metavar="DIR",
        help="join the --out folders of earlier runs (shards) into --out",
    )
    parser.add_argument(
        "--gradescope-bundle",
        metavar="DIR",
        help="write a Gradescope autograder bundle (setup.sh, run_autograder, rubric) into DIR",
    )
    parser.add_argument(
        "--package",
        metavar="FILE",
        help="with --gradescope-bundle: a gradspec wheel or sdist for setup.sh to install "
        "instead of this version from PyPI",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


class _UsageError(Exception):
    pass


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; return the exit status."""
    try:
        return _run(args)
    except _UsageError as error:
        print(f"gradspec grade: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from ._class import MergeError, merge_records, write_class_outputs
    from ._rubric import RubricError, load_rubric
    from ._submissions import SubmissionError, find_submissions, parse_shard, shard

    modes = [bool(args.submissions), bool(args.merge), bool(args.gradescope_bundle)]
    if sum(modes) != 1:
        raise _UsageError(
            "give submissions to grade, or --merge DIR..., or --gradescope-bundle DIR "
            "(exactly one of the three)."
        )
    if args.jobs < 1:
        raise _UsageError(f"--jobs must be at least 1; got {args.jobs}.")
    if not args.timeout > 0:
        raise _UsageError(f"--timeout must be a positive number of seconds; got {args.timeout}.")

    if args.merge:
        if not args.out:
            raise _UsageError("--merge needs --out DIR for the joined outputs.")
        try:
            settings, grades = merge_records([Path(p) for p in args.merge])
        except MergeError as error:
            raise _UsageError(str(error)) from None
        out = Path(args.out)
        _copy_submission_folders([Path(p) for p in args.merge], out)
        write_class_outputs(out, grades, families=settings["families"], settings=settings)
        print(f"merged {len(grades)} submission(s) from {len(args.merge)} folder(s) into {out}")
        return EXIT_OK

    try:
        rubric = load_rubric(args.rubric)
    except RubricError as error:
        raise _UsageError(str(error)) from None

    if args.gradescope_bundle:
        from ._bundle import write_bundle

        try:
            archive = write_bundle(
                Path(args.gradescope_bundle),
                rubric=rubric,
                profile=args.profile,
                seed=args.seed,
                timeout=args.timeout,
                package=Path(args.package) if args.package else None,
            )
        except (ValueError, OSError) as error:
            raise _UsageError(str(error)) from None
        print(f"wrote the Gradescope autograder bundle {archive} (upload this zip)")
        return EXIT_OK

    if not args.out:
        raise _UsageError("grading needs --out DIR for the outputs.")
    try:
        submissions = find_submissions(args.submissions)
        label = None
        if args.shard:
            index, count = parse_shard(args.shard)
            submissions = shard(submissions, index, count)
            label = f"{index}/{count}"
    except SubmissionError as error:
        raise _UsageError(str(error)) from None
    return _grade(submissions, rubric, args, label)


def _grade(submissions, rubric, args: argparse.Namespace, label: str | None) -> int:
    from ._grader import GradeSettings, format_grade_line, grade_all
    from ._isolated import supports_isolate
    from ._scoring import GRADED

    out = Path(args.out).resolve()
    settings = GradeSettings(
        rubric=rubric,
        out=out,
        profile=args.profile,
        seed=args.seed,
        timeout=args.timeout,
        jobs=args.jobs,
        shard=label,
    )
    mode = "suite run with --isolate" if supports_isolate() else "each in its own process"
    print(
        f"gradspec grade: {len(submissions)} submission(s){f', shard {label}' if label else ''}, "
        f"{mode}, {args.jobs} at a time, profile {args.profile}, rubric {rubric.name} "
        f"({rubric.max_points:g} points)",
        file=sys.stderr,
    )

    def progress(grade, done: int, count: int) -> None:
        print(format_grade_line(grade, done, count), file=sys.stderr, flush=True)

    grades = grade_all(submissions, settings, progress=None if args.quiet else progress)
    not_graded = [g for g in grades if g.status != GRADED]
    print(
        f"graded {len(grades) - len(not_graded)} of {len(grades)} submission(s); wrote "
        f"{out / 'grades.csv'}, {out / 'summary.md'} and {out / 'submissions'}"
    )
    return EXIT_SOME_NOT_GRADED if not_graded else EXIT_OK


def _copy_submission_folders(folders: list[Path], out: Path) -> None:
    import shutil

    for folder in folders:
        source = folder / "submissions"
        if source.is_dir() and source.resolve() != (out / "submissions").resolve():
            shutil.copytree(source, out / "submissions", dirs_exist_ok=True)
