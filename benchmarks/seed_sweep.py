"""Run the conformance suite against correct implementations under many seeds.

The suite must never fail a correct implementation: this script runs every clause against
the shipped adapters (the reference, PyTorch, JAX) for each seed and prints, per adapter,
how many seeds ended with a failed clause, and which clauses failed under which seed.

Usage::

    python benchmarks/seed_sweep.py                      # 20 seeds, quick profile, all three
    python benchmarks/seed_sweep.py --seeds 20 --profile default --adapters reference torch
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from gradspec.conformance import Outcome, load_adapter, run_suite


def sweep(
    spec: str, seeds: range, profile: str, flags: dict[str, set[str]] | None = None
) -> tuple[list[tuple[int, str]], int, float]:
    """Return the (seed, clause) failures, the clause runs and the seconds taken.

    ``flags``, if given, collects each acceptable deviation seen (flag name -> clauses), and
    every finding is printed as it is found.
    """
    adapter = load_adapter(spec)
    failures: list[tuple[int, str]] = []
    runs = 0
    started = time.perf_counter()
    for seed in seeds:
        report = run_suite(adapter, profile=profile, seed=seed)
        runs += len(report.results)
        failures += [(seed, r.clause_id) for r in report.results if r.outcome is Outcome.FAIL]
        for result in report.results:
            for name in result.flags:
                (flags if flags is not None else {}).setdefault(name, set()).add(result.clause_id)
        print(
            f"  {spec} seed {seed}: {sum(1 for s, _ in failures if s == seed)} failed, "
            f"{len(report.findings)} findings",
            flush=True,
        )
        for finding in report.findings:
            print(
                f"    finding: {finding.member}: {finding.summary} ({', '.join(finding.clauses)})"
            )
    return failures, runs, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--profile", default="quick", choices=("quick", "default", "thorough"))
    parser.add_argument("--adapters", nargs="+", default=["reference", "torch", "jax"])
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    rows = []
    flags: dict[str, dict[str, set[str]]] = {}
    for spec in args.adapters:
        failures, runs, seconds = sweep(spec, seeds, args.profile, flags.setdefault(spec, {}))
        rows.append((spec, failures, runs, seconds))
    print(f"\nprofile {args.profile}, seeds {seeds.start}..{seeds.stop - 1}")
    print(f"{'adapter':<10} {'seeds failing':>13} {'clause runs':>11} {'seconds':>8}")
    for spec, failures, runs, seconds in rows:
        failing = len({seed for seed, _ in failures})
        print(f"{spec:<10} {failing:>6} / {len(seeds):<4} {runs:>11} {seconds:>8.0f}")
        for seed, clause in failures:
            print(f"    seed {seed}: {clause} failed")
        for name, clauses in sorted(flags[spec].items()):
            print(f"    acceptable deviation {name} ({', '.join(sorted(clauses))})")
    return 1 if any(failures for _, failures, _, _ in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
