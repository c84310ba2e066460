"""Run every gradspec benchmark, print the headline table and write one JSON file.

Sections (each can be chosen with ``--sections``):

accuracy
    Every activation and derivative, float32 and float64, in ULPs against the exact oracle,
    for the reference, PyTorch, JAX, SciPy and the naive NumPy formulas (``accuracy.py``).
throughput
    1e6 elements per call: the reference against the naive NumPy formula and PyTorch's own
    kernels (``bench_activations``); goal: reference / naive <= 1.5.
backprop
    (forward + backward) / forward on a 4-layer MLP (512 wide, batch 256, tanh, float64) for
    the engine, hand-written NumPy, PyTorch autograd and JAX (eager and jit); goal <= 2.5.
    And a chain of 10,000 tanh nodes: time per node, goal <= 10 us (``bench_backprop``).
gradcheck
    f(W) = sum(tanh(W x + b)), W 64x64 and 512x512: evaluations of f, time, the smallest
    single wrong entry each checker flags, false alarms over many correct problems
    (``bench_gradcheck``); goals: <= 9 evaluations, flags 1e-5, no false alarm.
suite
    The conformance suite per profile and adapter: seconds and examples per second
    (``suite_time.py``).

Every comparison runs its contenders interleaved in this one process and reports medians;
the headline figures are ratios. BLAS, OpenMP and XLA use one thread (recorded in the JSON).

Usage, from the repository root::

    python benchmarks/run_all.py                      # everything, about 15 minutes
    python benchmarks/run_all.py --sections accuracy throughput --output /tmp/part.json

The docs page is then regenerated with ``python tools/gen_performance_page.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import (  # noqa: E402
    configure_threads,
    interleaved_medians,
    library_versions,
    machine_info,
)

# Importing this module has no side effect (the page generator imports it for the headline
# table): the thread settings are made in main(), before NumPy, PyTorch or JAX load, and
# each section imports its libraries itself.
XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

__all__ = [
    "SECTIONS",
    "headline",
    "measure_backprop",
    "measure_gradcheck",
    "measure_throughput",
    "run",
]

SECTIONS = ("accuracy", "throughput", "backprop", "gradcheck", "suite")
DEFAULT_OUTPUT = HERE / "results" / "latest.json"
COMMAND = "python benchmarks/run_all.py"
SCHEMA_VERSION = 1

GOALS = {
    "throughput_ref_over_naive": 1.5,
    "mlp_ratio": 2.5,
    "chain_us_per_node": 10.0,
    # f(x) once and 4 per probe (x +- h, x +- h/2: the one central difference with its
    # truncation estimate, whose samples the kink diagnosis reuses), 2 probes by default.
    # It was 8 when a probe took 3 evaluations and a failing one a 4th for a second look.
    "gradcheck_evaluations": 9,
    "gradcheck_flags": 1e-5,
}


# --- throughput ----------------------------------------------------------------------------


def measure_throughput(*, size: int, rounds: int, log: Callable[[str], None]) -> dict:
    """Reference vs naive NumPy vs PyTorch kernels, per function and dtype (medians, ms)."""
    import numpy as np
    from bench_activations import NAIVE, _torch_functions, activation_contenders, float32_round_trip

    found = _torch_functions()  # sets PyTorch to one thread, like NumPy's ufuncs
    torch, torch_table = found if found is not None else (None, {})
    base = 4.0 * np.random.default_rng(0).standard_normal(size)
    rows = []
    with np.errstate(all="ignore"):  # the naive formulas overflow quietly by design
        for dtype in (np.float32, np.float64):
            z = base.astype(dtype)
            tz = torch.from_numpy(z) if torch is not None else None
            for name in NAIVE:
                t = interleaved_medians(activation_contenders(name, z, tz, torch_table), rounds)
                row = {"function": name, "dtype": np.dtype(dtype).name}
                row.update({f"{who}_ms": v["median"] * 1e3 for who, v in t.items()})
                row.update({f"{who}_wall_ms": v["wall_median"] * 1e3 for who, v in t.items()})
                row["ref_over_naive"] = row["reference_ms"] / row["naive_ms"]
                if torch is not None:
                    row["ref_over_torch"] = row["reference_ms"] / row["torch_ms"]
                rows.append(row)
                log(
                    f"  {name:22s} {row['dtype']:8s} ref/naive {row['ref_over_naive']:5.2f}  "
                    f"ref/torch {row.get('ref_over_torch', math.nan):5.2f}"
                )
    # What computing float32 in float64 costs before any arithmetic: the conversions alone,
    # against NumPy's float32 tanh (one SIMD pass, the cheapest naive formula).
    z32 = base.astype(np.float32)
    trip = interleaved_medians(
        {"round trip": lambda: float32_round_trip(z32), "tanh": lambda: np.tanh(z32)}, rounds
    )
    round_trip_ms, tanh_ms = trip["round trip"]["median"] * 1e3, trip["tanh"]["median"] * 1e3
    log(f"  float32 -> float64 -> float32 alone {round_trip_ms:.2f} ms, "
        f"{round_trip_ms / tanh_ms:.2f}x NumPy's float32 tanh")  # fmt: skip
    return {
        "size": size,
        "rounds": rounds,
        "input": "z = 4 N(0, 1), seed 0",
        "float32_round_trip_ms": round_trip_ms,
        "float32_round_trip_over_numpy_tanh": round_trip_ms / tanh_ms,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "goal_ref_over_naive": GOALS["throughput_ref_over_naive"],
        "rows": rows,
    }


# --- backprop ------------------------------------------------------------------------------


def _jax_mlp(inputs: dict[str, Any]) -> dict[str, Callable[[], object]]:
    """JAX forward and forward+backward of bench_backprop's MLP, eager and jitted."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    from bench_backprop import LAYERS

    params = {name: jnp.asarray(a) for name, a in inputs.items()}

    def forward(p):
        h = p["X"]
        for k in range(1, LAYERS + 1):
            h = jnp.tanh(h @ p[f"W{k}"] + p[f"B{k}"])
        return jnp.sum(h)

    both = jax.value_and_grad(forward)  # the gradient with respect to all nine arrays
    jit_forward, jit_both = jax.jit(forward), jax.jit(both)
    return {
        "jax eager fwd": lambda: forward(params).block_until_ready(),
        "jax eager fwd+bwd": lambda: jax.block_until_ready(both(params)),
        "jax jit fwd": lambda: jit_forward(params).block_until_ready(),
        "jax jit fwd+bwd": lambda: jax.block_until_ready(jit_both(params)),
    }


