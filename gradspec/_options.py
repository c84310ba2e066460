"""The options of `gradspec check`, and those it shares with `gradspec grade`, declared once.

`gradspec grade` reads which options the installed ``check`` has from here, without
importing the CLI itself.
"""

from __future__ import annotations

import argparse

from gradspec.conformance._grades import GRADE_OPTIONS
from gradspec.conformance._model import PROFILES

__all__ = ["add_check_options", "add_search_options"]

#: ``--accuracy`` takes every grade but the last ("wrong"), which nothing needs to require.
_ACCURACY_CHOICES = tuple(GRADE_OPTIONS)[:-1]


def add_search_options(parser: argparse.ArgumentParser) -> None:
    """``--profile`` (the profiles of `PROFILES`) and ``--seed``: how hard and where to search."""
    parser.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="default",
        help="how many examples each clause draws (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every property (default: 0)")


def add_check_options(check: argparse.ArgumentParser) -> None:
    """Every option of ``gradspec check``: what to check, how hard, where the reports go."""
    check.add_argument(
        "--adapter",
        metavar="SPEC",
        help="reference, torch, jax, package.module[:name], path/to/file.py[:name] or "
        'cmd:"program args" (default: $GRADSPEC_ADAPTER)',
    )
    add_search_options(check)
    check.add_argument(
        "--strict",
        action="store_true",
        help="count every acceptable result as a failure (a flag, not a profile)",
    )
    check.add_argument(
        "-k",
        "--select",
        metavar="PATTERN",
        help="run only clauses whose id or title matches (comma-separated; globs like "
        "'ACT-*-VALUE' match ids, other terms are case-insensitive substrings)",
    )
    check.add_argument(
        "--accuracy",
        metavar="GRADE",
        choices=_ACCURACY_CHOICES,
        help="require every elementwise member to reach this accuracy grade "
        f"({', '.join(_ACCURACY_CHOICES)}); exit status 1 otherwise",
    )
    check.add_argument("--report-json", metavar="PATH", help="write the JSON report here")
    check.add_argument("--junitxml", metavar="PATH", help="write a JUnit XML report here")
    check.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    check.add_argument(
        "--write-vectors",
        metavar="DIR",
        help="write each failure as a portable test vector and a Python reproducer into DIR",
    )
    _add_isolation_options(check)


def _add_isolation_options(check: argparse.ArgumentParser) -> None:
    from gradspec.conformance._isolate import (
        DEFAULT_CALL_TIMEOUT,
        DEFAULT_MEMORY_MB,
        DEFAULT_START_TIMEOUT,
    )

    group = check.add_argument_group(
        "isolation and limits",
        "For code you do not trust (homework, a submission): --isolate runs the adapter in a "
        "child process, so nothing it does (exit, crash, hang, patching the suite) can change "
        "the verdict; whatever ends the child fails the clause being run, and a fresh child "
        "takes over. Without --isolate the adapter runs inside this process: fine for your own "
        "code, not for untrusted code. Neither mode is a security sandbox.",
    )
    group.add_argument(
        "--isolate",
        action="store_true",
        help="run a Python adapter in an isolated child process (see above)",
    )
    group.add_argument(
        "--timeout",
        type=_seconds,
        metavar="S",
        help="time limit of the whole run in seconds; the report is then marked incomplete "
        "and the exit status is 1 (default: none)",
    )
    group.add_argument(
        "--call-timeout",
        type=_seconds,
        default=DEFAULT_CALL_TIMEOUT,
        metavar="S",
        help="with --isolate: seconds one member call may take before the child is killed "
        "(default: %(default)g)",
    )
    group.add_argument(
        "--start-timeout",
        type=_seconds,
        default=DEFAULT_START_TIMEOUT,
        metavar="S",
        help="with --isolate: seconds the child may take to import the adapter "
        "(default: %(default)g)",
    )
    group.add_argument(
        "--memory-mb",
        type=int,
        default=DEFAULT_MEMORY_MB,
        metavar="MB",
        help="with --isolate: the child's address-space limit in MiB, 0 for none "
        "(default: %(default)s)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds; got {text}")
    return value
