"""Generate the docs page "Performance and accuracy" and its plots from the benchmark JSON.

The page (``docs/performance.md``) and the figures (``docs/assets/performance/*.png``) are
made only from ``benchmarks/results/latest.json``, which ``python benchmarks/run_all.py``
writes, its section "Suite time" from ``benchmarks/results/suite_time.json`` (the
current suite on every installed adapter) and ``suite_time_round1.json`` (the run of
``benchmarks/suite_time.py --baseline`` beside the code before batching), its "Library run times"
section from the committed scoreboard reports (``docs/_generated/scoreboard``, written by
``benchmarks/scoreboard.py``), so the page can be rebuilt from committed files on any
machine::

    python tools/gen_performance_page.py [--json PATH] [--page PATH] [--assets DIR]

Every figure carries the machine, the library versions and the command that measured it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "latest.json"
DEFAULT_PAGE = ROOT / "docs" / "performance.md"
DEFAULT_ASSETS = ROOT / "docs" / "assets" / "performance"
DEFAULT_SUITE_TIME = ROOT / "benchmarks" / "results" / "suite_time.json"
#: The first batching round's run, side by side with the code before it (its "before" rows).
EARLIER_SUITE_TIME = ROOT / "benchmarks" / "results" / "suite_time_round1.json"

__all__ = ["REQUIRED", "check_structure", "draw_figures", "generate", "render_page"]

#: Keys each part of the document must have (what the page reads).
REQUIRED: dict[str, tuple[str, ...]] = {
    "": ("schema", "command", "created", "machine", "versions", "seconds"),
    "machine": ("cpu", "cores", "thread_settings"),
    "accuracy": ("points", "implementations", "results", "curves", "formulas"),
    "throughput": ("size", "rounds", "goal_ref_over_naive", "rows"),
    "backprop": ("mlp", "chain"),
    "gradcheck": ("rows", "goal_evaluations", "goal_flags"),
    "suite": ("rows",),
}
SECTIONS = ("accuracy", "throughput", "backprop", "gradcheck", "suite")
_ERROR_CEILING = 1e17  # plots: an infinite error is drawn here
_ERROR_FLOOR = 1e-3  # plots: an exact result (error 0) is drawn here


def check_structure(doc: Any) -> None:
    """Raise ValueError naming the first missing key or section of a results document."""
    if not isinstance(doc, dict):
        raise ValueError(f"results: expected a JSON object; got {type(doc).__name__}.")
    for part, keys in REQUIRED.items():
        if part and part not in doc:
            raise ValueError(f"results: section {part!r} is missing (run every section).")
        where = doc[part] if part else doc
        missing = [key for key in keys if key not in where]
        if missing:
            raise ValueError(f"results: {part or 'top level'} lacks {', '.join(missing)}.")
    if doc["schema"] != 1:
        raise ValueError(f"results: schema {doc['schema']!r} unknown; expected 1.")


def _load_headline() -> Callable[[dict], list[tuple[str, str, str, str]]]:
    """``run_all.headline``: one definition of the table, printed by the run and shown here.

    Importing ``run_all`` changes nothing in this process (its settings are made in its
    ``main``).
    """
    path = ROOT / "benchmarks" / "run_all.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("gradspec_bench_run_all", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.headline


# --- figures -------------------------------------------------------------------------------


def _caption(doc: dict) -> str:
    m, v = doc["machine"], doc["versions"]
    libs = ", ".join(f"{k} {v[k]}" for k in ("numpy", "scipy", "torch", "jax") if k in v)
    return (
        f"{m['cpu']}, {m['cores']} cores, 1 thread; Python {v.get('python', '?')}, {libs}\n"
        f"{doc['command']}, {doc['created'][:10]}"
    )


#: Pixels per inch of the PNG files. The figures are at most 7.2 inches wide and the docs'
#: content column about 730 CSS pixels, so each PNG has at least twice the pixels it is shown
#: with, and a 9-point label is read at about 13 CSS pixels.
DPI = 220


def _finish(fig: plt.Figure, doc: dict, path: Path) -> None:
    fig.text(0.01, 0.005, _caption(doc), fontsize=7, color="0.35", ha="left", va="bottom")
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)


def _error_value(x: float | str) -> float:
    value = math.inf if x == "inf" else float(x)
    return min(max(value, _ERROR_FLOOR), _ERROR_CEILING)


_STYLE = {
    "reference": dict(color="black", marker="o", zorder=5),
    "torch": dict(color="tab:red", marker="s"),
    "jax": dict(color="tab:green", marker="^"),
    "scipy": dict(color="tab:purple", marker="D"),
    "numpy naive": dict(color="tab:orange", marker="x"),
}


def _symlog(z: float) -> float:
    """Signed log scale that spans the whole float range: 0 at 0, 2 + log10|z| far out."""
    return math.copysign(math.log10(abs(z) + 0.01) + 2.0, z)


_Z_TICKS = (-1000.0, -100.0, -10.0, -1.0, -0.1, 0.0, 0.1, 1.0, 10.0, 100.0, 1000.0)
#: The plots show |z| <= this; beyond it every function has saturated (the tables cover it).
_Z_SHOWN = 1000.0


def _accuracy_figure(doc: dict, name: str, path: Path) -> None:
    curves = doc["accuracy"]["curves"][name]
    # One panel per dtype, stacked: each gets the column's full width, so the labels stay
    # legible where the page shows the figure.
    fig, axes = plt.subplots(2, 1, figsize=(7.2, 7.6), sharex=True)
    for ax, dtype in zip(axes, ("float32", "float64"), strict=True):
        for who, points in curves.get(dtype, {}).items():
            shown = [p for p in points if abs(p[0]) <= _Z_SHOWN]
            z = [_symlog(p[0]) for p in shown]
            e = [_error_value(p[1]) for p in shown]
            ax.plot(z, e, linestyle="none", markersize=3, label=who, alpha=0.8, **_STYLE[who])
        # Matplotlib's own symlog scale overflows on the way back near 1e308; ours does not.
        ax.set_xticks([_symlog(t) for t in _Z_TICKS], [f"{t:g}" for t in _Z_TICKS], fontsize=9)
        ax.set_xlim(_symlog(-_Z_SHOWN) - 0.1, _symlog(_Z_SHOWN) + 0.1)
        ax.set_yscale("log")
        ax.set_ylim(_ERROR_FLOOR / 2, _ERROR_CEILING * 3)
        ax.axhline(0.5, color="0.6", linewidth=0.8, linestyle="--")
        ax.tick_params(axis="y", labelsize=9)
        ax.set_title(f"{name}, {dtype}", fontsize=11)
        ax.set_ylabel("error (ULPs)", fontsize=10)
    axes[1].set_xlabel("z (signed log scale, linear within 0.01 of 0)", fontsize=10)
    # The legend goes below the panels, where it covers no data.
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=len(labels), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, 0.045), markerscale=2)  # fmt: skip
    fig.suptitle(
        f"{name}: worst error per bin of z, |z| <= 1000\n"
        "dashed: 0.5 ULP (correctly rounded); bottom edge: exact; top edge: NaN or infinity",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.09, 1, 1))
    _finish(fig, doc, path)


def _throughput_figure(doc: dict, path: Path) -> None:
    rows = doc["throughput"]["rows"]
    labels = [f"{r['function']} ({r['dtype'][-2:]})" for r in rows]
    y = range(len(rows))
    fig, ax = plt.subplots(figsize=(7.2, 0.3 * len(rows) + 1.8))
    ax.barh([i - 0.2 for i in y], [r["ref_over_naive"] for r in rows], height=0.4,
            label="reference / naive NumPy", color="tab:blue")  # fmt: skip
    if all("ref_over_torch" in r for r in rows):
        ax.barh([i + 0.2 for i in y], [r["ref_over_torch"] for r in rows], height=0.4,
                label="reference / PyTorch", color="tab:red")  # fmt: skip
    goal = doc["throughput"]["goal_ref_over_naive"]
    ax.axvline(goal, color="black", linestyle="--", linewidth=1, label=f"goal {goal}x naive")
    ax.axvline(1.0, color="0.5", linewidth=0.8)
    ax.set_yticks(list(y), labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel(f"time ratio, {doc['throughput']['size']:,} elements (lower: reference faster)")
    ax.legend(fontsize=9, loc="lower right")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    _finish(fig, doc, path)


def _backprop_figure(doc: dict, path: Path) -> None:
    mlp = doc["backprop"]["mlp"]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    who = [r["who"] for r in mlp["rows"]]
    ax.bar(who, [r["ratio"] for r in mlp["rows"]], color="tab:blue")
    ax.axhline(mlp["goal_ratio"], color="black", linestyle="--", linewidth=1,
               label=f"goal for the engine: {mlp['goal_ratio']}")  # fmt: skip
    ax.set_ylabel("(forward + backward) / forward")
    ax.set_title(
        f"MLP {mlp['layers']} x {mlp['width']}, batch {mlp['batch']}, {mlp['activation']}, "
        f"{mlp['dtype']}",
        fontsize=9,
    )
    ax.legend(fontsize=9)
    fig.tight_layout(rect=(0, 0.09, 1, 1))
    _finish(fig, doc, path)


def _suite_figure(doc: dict, path: Path) -> None:
    rows = [r for r in doc["suite"]["rows"] if "error" not in r]
    profiles = list(dict.fromkeys(r["profile"] for r in rows))
    adapters = list(dict.fromkeys(r["adapter"] for r in rows))
    fig, ax = plt.subplots(figsize=(7, 3.4))
    width = 0.8 / len(adapters)
    for j, adapter in enumerate(adapters):
        values = [
            next((r["examples_per_second"] for r in rows
                  if r["profile"] == p and r["adapter"] == adapter), 0.0)
            for p in profiles
        ]  # fmt: skip
        ax.bar([i + (j - (len(adapters) - 1) / 2) * width for i in range(len(profiles))],
               values, width=width, label=adapter)  # fmt: skip
    ax.set_xticks(range(len(profiles)), profiles)
    ax.set_ylabel("examples verified per CPU second")
    ax.set_title("conformance suite, all clauses, seed 0", fontsize=9)
    ax.legend(fontsize=9)
    fig.tight_layout(rect=(0, 0.09, 1, 1))
    _finish(fig, doc, path)


def draw_figures(doc: dict, assets: Path) -> dict[str, str]:
    """Draw every figure into ``assets``; return {figure key: file name}."""
    assets.mkdir(parents=True, exist_ok=True)
    names = {}
    for name in doc["accuracy"]["curves"]:
        names[f"accuracy_{name}"] = f"accuracy_{name}.png"
        _accuracy_figure(doc, name, assets / names[f"accuracy_{name}"])
    for key, draw in (
        ("throughput", _throughput_figure),
        ("backprop", _backprop_figure),
        ("suite", _suite_figure),
    ):
        names[key] = f"{key}.png"
        draw(doc, assets / names[key])
    return names


# --- the page ------------------------------------------------------------------------------


def _ulps(x: float | str) -> str:
    if x == "inf":
        return "inf"
    if x == 0:
        return "0"
    return f"{x:.2f}" if x < 100 else f"{x:.1e}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _figure(images: dict[str, str], key: str, alt: str, prefix: str) -> list[str]:
    # The alt text doubles as the caption under the figure (styled by docs/stylesheets).
    return [
        f"![{alt}]({prefix}/{images[key]})",
        "",
        f"*{alt[:1].upper()}{alt[1:]}.*",
        "{ .caption }",
        "",
    ]


def _accuracy_part(doc: dict, images: dict[str, str], prefix: str) -> list[str]:
    acc = doc["accuracy"]
    who = acc["implementations"]
    out = [
        "## Accuracy",
        "",
        f"Error in ULPs of the result's dtype against the exact, unrounded value (mpmath), "
        f"over a fixed sample spanning the whole finite range: {acc['points']['float32']:,} "
        f"float32 and {acc['points']['float64']:,} float64 inputs (log-spaced magnitudes from "
        "the smallest subnormal to the largest finite number, a dense band where the functions "
        "bend, edge values, both signs). Each cell is **max / 99.9th percentile**; 0.5 or less "
        "is correctly rounded. PyTorch and JAX run through the shipped adapters (derivatives "
        "by autograd and `jax.grad`). `swish_derivative` is measured in ULPs of "
        "max(|swish'(z)|, sigmoid(z)) because it crosses zero; kinks (relu' and leaky_relu' at "
        "0, hardtanh' at ±1) are left out, where any subgradient is a valid convention. A "
        "huge figure for JAX in float64 on the piecewise-linear functions comes from "
        "subnormal inputs, which XLA on the CPU flushes to zero.",
        "",
    ]
    rows = []
    for name, by_dtype in acc["results"].items():
        for dtype, row in by_dtype.items():
            cells = [
                f"{_ulps(row[w]['max'])} / {_ulps(row[w]['p999'])}" if w in row else "-"
                for w in who
            ]
            rows.append([f"`{name}`", dtype, *cells])
    out += _table(["function", "dtype", *who], rows)
    out += ["Formulas of the contenders that are not libraries' own functions:", ""]
    for contender, formulas in acc["formulas"].items():
        listed = "; ".join(f"{k}: `{v}`" for k, v in formulas.items())
        out += [f"- **{contender}**: {listed}"]
    out += [""]
    for name in acc["curves"]:
        out += _figure(
            images,
            f"accuracy_{name}",
            f"error of {name} in ULPs against the exact value, per bin of z, for each "
            "implementation (float32 above, float64 below)",
            prefix,
        )
    return out


def _throughput_part(doc: dict, images: dict[str, str], prefix: str) -> list[str]:
    t = doc["throughput"]
    out = [
        "## Activation throughput",
        "",
        f"{t['size']:,} elements per call ({t['input']}), median of {t['rounds']} interleaved "
        f"rounds. Goal: the stable reference costs at most {t['goal_ref_over_naive']}x the "
        "naive NumPy formula. PyTorch runs its own kernels (`torch.sigmoid`, "
        "`aten.sigmoid_backward`, ...) on one thread.",
        "",
    ]
    rows = [
        [f"`{r['function']}`", r["dtype"], f"{r['reference_ms']:.2f}", f"{r['naive_ms']:.2f}",
         f"{r['torch_ms']:.2f}" if "torch_ms" in r else "-", f"**{r['ref_over_naive']:.2f}**",
         f"{r['ref_over_torch']:.2f}" if "ref_over_torch" in r else "-"]
        for r in t["rows"]
    ]  # fmt: skip
    out += _table(
        ["function", "dtype", "reference ms", "naive ms", "PyTorch ms", "ref / naive",
         "ref / PyTorch"], rows)  # fmt: skip
    out += _throughput_misses(doc)
    return out + _figure(
        images,
        "throughput",
        "time of the reference over naive NumPy and over PyTorch, per activation and dtype "
        "(lower: reference faster)",
        prefix,
    )


def _throughput_misses(doc: dict) -> list[str]:
    """Which rows miss the goal and, for float32, what the float64 route costs by itself."""
    t = doc["throughput"]
    goal = t["goal_ref_over_naive"]
    missed = [r for r in t["rows"] if r["ref_over_naive"] > goal]
    if not missed:
        return [f"Every case meets the goal of {goal}x.", ""]
    listed = ", ".join(
        f"`{r['function']}` {r['dtype']} ({r['ref_over_naive']:.2f}x)" for r in missed
    )
    out = [f"Over the goal of {goal}x: {listed}.", ""]
    if "float32_round_trip_ms" in t and any(r["dtype"] == "float32" for r in missed):
        naive_errors = []
        for r in missed:
            found = doc.get("accuracy", {}).get("results", {}).get(r["function"], {})
            naive = found.get(r["dtype"], {}).get("numpy naive")
            if naive is not None:
                naive_errors.append(f"`{r['function']}` {_ulps(naive['max'])}")
        errors = (
            f" (the naive float32 formulas' worst errors in the accuracy table above: "
            f"{', '.join(naive_errors)} ULP)"
            if naive_errors
            else ""
        )
        out += [
            "The reference computes float32 inputs in float64 and rounds once, because that "
            f"is what keeps every float32 result within 1 ULP{errors}. The naive formulas run "
            "NumPy's float32 loops instead, with twice the elements per vector instruction. "
            "Converting float32 to float64 and back, block by block as the reference does and "
            f"with no arithmetic at all, took {t['float32_round_trip_ms']:.2f} ms here: "
            f"{t['float32_round_trip_over_numpy_tanh']:.2f}x NumPy's whole float32 `tanh`, "
            "before a single function value is computed.",
            "",
        ]
    return out


def _backprop_part(doc: dict, images: dict[str, str], prefix: str) -> list[str]:
    mlp, chain = doc["backprop"]["mlp"], doc["backprop"]["chain"]
    out = [
        "## Backprop engine",
        "",
        f"A {mlp['layers']}-layer MLP, {mlp['width']} wide, batch {mlp['batch']}, "
        f"{mlp['activation']}, {mlp['dtype']}, gradients with respect to every input and "
        f"parameter; median of {mlp['rounds']} interleaved rounds. The figure of merit is "
        f"(forward + backward) / forward; goal for the engine: at most {mlp['goal_ratio']}.",
        "",
    ]
    rows = [
        [r["who"], f"{r['forward_ms']:.2f}", f"{r['both_ms']:.2f}", f"**{r['ratio']:.2f}**"]
        for r in mlp["rows"]
    ]
    out += _table(["implementation", "forward ms", "forward + backward ms", "ratio"], rows)
    out += [
        f"Engine forward + backward over hand-written NumPy: {mlp['engine_over_numpy']:.2f}; "
        f"over PyTorch: {mlp['engine_over_torch']:.2f}; over JAX (jit): "
        f"{mlp['engine_over_jax_jit']:.2f}.",
        "",
        f"The backward pass must do two matrix products per layer (for the weight and for the "
        f"layer's input), each costing as much as the forward's one: those eight products alone "
        f"took {mlp['backward_matmuls_ms']:.2f} ms, so no implementation with the engine's "
        f"forward can reach a ratio below **{mlp['floor_ratio']:.2f}** on this machine. "
        + _headroom(mlp),
        "",
        f"A chain of {chain['nodes']:,} `tanh` nodes on a 2-vector (graph check, forward and "
        f"backward): **{chain['engine_us_per_node']:.2f} us per node** for the engine "
        f"(goal at most {chain['goal_us_per_node']:g}), of which "
        f"{chain['engine_forward_us_per_node']:.2f} us is the check and forward pass; PyTorch "
        f"autograd {chain['torch_us_per_node']:.2f} us per node.",
        "",
    ]
    return out + _figure(
        images,
        "backprop",
        "(forward + backward) / forward for the MLP, per implementation, with the engine's goal",
        prefix,
    )


def _headroom(mlp: dict) -> str:
    """What the MLP goal leaves for the backward's elementwise work, from the measured floor."""
    engine = next(r for r in mlp["rows"] if r["who"] == "engine")
    left = (mlp["goal_ratio"] - mlp["floor_ratio"]) * engine["forward_ms"]
    if left <= 0:
        return f"The goal of {mlp['goal_ratio']} is below that floor here."
    return (
        f"The goal of {mlp['goal_ratio']} leaves {left:.2f} ms for everything else the backward "
        "pass does (the derivative of tanh on every layer, the products with the incoming "
        f"gradient, the sums); the engine spends "
        f"{engine['both_ms'] - engine['forward_ms'] - mlp['backward_matmuls_ms']:.2f} ms on it."
    )