def measure_backprop(*, rounds: int, log: Callable[[str], None]) -> dict:
    """The MLP ratio for every contender, and the chain's time per node."""
    import bench_backprop as bb

    graph, inputs = bb.mlp_problem()
    t = bb.torch_inputs(inputs)
    contenders = {
        "engine fwd": lambda: bb.engine_forward(graph, inputs),
        "engine fwd+bwd": lambda: bb.backprop(graph, inputs),
        "numpy fwd": lambda: bb.numpy_forward(inputs),
        "numpy fwd+bwd": lambda: bb.numpy_forward_backward(inputs),
        "torch fwd": lambda: bb.torch_forward(t),
        "torch fwd+bwd": lambda: bb.torch_forward_backward(t),
        "backward matmuls": bb.backward_matmuls(inputs),
    }
    contenders.update(_jax_mlp(inputs))
    m = interleaved_medians(contenders, rounds, warmup=2)
    mlp_rows = []
    for who in ("engine", "numpy", "torch", "jax eager", "jax jit"):
        fwd, both = m[f"{who} fwd"]["median"], m[f"{who} fwd+bwd"]["median"]
        mlp_rows.append(
            {"who": who, "forward_ms": fwd * 1e3, "both_ms": both * 1e3, "ratio": both / fwd}
        )
        log(f"  MLP {who:10s} fwd {fwd * 1e3:8.2f} ms  fwd+bwd {both * 1e3:8.2f} ms  "
            f"ratio {both / fwd:5.2f}")  # fmt: skip
    engine_both = m["engine fwd+bwd"]["median"]
    matmuls = m["backward matmuls"]["median"]
    floor = 1 + matmuls / m["engine fwd"]["median"]
    log(f"  MLP backward's 8 matrix products alone {matmuls * 1e3:.2f} ms: "
        f"no engine with this forward gets below a ratio of {floor:.2f}")  # fmt: skip

    graph, inputs = bb.chain_problem()
    x = bb.torch.tensor(inputs["x"], requires_grad=True)
    c = interleaved_medians(
        {
            "engine fwd": lambda: bb.engine_forward(graph, inputs),
            "engine fwd+bwd": lambda: bb.backprop(graph, inputs),
            "torch fwd+bwd": lambda: bb.torch_chain(x),
        },
        max(3, rounds // 3),
    )
    per_node = {who: v["median"] / bb.CHAIN * 1e6 for who, v in c.items()}
    log(f"  chain engine {per_node['engine fwd+bwd']:.2f} us/node, "
        f"torch {per_node['torch fwd+bwd']:.2f} us/node")  # fmt: skip
    return {
        "mlp": {
            "layers": bb.LAYERS,
            "width": bb.WIDTH,
            "batch": bb.BATCH,
            "activation": "tanh",
            "dtype": "float64",
            "rounds": rounds,
            "rows": mlp_rows,
            "engine_over_numpy": engine_both / m["numpy fwd+bwd"]["median"],
            "engine_over_torch": engine_both / m["torch fwd+bwd"]["median"],
            "engine_over_jax_jit": engine_both / m["jax jit fwd+bwd"]["median"],
            "backward_matmuls_ms": matmuls * 1e3,
            "floor_ratio": floor,
            "goal_ratio": GOALS["mlp_ratio"],
        },
        "chain": {
            "nodes": bb.CHAIN,
            "engine_forward_us_per_node": per_node["engine fwd"],
            "engine_us_per_node": per_node["engine fwd+bwd"],
            "torch_us_per_node": per_node["torch fwd+bwd"],
            "engine_over_torch": per_node["engine fwd+bwd"] / per_node["torch fwd+bwd"],
            "goal_us_per_node": GOALS["chain_us_per_node"],
        },
    }


# --- gradient check ------------------------------------------------------------------------


def _problem(n: int, seed: int) -> tuple[Any, Any, Any]:
    """A random tanh layer like ``bench_gradcheck.problem``, under a seed of our choice."""
    import numpy as np

    rng = np.random.default_rng([n, seed])
    return (
        rng.standard_normal((n, n)) / np.sqrt(n),
        rng.standard_normal(n),
        0.1 * rng.standard_normal(n),
    )


@contextlib.contextmanager
def _torch_failures_without_slow_message() -> Iterator[None]:
    """Within the block, a failing fast-mode ``torch.autograd.gradcheck`` skips its message.

    When fast mode finds a mismatch, PyTorch has already decided the check failed; it then
    recomputes the whole Jacobian in slow mode (2 evaluations per input element, over a
    minute at 512x512 here) only to print it in the error message. The bisection below runs
    many failing checks, so for them the message is replaced by a placeholder: verdicts are
    unchanged. What a failure costs a user is measured separately (``failure_evaluations``).
    """
    import importlib

    # The module, not the function of the same name that torch.autograd exports.
    module = importlib.import_module("torch.autograd.gradcheck")
    original = module._run_slow_mode_and_get_error
    module._run_slow_mode_and_get_error = lambda *args, **kwargs: " (slow-mode message skipped)"
    try:
        yield
    finally:
        module._run_slow_mode_and_get_error = original


def measure_gradcheck(
    *, sizes: tuple[int, ...], seeds: int, rounds: int, log: Callable[[str], None]
) -> dict:
    """Evaluations, time, smallest flagged wrong entry and false alarms of each checker."""
    import jax
    import numpy as np

    jax.config.update("jax_enable_x64", True)
    import bench_gradcheck as bg

    checkers = {
        "gradspec projection": bg.gradspec_projection,
        "torch gradcheck fast": bg._torch_check(fast=True),
        "torch gradcheck slow": bg._torch_check(fast=False),
        "jax check_grads": bg.jax_check_grads,
    }
    rows = []
    for n in sizes:
        W, x, b = bg.problem(n)
        planted = int(np.random.default_rng(n).choice(W.size))
        chosen = {k: v for k, v in checkers.items() if not (k.endswith("slow") and n > 64)}
        times = interleaved_medians(
            {k: (lambda c=c, W=W, x=x, b=b: c(W, x, b, 0, 0.0)) for k, c in chosen.items()},
            rounds,
        )
        for name, check in chosen.items():
            slow = name.endswith("slow")
            _, calls = check(W, x, b, 0, 0.0)
            failure_calls = None
            if n == min(sizes):  # a failure's real cost, message included (cheap at 64x64)
                failure_calls = check(W, x, b, planted, 1.0)[1]
            with _torch_failures_without_slow_message():
                smallest = bg.smallest_flagged(check, W, x, b, planted, steps=12 if slow else 22)
            runs = min(seeds, 10) if slow else seeds
            alarms = sum(bool(check(*_problem(n, s), 0, 0.0)[0]) for s in range(runs))
            row = {
                "size": n,
                "checker": name,
                "evaluations": calls,
                "failure_evaluations": failure_calls,
                "seconds": times[name]["median"],
                "smallest_flagged": smallest if math.isfinite(smallest) else "inf",
                "planted_index": planted,
                "typical_entry": float(np.median(np.abs(bg.true_grad(W, x, b)))),
                "false_alarms": alarms,
                "correct_problems": runs,
            }
            rows.append(row)
            log(f"  {n}x{n} {name:22s} {calls:6d} calls {row['seconds'] * 1e3:9.1f} ms  "
                f"flags {smallest:.2g}  false alarms {alarms}/{runs}")  # fmt: skip
    return {
        "function": "f(W) = sum(tanh(W x + b)), float64, W ~ N(0, 1/n), x ~ N(0, 1)",
        "rows": rows,
        "goal_evaluations": GOALS["gradcheck_evaluations"],
        "goal_flags": GOALS["gradcheck_flags"],
    }


# --- the whole run -------------------------------------------------------------------------


def run(
    sections: list[str], *, quick: bool, profiles: list[str], threads: dict[str, str]
) -> dict[str, Any]:
    """Run the chosen sections; return the JSON document (``threads``: settings to record)."""
    started = time.perf_counter()
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "command": COMMAND + (" --quick" if quick else ""),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "timing": "medians of process CPU time over interleaved rounds (wall medians kept)",
        "machine": machine_info(threads),
        "versions": library_versions(),
        "quick": quick,
    }

    def log(line: str) -> None:
        print(line, flush=True)

    for section in sections:
        log(f"[{section}]")
        section_started = time.perf_counter()
        if section == "accuracy":
            from accuracy import measure_accuracy

            doc["accuracy"] = measure_accuracy(density=0.2 if quick else 1.0, log=log)
        elif section == "throughput":
            doc["throughput"] = measure_throughput(
                size=100_000 if quick else 1_000_000, rounds=5 if quick else 21, log=log
            )
        elif section == "backprop":
            doc["backprop"] = measure_backprop(rounds=3 if quick else 15, log=log)
        elif section == "gradcheck":
            doc["gradcheck"] = measure_gradcheck(
                sizes=(64,) if quick else (64, 512),
                seeds=5 if quick else 50,
                rounds=3 if quick else 7,
                log=log,
            )
        elif section == "suite":
            from suite_time import time_suites

            adapters = ["reference", "torch", "jax"]
            doc["suite"] = {"seed": 0, "rows": time_suites(adapters, profiles, log=log)}
        doc.setdefault("section_seconds", {})[section] = round(
            time.perf_counter() - section_started, 1
        )
    doc["seconds"] = round(time.perf_counter() - started, 1)
    # Once more at the end, when NumPy is loaded and can name its BLAS; the load average
    # stays the one seen at the start.
    load = doc["machine"]["load_average_at_start"]
    doc["machine"] = machine_info(threads) | {"load_average_at_start": load}
    return doc


