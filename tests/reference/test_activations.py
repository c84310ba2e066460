"""Properties of the reference activations: identities, definitions, derivatives, and contract.

Accuracy against exact values is in test_accuracy.py; here each function is checked against
what it means (identities with tolerances derived from their conditioning, definitions,
finite differences in mpmath), and against the array contract: shapes, dtypes, untouched
inputs, no floating-point warnings, NaN, infinities, kinks, and clear errors.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradspec import reference
from gradspec.reference.oracle import ulp_distance

FUNCTIONS = [
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
    "hardtanh",
    "hardtanh_derivative",
    "relu",
    "relu_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "swish",
    "swish_derivative",
]
DTYPES = [np.float32, np.float64]


def call(name: str, z, **kwargs):
    return getattr(reference, name)(z, **kwargs)


def float_arrays(dtype, *, max_side: int = 6, **float_kwargs):
    """Arrays of any shape (0-d and empty included) of ``dtype``."""
    width = 32 if dtype == np.float32 else 64
    return hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=max_side),
        elements=st.floats(width=width, **float_kwargs),
    )


def finite_values(dtype, bound: float):
    return hnp.arrays(
        dtype,
        st.integers(1, 40),
        elements=st.floats(-bound, bound, width=32 if dtype == np.float32 else 64),
    )


# --- identities, with tolerances from the conditioning ------------------------------------
# eps is the spacing at 1. sigma, tanh and their sums are values in [-1, 1] whose results
# each carry at most a couple of ULPs (<= eps), so these identities hold to a few eps in
# absolute terms; that is how well they are conditioned, whatever z.


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_tanh_is_a_rescaled_sigmoid(dtype, data):
    z = data.draw(finite_values(dtype, 300.0))
    eps = np.finfo(dtype).eps
    lhs = reference.tanh(z).astype(np.float64)
    # 2 sigma(2z) - 1: sigma within 2 ULPs (<= eps/2 absolute near 1), doubled, then one
    # subtraction; plus tanh's own error: 4 eps covers it with room.
    rhs = 2.0 * reference.sigmoid(2 * z).astype(np.float64) - 1.0
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=4 * eps)


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_sigmoid_symmetry(dtype, data):
    z = data.draw(finite_values(dtype, 1e4))
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(
        reference.sigmoid(-z), 1.0 - reference.sigmoid(z), rtol=0, atol=2 * eps
    )


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_tanh_is_odd(dtype, data):
    z = data.draw(finite_values(dtype, 1e4))
    np.testing.assert_array_equal(reference.tanh(-z), -reference.tanh(z))


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_swish_is_z_times_sigmoid(dtype, data):
    # Well-conditioned where sigma(z) is a normal number: a product of two values with a few
    # ULPs each, relative error a few eps.
    z = data.draw(finite_values(dtype, 80.0 if dtype == np.float32 else 700.0))
    eps = np.finfo(dtype).eps
    product = z.astype(np.float64) * reference.sigmoid(z).astype(np.float64)
    # A subnormal swish(z) (z tiny) is rounded to the subnormal grid: one quantum of slack.
    tiny = np.finfo(dtype).smallest_subnormal
    np.testing.assert_allclose(reference.swish(z), product, rtol=4 * eps, atol=tiny)


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_derivative_identities_where_well_conditioned(dtype, data):
    # sigma(1 - sigma) and 1 - tanh^2 are fine while the subtraction does not cancel much.
    z = data.draw(finite_values(dtype, 2.0))
    eps = np.finfo(dtype).eps
    s = reference.sigmoid(z).astype(np.float64)
    t = reference.tanh(z).astype(np.float64)
    np.testing.assert_allclose(reference.sigmoid_derivative(z), s * (1 - s), rtol=30 * eps)
    np.testing.assert_allclose(reference.tanh_derivative(z), 1 - t * t, rtol=300 * eps)


# --- piecewise-linear functions against their definitions ---------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_piecewise_linear_definitions(dtype, data):
    z = data.draw(float_arrays(dtype))
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(reference.hardtanh(z), np.clip(z, -1, 1))
        np.testing.assert_array_equal(reference.relu(z), np.where(z > 0, z, np.where(z == z, 0, z)))
    middle = np.abs(z) <= 1
    np.testing.assert_array_equal(reference.hardtanh(z)[middle], z[middle])  # not 0: erratum


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0, 3.0])
@given(data=st.data())
def test_leaky_relu_definition(dtype, slope, data):
    z = data.draw(float_arrays(dtype, allow_nan=False, allow_infinity=False))
    got = reference.leaky_relu(z, negative_slope=slope)
    with np.errstate(over="ignore"):
        expected = np.where(z > 0, z, (z.astype(np.float64) * slope).astype(dtype))
    # float32: s z is rounded in float64 then to float32, within 1 ULP of the single rounding.
    assert np.all(ulp_distance(got, expected) <= (1 if dtype == np.float32 else 0))


# --- derivatives against central differences in mpmath -------------------------------------

TEXTBOOK = {
    "sigmoid": lambda z, s: 1 / (1 + mpmath.exp(-z)),
    "tanh": lambda z, s: mpmath.tanh(z),
    "swish": lambda z, s: z / (1 + mpmath.exp(-z)),
    "hardtanh": lambda z, s: max(-1, min(1, z)),
    "relu": lambda z, s: max(z, 0),
    "leaky_relu": lambda z, s: z if z > 0 else s * z,
}


def central_difference(name: str, z: float, slope: float) -> float:
    """(f(z + h) - f(z - h)) / 2h at 200 bits with h = 2**-40 (1 + |z|): error ~ h^2 f'''."""
    f = TEXTBOOK[name]
    with mpmath.workprec(200):
        x = mpmath.mpf(z)
        h = mpmath.ldexp(1 + abs(x), -40)
        return float((f(x + h, slope) - f(x - h, slope)) / (2 * h))


@pytest.mark.parametrize("name", list(TEXTBOOK))
@given(z=st.floats(-30.0, 30.0), slope=st.sampled_from([0.0, 0.01, 0.5, 2.0]))
def test_derivative_matches_a_central_difference(name, z, slope):
    kwargs = {"negative_slope": slope} if name == "leaky_relu" else {}
    kinks = {"relu": [0.0], "leaky_relu": [0.0], "hardtanh": [-1.0, 1.0]}.get(name, [])
    assume(all(abs(z - k) >= 1e-9 for k in kinks))  # across a kink: neither one-sided slope
    expected = central_difference(name, z, slope)
    got = call(f"{name}_derivative", np.float64(z), **kwargs)
    # Relative to the size of the terms: swish' crosses 0 near -1.28, where sigma(z) is the
    # scale of its error; elsewhere the derivative itself.
    scale = max(abs(expected), float(reference.sigmoid(z)) if name == "swish" else 0.0)
    assert abs(float(got) - expected) <= 1e-13 * scale + 1e-300


# --- the array contract -------------------------------------------------------------------


def _kwargs(name: str) -> dict:
    return {"negative_slope": 0.1} if name.startswith("leaky") else {}


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@given(data=st.data())
def test_shape_and_dtype_kept_and_input_untouched(name, dtype, data):
    z = data.draw(float_arrays(dtype))
    before = z.tobytes()
    out = call(name, z, **_kwargs(name))
    assert isinstance(out, np.ndarray)
    assert out.shape == z.shape
    assert out.dtype == dtype
    assert z.tobytes() == before
    assert not np.shares_memory(out, z)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_zero_dimensional_in_gives_zero_dimensional_array_out(name):
    for z in (np.array(0.5), np.float32(0.5), 0.5, 1):
        out = call(name, z, **_kwargs(name))
        assert isinstance(out, np.ndarray) and out.shape == ()
    assert call(name, np.float32(0.5), **_kwargs(name)).dtype == np.float32
    assert call(name, [1, 2], **_kwargs(name)).dtype == np.float64
    assert call(name, np.arange(3), **_kwargs(name)).dtype == np.float64


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_read_only_strided_and_large_inputs_give_the_same_values_as_pieces(name, dtype):
    rng = np.random.default_rng(0)
    size = 70_007
    z = (rng.standard_normal(size) * 30).astype(dtype)
    z[::97] = rng.uniform(-800, 800, z[::97].size)
    whole = call(name, z, **_kwargs(name))
    pieces = [call(name, z[i : i + 1000], **_kwargs(name)) for i in range(0, size, 1000)]
    pieces = np.concatenate(pieces)
    np.testing.assert_array_equal(whole, pieces)
    frozen = z.copy()
    frozen.setflags(write=False)
    np.testing.assert_array_equal(call(name, frozen, **_kwargs(name)), whole)
    strided = z.reshape(-1, 1)[::3]  # non-contiguous
    np.testing.assert_array_equal(call(name, strided, **_kwargs(name)), whole[::3].reshape(-1, 1))


EDGES = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_no_floating_point_signal_at_extremes(name, dtype):
    info = np.finfo(dtype)
    values = [info.max, -info.max, info.smallest_subnormal, -info.smallest_subnormal]
    values += [info.tiny, -info.tiny, 745.2, -745.2, 710.0, -710.0, 355.0, -355.0, 104.0]
    values += [-104.0, -700.0, -724.0, -1e30, 1e30, *EDGES]
    z = np.array(values, dtype=dtype)
    with np.errstate(all="raise"):  # any overflow, underflow, invalid or 0/0 would raise
        call(name, z, **_kwargs(name))
        if name.startswith("leaky"):
            call(name, z, negative_slope=5.0)
            call(name, z, negative_slope=0.0)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_nan_propagates(name, dtype):
    out = call(name, np.array([np.nan, 1.0, np.nan], dtype=dtype), **_kwargs(name))
    assert np.isnan(out[0]) and np.isnan(out[2]) and not np.isnan(out[1])


LIMITS = {
    # name: (value at -inf, value at +inf)
    "sigmoid": (0.0, 1.0),
    "sigmoid_derivative": (0.0, 0.0),
    "tanh": (-1.0, 1.0),
    "tanh_derivative": (0.0, 0.0),
    "hardtanh": (-1.0, 1.0),
    "hardtanh_derivative": (0.0, 0.0),
    "relu": (0.0, np.inf),
    "relu_derivative": (0.0, 1.0),
    "leaky_relu": (-np.inf, np.inf),
    "leaky_relu_derivative": (0.1, 1.0),
    "swish": (0.0, np.inf),
    "swish_derivative": (0.0, 1.0),
}


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_limits_at_infinity(name, dtype):
    out = call(name, np.array([-np.inf, np.inf], dtype=dtype), **_kwargs(name))
    np.testing.assert_array_equal(out, np.array(LIMITS[name], dtype=dtype))


def test_leaky_relu_with_slope_zero_is_relu_at_minus_infinity():
    assert reference.leaky_relu(-np.inf, negative_slope=0.0) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_kink_convention(dtype):
    kinks = np.array([0.0, -0.0], dtype=dtype)
    np.testing.assert_array_equal(reference.relu_derivative(kinks), [0.0, 0.0])
    np.testing.assert_array_equal(
        reference.leaky_relu_derivative(kinks, negative_slope=0.3), [dtype(0.3), dtype(0.3)]
    )
    np.testing.assert_array_equal(
        reference.hardtanh_derivative(np.array([-1.0, 1.0], dtype=dtype)), [0.0, 0.0]
    )
    np.testing.assert_array_equal(reference.relu(kinks), [0.0, 0.0])


def test_tails_are_not_flushed_to_zero():
    assert reference.sigmoid_derivative(40.0) > 0
    assert reference.tanh_derivative(30.0) > 0
    assert 0 > reference.swish(-724.0) > -1e-300
    assert reference.sigmoid(np.float32(-100.0)) > 0


@pytest.mark.parametrize("name", FUNCTIONS)
def test_bad_input_errors(name):
    f = getattr(reference, name)
    with pytest.raises(TypeError, match="float16"):
        f(np.ones(2, dtype=np.float16))
    with pytest.raises(TypeError, match="complex"):
        f(np.ones(2, dtype=np.complex128))
    with pytest.raises(TypeError, match="float32 or float64"):
        f(["a", "b"])
    with pytest.raises(TypeError, match="could not convert"):
        f([[1.0], [1.0, 2.0]])


@pytest.mark.parametrize("name", ["leaky_relu", "leaky_relu_derivative"])
def test_bad_negative_slope(name):
    f = getattr(reference, name)
    with pytest.raises(ValueError, match="negative_slope must be a finite number >= 0"):
        f([1.0], negative_slope=-0.01)
    with pytest.raises(ValueError, match="negative_slope"):
        f([1.0], negative_slope=float("nan"))
    with pytest.raises(TypeError, match="negative_slope must be a real number"):
        f([1.0], negative_slope="steep")