def _gradcheck_part(doc: dict) -> list[str]:
    g = doc["gradcheck"]
    out = [
        "## Gradient check",
        "",
        f"{g['function']}. *Calls*: evaluations of f by one check of the correct gradient; "
        "*calls when failing*: the same for a wrong one (PyTorch's fast mode then recomputes "
        "the whole Jacobian in slow mode for its error message; measured at the smaller "
        "size, where that is affordable); *time*: one check of the correct gradient "
        "(median); *smallest flagged*: the smallest error planted in one entry of the "
        "gradient that the checker reports (bisection over the size of the "
        "error; *typical entry* is the median size of the gradient's entries); *false "
        "alarms*: checks of a correct gradient, on as many random problems, that failed. "
        f"Goals for gradspec: at most {g['goal_evaluations']} calls, flags "
        f"{g['goal_flags']:g} or smaller, no false alarm.",
        "",
    ]
    rows = []
    for r in g["rows"]:
        flagged = r["smallest_flagged"]
        failure = r.get("failure_evaluations")
        rows.append([f"{r['size']}x{r['size']}", r["checker"], str(r["evaluations"]),
                     "-" if failure is None else str(failure), f"{r['seconds'] * 1e3:.1f}",
                     flagged if isinstance(flagged, str) else f"{flagged:.2g}",
                     f"{r['typical_entry']:.2g}",
                     f"{r['false_alarms']} / {r['correct_problems']}"])  # fmt: skip
    return out + _table(
        ["W", "checker", "calls", "calls when failing", "time ms", "smallest flagged",
         "typical entry", "false alarms"], rows)  # fmt: skip


