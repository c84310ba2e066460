"""Accuracy grades name a flush to zero only where a member really returns zero."""

from __future__ import annotations

import numpy as np

from gradspec import reference
from gradspec.conformance._adapter import load_adapter
from gradspec.conformance._grades import grade_adapter


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
