"""Binary floating-point formats: rounding exact values once, spacing, and distances.

The oracle computes with mpmath at a precision far beyond float64 and then needs one correct
rounding to float32 or float64. ``float(mpf)`` rounds to float64 only, so going to float32
through it rounds twice, and its handling of results below the normal range is not something
to rely on. This module rounds explicitly with integer arithmetic instead: the value
\\(m 2^e\\) is scaled to the quantum of its binade (or to the subnormal quantum
\\(2^{-1074}\\) / \\(2^{-149}\\) below the normal range) and rounded to nearest, ties to
even, with overflow to infinity as IEEE 754 prescribes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

__all__ = ["ulp_distance"]


@dataclass(frozen=True)
class FloatFormat:
    """The parameters of an IEEE 754 binary format.

    Attributes
    ----------
    dtype : numpy.dtype
        float32 or float64.
    precision : int
        Significand bits including the hidden bit (24 or 53).
    emin : int
        Exponent of the smallest normal number (-126 or -1022).
    emax : int
        Exponent of the largest finite number (127 or 1023).
    """

    dtype: np.dtype[Any]
    precision: int
    emin: int
    emax: int


_FORMATS = {
    np.dtype(np.float32): FloatFormat(np.dtype(np.float32), 24, -126, 127),
    np.dtype(np.float64): FloatFormat(np.dtype(np.float64), 53, -1022, 1023),
}


def float_format(dtype: Any) -> FloatFormat:
    """Return the `FloatFormat` of float32 or float64; refuse any other dtype."""
    try:
        return _FORMATS[np.dtype(dtype)]
    except (TypeError, KeyError):  # not a dtype at all, or another one
        raise TypeError(f"dtype must be float32 or float64; got {dtype!r}.") from None


# mpmath rounds the result of abs() and unary minus to the current precision (53 bits by
# default), which would round the exact value before we do. ``man_exp`` holds the magnitude's
# odd integer significand and exponent exactly, so everything below works from it.


def _binade_exponent(value: mpmath.mpf) -> int:
    """Return \\(\\lfloor \\log_2 |x| \\rfloor\\) of a nonzero finite mpf, exactly."""
    man, exp = value.man_exp
    return exp + int(man).bit_length() - 1


def _quantum_exponent(value: mpmath.mpf, fmt: FloatFormat) -> int:
    """Exponent of the spacing of ``fmt`` at finite ``value``: the ulp is 2 to this power.

    Below the normal range, and at 0, it is the spacing of the subnormals,
    \\(2^{e_{min} - p + 1}\\).
    """
    binade = _binade_exponent(value) if value != 0 else fmt.emin
    return max(binade, fmt.emin) - fmt.precision + 1


def round_to_format(value: mpmath.mpf, fmt: FloatFormat) -> float:
    """Round an mpf to the nearest number of ``fmt`` (ties to even), once.

    Parameters
    ----------
    value : mpmath.mpf
        Any mpf, including ±inf, NaN and ±0.
    fmt : FloatFormat
        The target format.

    Returns
    -------
    float
        The rounded value as a Python float. It is exactly representable in ``fmt``, so
        converting it to ``fmt.dtype`` is exact. Magnitudes that round beyond the largest
        finite number give ±inf; magnitudes below half the smallest subnormal give ±0.

    Notes
    -----
    With \\(|x| = m 2^e\\) (m an odd integer) and \\(q\\) the quantum exponent
    \\(\\max(\\lfloor\\log_2|x|\\rfloor, e_{min}) - p + 1\\), the result is
    \\(N 2^q\\) with \\(N\\) the integer nearest \\(m 2^{e-q}\\), ties to even. The
    quantum is clamped below at the subnormal quantum, which is what makes subnormal
    results come out right; a carry to \\(N = 2^p\\) simply moves to the next binade.
    """
    if mpmath.isnan(value):
        return float("nan")
    negative = value < 0
    if mpmath.isinf(value):
        return float("-inf") if negative else float("inf")
    if value == 0:
        return -0.0 if mpmath.sign(value) < 0 else 0.0
    man, exp = value.man_exp
    man = int(man)
    # Far outside the format the shifts below would build integers as wide as the exponent
    # (gigabytes for sigmoid'(-1e10)): decide those cases from the magnitude alone.
    if exp + man.bit_length() > fmt.emax + 2:
        return float("-inf") if negative else float("inf")
    q = _quantum_exponent(value, fmt)
    if exp >= q:
        n = man << (exp - q)
    elif q - exp > man.bit_length():
        n = 0  # |value| < 2^(q-1), below half the smallest quantum: rounds to zero
    else:
        shift = q - exp
        n = man >> shift
        remainder = man & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if remainder > half or (remainder == half and n & 1):
            n += 1
    # The largest finite number is (2^p - 1) 2^(emax - p + 1); anything that rounds past it
    # overflows (round to nearest sends the halfway case 2^(emax+1) - ulp/2 to infinity too).
    if n.bit_length() + q > fmt.emax + 1:
        result = float("inf")
    else:
        result = math.ldexp(float(n), q)  # exact: n < 2**54 and the result is representable
    return -result if negative else result


def ulp_at(value: mpmath.mpf, fmt: FloatFormat) -> mpmath.mpf:
    """Return the spacing of ``fmt`` at the exact value ``value``, as an exact mpf.

    The spacing at \\(x\\) is \\(2^{\\max(\\lfloor\\log_2|x|\\rfloor, e_{min}) - p + 1}\\)
    (the spacing of the binade that contains \\(x\\)); at 0 it is the smallest subnormal,
    and beyond the largest finite number it is the spacing of the top binade.
    """
    q = min(_quantum_exponent(value, fmt), fmt.emax - fmt.precision + 1)
    return mpmath.ldexp(mpmath.mpf(1), q)


def _ordered_integers(array: np.ndarray) -> np.ndarray:
    """Map floats to int64 so that consecutive floats map to consecutive integers.

    The sign-magnitude bit pattern becomes two's complement: ±0 both map to 0, the
    positive floats keep their bit pattern, and negative floats map to minus theirs.
    """
    bits_type = np.int32 if array.dtype == np.float32 else np.int64
    bits = array.view(bits_type).astype(np.int64)
    magnitude = bits & np.int64(np.iinfo(bits_type).max)
    return np.where(bits < 0, -magnitude, magnitude)


def ulp_distance(a: Any, b: Any) -> np.ndarray:
    """Count the representable numbers between two arrays of one dtype, elementwise.

    Parameters
    ----------
    a, b : ndarray, same dtype (float32 or float64), shapes that broadcast
        The values to compare.

    Returns
    -------
    distance : ndarray of float64
        In the broadcast shape of ``a`` and ``b``: how many steps from one representable number to
        the next separate ``a`` and ``b``: 0 for equal values (+0 and -0 are equal), 1 for
        neighbours, and so on; infinity is one step past the largest finite number. Two NaNs are at
        distance 0, a NaN and a number at distance ``inf``. The counts are integers; they are
        returned as float64 because the widest distance (-inf to +inf in float64, about 1.8e19) does
        not fit an int64, and to carry the NaN case. Counts below 2**53 are exact.

    Raises
    ------
    TypeError
        If the arrays are not float32 or float64, or do not share one dtype.

    Examples
    --------
    >>> import numpy as np
    >>> ulp_distance(np.float32(1.0), np.nextafter(np.float32(1.0), np.float32(2.0)))
    array(1.)
    >>> ulp_distance(np.array([-0.0, np.inf]), np.array([0.0, np.finfo(np.float64).max]))
    array([0., 1.])
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.dtype != b.dtype:
        raise TypeError(f"ulp_distance: a and b must share one dtype; got {a.dtype} and {b.dtype}.")
    float_format(a.dtype)
    a, b = np.broadcast_arrays(a, b)
    ia = _ordered_integers(a.copy())  # a copy is contiguous, as view() needs
    ib = _ordered_integers(b.copy())
    # The difference of two int64 codes can exceed int64 (about 2**64 for -inf to +inf), so
    # it is taken in uint64, where wrap-around of the larger minus the smaller is exact.
    high = np.maximum(ia, ib).view(np.uint64)
    low = np.minimum(ia, ib).view(np.uint64)
    difference = np.subtract(high, low, out=np.empty(np.shape(ia), dtype=np.uint64))
    distance = difference.astype(np.float64)
    nan_a = np.isnan(a)
    nan_b = np.isnan(b)
    distance = np.where(nan_a & nan_b, 0.0, np.where(nan_a | nan_b, np.inf, distance))
    return np.asarray(distance)