def _suite_part(doc: dict, images: dict[str, str], prefix: str) -> list[str]:
    out = [
        "## Conformance suite run time",
        "",
        "The whole suite (every clause, both dtypes, seed 0), one run per profile and "
        "adapter, each in a child process; *seconds* is wall time, *examples/s* is per "
        "second of CPU time.",
        "",
    ]
    suite_time = _load_suite_time()
    if suite_time and suite_time["created"][:10] > doc["created"][:10]:
        # The two benchmarks are run apart: say which code this older table measured.
        out += [
            f"Measured on {doc['created'][:10]} with the code of that day; the suite has "
            f"changed since: [Suite time](#suite-time) ({suite_time['created'][:10]}) has the "
            "figures of the current code, side by side with the old.",
            "",
        ]
    rows = []
    for r in doc["suite"]["rows"]:
        if "error" in r:
            rows.append([r["profile"], r["adapter"], "-", "-", "-", f"run failed: {r['error']}"])
            continue
        clauses = ", ".join(f"{k} {v}" for k, v in r["outcomes"].items() if v)
        rows.append([r["profile"], r["adapter"], f"{r['seconds']:.1f}", f"{r['examples']:,}",
                     f"{r['examples_per_second']:.0f}", clauses])  # fmt: skip
    out += _table(["profile", "adapter", "seconds", "examples", "examples/s", "clauses"], rows)
    return out + _figure(
        images,
        "suite",
        "examples the conformance suite verifies per CPU second, per profile and adapter",
        prefix,
    )


