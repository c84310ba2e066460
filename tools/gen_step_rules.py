"""Write the gradient-check pages' table of step rules, measured from the code that uses them.

Two finite-difference rules are in use: the reference's ``check_gradient`` (a central
difference) and the suite's GRAD clauses (a central difference with one Richardson step).
Rather than restate them, this script observes them: it runs ``check_gradient`` at x = 1 and
reads the step it reports, and it runs the clause GRAD-SIGMOID-FD of the suite on an adapter
that records every input it is called with, and reads off the points the clause evaluated
(how many around each input, how far apart, in which dtypes). ``tests/docs/test_stated_facts.py``
compares the committed fragment with a fresh measurement and the formulas the pages state
with the measured steps.

Usage::

    python tools/gen_step_rules.py          # rewrite docs/_generated/{step_rules,fixed_step}.md
    python tools/gen_step_rules.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import _fragments  # tools/_fragments.py, beside this script
import numpy as np

from gradspec import reference as ref
from gradspec.conformance import load_adapter, run_suite

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "_generated" / "step_rules.md"
OUT_FIXED = ROOT / "docs" / "_generated" / "fixed_step.md"

#: The clause observed, and the input near which its evaluation points are read.
CLAUSE = "GRAD-SIGMOID-FD"
PROBE = 0.3  # one of the clause's fixed inputs; max(1, |z|) = 1 there
#: The clause's fixed inputs start with these (0.3, -0.3, 0.7, -0.7, 1.5...): an array whose
#: elements are all near them is that input or one of its shifted copies.
FIXED_START = (0.3, -0.3, 0.7, -0.7, 1.5)


@dataclass(frozen=True)
class Observed:
    """What the clause was seen doing around ``PROBE``."""

    dtypes: tuple[str, ...]
    points: tuple[float, ...]  # distinct evaluation points near PROBE, sorted

    @property
    def step(self) -> float:
        """Half the span of the points: the largest step h taken."""
        return (self.points[-1] - self.points[0]) / 2


class _Recorder:
    """An adapter: the reference's sigmoid, remembering every input array."""

    name = "recording sigmoid"

    def __init__(self) -> None:
        self.inputs: list[np.ndarray] = []

    def sigmoid(self, z: np.ndarray) -> np.ndarray:
        self.inputs.append(np.array(z, copy=True))
        return ref.sigmoid(z)

    def sigmoid_derivative(self, z: np.ndarray) -> np.ndarray:
        return ref.sigmoid_derivative(z)


def observe_clause() -> Observed:
    """Run the clause on the recording adapter; collect the points it used near PROBE."""
    recorder = _Recorder()
    report = run_suite(load_adapter(recorder), profile="quick", select=CLAUSE)
    if report.executed == 0 or not recorder.inputs:
        raise SystemExit(f"{CLAUSE} did not run on the recording adapter")
    fixed = np.array(FIXED_START)
    # The clause evaluates the shifted copies of its fixed inputs in one call, one after the
    # other: every place an input array holds a copy of FIXED_START gives one point.
    starts = []
    for a in recorder.inputs:
        flat = a.reshape(-1).astype(np.float64)
        for i in range(flat.size - fixed.size + 1):
            if np.all(np.abs(flat[i : i + fixed.size] - fixed) < 0.05):
                starts.append(flat[i])
    if not starts:
        raise SystemExit(f"{CLAUSE} never evaluated its fixed inputs {FIXED_START}...")
    near = np.unique(starts)
    dtypes = tuple(sorted({str(a.dtype) for a in recorder.inputs}))
    return Observed(dtypes=dtypes, points=tuple(float(v) for v in near))


def reference_step(dtype: str) -> float:
    """The step ``check_gradient`` reports at x = 1 for a smooth function."""
    x = np.array([1.0], dtype=dtype)
    result = ref.check_gradient(lambda v: float(np.sum(np.sin(v))), np.cos, x)
    return float(result.step)


#: The sample of the fixed-step measurement: smooth activations at inputs where they bend.
SAMPLE_FUNCTIONS = ("sigmoid", "tanh", "swish")
SAMPLE_Z = (-4.0, -2.0, -1.0, -0.5, -0.25, 0.25, 0.5, 1.0, 2.0, 4.0)
FIXED_STEP = 1e-6


