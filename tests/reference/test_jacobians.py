"""The useful Jacobians against central differences, and Jacobian form vs shape convention."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradspec.reference as ref

ACTIVATIONS = ("sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "swish")


def numerical_jacobian(f, x: np.ndarray) -> np.ndarray:
    """Central differences, step eps^(1/3) max(1, |x|), the step actually taken used."""
    x = x.astype(np.float64)
    columns = []
    for k in range(x.size):
        h = np.cbrt(np.finfo(np.float64).eps) * max(1.0, abs(x.flat[k]))
        plus, minus = x.copy(), x.copy()
        plus.flat[k] += h
        minus.flat[k] -= h
        columns.append((f(plus) - f(minus)).reshape(-1) / (plus.flat[k] - minus.flat[k]))
    return np.stack(columns, axis=1)


def vectors(n: int, low: float = -4, high: float = 4) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, n, elements=st.floats(low, high))


def away_from_kinks(value: float) -> bool:
    """A finite difference across a kink (relu at 0, hardtanh at +-1) measures no derivative."""
    return min(abs(value), abs(abs(value) - 1.0)) > 1e-3


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(z=hnp.arrays(np.float64, 5, elements=st.floats(-4, 4).filter(away_from_kinks)))
def test_activation_jacobian_is_diagonal_and_matches_differences(name, z):
    f = getattr(ref, name)
    jacobian = ref.activation_jacobian(name, z)
    assert jacobian.shape == (5, 5)
    off_diagonal = jacobian[~np.eye(5, dtype=bool)]
    assert np.all(off_diagonal == 0.0)
    np.testing.assert_array_equal(np.diag(jacobian), getattr(ref, f"{name}_derivative")(z))
    np.testing.assert_allclose(jacobian, numerical_jacobian(f, z), atol=1e-8)


@given(W=hnp.arrays(np.float64, (3, 4), elements=st.floats(-3, 3)), x=vectors(4), b=vectors(3))
def test_linear_jacobians_match_differences(W, x, b):
    np.testing.assert_allclose(
        ref.linear_jacobian_x(W), numerical_jacobian(lambda v: ref.linear(W, v, b), x), atol=1e-8
    )
    np.testing.assert_allclose(
        ref.linear_jacobian_b(W), numerical_jacobian(lambda v: ref.linear(W, x, v), b), atol=1e-8
    )
    np.testing.assert_allclose(
        ref.linear_jacobian_W(W, x),
        numerical_jacobian(lambda v: ref.linear(v, x, b), W),
        atol=1e-8,
    )


@given(W=hnp.arrays(np.float64, (3, 4), elements=st.floats(-3, 3)), x=vectors(4), g=vectors(3))
def test_vector_jacobian_products_are_the_backward_pass(W, x, g):
    """g^T J reshaped is exactly what linear_backward returns in the shape convention."""
    b = np.zeros(3)
    grad_W, grad_x, grad_b = ref.linear_backward(W, x, b, g)
    np.testing.assert_allclose(
        ref.vector_jacobian_product(ref.linear_jacobian_W(W, x), g, W.shape), grad_W, atol=1e-12
    )
    np.testing.assert_allclose(
        ref.vector_jacobian_product(ref.linear_jacobian_x(W), g, x.shape), grad_x, atol=1e-12
    )
    np.testing.assert_allclose(
        ref.vector_jacobian_product(ref.linear_jacobian_b(W), g, b.shape), grad_b, atol=1e-12
    )


@given(u=vectors(4), h=vectors(4))
def test_dot_jacobian_is_a_row_and_the_gradient_is_h(u, h):
    row = ref.dot_jacobian(h)
    assert row.shape == (1, 4)
    np.testing.assert_allclose(row, numerical_jacobian(lambda v: np.dot(v, h), u), atol=1e-9)
    gradient = ref.jacobian_to_gradient(row, u.shape)
    assert gradient.shape == u.shape
    np.testing.assert_array_equal(gradient, h)
    np.testing.assert_array_equal(ref.gradient_to_jacobian(gradient), row)


def test_jacobian_results_keep_float32():
    z = np.linspace(-2, 2, 4, dtype=np.float32)
    W = np.ones((2, 4), np.float32)
    for result in (
        ref.activation_jacobian("tanh", z),
        ref.linear_jacobian_x(W),
        ref.linear_jacobian_b(W),
        ref.linear_jacobian_W(W, z),
        ref.dot_jacobian(z),
    ):
        assert result.dtype == np.float32


def test_leaky_relu_jacobian_uses_the_slope():
    jacobian = ref.activation_jacobian("leaky_relu", np.array([-1.0, 1.0]), negative_slope=0.2)
    np.testing.assert_array_equal(jacobian, np.diag([0.2, 1.0]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ref.activation_jacobian("softmax", np.ones(2)), "unknown activation 'softmax'"),
        (lambda: ref.activation_jacobian("tanh", np.ones((2, 2))), "z must be 1-D"),
        (lambda: ref.linear_jacobian_W(np.ones((2, 3)), np.ones(2)), r"x must have shape \(3,\)"),
        (lambda: ref.jacobian_to_gradient(np.ones((2, 3)), (3,)), r"shape \(1, 3\)"),
        (
            lambda: ref.vector_jacobian_product(np.ones((2, 3)), np.ones(3), (3,)),
            r"\(3, 3\); got \(2, 3\)",
        ),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
