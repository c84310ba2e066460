"""The linear layer against explicit loops, single example and batch, and its errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradspec.reference import linear, linear_backward

DTYPES = (np.float32, np.float64)
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}
finite = st.floats(-10, 10, allow_nan=False, width=32)


@st.composite
def layers(draw: st.DrawFn, *, batched: bool) -> tuple[np.ndarray, ...]:
    """Draw (W, x, b, grad_z) of one dtype with fitting shapes; x and grad_z maybe batched."""
    dtype = draw(st.sampled_from(DTYPES))
    m = draw(st.integers(1, 5))
    n = draw(st.integers(1, 5))
    batch = (draw(st.integers(1, 4)),) if batched else ()

    def array(shape: tuple[int, ...]) -> np.ndarray:
        return draw(hnp.arrays(dtype, shape, elements=finite))

    return array((m, n)), array((*batch, n)), array((m,)), array((*batch, m))


def loop_forward(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z_i = sum_k W_ik x_k + b_i written as loops, in float64."""
    m, n = W.shape
    z = np.zeros(m)
    for i in range(m):
        z[i] = b[i] + sum(float(W[i, k]) * float(x[k]) for k in range(n))
    return z


def loop_backward(W, x, b, g):
    """dS/dW_jk = g_j x_k, dS/dx_k = sum_j g_j W_jk, dS/db_j = g_j, as loops in float64."""
    m, n = W.shape
    grad_W = np.array([[float(g[j]) * float(x[k]) for k in range(n)] for j in range(m)])
    grad_x = np.array([sum(float(g[j]) * float(W[j, k]) for j in range(m)) for k in range(n)])
    grad_b = np.array([float(v) for v in g])
    return grad_W, grad_x, grad_b


def assert_close(actual: np.ndarray, expected: np.ndarray, dtype: type) -> None:
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE[dtype] * scale * 50)


@given(layers(batched=False))
def test_forward_matches_loops(layer):
    W, x, b, _ = layer
    z = linear(W, x, b)
    assert z.shape == (W.shape[0],) and z.dtype == W.dtype
    assert_close(z, loop_forward(W, x, b), W.dtype.type)


@given(layers(batched=True))
def test_batch_rows_are_the_examples(layer):
    W, x, b, _ = layer
    z = linear(W, x, b)
    assert z.shape == (x.shape[0], W.shape[0]) and z.dtype == W.dtype
    for i in range(x.shape[0]):
        assert_close(z[i], loop_forward(W, x[i], b), W.dtype.type)


@given(layers(batched=False))
def test_backward_matches_loops_and_shape_convention(layer):
    W, x, b, g = layer
    grads = linear_backward(W, x, b, g)
    for grad, param, expected in zip(grads, (W, x, b), loop_backward(W, x, b, g), strict=True):
        assert grad.shape == param.shape and grad.dtype == param.dtype
        assert_close(grad, expected, W.dtype.type)


@given(layers(batched=True))
def test_batch_gradients_sum_over_examples(layer):
    W, x, b, g = layer
    grad_W, grad_x, grad_b = linear_backward(W, x, b, g)
    per_example = [loop_backward(W, x[i], b, g[i]) for i in range(x.shape[0])]
    assert_close(grad_W, sum(p[0] for p in per_example), W.dtype.type)
    assert_close(grad_b, sum(p[2] for p in per_example), W.dtype.type)
    assert_close(grad_x, np.stack([p[1] for p in per_example]), W.dtype.type)
    assert grad_x.shape == x.shape


def test_inputs_are_not_modified():
    rng = np.random.default_rng(0)
    W, x, b, g = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=3), None
    g = rng.normal(size=(2, 3))
    copies = [a.copy() for a in (W, x, b, g)]
    linear(W, x, b)
    linear_backward(W, x, b, g)
    for original, copy in zip((W, x, b, g), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((np.ones((2, 3)), np.ones(4), np.ones(2)), ValueError, "x must have 3 features"),
        ((np.ones((2, 3)), np.ones(3), np.ones(3)), ValueError, "b must have shape (2,)"),
        ((np.ones(3), np.ones(3), np.ones(3)), ValueError, "W must be 2-D"),
        ((np.ones((2, 3)), np.ones((1, 1, 3)), np.ones(2)), ValueError, "x must be 1-D or 2-D"),
        (
            (np.ones((2, 3)), np.ones(3, np.float32), np.ones(2)),
            TypeError,
            "x is float32",
        ),
        ((np.ones((2, 3)), np.ones(3, complex), np.ones(2)), TypeError, "got dtype complex128"),
    ],
)
def test_bad_shapes_and_dtypes_are_named(args, error, message):
    with pytest.raises(error, match="^linear: .*" + re.escape(message)):
        linear(*args)


def test_grad_z_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"grad_z must have the shape of z, \(4, 2\); got \(2,\)"):
        linear_backward(np.ones((2, 3)), np.ones((4, 3)), np.ones(2), np.ones(2))