def _number(x: float | str, spec: str = ".2f") -> str:
    """Format a figure that may be the string "inf" (JSON has no infinity)."""
    return x if isinstance(x, str) else format(x, spec)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _accuracy_rows(section: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for dtype in ("float32", "float64"):
        maxima = [by_dtype[dtype]["reference"]["max"] for by_dtype in section["results"].values()]
        worst = max(maxima, key=lambda v: math.inf if v == "inf" else v)
        rows.append((f"accuracy: reference worst error, all 12 functions, {dtype}", "-",
                     f"{_number(worst)} ulp", "-"))  # fmt: skip
    return rows


def _throughput_rows(section: dict) -> list[tuple[str, str, str, str]]:
    goal = section["goal_ref_over_naive"]
    ratios = [row["ref_over_naive"] for row in section["rows"]]
    rows = [(f"activations: reference / naive NumPy, {len(ratios)} cases", f"<= {goal}",
             f"median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}",
             f"{sum(r <= goal for r in ratios)}/{len(ratios)} met")]  # fmt: skip
    if all("ref_over_torch" in row for row in section["rows"]):
        torch = [row["ref_over_torch"] for row in section["rows"]]
        measured = f"median {statistics.median(torch):.2f}, worst {max(torch):.2f}"
        rows.append((f"activations: reference / PyTorch, {len(torch)} cases", "-", measured, "-"))
    return rows


def _backprop_rows(section: dict) -> list[tuple[str, str, str, str]]:
    mlp, chain = section["mlp"], section["chain"]
    goal = mlp["goal_ratio"]
    rows = []
    for row in mlp["rows"]:
        if row["who"] == "engine":
            goal_text, verdict = f"<= {goal}", _verdict(row["ratio"] <= goal)
        else:
            goal_text, verdict = "-", "-"
        rows.append((f"MLP (fwd+bwd)/fwd: {row['who']}", goal_text, f"{row['ratio']:.2f}", verdict))
    rows.append(("MLP floor: 1 + backward matmuls / engine fwd", "-",
                 f"{mlp['floor_ratio']:.2f}", "-"))  # fmt: skip
    rows.append(("MLP fwd+bwd time: engine / PyTorch", "-", f"{mlp['engine_over_torch']:.2f}", "-"))
    goal = chain["goal_us_per_node"]
    rows.append((f"chain of {chain['nodes']} nodes: engine us/node", f"<= {goal:g}",
                 f"{chain['engine_us_per_node']:.2f} (PyTorch {chain['torch_us_per_node']:.2f})",
                 _verdict(chain["engine_us_per_node"] <= goal)))  # fmt: skip
    return rows


def _gradcheck_rows(section: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for row in section["rows"]:
        if row["checker"] != "gradspec projection":
            continue
        flagged = row["smallest_flagged"]
        met = (
            row["evaluations"] <= section["goal_evaluations"]
            and flagged != "inf"
            and flagged <= section["goal_flags"]
            and row["false_alarms"] == 0
        )
        goal = f"<= {section['goal_evaluations']} calls, <= {section['goal_flags']:g}, 0"
        measured = (
            f"{row['evaluations']} calls, {_number(flagged, '.2g')}, "
            f"{row['false_alarms']}/{row['correct_problems']}"
        )
        n = row["size"]
        rows.append((f"gradcheck {n}x{n}: calls, smallest flagged, false alarms", goal,
                     measured, _verdict(met)))  # fmt: skip
    return rows


def _suite_rows(section: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for row in section["rows"]:
        if "error" in row:
            measured = f"run failed: {row['error'][:60]}"
        else:
            measured = f"{row['seconds']:.1f} s, {row['examples_per_second']:.0f} examples/CPU-s"
        rows.append((f"suite {row['profile']}: {row['adapter']}", "-", measured, "-"))
    return rows


_HEADLINE = {
    "accuracy": _accuracy_rows,
    "throughput": _throughput_rows,
    "backprop": _backprop_rows,
    "gradcheck": _gradcheck_rows,
    "suite": _suite_rows,
}


def headline(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The headline rows of a results document: (what, goal, measured, verdict)."""
    rows = []
    for section, make in _HEADLINE.items():
        if section in doc:
            rows.extend(make(doc[section]))
    return rows


def _print_headline(doc: dict[str, Any]) -> None:
    header = ("what", "goal", "measured", "verdict")
    rows = [header, *headline(doc)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    print(f"command: {doc['command']}   ({doc['seconds']:.0f} s)")
    print(f"machine: {doc['machine']['cpu']}, {doc['machine']['cores']} cores, one thread each")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in doc["versions"].items()))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON file")
    parser.add_argument(
        "--profiles", nargs="+", default=["quick", "default"], help="suite profiles to time"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and few rounds: a smoke test"
    )
    args = parser.parse_args()
    threads = configure_threads(1)
    os.environ["XLA_FLAGS"] = threads["XLA_FLAGS"] = XLA_FLAGS
    doc = run(args.sections, quick=args.quick, profiles=args.profiles, threads=threads)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_suffix(".tmp")
    temporary.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    temporary.replace(args.output)
    _print_headline(doc)
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
