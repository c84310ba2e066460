"""Run the default profile on every installed library adapter and commit its report.

For each shipped library adapter (``gradspec.conformance.adapters.LIBRARIES``) whose library
imports here, runs ``gradspec check --adapter NAME --profile default --report-json ...`` in a
child process, one library at a time, and writes

* ``docs/_generated/scoreboard/NAME.json``: the suite's own JSON report;
* ``docs/_generated/scoreboard/runs.json``: per library, the command, exit status, wall
  and CPU seconds of the child, and when it ran.

Libraries that are not installed are listed in ``runs.json`` as skipped, with the pip line.
Keras runs on the JAX backend (``KERAS_BACKEND=jax``) unless the environment says otherwise.
``tools/gen_scoreboard.py`` renders the page from these files.

Usage::

    python benchmarks/scoreboard.py [--libraries autograd mygrad ...] [--profile default]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from gradspec.conformance.adapters import LIBRARIES

__all__ = ["OUT", "installed", "run_library"]

OUT = Path(__file__).resolve().parent.parent / "docs" / "_generated" / "scoreboard"


def installed(name: str) -> bool:
    """Whether the library behind adapter ``name`` can be found (without importing it)."""
    return importlib.util.find_spec(name) is not None  # adapter name = import name


def run_library(name: str, profile: str) -> dict:
    """One ``gradspec check`` child for ``name``; returns its row of ``runs.json``."""
    report = OUT / f"{name}.json"
    command = [
        "gradspec",
        "check",
        "--adapter",
        name,
        "--profile",
        profile,
        "--report-json",
        str(report.relative_to(OUT.parent.parent.parent)),
        "-q",
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.setdefault("KERAS_BACKEND", "jax")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "gradspec", *command[1:]],
        cwd=OUT.parent.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    row = {
        "library": name,
        "command": " ".join(command),
        "exit_status": done.returncode,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "ran": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if done.returncode == 2 or not report.exists():
        row["error"] = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libraries", nargs="+", default=list(LIBRARIES))
    parser.add_argument("--profile", default="default")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for name in args.libraries:
        if not installed(name):
            pip = LIBRARIES[name][2]
            _record(name, {"library": name, "skipped": f"not installed (pip install {pip})"})
            print(f"{name:10s} skipped: not installed", flush=True)
            continue
        row = run_library(name, args.profile)
        _record(name, row)
        print(
            f"{name:10s} exit {row['exit_status']}  {row['wall_seconds']:8.1f} s wall "
            f"{row['cpu_seconds']:8.1f} s CPU",
            flush=True,
        )


def _record(name: str, row: dict) -> None:
    """Put ``row`` into ``runs.json``, read afresh, so that runs of other libraries stay."""
    runs_path = OUT / "runs.json"
    runs = json.loads(runs_path.read_text()) if runs_path.exists() else {}
    runs[name] = row
    runs_path.write_text(json.dumps(runs, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