SCOREBOARD = ROOT / "docs" / "_generated" / "scoreboard"


def _libraries_part() -> list[str]:
    """The libraries' default-profile run times, from the committed scoreboard reports.

    ``benchmarks/scoreboard.py`` writes them (``runs.json``: the child's wall and CPU
    seconds; ``NAME.json``: the suite's report, with the suite's own seconds).
    """
    runs_path = SCOREBOARD / "runs.json"
    if not runs_path.exists():
        return []
    runs = json.loads(runs_path.read_text(encoding="utf-8"))
    out = [
        "## Library run times",
        "",
        "`gradspec check --adapter NAME --profile default` on each shipped library adapter "
        "(every clause, both dtypes, seed 0, accuracy grades included), one library at a "
        "time in a child process, from the committed [scoreboard](scoreboard.md) reports "
        "(`python benchmarks/scoreboard.py`). *wall s* and *CPU s* are the whole process's, "
        "imports and compilation included; *suite s* is the report's own wall time of the "
        "clause runs. The machine is shared: compare CPU seconds.",
        "",
    ]
    rows = []
    for name, run in sorted(runs.items()):
        if "skipped" in run:
            rows.append([name, run["skipped"], "-", "-", "-", "-", "-"])
            continue
        report_path = SCOREBOARD / f"{name}.json"
        report = json.loads(report_path.read_text(encoding="utf-8"))
        rows.append([name, report["adapter"]["name"], str(run["exit_status"]),
                     f"{run['wall_seconds']:.1f}", f"{run['cpu_seconds']:.1f}",
                     f"{report['seconds']:.1f}", f"{report['summary']['examples']:,}"])  # fmt: skip
    return out + _table(
        ["library", "version", "exit", "wall s", "CPU s", "suite s", "examples"], rows
    )


