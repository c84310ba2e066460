"""How long the conformance suite takes, per profile and adapter, and examples per second.

Runs :func:`gradspec.conformance.run_suite` (seed 0, all clauses) for each adapter and
profile, the adapters taking turns within a profile. One run each: a run lasts tens of
seconds to minutes, long enough that the machine's noise averages out within it. Each run is
a child process with a memory cap (:data:`MEMORY_CAP`) and a time cap (:data:`TIME_CAP`),
so that one runaway run is recorded as an error instead of taking the shared machine; the
child inherits the thread settings of the caller's environment.

Usage (or through ``benchmarks/run_all.py``)::

    python benchmarks/suite_time.py [--profiles quick default] [--adapters reference torch jax]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MEMORY_CAP", "TIME_CAP", "time_suite", "time_suites"]

#: Address-space limit of each child run, in bytes.
MEMORY_CAP = 8 * 2**30
#: Wall-time limit of each child run, in seconds.
TIME_CAP = 1800


def time_suite(adapter: str, profile: str, *, seed: int = 0) -> dict[str, Any]:
    """Run the whole suite once; return its wall time, examples and outcome counts.

    Parameters
    ----------
    adapter : str
        An adapter spec as ``gradspec check --adapter`` takes it (``"reference"``,
        ``"torch"``, ``"jax"`` or a path).
    profile : {"quick", "default", "thorough"}
    seed : int

    Returns
    -------
    dict
        ``adapter``, ``name`` (display name), ``profile``, ``seconds`` (the suite's own wall
        clock, loading excluded), ``cpu_seconds`` (the process's CPU time over the same
        span), ``examples``, ``examples_per_second`` (per CPU second), ``rows`` (clause and
        dtype pairs run) and ``outcomes`` (combined clauses per outcome).
    """
    from gradspec.conformance import load_adapter, run_suite

    loaded = load_adapter(adapter)
    cpu_started = time.process_time()
    report = run_suite(loaded, profile=profile, seed=seed)
    cpu_seconds = time.process_time() - cpu_started
    seconds = report.seconds
    return {
        "adapter": adapter,
        "name": loaded.name,
        "profile": profile,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "examples": report.examples,
        # Per CPU second: time the shared machine gave to other processes is not counted.
        "examples_per_second": round(report.examples / cpu_seconds, 1) if cpu_seconds else None,
        "rows": report.executed,
        "outcomes": {outcome.value: n for outcome, n in report.counts().items()},
    }


def time_suites(
    adapters: Sequence[str],
    profiles: Sequence[str],
    *,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """:func:`time_suite` in a capped child for every profile and adapter.

    A run that fails (the child exits non-zero) gives a row with ``error`` set to the end of
    its standard error, and no timing.
    """
    rows = []
    for profile in profiles:
        for adapter in adapters:
            row = _time_in_child(adapter, profile)
            if "error" in row:
                log(f"  suite {profile:8s} {adapter:10s} FAILED: {row['error']}")
                rows.append(row)
                continue
            log(
                f"  suite {profile:8s} {adapter:10s} {row['seconds']:8.1f} s "
                f"({row['cpu_seconds']:.1f} s CPU) "
                f"{row['examples']:7d} examples  {row['examples_per_second']:8.1f}/s  "
                f"{row['outcomes']}"
            )
            rows.append(row)
    return rows


def _time_in_child(adapter: str, profile: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--one", adapter, profile]
    # prlimit sets the cap in the child itself: no fork-time hook in this process, which may
    # hold JAX's threads (forking a multithreaded process can deadlock).
    if shutil.which("prlimit"):
        command = ["prlimit", f"--as={MEMORY_CAP}", *command]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=TIME_CAP
        )
    except subprocess.TimeoutExpired:
        return {"adapter": adapter, "profile": profile, "error": f"over {TIME_CAP} s, stopped"}
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-1:]) or f"exit {done.returncode}"
        return {"adapter": adapter, "profile": profile, "error": tail[-300:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", default=["quick", "default"])
    parser.add_argument("--adapters", nargs="+", default=["reference", "torch", "jax"])
    parser.add_argument(
        "--one", nargs=2, metavar=("ADAPTER", "PROFILE"), help="one run here; print its JSON"
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(time_suite(*args.one)))
        return
    time_suites(args.adapters, args.profiles)


if __name__ == "__main__":
    main()
