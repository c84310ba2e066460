"""Accuracy of the reference against the exact oracle, over the whole floating range.

Inputs: the package's one accuracy sample (`gradspec._accuracy.sample`, also behind
``gradspec accuracy`` and the accuracy benchmark): log-spaced magnitudes from the smallest
subnormal to the largest finite number, bands where the functions change, the neighbourhood
of swish's zero, and edge values (each function's saturation and underflow points and the
reference's own switch points) with their float neighbours; both signs, plus -0, ±inf, NaN.

Bounds: 1 ULP in float32, 4 ULPs in float64. swish' crosses zero near z0 = -1.2785, where no
relative bound can hold; there its error is measured in ULPs of sigma(z), the size of its
terms (``ulp_error(..., scale="sigmoid")`` takes the larger of the two values as the unit).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from gradspec import reference
from gradspec._accuracy import SWISH_ROOT, sample
from gradspec.reference import oracle

MAX_ULP = {np.dtype(np.float32): 1.0, np.dtype(np.float64): 4.0}


@functools.cache
def accuracy_inputs(dtype) -> np.ndarray:
    return sample(dtype, specials=True)


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
