"""How long the conformance suite takes, per profile and adapter, and examples per second.

Runs :func:`gradspec.conformance.run_suite` (seed 0, all clauses) for each adapter and
profile, the adapters taking turns within a profile. By default the adapters are the
reference and every shipped library adapter whose library is installed here (nothing is
installed by this script). Each row prints wall and CPU time, the ratio of each to the
reference's in the same run, and the adapter calls and distinct input shapes when the
report carries them (``calls`` / ``shapes`` per clause in the JSON report).

``--baseline PYTHON`` runs every row a second time with another interpreter, one where an
older gradspec is installed (a clone of main with its own editable install, say), the two
taking turns per row so both see the same machine; each row then has ``code`` ``"after"``
(this installation) or ``"before"`` (the baseline), and the ratio after / before is printed.
``--json PATH`` writes the rows with the command, machine and date
(``benchmarks/results/suite_time.json`` is the committed run on every installed adapter, and
``suite_time_round1.json`` the committed ``--baseline`` run against the code before
batching; the performance page shows both).

One run each: a run lasts tens of seconds to minutes, long enough that the machine's noise
averages out within it. Each run is a child process with a memory cap (:data:`MEMORY_CAP`)
and a time cap (:data:`TIME_CAP`), so that one runaway run is recorded as an error instead
of taking the shared machine; the child inherits the thread settings of the caller's
environment.

The adapter ``slow`` is a stand-in for a library that pays for every call (dispatch, tracing
or compiling): the reference with :data:`CALL_COST` seconds of sleep per call
(:class:`SlowReference`, loaded by the suite's own loader as ``<this file>:SlowReference``).

Usage (or through ``benchmarks/run_all.py``)::

    python benchmarks/suite_time.py [--profiles quick default] [--adapters reference torch jax slow]
        [--baseline /path/to/old/venv/bin/python] [--json benchmarks/results/suite_time.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CALL_COST",
    "MEMORY_CAP",
    "SLOW",
    "TIME_CAP",
    "SlowReference",
    "installed_adapters",
    "time_suite",
    "time_suites",
]

#: Address-space limit of each child run, in bytes.
MEMORY_CAP = 8 * 2**30
#: Wall-time limit of each child run, in seconds.
TIME_CAP = 1800
#: Seconds every call of the `SlowReference` stand-in costs.
CALL_COST = 0.005
#: The adapter spec of the stand-in, as the suite's loader takes it.
SLOW = f"{Path(__file__).resolve()}:SlowReference"


class SlowReference:
    """The reference adapter, sleeping `CALL_COST` seconds in every call.

    A stand-in for a library whose every call costs a fixed time (dispatch to a device, a
    trace or a compile): the suite's time on it is about its time on the reference plus
    `CALL_COST` times its adapter calls. Every member and attribute of the shipped reference
    adapter is forwarded, so the suite judges exactly the reference.
    """

    def __init__(self) -> None:
        from gradspec.conformance import load_adapter
        from gradspec.conformance.contract import MEMBERS

        inner = load_adapter("reference")
        self.name = f"reference + {CALL_COST * 1e3:g} ms per call"
        for attribute in ("dtypes", "graph_ops"):
            if hasattr(inner.obj, attribute):
                setattr(self, attribute, getattr(inner.obj, attribute))
        for member in MEMBERS:
            if hasattr(inner.obj, member):
                setattr(self, member, _slowed(getattr(inner.obj, member)))


def _slowed(function: Callable[..., Any]) -> Callable[..., Any]:
    def slowed(*args: Any, **kwargs: Any) -> Any:
        time.sleep(CALL_COST)
        return function(*args, **kwargs)

    return slowed


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
    from gradspec.conformance._report import report_to_json

    loaded = load_adapter(SLOW if adapter == "slow" else adapter)
    cpu_started = time.process_time()
    report = run_suite(loaded, profile=profile, seed=seed)
    cpu_seconds = time.process_time() - cpu_started
    seconds = report.seconds
    clauses = report_to_json(report)["clauses"]
    return {
        # The run's adapter calls and distinct (member, dtype, argument shapes) keys; summed
        # over the clauses for a report that only counts them per clause.
        "calls": getattr(report, "calls", None) or _total(clauses, "calls"),
        "shapes": getattr(report, "shapes", None) or _total(clauses, "shapes"),
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


def _total(clauses: list[dict[str, Any]], key: str) -> int | None:
    """The sum of ``key`` over the clauses (or their dtype rows), None if none carries it."""
    values = []
    for clause in clauses:
        if isinstance(clause.get(key), int):
            values.append(clause[key])
        else:
            values += [r[key] for r in clause.get("dtypes", []) if isinstance(r.get(key), int)]
    return sum(values) if values else None


def installed_adapters() -> list[str]:
    """``reference`` and every shipped library adapter whose library can be found here."""
    from gradspec.conformance.adapters import LIBRARIES

    names = ["reference"]
    for name in LIBRARIES:
        if importlib.util.find_spec(name) is not None:  # each adapter's name is its import
            names.append(name)
    return names


def time_suites(
    adapters: Sequence[str],
    profiles: Sequence[str],
    *,
    log: Callable[[str], None] = print,
    baseline: str | None = None,
) -> list[dict[str, Any]]:
    """:func:`time_suite` in a capped child for every profile and adapter.

    With ``baseline`` (another Python interpreter), every row runs there too, before this
    installation's run of the same row; rows then carry ``code`` (``"before"`` or
    ``"after"``) and the after rows ``after_over_before`` (wall, CPU and calls).

    A run that fails (the child exits non-zero) gives a row with ``error`` set to the end of
    its standard error, and no timing.
    """
    rows = []
    codes = [("before", baseline), ("after", sys.executable)] if baseline else [(None, None)]
    for profile in profiles:
        reference: dict[str | None, dict[str, Any]] = {}
        for adapter in adapters:
            done: dict[str | None, dict[str, Any]] = {}
            for code, python in codes:
                row = _time_in_child(adapter, profile, python=python or sys.executable)
                if code is not None:
                    row["code"] = code
                rows.append(row)
                label = f"{adapter:10s}" + (f" {code:6s}" if code else "")
                if "error" in row:
                    log(f"  suite {profile:8s} {label} FAILED: {row['error']}")
                    continue
                done[code] = row
                if adapter == "reference":
                    reference[code] = row
                log(f"  suite {profile:8s} {label} {_describe(row, reference.get(code))}")
            if "before" in done and "after" in done:
                before, after = done["before"], done["after"]
                after["after_over_before"] = {
                    key: round(after[key] / before[key], 3) if before.get(key) else None
                    for key in ("seconds", "cpu_seconds", "calls", "shapes")
                }
                ratios = after["after_over_before"]
                log(
                    f"  suite {profile:8s} {adapter:10s} after / before: "
                    + ", ".join(f"{k} x{v:.2f}" for k, v in ratios.items() if v is not None)
                )
    return rows


def _describe(row: dict[str, Any], reference: dict[str, Any] | None) -> str:
    """One row's figures, and its ratio to the reference's row of the same code."""
    ratio = ""
    if reference is not None and reference["seconds"] and reference["cpu_seconds"]:
        row["wall_ratio"] = round(row["seconds"] / reference["seconds"], 2)
        row["cpu_ratio"] = round(row["cpu_seconds"] / reference["cpu_seconds"], 2)
        ratio = f" x{row['wall_ratio']:.1f} wall, x{row['cpu_ratio']:.1f} CPU of reference"
    counts = "".join(
        f"  {row[key]:6d} {key}" for key in ("calls", "shapes") if row.get(key) is not None
    )
    return (
        f"{row['seconds']:8.1f} s ({row['cpu_seconds']:.1f} s CPU){ratio}  "
        f"{row['examples']:7d} examples  {row['examples_per_second']:8.1f}/s{counts}  "
        f"{row['outcomes']}"
    )


def _time_in_child(adapter: str, profile: str, *, python: str = sys.executable) -> dict[str, Any]:
    command = [python, str(Path(__file__).resolve()), "--one", adapter, profile]
    # prlimit sets the cap in the child itself: no fork-time hook in this process, which may
    # hold JAX's threads (forking a multithreaded process can deadlock).
    if shutil.which("prlimit"):
        command = ["prlimit", f"--as={MEMORY_CAP}", *command]
    # Keras runs on the backend Keras is set to; JAX unless the environment says otherwise.
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.setdefault("KERAS_BACKEND", "jax")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=TIME_CAP, env=env
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
    parser.add_argument(
        "--adapters",
        nargs="+",
        help="adapter specs, reference first (default: reference and every installed library)",
    )
    parser.add_argument(
        "--one", nargs=2, metavar=("ADAPTER", "PROFILE"), help="one run here; print its JSON"
    )
    parser.add_argument(
        "--baseline",
        metavar="PYTHON",
        help="also run every row with this interpreter (an older gradspec), side by side",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the rows here")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(time_suite(*args.one)))
        return
    started = time.time()
    from _common import machine_info

    machine = machine_info()  # the load average before the runs
    rows = time_suites(args.adapters or installed_adapters(), args.profiles, baseline=args.baseline)
    if args.json:
        document = {
            "command": "python benchmarks/suite_time.py " + " ".join(sys.argv[1:]),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.time() - started, 1),
            "machine": machine,
            "rows": rows,
        }
        args.json.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
