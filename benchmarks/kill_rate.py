"""Run the whole conformance suite on every buggy adapter and print the kill rate.

Not a test: for each entry of :data:`gradspec.conformance.buggy.CATALOG` it runs every
clause (default profile, seed 0, through the same loader as a user's adapter) and prints one
row: the entry, the clauses expected to reject it, the clauses that failed it, and whether
an expected clause was among them (*caught*); then its findings (member: kind), marked
``!`` where they differ from the entry's ``expected_findings``. The kill rate is caught /
total. Then the same for the unbroken adapters and the valid conventions (``NOT_BUGS``),
which no clause may fail.

Usage::

    python benchmarks/kill_rate.py [--profile default] [--seed 0] [--select PATTERN] [--no-shrink]

``--no-shrink`` skips Hypothesis's shrink phase. Shrinking only minimises a counterexample
already found, so no outcome changes; it is most of the time of a failing clause (minutes for
ROB-NO-MUTATION, whose examples call every member).
"""

from __future__ import annotations

import argparse
import time

from hypothesis import Phase, settings

from gradspec.conformance import Outcome, load_adapter, run_suite
from gradspec.conformance.buggy import (
    CATALOG,
    KNOWN_MISSED,
    NOT_BUGS,
    HandWrittenEngine,
    ReferenceAdapter,
    spec,
)


def failed_clauses(
    entry: type, profile: str, seed: int, select: str | None
) -> tuple[list[str], set[tuple[str, str]]]:
    """The ids of the clauses (combined over dtypes) that fail ``entry``, and its findings."""
    report = run_suite(load_adapter(spec(entry)), profile=profile, seed=seed, select=select)
    failed = [row.clause_id for row in report.by_clause() if row.outcome is Outcome.FAIL]
    return failed, {(f.member, f.kind) for f in report.findings}


def _short(ids: list[str] | tuple[str, ...], width: int) -> str:
    text = ", ".join(ids) or "-"
    return text if len(text) <= width else text[: width - 3] + "..."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--select", default=None, help="restrict the clauses, as gradspec check")
    parser.add_argument("--no-shrink", action="store_true", help="skip Hypothesis shrinking")
    args = parser.parse_args()
    if args.no_shrink:
        settings.register_profile(
            "kill-rate", phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
        )
        settings.load_profile("kill-rate")

    started = time.perf_counter()
    shrink = "without shrinking" if args.no_shrink else "with shrinking"
    print(f"profile {args.profile}, seed {args.seed}, clauses {args.select or 'all'}, {shrink}\n")
    header = f"{'entry':40} {'caught':6} {'expected clauses':44} clauses failed"
    print(header)
    print("-" * len(header))
    caught, rejected, missed, unexpected = 0, 0, [], 0
    for entry in CATALOG:
        failed, found = failed_clauses(entry, args.profile, args.seed, args.select)
        hit = any(clause in failed for clause in entry.expected_clauses)
        caught += hit
        rejected += bool(failed)
        if not hit:
            missed.append(entry)
        expected = _short(entry.expected_clauses, 44)
        print(f"{entry.name:40} {'yes' if hit else 'NO':6} {expected:44} {', '.join(failed)}")
        wanted = set(entry.expected_findings)
        unexpected += found != wanted
        mark = "  " if found == wanted else "! "
        listed = ", ".join(f"{m}: {k}" for m, k in sorted(found)) or "none"
        print(f"  {mark}findings: {listed}" + ("" if found == wanted else f" (expected {wanted})"))

    total = len(CATALOG)
    print(f"\nkill rate (an expected clause failed): {caught}/{total} = {caught / total:.1%}")
    print(f"rejected by some clause:               {rejected}/{total} = {rejected / total:.1%}")
    print(f"findings as listed by the entry:       {total - unexpected}/{total}")
    for entry in missed:
        reason = KNOWN_MISSED.get(entry.name, "not in KNOWN_MISSED")
        print(f"  missed {entry.name}: {entry.bug}. [{reason}]")

    print("\nmust fail nothing:")
    for entry in (ReferenceAdapter, HandWrittenEngine, *NOT_BUGS):
        failed, _ = failed_clauses(entry, args.profile, args.seed, args.select)
        label = getattr(entry, "name", entry.__name__)
        print(f"  {label:40} {'ok' if not failed else 'FAILS ' + ', '.join(failed)}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
