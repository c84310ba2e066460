"""Tests of the gradient check: correct gradients pass, wrong ones fail, kinks are reported.

Every analytic gradient here is written from the calculus, independently of the checker.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from gradspec.reference import tanh, tanh_derivative
from gradspec.reference._gradcheck import (
    GradientCheck,
    check_gradient,
    check_jacobian,
    numerical_jacobian,
)

MODES = ("full", "projection")

# (f, grad) pairs of smooth scalar functions, each gradient derived by hand.
SMOOTH = {
    "tanh": (lambda x: np.sum(tanh(x)), lambda x: tanh_derivative(x)),
    "sigmoid": (lambda x: np.sum(expit(x)), lambda x: expit(x) * expit(-x)),
    "swish": (
        lambda x: np.sum(x * expit(x)),
        lambda x: expit(x) + x * expit(x) * expit(-x),
    ),
    "polynomial": (
        lambda x: np.sum(x**3 - 2 * x**2 + x - 5),
        lambda x: 3 * x**2 - 4 * x + 1,
    ),
    "product": (
        lambda x: np.sum(x[:-1] * x[1:]) if x.size > 1 else np.sum(x**2),
        lambda x: _product_grad(x),
    ),
}


def _product_grad(x: np.ndarray) -> np.ndarray:
    if x.size == 1:
        return 2 * x
    g = np.zeros_like(x)
    g[:-1] += x[1:]
    g[1:] += x[:-1]
    return g


def _layer(rng: np.random.Generator, m: int, n: int):
    """f(W) = sum(tanh(W x + b)) and its gradient dW = outer(tanh'(z), x)."""
    x = rng.standard_normal(n)
    b = 0.1 * rng.standard_normal(m)
    W = rng.standard_normal((m, n)) / np.sqrt(n)

    def f(W):
        return np.sum(np.tanh(W @ x + b))

    def grad(W):
        return np.outer(1 - np.tanh(W @ x + b) ** 2, x)

    return W, f, grad


vectors = st.integers(1, 12).flatmap(
    lambda n: st.lists(
        st.floats(-6, 6, allow_nan=False, allow_subnormal=False), min_size=n, max_size=n
    )
)


# ---------------------------------------------------------------------------- correct passes


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(max_examples=25)
@given(values=vectors, seed=st.integers(0, 2**32 - 1))
def test_correct_gradient_of_smooth_function_passes(name, mode, values, seed):
    f, grad = SMOOTH[name]
    result = check_gradient(f, grad, np.array(values), mode=mode, seed=seed)
    assert result.ok, str(result)
    assert result.abs_error <= result.tolerance


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=25)
@given(m=st.integers(1, 9), n=st.integers(1, 9), seed=st.integers(0, 2**32 - 1))
def test_correct_linear_layer_gradient_passes(mode, m, n, seed):
    W, f, grad = _layer(np.random.default_rng(seed), m, n)
    assert check_gradient(f, grad, W, mode=mode, seed=seed + 1).ok


def test_large_layer_projection_passes_over_many_seeds():
    rng = np.random.default_rng(7)
    for seed in range(10):
        W, f, grad = _layer(rng, 128, 128)
        result = check_gradient(f, grad, W, mode="projection", seed=seed)
        assert result.ok, str(result)


def test_cancelling_values_do_not_raise_false_alarms():
    # f is exactly 0 near x (saturated tanh values cancel), yet tanh' is not: the tolerance
    # must reflect the rounding of the terms, not of their sum.
    x = np.array([40.0, -23.0, -18.7, 16.3])
    f, grad = SMOOTH["tanh"]
    for mode in MODES:
        assert check_gradient(f, grad, x, mode=mode).ok


# ------------------------------------------------------------------------------ wrong fails


