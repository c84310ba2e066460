"""Accuracy grades name a flush to zero only where a member really returns zero."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gradspec import reference
from gradspec.conformance._adapter import load_adapter
from gradspec.conformance._grades import _BOUNDS, grade_adapter, grade_errors


def _grade(members: dict, dtype: str = "float64") -> dict[str, str]:
    return {g.member: g.grade for g in grade_adapter(load_adapter(members), [dtype])}


def _flushing(function):
    def member(z):
        result = function(z)
        tiny = np.finfo(result.dtype).tiny
        return np.where(np.abs(result) < tiny, np.zeros_like(result), result)

    return member


def _one_ulp_up_when_subnormal(function):
    def member(z):
        result = function(z)
        tiny = np.finfo(result.dtype).tiny
        return np.where(np.abs(result) < tiny, np.nextafter(result, np.inf), result)

    return member


def test_a_member_that_zeroes_subnormal_results_is_graded_as_flushing():
    grades = _grade({"tanh_derivative": _flushing(reference.tanh_derivative)})
    assert grades["tanh_derivative"].endswith("(subnormal results flushed)")


def test_subnormal_results_a_little_off_are_graded_not_called_flushed():
    # An ULP is absolute among the subnormals: one off is an error of about 1 ULP, not a flush.
    off = _grade({"tanh_derivative": _one_ulp_up_when_subnormal(reference.tanh_derivative)})
    assert "flushed" not in off["tanh_derivative"]
    assert (
        "flushed" not in _grade({"tanh_derivative": reference.tanh_derivative})["tanh_derivative"]
    )


def test_the_reference_flushes_nothing_in_either_dtype():
    members = {name: getattr(reference, name) for name in ("sigmoid", "tanh", "swish")}
    members |= {f"{name}_derivative": getattr(reference, f"{name}_derivative") for name in members}
    for dtype in ("float32", "float64"):
        flushing = [m for m, grade in _grade(members, dtype).items() if "flushed" in grade]
        assert flushing == [], dtype


def test_the_reference_s_grades_agree_with_the_accuracy_benchmark():
    # benchmarks/accuracy.py measures the reference on its own, denser sample (its figures are
    # committed in benchmarks/results/latest.json): each member's grade must be the one its
    # measured worst error earns, or one level better where the grade's smaller sample misses
    # a rare worst case (float64 tanh: 4 of the benchmark's 7,013 inputs are just over 1 ULP,
    # 1.02 at z = -0.5208; the grade's 1,651 inputs reach 0.968). Never a worse one.
    root = Path(__file__).resolve().parents[2]
    measured = json.loads((root / "benchmarks" / "results" / "latest.json").read_text())
    results = measured["accuracy"]["results"]
    grades = grade_adapter(load_adapter("reference"), ["float32", "float64"])
    assert len(grades) == 24
    for grade in grades:
        worst = results[grade.member][grade.dtype]["reference"]
        level, name = grade_errors(np.array([worst["worst_z"]]), np.array([worst["max"]]))
        assert level - 1 <= grade.level <= level, (grade.member, grade.dtype, grade.grade, name)
        if grade.level < level:
            # rare: 99.9% of the benchmark's inputs are within the grade's bound
            assert worst["p999"] <= _BOUNDS[grade.level], worst


def test_grading_in_pieces_of_the_batch_length_changes_no_grade():
    # The suite grades in calls of its batch length (no new shape for a compiling library):
    # the same inputs, so the same worst errors, as one call on the whole sample.
    adapter = load_adapter("reference")
    whole = grade_adapter(adapter, ["float32", "float64"])
    pieces = grade_adapter(adapter, ["float32", "float64"], length=128)
    assert pieces == whole
