"""The oracle rounds once and correctly, measures ULP errors right, and agrees with NumPy.

Expected values here are derived independently of the oracle's code: exact binary fractions
written out by hand (halfway cases, subnormals, overflow), NumPy's own correctly rounded
conversions and spacing, and the textbook formulas evaluated by mpmath at 2000 bits.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gradspec.reference import oracle
from gradspec.reference._ulp import float_format, round_to_format, ulp_at, ulp_distance

F32 = float_format(np.float32)
F64 = float_format(np.float64)


def two(power: int) -> mpmath.mpf:
    """The exact mpf 2**power."""
    return mpmath.ldexp(mpmath.mpf(1), power)


# --- rounding -----------------------------------------------------------------------------

# mpmath rounds every operation to its working precision (53 bits by default): the exact
# binary fractions below are built, and negated, at 400 bits.
mpmath.mp.prec, _saved_precision = 400, mpmath.mp.prec
HAND_CASES = [
    # (exact value, format, expected), each a binary fraction worked out by hand.
    (1 + two(-53), F64, 1.0),  # halfway, ties to even (down)
    (1 + 3 * two(-53), F64, 1 + 2.0**-51),  # halfway, ties to even (up)
    (1 + two(-53) + two(-200), F64, 1 + 2.0**-52),  # just above halfway
    (1 + two(-24), F32, 1.0),
    (1 + 3 * two(-24), F32, 1 + 2.0**-22),
    # Double rounding trap: through float64 this becomes 1 + 2**-24 (a tie) and then 1.0.
    (1 + two(-24) + two(-60), F32, 1 + 2.0**-23),
    (two(-1075), F64, 0.0),  # half the smallest subnormal: tie to even 0
    (two(-1075) * (1 + two(-50)), F64, 2.0**-1074),
    (3 * two(-1075), F64, 2.0**-1073),  # tie between 1 and 2 quanta: even is 2
    (two(-1022) - two(-1075), F64, 2.0**-1022),  # rounds up out of the subnormals
    (two(-150), F32, 0.0),
    (3 * two(-150), F32, 2.0**-148),
    (5 * two(-151), F32, 2.0**-149),  # 1.25 quanta
    (two(-126) - two(-150), F32, 2.0**-126),
    (two(1024) - two(970), F64, math.inf),  # halfway between max and 2**1024: overflows
    (two(1024) - two(970) - two(900), F64, np.finfo(np.float64).max),
    (two(128) - two(103), F32, math.inf),
    (two(128) - two(104), F32, float(np.finfo(np.float32).max)),
    (two(5000), F64, math.inf),
    (two(-5000), F64, 0.0),
]
HAND_CASES = [(value, -value, fmt, expected) for value, fmt, expected in HAND_CASES]
mpmath.mp.prec = _saved_precision


@pytest.mark.parametrize(("value", "negated", "fmt", "expected"), HAND_CASES)
def test_round_to_format_hand_cases(value, negated, fmt, expected):
    assert round_to_format(value, fmt) == expected
    assert round_to_format(negated, fmt) == -expected


def test_round_to_format_special_values():
    assert math.isnan(round_to_format(mpmath.mpf("nan"), F64))
    assert round_to_format(mpmath.inf, F32) == math.inf
    assert round_to_format(-mpmath.inf, F32) == -math.inf
    assert round_to_format(mpmath.mpf(0), F64) == 0.0


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_rounding_a_double_to_float32_matches_numpy(x):
    # NumPy's float64 -> float32 cast is a single correct rounding (subnormals included).
    expected = np.float32(x) if abs(x) < 3.5e38 else None
    with np.errstate(over="ignore"):
        expected = np.float32(x)
    assert round_to_format(mpmath.mpf(x), F32) == float(expected)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_rounding_a_double_to_float64_is_the_identity(x):
    assert round_to_format(mpmath.mpf(x), F64) == x


@given(st.floats(min_value=1e-300, max_value=1e300), st.integers(1, 2**40))
def test_rounding_matches_mpmath_for_normal_results(x, numerator):
    # mpmath's own float() is a correct rounding to float64 when the result is normal.
    with mpmath.workprec(200):
        value = mpmath.mpf(x) * (1 + mpmath.mpf(numerator) / 3**30)
    assert round_to_format(value, F64) == float(value)


def test_float_format_refuses_other_dtypes():
    with pytest.raises(TypeError, match="float32 or float64"):
        float_format(np.float16)


# --- spacing and distance -----------------------------------------------------------------


@given(st.floats(min_value=0.0, max_value=1e308, exclude_min=True))
def test_ulp_at_matches_numpy_spacing(x):
    assert float(ulp_at(mpmath.mpf(x), F64)) == np.spacing(x)


@given(st.floats(min_value=0.0, max_value=3.0000000054977558e38, exclude_min=True, width=32))
def test_ulp_at_matches_numpy_spacing_float32(x):
    assert float(ulp_at(mpmath.mpf(x), F32)) == float(np.spacing(np.float32(x)))


def test_ulp_at_zero_and_beyond_the_range():
    assert ulp_at(mpmath.mpf(0), F64) == two(-1074)
    assert ulp_at(two(2000), F64) == two(1023 - 52)


@given(st.floats(allow_nan=False), st.sampled_from([np.float32, np.float64]))
def test_neighbours_are_one_ulp_apart(x, dtype):
    with np.errstate(over="ignore"):
        a = np.asarray(x, dtype=dtype)
    assume(a != np.inf)
    with np.errstate(over="ignore"):  # the largest finite number's successor is inf
        b = np.nextafter(a, dtype(np.inf))
    assert ulp_distance(a, b) == 1
    assert ulp_distance(b, a) == 1


@given(st.lists(st.floats(allow_nan=False, width=32), min_size=3, max_size=3))
def test_ulp_distance_adds_up_along_the_line(values):
    # float32 distances stay below 2**33, where float64 counts are exact.
    a, b, c = np.sort(np.array(values, dtype=np.float32))
    assert ulp_distance(a, c) == ulp_distance(a, b) + ulp_distance(b, c)


def test_ulp_distance_special_cases():
    big = np.finfo(np.float64).max
    a = np.array([0.0, -0.0, big, np.nan, np.nan, -np.inf])
    b = np.array([-0.0, 5e-324, np.inf, np.nan, 1.0, np.inf])
    expected = [0.0, 1.0, 1.0, 0.0, np.inf, 2.0 * (0x7FF0000000000000)]
    np.testing.assert_array_equal(ulp_distance(a, b), expected)
    assert ulp_distance(np.float32(1.0), np.float32(2.0)) == 2**23
    with pytest.raises(TypeError, match="one dtype"):
        ulp_distance(np.float32(1.0), np.float64(1.0))


# --- exact values -------------------------------------------------------------------------


def _textbook(name: str, z: mpmath.mpf, slope: float) -> mpmath.mpf:
    """The lecture notes' formulas, with nothing done to avoid cancellation."""
    s = 1 / (1 + mpmath.exp(-z))
    tanh = (mpmath.exp(z) - mpmath.exp(-z)) / (mpmath.exp(z) + mpmath.exp(-z))
    table = {
        "sigmoid": s,
        "sigmoid_derivative": s * (1 - s),
        "tanh": tanh,
        "tanh_derivative": 1 - tanh**2,
        "swish": z * s,
        "swish_derivative": s + z * s * (1 - s),
        "hardtanh": -1 if z < -1 else (1 if z > 1 else z),
        "hardtanh_derivative": 1 if -1 < z < 1 else 0,
        "relu": max(z, 0),
        "relu_derivative": 1 if z > 0 else 0,
        "leaky_relu": z if z > 0 else slope * z,
        "leaky_relu_derivative": 1 if z > 0 else slope,
    }
    return mpmath.mpf(table[name])


