"""Helpers shared by the benchmark scripts: thread settings, interleaved medians, machine info.

Import this module **before** NumPy, SciPy, PyTorch or JAX when a script wants the thread
settings to take effect: BLAS and OpenMP pools are sized when those libraries load.

Timing rule: every comparison runs all its contenders in the same process, interleaved
(one call of each per round, several rounds), and reports medians of CPU time (wall time is
kept beside it). A slow spell of the shared machine then hits every contender of a round
alike, so the *ratios* are steadier than the absolute times, which is why the benchmark
pages lead with ratios.
"""

from __future__ import annotations

import os

#: Thread settings applied by :func:`configure_threads` (the environment variables).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: Variables recorded (not changed) because they change which BLAS kernel runs.
RECORDED_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "BENCH_THREADS")


def configure_threads(threads: int = 1) -> dict[str, str]:
    """Pin BLAS/OpenMP pools to ``threads`` threads for this process; return the settings.

    One thread by default: NumPy's ufuncs use one, and two libraries spinning their own pools
    on a shared two-core machine slow each other down unpredictably. Call before the numeric
    libraries are imported. ``bench_backprop`` reads ``BENCH_THREADS``, so it is set too.
    """
    if threads < 1:
        raise ValueError(f"configure_threads: threads must be >= 1; got {threads}.")
    os.environ["BENCH_THREADS"] = str(threads)
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    return {v: os.environ.get(v, "") for v in THREAD_VARIABLES + RECORDED_VARIABLES}


import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from importlib import metadata  # noqa: E402
from typing import Any  # noqa: E402

__all__ = [
    "THREAD_VARIABLES",
    "configure_threads",
    "interleaved_medians",
    "library_versions",
    "machine_info",
    "timed",
]


def interleaved_medians(
    contenders: dict[str, Callable[[], object]], rounds: int, *, warmup: int = 1
) -> dict[str, dict[str, float]]:
    """Time each contender over interleaved rounds, in CPU time and in wall time.

    Parameters
    ----------
    contenders : dict of str to callable
        What to time, each a call with no arguments.
    rounds : int
        Rounds; each round calls every contender once, in the order given.
    warmup : int
        Untimed rounds first (first-touch page faults, lazy imports, JIT compilation).

    Returns
    -------
    dict of str to dict
        Per contender, in seconds over the rounds: ``median``, ``min`` and ``max`` of the
        process's CPU time (:func:`time.process_time`, all threads), and ``wall_median``.

    Notes
    -----
    CPU time is the figure of merit: on a shared machine a call can be descheduled for a
    time slice of several milliseconds, which wall time counts and CPU time does not. Every
    library here runs on one thread, so for them CPU time is the work done.

    Examples
    --------
    >>> out = interleaved_medians({"a": lambda: None, "b": lambda: sum(range(100))}, 3)
    >>> sorted(out), sorted(out["a"])
    (['a', 'b'], ['max', 'median', 'min', 'wall_median'])
    """
    if rounds < 1:
        raise ValueError(f"interleaved_medians: rounds must be >= 1; got {rounds}.")
    for _ in range(warmup):
        for run in contenders.values():
            run()
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            run()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start_wall)
    return {
        name: {
            "median": statistics.median(cpu[name]),
            "min": min(cpu[name]),
            "max": max(cpu[name]),
            "wall_median": statistics.median(wall[name]),
        }
        for name in contenders
    }


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    """Call ``run()`` once; return its result and the wall time in seconds."""
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries the benchmarks compare (``"absent"`` if missing)."""
    names = ("gradspec", "numpy", "scipy", "torch", "jax", "jaxlib", "mpmath", "matplotlib")
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas() -> str:
    """NumPy's BLAS as NumPy reports it (name, version, architecture it chose)."""
    np = sys.modules.get("numpy")
    if np is None:
        return "numpy not loaded"
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # the layout of show_config is not a stable API
        return "unknown"


def _git_state() -> dict[str, Any]:
    """The commit measured, and whether the work tree differed from it (then say so)."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    changed = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": git("rev-parse", "HEAD") or "unknown",
        "modified_files": len(changed.splitlines()),
    }


def machine_info(threads: dict[str, str] | None = None) -> dict[str, Any]:
    """Describe the machine and the process settings, for the record beside the figures."""
    try:
        load = list(os.getloadavg())
    except OSError:
        load = []
    return {
        "cpu": _cpu_model(),
        "arch": platform.machine(),
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(x, 2) for x in load],
        "blas": _blas(),
        "git": _git_state(),
        "thread_settings": threads
        if threads is not None
        else {v: os.environ.get(v, "") for v in THREAD_VARIABLES + RECORDED_VARIABLES},
    }
