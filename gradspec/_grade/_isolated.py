"""Running one submission in processes of its own, so that nothing it does reaches the grader.

Each submission runs as two child processes, one after the other, each in a process group of
its own, with the submission's remaining wall-clock budget as its time limit:

1. the load probe (``python -m gradspec._grade._probe SPEC``): can it load, and what did
   loading import or replace;
2. the suite: ``python -m gradspec check --adapter SPEC --report-json PATH`` (plus
   ``--isolate`` when the installed gradspec has it, so that the suite also keeps the
   adapter out of the process that computes the verdict).

On timeout the whole process group is killed (threads, grandchildren and all). Output goes
to files, not pipes, so a grandchild left running cannot keep the grader waiting. The child
runs in an empty temporary working directory with an environment cleared of ``GRADSPEC_*``
and ``PYTEST_*`` variables and single-threaded BLAS, so parallel workers do not
oversubscribe the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ._probe import MARKER

__all__ = [
    "ChildRun",
    "Children",
    "check_command",
    "check_options",
    "child_time_limit",
    "run_child",
    "supports_isolate",
]

#: Environment variables that would change the suite's behaviour or oversubscribe cores.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class ChildRun:
    """What one child process did.

    Attributes
    ----------
    returncode : int or None
        Exit status; negative for a signal; None when it was killed on timeout.
    timed_out : bool
    seconds : float
    stdout, stderr : str
        What it printed (from the files it wrote to).
    """

    returncode: int | None
    timed_out: bool
    seconds: float
    stdout: str = ""
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Children:
    """The process groups currently running, so that Ctrl-C can end all of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()

    def add(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)

    def discard(self, pgid: int) -> None:
        with self._lock:
            self._groups.discard(pgid)

    def kill_all(self) -> None:
        """Kill every running group (on Ctrl-C or an error of the grader)."""
        with self._lock:
            groups = list(self._groups)
            self._groups.clear()
        for pgid in groups:
            _kill_group(pgid)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def child_env() -> dict[str, str]:
    """The environment of a child: the grader's, minus what would change the suite's run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADSPEC_", "PYTEST_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    for name in _THREAD_VARIABLES:
        env[name] = "1"
    return env


def run_child(
    command: Sequence[str],
    *,
    timeout: float,
    log_dir: Path,
    label: str,
    children: Children,
) -> ChildRun:
    """Run ``command`` in a new session with a wall-clock ``timeout`` (seconds).

    stdout and stderr go to ``log_dir/{label}.stdout.txt`` and ``.stderr.txt``. After the
    child exits (or is killed), its whole process group is killed too, so nothing it started
    outlives it.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path = log_dir / f"{label}.stdout.txt"
    err_path = log_dir / f"{label}.stderr.txt"
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="gradspec-grade-") as workdir,
        open(out_path, "wb") as out,
        open(err_path, "wb") as err,
    ):
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=workdir,
            env=child_env(),
            start_new_session=True,
        )
        children.add(process.pid)
        timed_out = False
        try:
            returncode: int | None = process.wait(timeout=max(timeout, 0.1))
        except subprocess.TimeoutExpired:
            timed_out = True
            returncode = None
        finally:
            # The session leader's pid is the group id; kill the group whatever happened, so
            # that threads or processes the submission left behind end with it.
            _kill_group(process.pid)
            children.discard(process.pid)
            process.wait()
    return ChildRun(
        returncode=returncode,
        timed_out=timed_out,
        seconds=time.perf_counter() - started,
        stdout=_read(out_path),
        stderr=_read(err_path),
    )


def _read(path: Path, limit: int = 200_000) -> str:
    data = path.read_bytes()
    if len(data) > limit:
        data = data[:limit] + b"\n[... output cut at 200 kB ...]\n"
    return data.decode("utf-8", errors="replace")


def probe_command(spec: str) -> list[str]:
    """The command of the load probe."""
    return [sys.executable, "-m", "gradspec._grade._probe", spec]


def parse_probe(run: ChildRun) -> dict[str, Any] | None:
    """The probe's JSON result, or None when it printed none (it crashed or was killed)."""
    for line in reversed(run.stdout.splitlines()):
        if line.startswith(MARKER):
            try:
                data = json.loads(line[len(MARKER) :])
            except json.JSONDecodeError:
                return None
            return data if isinstance(data, dict) else None
    return None


@cache
def check_options() -> frozenset[str]:
    """The option strings of the installed ``gradspec check``, from its one declaration."""
    from gradspec._options import add_check_options

    parser = argparse.ArgumentParser(add_help=False)
    add_check_options(parser)
    return frozenset(name for action in parser._actions for name in action.option_strings)


def supports_isolate() -> bool:
    """Whether the installed ``gradspec check`` has ``--isolate``."""
    return "--isolate" in check_options()


def child_time_limit(remaining: float) -> float:
    """The whole-run limit given to ``gradspec check`` itself, below the grader's own.

    A suite that stops at its own limit writes its partial report; the grader's kill, a
    little later, is the backstop for one that cannot stop.
    """
    return max(1.0, remaining - min(10.0, 0.2 * remaining))


def check_command(
    spec: str,
    *,
    report: Path,
    profile: str,
    seed: int,
    select: str | None,
    isolate: bool,
    time_limit: float | None = None,
) -> list[str]:
    """The ``gradspec check`` command line for one submission."""
    command = [sys.executable, "-m", "gradspec", "check", "--adapter", spec]
    command += ["--profile", profile, "--seed", str(seed), "--report-json", str(report)]
    if select:
        command += ["--select", select]
    if isolate:
        command.append("--isolate")
    if time_limit is not None and "--timeout" in check_options():
        command += ["--timeout", f"{time_limit:.1f}"]
    return command
