"""``gradspec grade`` throughput: submissions per minute at ``--jobs 1`` and ``--jobs 2``.

Grades the test class of ``tests/grade/_class.py`` (14 submissions: right, partial, buggy,
a hang, crashes, a cheater, a syntax error...) with the tests' small rubric and the quick
profile, through the real command, alternating ``--jobs 1`` and ``--jobs 2`` for
``--rounds`` rounds so that both see the same spells of a shared machine. Prints the wall
time of each run, the median submissions per minute per setting and their ratio. The hang
costs the full ``--timeout`` whatever the jobs; ``--no-hang`` leaves it out.

Usage::

    python benchmarks/grade_throughput.py [--rounds 2] [--timeout 12] [--no-hang]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.grade._class import RUBRIC, SUBMISSIONS, write_class  # noqa: E402


def grade_once(folder: Path, rubric: Path, out: Path, jobs: int, timeout: float) -> float:
    """Wall seconds of one ``gradspec grade`` run over every entry of ``folder``."""
    entries = sorted(str(p) for p in folder.iterdir())
    command = [sys.executable, "-m", "gradspec", "grade", *entries, "--out", str(out)]
    command += ["--rubric", str(rubric), "--profile", "quick", "--timeout", f"{timeout:g}"]
    command += ["--jobs", str(jobs), "-q"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"gradspec grade failed (exit {done.returncode}):\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=12.0)
    parser.add_argument("--no-hang", action="store_true", help="leave the hanging one out")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="grade-throughput-") as scratch:
        root = Path(scratch)
        names = [
            n.removesuffix(".py") for n in SUBMISSIONS if not (args.no_hang and n == "hang.py")
        ]
        write_class(root / "hw", names)
        (root / "rubric.toml").write_text(RUBRIC)
        count = len(names)
        seconds: dict[int, list[float]] = {1: [], 2: []}
        for round_ in range(1, args.rounds + 1):
            for jobs in (1, 2):
                took = grade_once(
                    root / "hw", root / "rubric.toml", root / f"out{jobs}", jobs, args.timeout
                )
                seconds[jobs].append(took)
                print(
                    f"round {round_}, --jobs {jobs}: {count} submissions in {took:.1f} s "
                    f"({60 * count / took:.1f} per minute)",
                    flush=True,
                )
    rate = {jobs: 60 * count / statistics.median(times) for jobs, times in seconds.items()}
    print(f"\nmedian over {args.rounds} round(s), {count} submissions, timeout {args.timeout:g} s:")
    for jobs in (1, 2):
        print(
            f"  --jobs {jobs}: {statistics.median(seconds[jobs]):6.1f} s, "
            f"{rate[jobs]:5.1f} submissions per minute"
        )
    print(f"  --jobs 2 / --jobs 1 throughput: {rate[2] / rate[1]:.2f}x")


if __name__ == "__main__":
    main()
