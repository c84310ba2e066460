"""Tests of the one finite-difference module: the step rule, the step taken, the error bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradspec.reference import central_difference, relative_step

SMOOTH = {  # f and its derivative, from the calculus
    "sin": (np.sin, np.cos),
    "exp": (np.exp, np.exp),
    "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    "cubic": (lambda x: x**3 - 2 * x, lambda x: 3 * x**2 - 2),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_step_rule_is_eps_to_one_over_p_plus_one_times_max_one_abs_x(dtype):
    eps = float(np.finfo(dtype).eps)
    x = np.array([0.0, 0.5, -3.0, 1e4])
    np.testing.assert_allclose(relative_step(x, dtype), eps ** (1 / 3) * np.array([1, 1, 3, 1e4]))
    np.testing.assert_allclose(
        relative_step(x, dtype, extrapolate=True), eps**0.2 * np.array([1, 1, 3, 1e4])
    )


@pytest.mark.parametrize("extrapolate", [False, True])
@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.floats(-5, 5, allow_subnormal=False), min_size=1, max_size=8))
def test_the_error_bound_holds_for_smooth_functions(name, extrapolate, values):
    f, derivative = SMOOTH[name]
    x = np.array(values)
    d = central_difference(f, x, extrapolate=extrapolate)
    exact = derivative(x)
    # The bound is an estimate; 2x margin keeps a rare near-cancelling estimate from flaking.
    assert np.all(np.abs(d.value - exact) <= 2 * d.error + 1e-15 * np.abs(exact))


def test_the_step_actually_taken_is_used_so_a_linear_function_is_exact():
    x = np.array([0.1, 1e3 + 0.3, -7.7], dtype=np.float32)
    d = central_difference(lambda z: 3 * z.astype(np.float64), x)
    np.testing.assert_array_equal(d.value, 3.0)
    h = relative_step(x, np.float32)
    assert not np.array_equal(d.step, h)  # x + h rounds in float32 ...
    np.testing.assert_allclose(d.step, h, rtol=1e-3)  # ... close to, not exactly, h


def test_along_a_direction_a_linear_function_gives_J_times_the_step_taken():
    rng = np.random.default_rng(0)
    J = rng.standard_normal((3, 4))
    x, direction = rng.standard_normal(4), rng.standard_normal(4)
    d = central_difference(lambda p: J @ p, x, direction=direction, extrapolate=True)
    h = relative_step(0.0, np.float64, extrapolate=True)
    np.testing.assert_allclose(d.value, J @ d.step / h, rtol=1e-9)
    np.testing.assert_allclose(d.value, J @ direction, rtol=1e-9)


def test_extrapolation_is_more_accurate_than_the_plain_difference():
    x = np.linspace(-2, 2, 9)
    plain = central_difference(np.sin, x)
    richardson = central_difference(np.sin, x, extrapolate=True)
    assert np.max(np.abs(richardson.value - np.cos(x))) < np.max(np.abs(plain.value - np.cos(x)))


def test_a_wrong_derivative_lies_far_outside_the_bound():
    x = np.array([0.3, 1.1])
    d = central_difference(np.tanh, x)
    sloppy = (1 / np.cosh(x) ** 2) * (1 + 1e-6)
    assert np.all(np.abs(sloppy - d.value) > 10 * d.error)


def test_skipping_the_error_estimate_evaluates_f_twice():
    calls = []
    d = central_difference(lambda z: calls.append(1) or z**2, np.array([1.0]), estimate_error=False)
    assert len(calls) == 2 and np.isnan(d.truncation).all()
    assert d.value == pytest.approx(2.0)


def test_bad_input_gives_a_clear_error():
    with pytest.raises(TypeError, match="f must be a function"):
        central_difference("sin", np.ones(2))
    with pytest.raises(TypeError, match="x must be a float32 or float64 array"):
        central_difference(np.sin, np.ones(2, dtype=np.float16))
