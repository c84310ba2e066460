"""What the readable reference costs: its speed next to the recorded figures and an older one.

Issue 11 replaced the reference's block-wise kernels by the stable formulas in plain NumPy.
This script prints, side by side:

- activation throughput (1e6 elements, z ~ 4 N(0, 1)) against the naive NumPy formula of
  ``bench_activations.NAIVE``: the reference over naive, now and as recorded in
  ``benchmarks/results/latest.json``;
- the graph engine's cost per node on a chain of 10,000 tanh nodes (forward + backward) and
  the MLP ratio (forward + backward) / forward of ``bench_backprop``;
- the conformance suite's default profile on the reference, in CPU seconds of the child
  process, ``gradspec check --adapter reference --profile default -q``.

With ``--old DIR`` (a checkout of an older ``reference/`` folder, e.g. main's) the older
reference is loaded beside the current one and timed in the same interleaved rounds; with
``--old-gradspec PATH`` (the ``gradspec`` command of an environment holding the older code)
the suite runs of the two alternate. Figures are medians of interleaved rounds: on a shared
machine only the ratios measured side by side mean much.

Run: python benchmarks/readability_cost.py [--old /work/main/reference]
         [--old-gradspec /work/main/.venv/bin/gradspec] [--suite-rounds 2] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import configure_threads, interleaved_medians

configure_threads(1)
from bench_activations import NAIVE  # noqa: E402
from bench_backprop import chain_problem, mlp_problem  # noqa: E402

import gradspec.reference as current  # noqa: E402

LATEST = Path(__file__).resolve().parent / "results" / "latest.json"


def load_reference(folder: Path) -> ModuleType:
    """Import the reference package in ``folder`` under the name ``old_reference``."""
    spec = importlib.util.spec_from_file_location(
        "old_reference", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_reference"] = module
    spec.loader.exec_module(module)
    return module


def recorded() -> dict[str, Any]:
    """The figures of ``latest.json`` this script compares with ({} when it is missing)."""
    if not LATEST.exists():
        return {}
    doc = json.loads(LATEST.read_text())
    rows = doc.get("throughput", {}).get("rows", [])
    mlp = doc.get("backprop", {}).get("mlp", {}).get("rows", [])
    suite_rows = doc.get("suite", {}).get("rows", [])
    default = [r for r in suite_rows if r["adapter"] == "reference" and r["profile"] == "default"]
    return {
        "ref_over_naive": {(r["function"], r["dtype"]): r["ref_over_naive"] for r in rows},
        "chain_us_per_node": doc.get("backprop", {}).get("chain", {}).get("engine_us_per_node"),
        "mlp_ratio": next((r["ratio"] for r in mlp if r["who"] == "engine"), None),
        "suite_default_seconds": default[0]["seconds"] if default else None,
    }


def _cell(value: float | None, width: int = 9, digits: int = 2) -> str:
    return f"{'-':>{width}s}" if value is None else f"{value:{width}.{digits}f}"


def throughput(references: dict[str, ModuleType], rounds: int, before: dict) -> None:
    print(f"\nactivations, 1e6 elements: time over the naive formula (median of {rounds} rounds)")
    names = list(references)
    print(f"{'function':24s}{'dtype':9s}{'recorded':>9s}" + "".join(f"{n:>9s}" for n in names))
    rng = np.random.default_rng(0)
    base = 4.0 * rng.standard_normal(1_000_000)
    with np.errstate(all="ignore"):
        for dtype in ("float32", "float64"):
            z = base.astype(dtype)
            for name, naive in NAIVE.items():
                contenders = {"naive": lambda naive=naive, z=z: naive(z)}
                for who, module in references.items():
                    function = getattr(module, name)
                    contenders[who] = lambda function=function, z=z: function(z)
                t = interleaved_medians(contenders, rounds)
                ratios = [t[who]["median"] / t["naive"]["median"] for who in names]
                was = before.get("ref_over_naive", {}).get((name, dtype))
                print(f"{name:24s}{dtype:9s}{_cell(was)}" + "".join(_cell(r) for r in ratios))


def engine(references: dict[str, ModuleType], rounds: int, before: dict) -> None:
    graph, inputs = chain_problem()
    nodes = len(graph["nodes"])
    t = interleaved_medians(
        {who: lambda m=m: m.backprop(graph, inputs) for who, m in references.items()}, rounds
    )
    print(f"\nengine, chain of {nodes} tanh nodes, forward + backward, us per node")
    print(f"  recorded {_cell(before.get('chain_us_per_node'))}", end="")
    for who in references:
        print(f"   {who} {_cell(t[who]['median'] / nodes * 1e6)}", end="")
    mlp_graph, mlp_inputs = mlp_problem()
    timed = {}
    for who, module in references.items():
        timed[f"{who} both"] = lambda module=module: module.backprop(mlp_graph, mlp_inputs)
        timed[f"{who} forward"] = _forward_only(module, mlp_graph, mlp_inputs)
    t = interleaved_medians(timed, max(3, rounds // 2))
    print("\n\nengine, MLP (forward + backward) / forward")
    print(f"  recorded {_cell(before.get('mlp_ratio'))}", end="")
    for who in references:
        ratio = t[f"{who} both"]["median"] / t[f"{who} forward"]["median"]
        print(f"   {who} {_cell(ratio)}", end="")
    print()


def _forward_only(module: ModuleType, graph: dict, inputs: dict) -> Any:
    """The engine's forward pass alone, through its own modules."""
    backprop_module = sys.modules[f"{module.__name__}._backprop"]
    graph_module = sys.modules[f"{module.__name__}._graph"]

    def run() -> Any:
        with np.errstate(all="ignore"):
            return backprop_module._forward(graph_module.check_graph(graph, inputs, func="bench"))

    return run


def suite(commands: dict[str, str], rounds: int, before: dict) -> None:
    print("\nconformance suite, default profile on the reference, CPU seconds of the run")
    seconds: dict[str, list[float]] = {who: [] for who in commands}
    for _ in range(rounds):
        for who, command in commands.items():
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [command, "check", "--adapter", "reference", "--profile", "default", "-q"],
                check=True,
                capture_output=True,
                cwd="/tmp",
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)
            seconds[who].append(cpu)
            print(f"  {who}: {cpu:.1f} s CPU ({wall:.1f} s wall)")
    medians = {who: float(np.median(v)) for who, v in seconds.items()}
    line = f"  recorded (wall) {_cell(before.get('suite_default_seconds'), 6, 1)}"
    print(line + "".join(f"   {who} median {v:.1f} s" for who, v in medians.items()))
    if "old" in medians:
        print(f"  new / old = {medians['new'] / medians['old']:.3f} (issue 11 allows 1.25)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="an older reference/ folder to time beside")
    parser.add_argument("--old-gradspec", help="the gradspec command of the older code")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--suite-rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="3 rounds, no suite runs")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    before = recorded()
    references = {"new": current}
    if args.old is not None:
        references["old"] = load_reference(args.old.resolve())
    throughput(references, rounds, before)
    engine(references, rounds, before)
    if not args.quick:
        commands = {"new": shutil.which("gradspec") or "gradspec"}
        if args.old_gradspec:
            commands["old"] = args.old_gradspec
        suite(commands, args.suite_rounds, before)


if __name__ == "__main__":
    main()