@pytest.mark.parametrize("name", oracle.FUNCTIONS)
def test_exact_matches_the_textbook_formulas_at_2000_bits(name):
    # 2000 bits absorb every cancellation of the textbook forms for |z| <= 700 (1 - s loses
    # about 1010 bits at z = 700), so they give an independent check of the stable forms.
    z_values = [-700.0, -300.5, -40.0, -1.2784645427610738, -1.0, -0.3, 1e-9, 0.0]
    z_values += [0.7, 1.0, 3.0, 19.0, 45.0, 355.0, 700.0]
    got = oracle.exact(name, np.array(z_values), negative_slope=0.2)
    got32 = oracle.exact(name, np.array(z_values, dtype=np.float32), negative_slope=0.2)
    with mpmath.workprec(2000):
        for i, z in enumerate(z_values):
            value = _textbook(name, mpmath.mpf(z), 0.2)
            assert got[i] == round_to_format(value, F64), (name, z)
            z32 = float(np.float32(z))
            value32 = _textbook(name, mpmath.mpf(z32), 0.2)
            assert got32[i] == round_to_format(value32, F32), (name, z32)


@pytest.mark.parametrize(
    ("name", "expected_at_minus_inf", "expected_at_plus_inf"),
    [
        ("sigmoid", 0.0, 1.0),
        ("sigmoid_derivative", 0.0, 0.0),
        ("tanh", -1.0, 1.0),
        ("tanh_derivative", 0.0, 0.0),
        ("hardtanh", -1.0, 1.0),
        ("hardtanh_derivative", 0.0, 0.0),
        ("relu", 0.0, math.inf),
        ("relu_derivative", 0.0, 1.0),
        ("leaky_relu", -math.inf, math.inf),
        ("leaky_relu_derivative", 0.25, 1.0),
        ("swish", 0.0, math.inf),
        ("swish_derivative", 0.0, 1.0),
    ],
)
def test_exact_limits_and_nan(name, expected_at_minus_inf, expected_at_plus_inf):
    got = oracle.exact(name, [-np.inf, np.inf, np.nan], negative_slope=0.25)
    assert got[0] == expected_at_minus_inf
    assert got[1] == expected_at_plus_inf
    assert np.isnan(got[2])