def central_errors(dtype: str, rule: str) -> np.ndarray:
    """Relative errors of (f(z + h) - f(z - h)) / (2h), f evaluated in ``dtype``.

    ``rule`` is ``"fixed"`` (h = FIXED_STEP, divided by the nominal 2h, as most code does)
    or ``"eps^(1/3)"`` (h = eps^(1/3) max(1, |z|), divided by the step actually taken).
    The exact derivative is the oracle's.
    """
    z = np.array(SAMPLE_Z, dtype=dtype)
    errors = []
    for name in SAMPLE_FUNCTIONS:
        f = getattr(ref, name)
        if rule == "fixed":
            plus, minus = z + np.asarray(FIXED_STEP, dtype), z - np.asarray(FIXED_STEP, dtype)
            width = 2 * FIXED_STEP
        else:
            h = (np.finfo(dtype).eps ** (1 / 3) * np.maximum(1, np.abs(z))).astype(dtype)
            plus, minus = z + h, z - h
            width = plus.astype(np.float64) - minus.astype(np.float64)
        estimate = (f(plus).astype(np.float64) - f(minus).astype(np.float64)) / width
        exact = ref.oracle.exact(f"{name}_derivative", z.astype(np.float64), np.float64)
        errors.append(np.abs(estimate - exact) / np.abs(exact))
    return np.concatenate(errors)


def rounds_away() -> float:
    """The smallest power of two x at which x + FIXED_STEP rounds to x in float64."""
    x = 1.0
    while x + FIXED_STEP != x:
        x *= 2
    return x


def render_fixed_step() -> str:
    rows = []
    for dtype in ("float64", "float32"):
        for rule, label in (("fixed", f"h = {FIXED_STEP:g}"), ("eps^(1/3)", "(G2)")):
            e = central_errors(dtype, rule)
            rows.append(f"| {dtype} | {label} | {np.median(e):.1e} | {e.max():.1e} |")
    n = len(SAMPLE_FUNCTIONS) * len(SAMPLE_Z)
    zs = ", ".join(f"{z:g}" for z in SAMPLE_Z)
    return "\n".join(
        [
            "<!-- Generated by tools/gen_step_rules.py from measured runs; do not edit. -->",
            "",
            "| f evaluated in | step | median relative error | worst relative error |",
            "|---|---|---|---|",
            *rows,
            "",
            f"Central differences of {', '.join(SAMPLE_FUNCTIONS)} at z = {zs} ({n} "
            "estimates per row) against the exact derivative (`gradspec.reference.oracle`). "
            f"In float64, x + {FIXED_STEP:g} rounds to x itself from x = "
            f"{rounds_away():.3g} on (2^{int(np.log2(rounds_away()))}).",
            "",
        ]
    )


def render() -> str:
    seen = observe_clause()
    eps64 = float(np.finfo(np.float64).eps)
    rows = [
        (
            "`gradspec.reference.check_gradient`",
            "central difference",
            "2",
            r"\(\varepsilon^{1/3} \max(1, \lvert x\rvert)\)",
            f"{eps64 ** (1 / 3):.3g}",
            f"{reference_step('float64'):.3g}; {reference_step('float32'):.3g} for a float32 x",
            "float32 and float64",
        ),
        (
            f"GRAD clauses (observed on `{CLAUSE}`)",
            f"Richardson: \\((4 D(h/2) - D(h))/3\\), {len(seen.points)} points per input",
            "4",
            r"\(\varepsilon^{1/5} \max(1, \lvert z\rvert)\)",
            f"{eps64 ** (1 / 5):.3g}",
            f"{seen.step:.3g}",
            ", ".join(seen.dtypes) + " only",
        ),
    ]
    header = (
        "| where | estimate | order p | step rule | rule at 1, float64 | step measured at 1 | "
        "runs in |"
    )
    lines = [
        "<!-- Generated by tools/gen_step_rules.py from measured runs; do not edit. -->",
        "",
        header,
        "|---|---|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]
    return "\n".join(lines)


def fragments() -> dict[Path, str]:
    """Every fragment's path and its freshly measured text."""
    return {OUT: render(), OUT_FIXED: render_fixed_step()}


def main(argv: Sequence[str] | None = None) -> int:
    return _fragments.main(__doc__, fragments, argv)


if __name__ == "__main__":
    sys.exit(main())
