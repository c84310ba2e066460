"""Accuracy of the reference against the exact oracle, over the whole floating range.

Inputs: 1500 log-spaced magnitudes from the smallest subnormal to the largest finite number,
both signs; a seeded sample of the range where the functions change (|z| <= 800); the
neighbourhood of swish's minimum; and edge values: ±0, the smallest subnormal and normal
numbers, the largest finite number, the kinks, ±inf, NaN, and each function's saturation and
underflow points and the reference's own switch points, with their float neighbours.

Bounds: 1 ULP in float32, 4 ULPs in float64. swish' crosses zero near z0 = -1.2785, where no
relative bound can hold; there its error is measured in ULPs of sigma(z), the size of its
terms (``ulp_error(..., scale="sigmoid")`` takes the larger of the two values as the unit).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from gradspec import reference
from gradspec.reference import oracle

MAX_ULP = {np.dtype(np.float32): 1.0, np.dtype(np.float64): 4.0}
SWISH_ROOT = -1.2784645427610738


def _transition_points(dtype) -> list[float]:
    """Where results saturate, underflow or turn subnormal, and where the reference switches
    formulas. Derived from the formulas: e.g. sigma(z) rounds to 1 once e^{-z} < 2^-(p+1),
    e^{-|z|} is subnormal below e^{emin}, and zero below half the smallest subnormal."""
    info = np.finfo(dtype)
    p = info.nmant + 1
    ln2 = math.log(2.0)
    emin = info.minexp
    smallest = info.smallest_subnormal
    points = [
        (p + 1) * ln2,  # sigma -> 1, swish' -> 1
        (p + 2) * ln2 / 2,  # tanh -> 1
        -emin * ln2,  # e^{-|z|} turns subnormal
        -(emin - p) * ln2,  # sigma, sigma' underflow to 0
        -(emin - p) * ln2 / 2,  # tanh' underflows
        -emin * ln2 / 2,  # tanh' turns subnormal
        350.0,  # tanh' tail form (float64)
        700.0,  # swish, swish' tail forms (float64)
        104.0,
        200.0,  # float32 clamp
        800.0,  # float64 clamp
        -math.log(float(smallest)) + math.log(-math.log(float(smallest))),  # swish underflow
    ]
    return points


@functools.cache
def accuracy_inputs(dtype) -> np.ndarray:
    info = np.finfo(dtype)
    exponents = np.linspace(math.log2(info.smallest_subnormal), math.log2(info.max), 1500)
    magnitudes = np.minimum(np.exp2(exponents[:-1]), float(info.max))
    rng = np.random.default_rng(20240601)
    dense = [
        rng.uniform(-800.0, 800.0, 300),
        rng.uniform(-40.0, 40.0, 300),
        rng.uniform(-3.0, 3.0, 200),
        SWISH_ROOT + rng.uniform(-1e-3, 1e-3, 100),
    ]
    edges = [0.0, info.smallest_subnormal, info.tiny, info.max, 1.0, 0.5, 2.0]
    for point in _transition_points(dtype):
        edges += [point * (1 + k * 1e-4) for k in range(-3, 4)]
    edges_array = np.array(edges, dtype=dtype)
    with np.errstate(over="ignore"):
        neighbours = [
            np.nextafter(edges_array, dtype(np.inf)),
            np.nextafter(edges_array, dtype(-np.inf)),
        ]
    values = np.concatenate([magnitudes, *dense, edges_array, *neighbours]).astype(dtype)
    values = values[np.isfinite(values)]
    root = np.array([SWISH_ROOT], dtype=dtype)
    root_neighbours = [np.nextafter(root, dtype(s)) for s in (-2.0, 0.0)]
    special = np.array([-0.0, np.inf, -np.inf, np.nan], dtype=dtype)
    return np.concatenate([values, -values, root, *root_neighbours, special]).astype(dtype)


def worst_error(name: str, dtype, **kwargs) -> tuple[float, float]:
    """The largest ULP error of the reference over the inputs, and where it occurs."""
    z = accuracy_inputs(dtype)
    actual = getattr(reference, name)(z, **kwargs)
    scale = "sigmoid" if name == "swish_derivative" else None
    slope = kwargs.get("negative_slope", 0.01)
    errors = oracle.ulp_error(name, z, actual, negative_slope=slope, scale=scale)
    worst = int(np.argmax(errors))
    return float(errors[worst]), float(z[worst])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", [n for n in oracle.FUNCTIONS if not n.startswith("leaky")])
def test_max_ulp_error(name, dtype):
    error, where = worst_error(name, dtype)
    bound = MAX_ULP[np.dtype(dtype)]
    assert error <= bound, f"{name} ({np.dtype(dtype)}): {error:.3g} ULP at z={where!r}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["leaky_relu", "leaky_relu_derivative"])
@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3, 1.0, 3.0])
def test_max_ulp_error_leaky(name, dtype, slope):
    error, where = worst_error(name, dtype, negative_slope=slope)
    bound = MAX_ULP[np.dtype(dtype)]
    assert error <= bound, f"{name}(s={slope}): {error:.3g} ULP at z={where!r}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_swish_derivative_relative_error_away_from_its_root(dtype):
    # The relative measure, without the sigma(z) scale, where |z - z0| >= 0.25.
    z = accuracy_inputs(dtype)
    z = z[~(np.abs(z.astype(np.float64) - SWISH_ROOT) < 0.25)]
    errors = oracle.ulp_error("swish_derivative", z, reference.swish_derivative(z))
    assert errors.max() <= MAX_ULP[np.dtype(dtype)]


def test_the_inputs_cover_the_range():
    for dtype in (np.float32, np.float64):
        z = accuracy_inputs(dtype)
        info = np.finfo(dtype)
        assert info.smallest_subnormal in z and -info.max in z
        assert np.isnan(z).any() and np.isinf(z).any()
        assert ((z > 700) & (z < 800)).sum() > 10 or dtype == np.float32
        assert len(z) > 3000