def test_exact_kinks_follow_the_reference_convention():
    assert oracle.exact("relu_derivative", 0.0) == 0.0
    assert oracle.exact("leaky_relu_derivative", 0.0, negative_slope=0.3) == 0.3
    np.testing.assert_array_equal(oracle.exact("hardtanh_derivative", [-1.0, 1.0]), [0.0, 0.0])


def test_exact_agrees_with_numpy_where_numpy_is_accurate():
    # Well-conditioned inputs, where NumPy's libm results are within an ULP or two.
    z = np.linspace(-5.0, 5.0, 101)
    assert ulp_distance(oracle.exact("tanh", z), np.tanh(z)).max() <= 2
    assert ulp_distance(oracle.exact("sigmoid", z), 1.0 / (1.0 + np.exp(-z))).max() <= 3
    # A product of two doubles rounded once is exactly what IEEE multiplication gives.
    np.testing.assert_array_equal(
        oracle.exact("leaky_relu", -z, negative_slope=0.37), np.where(-z > 0, -z, -z * 0.37)
    )


def test_exact_keeps_shape_and_dtype():
    z = np.zeros((2, 0, 3), dtype=np.float32)
    assert oracle.exact("tanh", z).shape == (2, 0, 3)
    out = oracle.exact("tanh", np.float32(0.5))
    assert out.shape == () and out.dtype == np.float32
    assert oracle.exact("tanh", np.float32(0.5), np.float64).dtype == np.float64
    assert oracle.exact("tanh", 1).dtype == np.float64


def test_exact_resolves_swish_derivative_around_its_root():
    # The doubles on either side of the root give values of opposite signs, each correctly
    # rounded although the bracket cancels to about 1e-16 of its terms.
    z = np.array([-1.2784645427610738, -1.2784645427610737])
    values = oracle.exact("swish_derivative", z)
    assert values[0] < 0 < values[1]
    with mpmath.workprec(3000):
        for zi, got in zip(z.tolist(), values.tolist(), strict=True):
            zm = mpmath.mpf(zi)
            s = 1 / (1 + mpmath.exp(-zm))
            assert got == round_to_format(s + zm * s * (1 - s), F64)