def _suite_time_part(suite_time: dict | None, earlier: dict | None = None) -> list[str]:
    """Section "Suite time": the current suite on every adapter installed (suite_time.json),
    and the code before batching beside it (its "before" rows, or ``earlier``'s)."""
    if not suite_time:
        return []
    out = [
        "## Suite time",
        "",
        "The whole suite (every clause, both dtypes, seed 0) on every adapter installed, each "
        f"run in a child process, with `{suite_time['command']}` on "
        f"{suite_time['created'][:10]} ({_duration(suite_time['seconds'])}, load average "
        f"{suite_time['machine']['load_average_at_start'][0]:.1f} at the start). *slow* is "
        "the reference with 5 ms of sleep in every call, a stand-in for a library that pays "
        "per call (dispatch, tracing, compiling). *wall s* is the suite's own run (loading "
        "the adapter and importing its library excluded), *CPU s* the CPU seconds of the "
        "run's process over the same span; *calls* counts adapter calls and *shapes* the "
        "distinct (member, dtype, argument shapes) keys among them; *x reference* is the CPU "
        "time over the reference's in the same profile.",
        "",
    ]
    now = [r for r in suite_time["rows"] if r.get("code", "after") == "after"]
    reference = {r["profile"]: r for r in now if r["adapter"] == "reference" and "error" not in r}

    def cell(row: dict, key: str, fmt: str) -> str:
        if "error" in row:
            return "failed"
        return format(row[key], fmt) if row.get(key) is not None else "-"

    def name(row: dict) -> str:
        return row["adapter"].rpartition("/")[2].replace("suite_time.py:", "")

    rows = []
    for r in now:
        base = reference.get(r["profile"], {}).get("cpu_seconds")
        times = f"{r['cpu_seconds'] / base:.1f}" if base and r.get("cpu_seconds") else "-"
        rows.append([r["profile"], name(r), cell(r, "seconds", ".1f"),
                     cell(r, "cpu_seconds", ".1f"), times, cell(r, "calls", ","),
                     cell(r, "shapes", ",")])  # fmt: skip
    out += _table(["profile", "adapter", "wall s", "CPU s", "x reference", "calls", "shapes"], rows)
    before_doc = (
        suite_time if any(r.get("code") == "before" for r in suite_time["rows"]) else earlier
    )
    if before_doc:
        before = {
            (r["profile"], name(r)): r for r in before_doc["rows"] if r.get("code") == "before"
        }
        load = before_doc["machine"]["load_average_at_start"]
        out += [
            "Before batching: the code before the suite batched its examples "
            f"({before_doc.get('before', 'the code before')}), measured on "
            f"{before_doc['created'][:10]} side by side with the first batching round by "
            f"`{before_doc['command']}` (now `suite_time_round1.json`; load average "
            f"{load[0]:.0f} to {load[2]:.0f}, so its wall times measured the load: compare CPU "
            "seconds), beside this run:",
            "",
        ]
        rows = []
        for r in now:
            old = before.get((r["profile"], name(r)))
            if old is None or "error" in old or "error" in r:
                continue
            rows.append([r["profile"], name(r), cell(old, "cpu_seconds", ".1f"),
                         cell(r, "cpu_seconds", ".1f"),
                         f"{r['cpu_seconds'] / old['cpu_seconds']:.2f}",
                         f"{cell(old, 'calls', ',')} → {cell(r, 'calls', ',')}",
                         f"{cell(old, 'shapes', ',')} → {cell(r, 'shapes', ',')}"])  # fmt: skip
        out += _table(
            ["profile", "adapter", "before CPU s", "now CPU s", "now / before", "calls", "shapes"],
            rows,
        )
    if suite_time.get("note"):
        out += [suite_time["note"], ""]
    return out


