"""Run the conformance suite against correct implementations under many seeds.

The suite must never fail a correct implementation: this script runs every clause against
the shipped adapters (the reference, PyTorch, JAX) for each seed and prints, per adapter,
how many seeds ended with a failed clause, which clauses failed under which seed, and the
acceptable deviations (flags) and findings seen. ``--output`` also writes those figures as
JSON (``benchmarks/results/seed_sweep_*.json`` are such files, committed).

Usage::

    python benchmarks/seed_sweep.py                      # 20 seeds, quick profile, all three
    python benchmarks/seed_sweep.py --seeds 20 --profile default --adapters reference torch
    python benchmarks/seed_sweep.py --adapters jax --output benchmarks/results/seed_sweep_jax.json
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import configure_threads, library_versions, machine_info

THREADS = configure_threads(1)

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from gradspec.conformance import Outcome, load_adapter, run_suite  # noqa: E402


@dataclass
class SweepResult:
    """What one adapter did under every seed of a sweep."""

    spec: str
    seeds: list[int]
    #: The seeds run so far (all of ``seeds`` once the sweep is complete).
    done: list[int] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)
    runs: int = 0
    seconds: float = 0.0
    #: acceptable deviation (flag name) -> the clauses that raised it
    flags: dict[str, set[str]] = field(default_factory=dict)
    #: distinct finding (member, summary, clauses) -> the seeds that reported it
    findings: dict[tuple[str, str, tuple[str, ...]], list[int]] = field(default_factory=dict)

    @property
    def failing_seeds(self) -> list[int]:
        """The seeds under which at least one clause failed."""
        return sorted({seed for seed, _ in self.failures})

    def as_json(self) -> dict[str, object]:
        """The figures as JSON-ready values (sorted, so two runs compare line by line)."""
        return {
            "adapter": self.spec,
            "seeds": len(self.done),
            "seeds_planned": len(self.seeds),
            "seeds_failing": len(self.failing_seeds),
            "clause_runs": self.runs,
            "seconds": round(self.seconds, 1),
            "failures": [{"seed": s, "clause": c} for s, c in self.failures],
            "acceptable_deviations": {k: sorted(v) for k, v in sorted(self.flags.items())},
            "findings": [
                {"member": m, "summary": s, "clauses": list(c), "seeds": seeds}
                for (m, s, c), seeds in sorted(self.findings.items())
            ],
        }


def sweep(
    result: SweepResult, profile: str, on_seed: Callable[[], None] = lambda: None
) -> SweepResult:
    """Run the suite against ``result.spec`` under each seed; print each seed as it ends.

    ``on_seed`` is called after every seed (``main`` writes the figures so far then, so a sweep
    stopped early still leaves the seeds it ran on record).
    """
    adapter = load_adapter(result.spec)
    spec = result.spec
    started = time.perf_counter()
    for seed in result.seeds:
        report = run_suite(adapter, profile=profile, seed=seed)
        result.runs += len(report.results)
        failed = [r.clause_id for r in report.results if r.outcome is Outcome.FAIL]
        result.failures += [(seed, clause) for clause in failed]
        for clause_result in report.results:
            for name in clause_result.flags:
                result.flags.setdefault(name, set()).add(clause_result.clause_id)
        for finding in report.findings:
            key = (finding.member, finding.summary, tuple(finding.clauses))
            result.findings.setdefault(key, []).append(seed)
        print(
            f"  {spec} seed {seed}: {len(failed)} failed, {len(report.findings)} findings",
            flush=True,
        )
        for finding in report.findings:
            print(
                f"    finding: {finding.member}: {finding.summary} ({', '.join(finding.clauses)})"
            )
        result.done.append(seed)
        result.seconds = time.perf_counter() - started
        on_seed()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--profile", default="quick", choices=("quick", "default", "thorough"))
    parser.add_argument("--adapters", nargs="+", default=["reference", "torch", "jax"])
    parser.add_argument("--output", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    machine = machine_info(THREADS)
    results: list[SweepResult] = []

    def write() -> None:
        if args.output is None:
            return
        record = {
            "command": "python benchmarks/seed_sweep.py " + " ".join(sys.argv[1:] or []),
            "created": started.isoformat(),
            "profile": args.profile,
            "seeds": [seeds.start, seeds.stop - 1],
            "complete": all(r.done == r.seeds for r in results)
            and len(results) == len(args.adapters),
            "machine": machine,
            "versions": library_versions(),
            "adapters": [result.as_json() for result in results],
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")

    for spec in args.adapters:
        results.append(SweepResult(spec, list(seeds)))
        sweep(results[-1], args.profile, write)
    print(f"\nprofile {args.profile}, seeds {seeds.start}..{seeds.stop - 1}")
    print(f"{'adapter':<10} {'seeds failing':>13} {'clause runs':>11} {'seconds':>8}")
    for result in results:
        failing = len(result.failing_seeds)
        print(
            f"{result.spec:<10} {failing:>6} / {len(seeds):<4} {result.runs:>11} "
            f"{result.seconds:>8.0f}"
        )
        for seed, clause in result.failures:
            print(f"    seed {seed}: {clause} failed")
        for name, clauses in sorted(result.flags.items()):
            print(f"    acceptable deviation {name} ({', '.join(sorted(clauses))})")
        for (member, summary, clauses), found in sorted(result.findings.items()):
            print(
                f"    finding {member}: {summary} ({', '.join(clauses)}) under {len(found)} seeds"
            )
    if args.output is not None:
        print(f"wrote {args.output}")
    return 1 if any(result.failures for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