def test_exact_is_cached():
    z = np.linspace(-3.0, 3.0, 50) + 0.123456789
    oracle.exact("swish", z)
    before = oracle._cached_value.cache_info().hits
    oracle.exact("swish", z, np.float32)
    assert oracle._cached_value.cache_info().hits >= before + 50


def test_exact_refuses_bad_arguments():
    with pytest.raises(ValueError, match="unknown function 'softplus'"):
        oracle.exact("softplus", [1.0])
    with pytest.raises(ValueError, match="negative_slope"):
        oracle.exact("leaky_relu", [1.0], negative_slope=-0.1)
    with pytest.raises(TypeError, match="float32 or float64"):
        oracle.exact("relu", np.ones(2, dtype=np.float16))
    with pytest.raises(TypeError, match="float32 or float64"):
        oracle.exact("relu", [1.0], np.int32)


def test_bad_names_and_slopes_are_refused_even_without_inputs():
    # Checked once, up front: an empty input must not let a wrong call pass silently.
    with pytest.raises(ValueError, match="unknown function 'softplus'"):
        oracle.exact("softplus", [])
    with pytest.raises(ValueError, match="negative_slope"):
        oracle.ulp_error("relu", np.array([]), np.array([]), negative_slope=-1.0)
    with pytest.raises(ValueError, match="unknown function 'sigma'"):
        oracle.ulp_error("swish_derivative", np.array([]), np.array([]), scale="sigma")


# --- ulp_error ----------------------------------------------------------------------------


@given(st.floats(min_value=-30, max_value=30), st.sampled_from([np.float32, np.float64]))
def test_ulp_error_of_the_correctly_rounded_value_and_of_its_neighbour(x, dtype):
    z = np.asarray(x, dtype=dtype)
    rounded = oracle.exact("sigmoid", z)
    error = oracle.ulp_error("sigmoid", z, rounded)
    assert 0.0 <= error <= 0.5
    # The next number up is at most 2 ULPs of the exact value away from the rounded one (2
    # when the exact value lies just below a power of 2 and the rounded one is that power).
    neighbour = np.nextafter(rounded, dtype(2.0))
    assert 0.5 <= oracle.ulp_error("sigmoid", z, neighbour) <= 2.5


def test_ulp_error_nan_and_infinity_rules():
    z = np.array([np.nan, np.nan, np.inf, np.inf, 1e308, 3.0])
    actual = np.array([np.nan, 0.0, np.inf, 1.0, np.inf, np.nan])
    expected = [0.0, np.inf, 0.0, np.inf, 0.0, np.inf]
    # relu(1e308) in float32 overflows: inf is the correctly rounded float32 value.
    got = oracle.ulp_error("relu", z.astype(np.float64), actual.astype(np.float32))
    np.testing.assert_array_equal(got, expected)


def test_ulp_error_scale_measures_against_the_larger_value():
    z = np.array([-1.2784645427610738, 5.0])
    exact = oracle.exact("swish_derivative", z)
    off_by_one_sigmoid_ulp = exact + np.spacing(oracle.exact("sigmoid", z))
    relative = oracle.ulp_error("swish_derivative", z, off_by_one_sigmoid_ulp)
    scaled = oracle.ulp_error("swish_derivative", z, off_by_one_sigmoid_ulp, scale="sigmoid")
    assert relative[0] > 1e10  # near the root a relative measure explodes
    assert 0.5 <= scaled[0] <= 1.5
    assert scaled[1] == relative[1]  # away from the root the value itself is the larger


def test_ulp_error_refuses_bad_arguments():
    with pytest.raises(TypeError, match="NumPy array"):
        oracle.ulp_error("relu", [1.0], [1.0])
    with pytest.raises(ValueError, match="do not broadcast"):
        oracle.ulp_error("relu", np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="unknown function"):
        oracle.ulp_error("relu", np.ones(2), np.ones(2), scale="nope")


def test_functions_lists_the_contract_names():
    assert len(oracle.FUNCTIONS) == 12
    assert set(oracle.FUNCTIONS) == set(oracle._FORMULAS)