WRONG = {
    "sign flip": lambda g: -g,
    "factor 2": lambda g: 2 * g,
    "single entry": lambda g: g + 1e-3 * (np.arange(g.size).reshape(g.shape) == g.size // 2),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("mistake", sorted(WRONG))
@settings(max_examples=20)
@given(m=st.integers(2, 8), n=st.integers(2, 8), seed=st.integers(0, 2**32 - 1))
def test_wrong_layer_gradient_fails(mistake, mode, m, n, seed):
    W, f, grad = _layer(np.random.default_rng(seed), m, n)
    result = check_gradient(f, lambda W: WRONG[mistake](grad(W)), W, mode=mode, seed=seed)
    assert not result.ok
    assert not result
    assert result.abs_error > result.tolerance


@pytest.mark.parametrize("mode", MODES)
def test_transposed_matrix_gradient_fails(mode):
    # f(W) = x^T W y has gradient outer(x, y); the transposed outer(y, x) has the same shape.
    rng = np.random.default_rng(3)
    x, y, W = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal((4, 4))
    f = lambda W: x @ W @ y  # noqa: E731
    assert check_gradient(f, lambda W: np.outer(x, y), W, mode=mode).ok
    assert not check_gradient(f, lambda W: np.outer(y, x), W, mode=mode).ok


def test_full_mode_names_the_wrong_element():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    f, grad = SMOOTH["tanh"]

    def bad(x):
        g = grad(x)
        g[1, 0] += 1e-4
        return g

    result = check_gradient(f, bad, x)
    assert not result.ok
    assert result.where == "x[1, 0]"
    assert result.x_value == 2.0
    np.testing.assert_allclose(result.analytic - result.numeric, 1e-4, rtol=1e-4)
    assert "FAILED" in str(result) and "x[1, 0] = 2" in str(result)


def test_single_tiny_wrong_entry_is_flagged_in_a_large_layer_within_9_evaluations():
    W, f, grad = _layer(np.random.default_rng(11), 256, 256)
    for seed in range(5):
        k = np.random.default_rng(100 + seed).integers(W.size)

        def bad(W, k=k):
            g = grad(W)
            g.flat[k] += 1e-5
            return g

        result = check_gradient(f, bad, W, mode="projection", seed=seed)
        assert not result.ok, str(result)
        assert result.evaluations <= 9  # f(x) and 4 per probe


def test_hint_recognises_a_flipped_sign_and_a_factor_of_two():
    f, grad = SMOOTH["sigmoid"]
    x = np.array([0.3, -0.7])
    assert "sign" in str(check_gradient(f, lambda x: -grad(x), x))
    assert "twice" in str(check_gradient(f, lambda x: 2 * grad(x), x))


def test_relative_error_is_documented_formula():
    f, grad = SMOOTH["tanh"]
    result = check_gradient(f, lambda x: -grad(x), np.array([0.5]))
    a, n = result.analytic, result.numeric
    assert result.rel_error == pytest.approx(abs(a - n) / max(abs(a), abs(n)))
    assert result.rel_error == pytest.approx(2.0)


# ------------------------------------------------------------------------------------ kinks


def relu_sum(x):
    return np.sum(np.maximum(x, 0.0))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("at_zero", [0.0, 0.5, 1.0])
def test_relu_kink_at_zero_is_reported_not_failed(mode, at_zero):
    x = np.array([0.0, -1.5, 2.0])

    def grad(x):
        return np.where(x > 0, 1.0, np.where(x == 0, at_zero, 0.0))

    result = check_gradient(relu_sum, grad, x, mode=mode)
    assert result.ok, str(result)
    assert result.kinks or at_zero == 0.5  # 0.5 is what the central difference reads
    for kink in result.kinks:
        assert kink.accepted
        # Full mode: the slopes along x[0] bracket the value given there; projection: the
        # slopes along the probe bracket the directional derivative.
        given_value = at_zero if mode == "full" else kink.analytic
        assert min(kink.left, kink.right) - 1e-9 <= given_value <= max(kink.left, kink.right) + 1e-9
    if mode == "full" and at_zero != 0.5:
        (kink,) = result.kinks
        assert kink.where == "x[0]" and kink.x_value == 0.0
        assert kink.left == pytest.approx(0.0, abs=1e-9)
        assert kink.right == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=60)
@given(offset=st.floats(-3, 3), mode=st.sampled_from(MODES))
def test_kink_near_x_within_the_step_never_fails_a_correct_subgradient(offset, mode):
    # relu's kink anywhere within +-3 steps of x: the central difference straddles it.
    x = np.array([offset * np.cbrt(np.finfo(float).eps), 0.7])
    result = check_gradient(relu_sum, lambda x: (x > 0) * 1.0, x, mode=mode)
    assert result.ok, str(result)


def test_value_outside_the_one_sided_slopes_fails_at_a_kink():
    result = check_gradient(relu_sum, lambda x: np.where(x >= 0, 2.0, 0.0), np.array([0.0]))
    assert not result.ok
    (kink,) = result.kinks
    assert not kink.accepted
    assert "OUTSIDE" in str(result)


def test_wrong_gradient_away_from_kinks_still_fails():
    x = np.array([0.0, 1.0, -2.0])
    result = check_gradient(relu_sum, lambda x: np.where(x > 0, -1.0, 0.0), x)
    assert not result.ok
    assert result.where == "x[1]"


# ---------------------------------------------------------------------------------- float32


def test_float32_gradient_is_checked_against_float64_differences():
    x = np.array([0.3, -1.2, 2.5], dtype=np.float32)
    seen = []

    def f(x):
        seen.append(x.dtype)
        return np.sum(np.tanh(x))

    result = check_gradient(f, lambda x: 1 - np.tanh(x) ** 2, x)
    assert result.ok, str(result)
    assert result.precision == "float64"
    assert set(seen) == {np.dtype(np.float64)}
    h = np.cbrt(np.finfo(np.float64).eps) * max(1.0, abs(result.x_value))
    assert result.step == pytest.approx(h, rel=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_function_insisting_on_float32_uses_float32_steps(mode):
    def f(x):
        return np.sum(np.tanh(x.astype(np.float32)))

    def grad(x):
        return (1 - np.tanh(x.astype(np.float32)) ** 2).astype(np.float32)

    x = np.array([0.3, -1.2, 2.5, 0.0], dtype=np.float32)
    result = check_gradient(f, grad, x, mode=mode)
    assert result.ok, str(result)
    assert "float32" in result.precision
    assert result.step > 1e-3  # eps32^(1/3) ~ 5e-3, never 1e-6
    assert not check_gradient(f, lambda x: -grad(x), x, mode=mode).ok


def test_function_refusing_float64_is_evaluated_in_float32():
    def f(x):
        if x.dtype != np.float32:
            raise TypeError("float32 only")
        return np.sum(x**2)

    x = np.array([0.5, -2.0], dtype=np.float32)
    result = check_gradient(f, lambda x: 2 * x, x)
    assert result.ok and "refused float64" in result.precision


# ---------------------------------------------------------------------------------- cost


@pytest.mark.parametrize("size", [1, 10, 1000, 100_000])
def test_projection_evaluation_count_does_not_grow_with_size(size):
    f, grad = SMOOTH["tanh"]
    x = np.linspace(-2, 2, size)
    for probes in (1, 2, 3):
        result = check_gradient(f, grad, x, mode="projection", probes=probes)
        assert result.ok
        assert result.evaluations == 1 + 4 * probes
        assert result.checked == probes


def test_full_mode_costs_four_evaluations_per_element_plus_one():
    f, grad = SMOOTH["sigmoid"]
    result = check_gradient(f, grad, np.arange(6.0).reshape(2, 3) - 2.5)
    assert result.evaluations == 1 + 4 * 6
    assert result.checked == 6


def test_projection_is_reproducible_with_a_seed():
    f, grad = SMOOTH["swish"]
    x = np.linspace(-1, 1, 50)
    a = check_gradient(f, grad, x, mode="projection", seed=4)
    b = check_gradient(f, grad, x, mode="projection", seed=4)
    assert a == b


# ----------------------------------------------------------------------- Jacobians


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=25)
@given(m=st.integers(1, 6), n=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_check_jacobian_of_layer_output(mode, m, n, seed):
    rng = np.random.default_rng(seed)
    W, b = rng.standard_normal((m, n)), rng.standard_normal(m)

    def f(x):
        return np.tanh(W @ x + b)

    def jac(x):
        return (1 - np.tanh(W @ x + b) ** 2)[:, None] * W

    x = rng.standard_normal(n)
    assert check_jacobian(f, jac, x, mode=mode, seed=seed).ok
    assert not check_jacobian(f, lambda x: -jac(x), x, mode=mode, seed=seed).ok


def test_check_jacobian_accepts_both_jacobian_layouts():
    A = np.arange(12.0).reshape(3, 4) / 7

    def f(X):
        return A @ X  # X (4, 2) -> (3, 2)

    def jac_nested(X):
        J = np.zeros((3, 2, 4, 2))
        for i in range(3):
            for j in range(2):
                J[i, j, :, j] = A[i]
        return J

    X = np.ones((4, 2))
    assert check_jacobian(f, jac_nested, X).ok
    assert check_jacobian(f, lambda X: jac_nested(X).reshape(6, 8), X).ok


@settings(max_examples=30)
@given(values=vectors)
def test_numerical_jacobian_matches_analytic_jacobian(values):
    x = np.array(values)
    M = np.arange(3 * x.size).reshape(3, x.size) / 10

    def f(x):
        return np.sin(M @ x)

    expected = np.cos(M @ x)[:, None] * M
    J = numerical_jacobian(f, x)
    assert J.shape == (3, x.size)
    np.testing.assert_allclose(J, expected, rtol=1e-8, atol=1e-8)


def test_numerical_jacobian_of_scalar_function_is_one_row():
    J = numerical_jacobian(lambda x: np.sum(x**2), np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_allclose(J, [[2.0, 4.0, 6.0, 8.0]], rtol=1e-9)


# ------------------------------------------------------------------------------ bad input


def square(x):
    return np.sum(x**2)


def double(x):
    return 2 * x


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((3, double, [1.0]), {}, TypeError, "f must be a function"),
        ((square, "grad", [1.0]), {}, TypeError, "grad must be a function"),
        ((square, double, [1.0, np.nan]), {}, ValueError, r"x\[1\] is nan"),
        ((square, double, [np.inf]), {}, ValueError, "x must be finite"),
        ((square, double, []), {}, ValueError, "at least one element"),
        ((square, double, ["a"]), {}, TypeError, "x must be"),
        ((square, double, [1.0]), {"mode": "fast"}, ValueError, "mode must be"),
        ((square, double, [1.0]), {"probes": 0}, ValueError, "probes must be"),
        ((lambda x: x, double, [1.0, 2.0]), {}, ValueError, "f must return a scalar"),
        ((square, lambda x: x[:1], [1.0, 2.0]), {}, ValueError, r"grad\(x\) must have"),
        ((lambda x: 1 / 0, double, [1.0]), {}, ValueError, "f raised ZeroDivisionError"),
        ((square, lambda x: {}["k"], [1.0]), {}, ValueError, "grad raised KeyError"),
        ((lambda x: "s", double, [1.0]), {}, TypeError, "f must return real numbers"),
        ((lambda x: np.log(x[0]), double, [1e-9]), {}, ValueError, "non-finite"),
    ],
)
def test_bad_input_gives_a_clear_error(args, kwargs, error, match):
    with np.errstate(all="ignore"), pytest.raises(error, match=match):
        check_gradient(*args, **kwargs)


def test_wrong_jacobian_shape_is_named():
    with pytest.raises(ValueError, match=r"jac\(x\) must have shape \(f\(x\).size, x.size\)"):
        check_jacobian(lambda x: x * 2, lambda x: np.eye(3), np.ones(2))


def test_output_shape_changing_between_points_is_named():
    with pytest.raises(ValueError, match="output shape must not depend"):
        numerical_jacobian(lambda x: x[x > 1], np.array([1.0, 0.5]))


def test_result_is_frozen_and_truthy():
    f, grad = SMOOTH["tanh"]
    result = check_gradient(f, grad, np.array([0.1]))
    assert isinstance(result, GradientCheck) and bool(result) is True
    with pytest.raises(AttributeError):
        result.ok = False
