"""Run each buggy catalog entry's expected clauses over several seeds: does every seed catch it?

Not a test: the catalog's tests use one seed (0) of the default profile. A clause whose
examples reach a defect only on some seeds passes those tests by luck; this script shows it.
For each entry of :data:`gradspec.conformance.buggy.CATALOG` and each seed it runs the
clauses the entry names (``expected_clauses``) and prints the seeds on which none of them
failed (*missed*) and the seeds whose findings (member: kind) differ from the entry's
``expected_findings``.

Usage::

    python benchmarks/catalog_seeds.py [--profile quick] [--seeds 6]

Exit status 1 when an entry is missed on some seed.
"""

from __future__ import annotations

import argparse
import time

from gradspec.conformance import Outcome, load_adapter, run_suite
from gradspec.conformance.buggy import CATALOG, spec


def run_entry(entry: type, profile: str, seed: int) -> tuple[bool, set[tuple[str, str]]]:
    """Whether an expected clause of ``entry`` fails it, and the run's findings."""
    report = run_suite(
        load_adapter(spec(entry)),
        profile=profile,
        seed=seed,
        select=",".join(entry.expected_clauses),
    )
    caught = any(row.outcome is Outcome.FAIL for row in report.by_clause())
    return caught, {(f.member, f.kind) for f in report.findings}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seeds", type=int, default=6, help="seeds 0 .. N-1")
    args = parser.parse_args()
    started = time.perf_counter()
    seeds = range(args.seeds)
    print(f"profile {args.profile}, seeds 0-{args.seeds - 1}, each entry's expected clauses\n")
    missed_any = 0
    for entry in CATALOG:
        missed, differ = [], []
        for seed in seeds:
            caught, found = run_entry(entry, args.profile, seed)
            if not caught:
                missed.append(seed)
            elif found != set(entry.expected_findings):
                differ.append(f"{seed}: " + ", ".join(f"{m}: {k}" for m, k in sorted(found)))
        missed_any += bool(missed)
        status = "caught on every seed" if not missed else f"MISSED on seeds {missed}"
        print(f"{entry.name:40} {status}")
        listed = sorted(entry.expected_findings)
        for line in differ:
            print(f"  findings differ on seed {line} (the entry lists {listed})")
    total = len(CATALOG)
    print(f"\ncaught on every seed: {total - missed_any}/{total}")
    print(f"{time.perf_counter() - started:.0f} s")
    return 1 if missed_any else 0


if __name__ == "__main__":
    raise SystemExit(main())