def _load_suite_time(path: Path = DEFAULT_SUITE_TIME) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} seconds" if seconds < 120 else f"{seconds / 60:.0f} minutes"


def render_page(
    doc: dict,
    images: dict[str, str],
    *,
    prefix: str = "assets/performance",
    suite_time: dict | None = None,
) -> str:
    """The Markdown of the page; ``images`` maps figure keys to files under ``prefix``.

    ``suite_time``: the before/after suite run (by default the committed
    ``benchmarks/results/suite_time.json``, if there is one).
    """
    if suite_time is None:
        suite_time = _load_suite_time()
    headline = _load_headline()(doc)
    m, v = doc["machine"], doc["versions"]
    out = [
        "# Performance and accuracy",
        "",
        "<!-- Generated by tools/gen_performance_page.py from "
        "benchmarks/results/latest.json and the scoreboard reports in "
        "docs/_generated/scoreboard: edit those, not this page. -->",
        "",
        "How accurate and how fast the reference is, measured side by side with PyTorch, JAX, "
        "SciPy and plain NumPy. Every comparison runs its contenders interleaved in one "
        "process, several rounds, and reports medians of the process's CPU time (the machine "
        "is shared: time given to other processes is not counted; wall-time medians are in "
        "the JSON); the headline figures are **ratios**, which travel between machines "
        "better than times do.",
        "",
        f"Measured with `{doc['command']}` ({_duration(doc['seconds'])}) on "
        f"{doc['created'][:10]}: {m['cpu']}, {m['cores']} cores, every library on one thread. "
        "Regenerate this page with `python tools/gen_performance_page.py`.",
        "",
        "## Headline",
        "",
    ]
    out += _table(["what", "goal", "measured", "verdict"], [list(row) for row in headline])
    acc = doc["accuracy"]
    out += [
        "The two accuracy rows are the largest error in ULPs of the result's dtype against "
        "the exact value, over the fixed sample of the section below "
        f"({acc['points']['float32']:,} float32 and {acc['points']['float64']:,} float64 "
        "inputs across the whole finite range); `swish_derivative`, which crosses zero, is "
        "measured there in ULPs of max(|swish'(z)|, sigmoid(z)), kinks are left out. In plain "
        "ULPs of its own value swish' is much less accurate right next to its root: see "
        "[swish](spec/swish.md#computing-it-stably).",
        "",
    ]
    out += _accuracy_part(doc, images, prefix)
    out += _throughput_part(doc, images, prefix)
    out += _backprop_part(doc, images, prefix)
    out += _gradcheck_part(doc)
    out += _suite_part(doc, images, prefix)
    out += _suite_time_part(suite_time, _load_suite_time(EARLIER_SUITE_TIME))
    out += _libraries_part()
    settings = ", ".join(f"`{k}={val}`" for k, val in m["thread_settings"].items() if val)
    out += [
        "## Machine and versions",
        "",
        f"- CPU: {m['cpu']} ({m.get('arch', '?')}), {m['cores']} cores, "
        f"{m.get('os', '?')}; load average at start {m.get('load_average_at_start', '?')}",
        f"- NumPy's BLAS: {m.get('blas', '?')}; settings: {settings or 'none'}",
        f"- gradspec commit {m.get('git', {}).get('commit', '?')[:12]}"
        + (
            f" with {m['git']['modified_files']} files modified in the work tree"
            if m.get("git", {}).get("modified_files")
            else ""
        ),
        "- " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
    ]
    return "\n".join(out)


def generate(json_path: Path, page: Path, assets: Path, *, prefix: str) -> None:
    """Read ``json_path``, check it, draw the figures into ``assets`` and write ``page``."""
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    check_structure(doc)
    images = draw_figures(doc, assets)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_page(doc, images, prefix=prefix), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--page", type=Path, default=DEFAULT_PAGE)
    parser.add_argument("--assets", type=Path, default=DEFAULT_ASSETS)
    parser.add_argument(
        "--prefix", default="assets/performance", help="the figures' path as the page links it"
    )
    args = parser.parse_args(argv)
    generate(args.json, args.page, args.assets, prefix=args.prefix)
    print(f"wrote {args.page} and figures in {args.assets}")


if __name__ == "__main__":
    main()
