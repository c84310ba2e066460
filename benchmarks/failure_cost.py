"""What a wrong implementation costs: the default profile on a correct adapter and on broken
ones, with the profile's shrink bounds and with Hypothesis's own (the behaviour before).

A failing clause used to spend most of its time shrinking (minutes for a backprop whose
gradients have the wrong shape). The profiles now bound shrinking
(`gradspec.conformance._model.Profile.max_shrinks` and ``shrink_seconds``); the target is a
broken implementation costing at most 2x a correct one. All runs are in this process, one
after the other, seed 0, so the ratios are what to read on a shared machine.

Usage::

    python benchmarks/failure_cost.py [--profile default] [--select PATTERN]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from typing import Any

import numpy as np

from gradspec import reference as ref
from gradspec.conformance import run_suite
from gradspec.conformance._model import PROFILES, Outcome
from gradspec.conformance.buggy import ReferenceAdapter

__all__ = ["BackpropWrongShape", "SigmoidWrong", "measure"]


class BackpropWrongShape(ReferenceAdapter):
    """backprop's gradients come back with an extra leading axis: shape (1, *shape)."""

    name = "backprop-wrong-shape"

    def backprop(self, graph: dict[str, Any], inputs: dict[str, Any]) -> Any:
        output, gradients = ref.backprop(graph, inputs)
        return output, {key: np.asarray(value)[None] for key, value in gradients.items()}


class SigmoidWrong(ReferenceAdapter):
    """sigmoid(z) = 1 / (1 + e^z): the sign of the exponent flipped."""

    name = "sigmoid-wrong"

    def sigmoid(self, z: Any) -> Any:
        with np.errstate(over="ignore"):
            return (1 / (1 + np.exp(z))).astype(z.dtype)


def measure(adapter: type, profile: str, select: str | None) -> dict[str, Any]:
    """One run of the suite; its wall time, adapter calls and failed clauses."""
    started = time.perf_counter()
    report = run_suite(adapter, profile=profile, seed=0, select=select)
    return {
        "seconds": time.perf_counter() - started,
        "calls": report.calls,
        "failed": report.counts()[Outcome.FAIL],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default", choices=sorted(PROFILES))
    parser.add_argument("--select", default=None, help="restrict the clauses (as gradspec -k)")
    args = parser.parse_args(argv)
    bounded = PROFILES[args.profile]
    # "Before": the same profile with Hypothesis's own shrink limits (500 shrinks, 300 s).
    before = dataclasses.replace(
        bounded, name=f"{bounded.name}-unbounded", max_shrinks=500, shrink_seconds=300.0
    )
    PROFILES[before.name] = before
    print(
        f"profile {bounded.name}: bounded shrinking = {bounded.max_shrinks} shrinks / "
        f"{bounded.shrink_seconds:g} s per property; before = 500 shrinks / 300 s",
        flush=True,
    )
    correct = measure(ReferenceAdapter, bounded.name, args.select)
    print(
        f"{'correct (reference)':<24} {correct['seconds']:8.1f} s  {correct['calls']:7d} calls"
        f"  {correct['failed']:3d} failed  ratio 1.00",
        flush=True,
    )
    for broken in (BackpropWrongShape, SigmoidWrong):
        for label, profile in (("after", bounded.name), ("before", before.name)):
            run = measure(broken, profile, args.select)
            ratio = run["seconds"] / correct["seconds"]
            print(
                f"{broken.name + ' ' + label:<24} {run['seconds']:8.1f} s  {run['calls']:7d} "
                f"calls  {run['failed']:3d} failed  ratio {ratio:.2f}",
                flush=True,
            )
    del PROFILES[before.name]
    return 0


if __name__ == "__main__":
    sys.exit(main())
