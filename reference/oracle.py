r"""Exact values of the activations and their derivatives, rounded once to float32 or float64.

This is the yardstick of the conformance suite's value clauses and of the benchmarks: every
function is evaluated with mpmath at a precision far beyond float64 (160 bits, more where a
result cancels), then rounded **once** to the requested dtype with explicit integer
arithmetic (round to nearest, ties to even, subnormals quantized to \(2^{-1074}\) or
\(2^{-149}\), overflow to infinity). Errors of an implementation are measured against the
unrounded exact value, in ULPs of the implementation's dtype.

Conventions (the same as `gradspec.reference`):

- the functions are evaluated at the input values exactly as given (a float64 input is not
  rounded to float32 first when a float32 result is asked for);
- ``negative_slope`` is the exact binary value of the Python float passed (``0.01`` means
  \(0.01000000000000000020816\ldots\)), not the decimal it was written as;
- kinks: \(\mathrm{relu}'(0) = 0\), \(\operatorname{LeakyReLU}'(0) = s\) (the negative
  slope) and \(\mathrm{hardtanh}'(\pm 1) = 0\), as PyTorch;
- mpmath has a single zero, so an exact zero result is +0 whatever the sign of the input
  (``tanh(-0.0)`` gives +0 here; `ulp_error` counts +0 and -0 as equal);
- at \(\pm\infty\) the mathematical limits (``swish(-inf)`` is 0, ``swish_derivative``
  gives 0 and 1), and NaN gives NaN.

Values are cached per (function, slope, input), so measuring several implementations on the
same inputs, or one implementation in both dtypes, costs one mpmath evaluation per input.

Examples
--------
>>> import numpy as np
>>> from gradspec.reference import oracle
>>> oracle.exact("sigmoid_derivative", np.array([0.0, 40.0, 800.0]))
array([2.50000000e-01, 4.24835426e-18, 0.00000000e+00])
>>> oracle.exact("swish", np.float32(-100.0), np.float32)
array(-3.72e-42, dtype=float32)
>>> naive = 1.0 - np.tanh(np.array([0.5, 20.0])) ** 2
>>> oracle.ulp_error("tanh_derivative", np.array([0.5, 20.0]), naive) > 1e15
array([False,  True])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._ulp import FloatFormat, float_format, round_to_format, ulp_at, ulp_distance
from ._validation import as_float_array, check_negative_slope

__all__ = ["FUNCTIONS", "exact", "exact_mpf", "ulp_distance", "ulp_error"]

_SLOPED = frozenset({"leaky_relu", "leaky_relu_derivative"})

#: Working precision in bits: 107 bits beyond float64's 53, so a result lands within
#: 2**-100 ULP of its exact value and the single rounding that follows is right except for
#: values that close to a rounding boundary, which transcendental results do not come.
_PRECISION = 160

#: Cache size in entries (an entry is one mpf, a few hundred bytes).
_CACHE_SIZE = 1 << 17

_ONE = mpmath.mpf(1)
_ZERO = mpmath.mpf(0)


# --- The functions in exact arithmetic (arguments mpf, ±inf included; working precision set) ---
# Each form is chosen so that nothing cancels: e^{-|z|} never overflows and 1 + e^{-|z|} lies
# in [1, 2], so every result carries the full working precision, tails included.


def _bell(t: mpmath.mpf) -> mpmath.mpf:
    r"""\(t / (1 + t)^2\): \(\sigma'\) at \(t = e^{-|z|}\), \(\tanh' / 4\) at \(t = e^{-2|z|}\)."""
    return t / (_ONE + t) ** 2


def _tanh(z: mpmath.mpf, slope: float) -> mpmath.mpf:
    # tanh|z| = -u / (2 + u) with u = expm1(-2|z|) in (-1, 0]: exact for tiny |z| too,
    # where a difference of exponentials would cancel.
    u = mpmath.expm1(-2 * abs(z))
    magnitude = -u / (2 + u)
    return -magnitude if z < 0 else magnitude


def _leaky_relu(z: mpmath.mpf, slope: float) -> mpmath.mpf:
    if z > 0:
        return z
    return mpmath.mpf(slope) * z if slope > 0 else _ZERO


def _swish_derivative(z: mpmath.mpf, slope: float) -> mpmath.mpf:
    # swish'(z) = sigma(z) (1 + z sigma(-z)). The bracket vanishes at z0 ~ -1.2785 and loses
    # about -log2|bracket| bits to cancellation near it; those bits are added back by
    # recomputing at a higher precision until at least 120 correct bits remain.
    extra = 0
    while True:
        with mpmath.workprec(_PRECISION + extra):
            bracket = _ONE + z / (_ONE + mpmath.exp(z))
            lost = _PRECISION + extra if bracket == 0 else max(0, -mpmath.mag(bracket))
            if lost <= extra + _PRECISION - 120:
                return bracket / (_ONE + mpmath.exp(-z))
        if extra > 4000:  # no float lies that close to the irrational root
            raise ArithmeticError(f"swish_derivative: cannot resolve the value at z={z}")
        extra = lost + 64


#: Each function at a finite z (and the slope s, used by leaky relu only), one line each
#: where the formula fits on one.
_FORMULAS: dict[str, Callable[[mpmath.mpf, float], mpmath.mpf]] = {
    "sigmoid": lambda z, s: _ONE / (_ONE + mpmath.exp(-z)),
    "sigmoid_derivative": lambda z, s: _bell(mpmath.exp(-abs(z))),
    "tanh": _tanh,
    "tanh_derivative": lambda z, s: 4 * _bell(mpmath.exp(-2 * abs(z))),
    "hardtanh": lambda z, s: max(-_ONE, min(_ONE, z)),
    "hardtanh_derivative": lambda z, s: _ONE if abs(z) < 1 else _ZERO,
    "relu": lambda z, s: z if z > 0 else _ZERO,
    "relu_derivative": lambda z, s: _ONE if z > 0 else _ZERO,
    "leaky_relu": _leaky_relu,
    "leaky_relu_derivative": lambda z, s: _ONE if z > 0 else mpmath.mpf(s),
    "swish": lambda z, s: z / (_ONE + mpmath.exp(-z)),
    "swish_derivative": _swish_derivative,
}

#: The names the oracle knows: the adapter contract's activations and their derivatives.
FUNCTIONS: tuple[str, ...] = tuple(_FORMULAS)

#: (limit at -inf, limit at +inf) of the two functions whose formula meets inf/inf there;
#: every other formula evaluates to its limit at \(\pm\infty\) in mpmath's arithmetic.
_LIMITS = {"swish": (_ZERO, mpmath.inf), "swish_derivative": (_ZERO, _ONE)}


@lru_cache(maxsize=_CACHE_SIZE)
def _cached_value(name: str, slope: float, z: float) -> mpmath.mpf:
    """The exact value at ``z`` (mpmath has one zero, so +0 and -0 share an entry)."""
    with mpmath.workprec(_PRECISION):
        return +_FORMULAS[name](mpmath.mpf(z), slope)


def _slope_for(name: str, negative_slope: Any) -> float:
    """Check ``name`` and ``negative_slope`` once; return the slope ``name`` is computed with."""
    if name not in _FORMULAS:
        choices = ", ".join(FUNCTIONS)
        raise ValueError(f"oracle: unknown function {name!r}; expected one of {choices}.")
    slope = check_negative_slope(negative_slope, func=f"oracle ({name})")
    return slope if name in _SLOPED else 0.0


def _value(name: str, slope: float, z: float) -> mpmath.mpf:
    """`exact_mpf` for a name and slope that `_slope_for` has checked."""
    if math.isnan(z):
        return mpmath.mpf("nan")
    if math.isinf(z) and name in _LIMITS:
        return _LIMITS[name][z > 0]
    return _cached_value(name, slope, z)


def exact_mpf(name: str, z: float, *, negative_slope: float = 0.01) -> mpmath.mpf:
    """Return the exact (unrounded) value of function ``name`` at one float ``z``.

    Parameters
    ----------
    name : str
        One of `FUNCTIONS`.
    z : float
        The input; NaN and ±inf are allowed.
    negative_slope : float, optional
        The slope of ``leaky_relu`` and its derivative (ignored by the other functions).

    Returns
    -------
    mpmath.mpf
        The value to 160 bits or more (cached); ±inf, NaN or a limit for non-finite ``z``.
    """
    return _value(name, _slope_for(name, negative_slope), float(z))


def exact(
    name: str, z: ArrayLike, dtype: DTypeLike | None = None, *, negative_slope: float = 0.01
) -> np.ndarray:
    """Return the exact value of function ``name`` at ``z``, rounded once to ``dtype``.

    Parameters
    ----------
    name : str
        One of `FUNCTIONS`, e.g. ``"swish_derivative"``.
    z : array_like, any shape
        The inputs (float32, float64, or anything `numpy.asarray` reads as real
        numbers). They are used exactly as given.
    dtype : {float32, float64}, optional
        The dtype to round to; by default the dtype of ``z`` (float64 for Python numbers).
    negative_slope : float, optional
        The slope of ``leaky_relu`` and its derivative; must be a finite number >= 0.

    Returns
    -------
    ndarray
        The shape of ``z``, dtype ``dtype``. Each value correctly rounded (to nearest,
        ties to even), subnormals and overflow included.

    Raises
    ------
    ValueError
        If ``name`` is unknown or ``negative_slope`` is negative or not finite.
    TypeError
        If ``z`` or ``dtype`` is not float32/float64 (or a Python number or integer array).

    Examples
    --------
    >>> import numpy as np
    >>> exact("tanh", np.array([1e-300, 1.0, 30.0]))
    array([1.00000000e-300, 7.61594156e-001, 1.00000000e+000])
    >>> exact("leaky_relu", [-2.0, 3.0], negative_slope=0.5)
    array([-1.,  3.])
    """
    slope = _slope_for(name, negative_slope)
    values = as_float_array(z, name="z", func=f"oracle.exact({name!r})")
    fmt = float_format(values.dtype if dtype is None else dtype)
    rounded = [round_to_format(_value(name, slope, v), fmt) for v in values.reshape(-1).tolist()]
    return np.array(rounded, dtype=fmt.dtype).reshape(values.shape)


def _element_error(
    exact_value: mpmath.mpf, actual: float, fmt: FloatFormat, unit: mpmath.mpf
) -> float:
    """The error of one result in ULPs of ``fmt`` at ``unit`` (inf for a wrong kind)."""
    if mpmath.isnan(exact_value) or math.isnan(actual):
        return 0.0 if mpmath.isnan(exact_value) and math.isnan(actual) else math.inf
    if math.isinf(actual) or mpmath.isinf(exact_value):
        # Infinity is right exactly when the exact value rounds to it (overflow included).
        return 0.0 if round_to_format(exact_value, fmt) == actual else math.inf
    with mpmath.workprec(_PRECISION):
        return float(abs(mpmath.mpf(actual) - exact_value) / ulp_at(unit, fmt))


def ulp_error(
    name: str,
    z: ArrayLike,
    actual: ArrayLike,
    *,
    negative_slope: float = 0.01,
    scale: str | None = None,
) -> np.ndarray:
    r"""Return the error of ``actual`` as values of ``name`` at ``z``, in ULPs, elementwise.

    Parameters
    ----------
    name : str
        One of `FUNCTIONS`.
    z : array_like
        The inputs, exactly as they were given to the implementation.
    actual : array_like, float32 or float64, shape broadcastable with ``z``
        The implementation's results. Their dtype sets the ULP: a float32 result is measured
        in float32 ULPs.
    negative_slope : float, optional
        The slope of ``leaky_relu`` and its derivative.
    scale : str, optional
        Measure the error in ULPs of the larger in magnitude of ``name``'s exact value and
        function ``scale``'s exact value at ``z``: ``scale="sigmoid"`` for
        ``swish_derivative``, whose value crosses zero near \(z_0 \approx -1.2785\)
        while its terms are the size of \(\sigma(z)\), so that a relative measure is
        meaningless there. Away from the root the value itself is the larger and the measure
        is the usual one.

    Returns
    -------
    error : ndarray of float64
        In the broadcast shape of ``z`` and ``actual``: \(|a - f(z)| / \mathrm{ulp}(f(z))\) with
        \(f(z)\) the exact, unrounded value, so a correctly rounded result scores at most 0.5 and
        the error of rounding the oracle does not pollute the figure. NaN where NaN is expected, or
        an infinity where the exact value is (or overflows to) that infinity, scores 0; any other
        NaN or infinity scores ``inf``.

    Notes
    -----
    \(\mathrm{ulp}(x) = 2^{\max(\lfloor \log_2 |x| \rfloor,\, e_{min}) - p + 1}\), the
    spacing of the binade that holds the exact value (the subnormal spacing below the normal
    range, the smallest subnormal at 0). An exact zero therefore makes any nonzero result
    score a huge error, as it should.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([0.0, 1.0], dtype=np.float32)
    >>> ulp_error("relu", z, np.array([0.0, 1.0], dtype=np.float32))
    array([0., 0.])
    >>> ulp_error("sigmoid", np.array([np.nan, np.inf]), np.array([np.nan, 1.0]))
    array([0., 0.])
    """
    func = f"oracle.ulp_error({name!r})"
    slope = _slope_for(name, negative_slope)
    scale_slope = 0.0 if scale is None else _slope_for(scale, negative_slope)
    inputs = as_float_array(z, name="z", func=func)
    results = as_float_array(actual, name="actual", func=func)
    if not isinstance(actual, np.ndarray | np.generic):
        wanted = "a float32 or float64 NumPy array (its dtype sets the ULP)"
        raise TypeError(f"{func}: actual must be {wanted}; got {type(actual).__name__}.")
    fmt = float_format(results.dtype)
    try:
        inputs, results = np.broadcast_arrays(inputs, results)
    except ValueError:
        shapes = f"z of shape {np.shape(z)} and actual of shape {np.shape(actual)}"
        raise ValueError(f"{func}: {shapes} do not broadcast together.") from None
    errors = []
    for value, result in zip(inputs.ravel().tolist(), results.ravel().tolist(), strict=True):
        exact_value = unit = _value(name, slope, value)
        if scale is not None and math.isfinite(value):
            unit = max(unit, _value(scale, scale_slope, value), key=abs)
        errors.append(_element_error(exact_value, result, fmt, unit))
    return np.array(errors, dtype=np.float64).reshape(inputs.shape)
