"""``gradspec vectors``: check an adapter against the portable test vectors.

Kept apart from ``cli.py``, which wires it with `add_parser` and `run`.
Exit status: 0 when no case failed (acceptable allowed) and at least one ran, 1 otherwise,
2 when the adapter cannot be loaded or a vector file is invalid.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``vectors`` subcommand to ``gradspec``'s subparsers."""
    parser = commands.add_parser(
        "vectors",
        help="check an adapter against the portable test vectors",
        description="Run every test vector (exact inputs and expected results, shipped as "
        "JSON) against an adapter and report per clause: pass, acceptable, fail or not "
        "provided. Exit status 0 when no case failed, 1 otherwise, 2 for a loading error.",
    )
    parser.add_argument(
        "--adapter",
        required=True,
        metavar="SPEC",
        help="reference, torch, jax, package.module[:name], path/to/file.py[:name] or "
        'cmd:"PROGRAM"',
    )
    parser.add_argument(
        "--vectors",
        metavar="DIR",
        help="a folder of vector files to use instead of the shipped ones",
    )
    parser.add_argument("-k", "--select", metavar="PATTERN", help="only clauses matching")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every failing case")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; return the exit status."""
    from gradspec.conformance._adapter import AdapterLoadError, load_adapter
    from gradspec.conformance._vectors import (
        format_vector_report,
        load_vectors,
        run_vectors,
        vector_files,
    )

    try:
        cases = load_vectors(vector_files(args.vectors) if args.vectors else None)
    except (OSError, ValueError) as error:
        print(f"gradspec vectors: error: {error}", file=sys.stderr)
        return 2
    if not cases:
        print(f"gradspec vectors: error: no vector files in {args.vectors!r}", file=sys.stderr)
        return 2
    try:
        adapter = load_adapter(args.adapter)
    except AdapterLoadError as error:
        print(f"gradspec vectors: error: {error}", file=sys.stderr)
        return 2
    try:
        report = run_vectors(adapter, cases=cases, select=args.select)
    finally:
        close = getattr(adapter.obj, "close", None)
        if callable(close):
            close()
    print(format_vector_report(report, verbose=args.verbose))
    return report.exit_status()
