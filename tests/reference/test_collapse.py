"""Why networks are non-linear: linear stacks collapse, stacks with an activation do not."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradspec.reference import apply_linear_stack, collapse_linear_stack


@st.composite
def stacks(draw: st.DrawFn) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """A stack of 1-4 layers with chaining widths, and a batch of inputs."""
    seed = draw(st.integers(0, 2**32 - 1))
    widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(size=(m, n)), rng.normal(size=m)) for n, m in itertools.pairwise(widths)]
    return layers, rng.normal(size=(3, widths[0]))


@given(stacks())
def test_a_linear_stack_equals_its_collapse(stack):
    layers, x = stack
    W, b = collapse_linear_stack(layers)
    assert W.shape == (layers[-1][0].shape[0], layers[0][0].shape[1])
    np.testing.assert_allclose(apply_linear_stack(layers, x), x @ W.T + b, rtol=1e-10, atol=1e-10)


def test_an_activation_between_layers_breaks_the_collapse():
    rng = np.random.default_rng(7)
    layers = [(rng.normal(size=(4, 3)), rng.normal(size=4)), (rng.normal(size=(2, 4)), np.ones(2))]
    x = rng.normal(size=(5, 3)) * 3
    W, b = collapse_linear_stack(layers)
    with_tanh = apply_linear_stack(layers, x, activation="tanh")
    # tanh bends the map: no single layer reproduces it. The gap is far above rounding.
    assert np.max(np.abs(with_tanh - (x @ W.T + b))) > 0.1
    # And the best single affine fit (least squares over many points) still misses it.
    points = rng.normal(size=(200, 3)) * 3
    targets = apply_linear_stack(layers, points, activation="tanh")
    design = np.hstack([points, np.ones((200, 1))])
    _, residual, *_ = np.linalg.lstsq(design, targets, rcond=None)
    assert residual.sum() > 1.0


def test_chaining_errors_are_named():
    with pytest.raises(ValueError, match=r"layer 1 has W of shape \(2, 5\).*produce 4 values"):
        collapse_linear_stack([(np.ones((4, 3)), np.ones(4)), (np.ones((2, 5)), np.ones(2))])
    with pytest.raises(ValueError, match="the stack is empty"):
        collapse_linear_stack([])
    with pytest.raises(TypeError, match="layer 0 must be a"):
        collapse_linear_stack([np.ones(3)])
    with pytest.raises(ValueError, match="unknown activation 'tanh_derivative'"):
        apply_linear_stack([(np.ones((1, 1)), np.ones(1))], np.ones(1), "tanh_derivative")


@pytest.mark.parametrize(
    ("layers", "error", "message"),
    [
        ([(np.float64(2.0), np.ones(1))], ValueError, "layer 0's W must be 2-D; got shape ()"),
        ([(np.ones((2, 3)), np.ones((2, 1)))], ValueError, "layer 0's b must be 1-D"),
        ([(np.ones((2, 3)), np.ones(3))], ValueError, "layer 0's b must have shape (2,)"),
        (
            [(np.ones((2, 3)), np.ones(2, np.float32))],
            TypeError,
            "layer 0's W is float64, layer 0's b is float32",
        ),
    ],
)
def test_each_layer_is_checked_before_any_product(layers, error, message):
    with pytest.raises(error, match=re.escape(message)):
        collapse_linear_stack(layers)
    with pytest.raises(error, match=re.escape(message)):
        apply_linear_stack(layers, np.ones(3))
