"""Input validation shared by every public function of the reference.

Every public function validates its arguments here, once, before it computes anything, so
that bad input gives one clear message (what was wrong, what was expected) instead of a
traceback from deep inside NumPy or a silently wrong result.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: The floating dtypes the reference computes in. Results keep the dtype of their inputs.
SUPPORTED_DTYPES: tuple[np.dtype[Any], ...] = (np.dtype(np.float32), np.dtype(np.float64))


def as_float_array(value: Any, *, name: str, func: str) -> np.ndarray:
    """Return ``value`` as a float32 or float64 ndarray, without copying when it already is one.

    Python numbers, nested lists and integer or boolean arrays become float64 (as NumPy's own
    ufuncs would promote them). Every other dtype (float16, longdouble, complex, object,
    strings) is refused: the reference only promises its accuracy for float32 and float64.

    Parameters
    ----------
    value : array_like
        The argument as the caller passed it.
    name : str
        The argument's name, used in the error message.
    func : str
        The public function's name, used in the error message.

    Returns
    -------
    ndarray
        The same array when ``value`` is already a float32 or float64 ndarray (callers must
        not write into it), otherwise a new float64 array.

    Raises
    ------
    TypeError
        If ``value`` cannot be read as an array of real numbers of a supported dtype.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise TypeError(
            f"{func}: {name} must be an array of real numbers (float32 or float64); "
            f"could not convert the {type(value).__name__} given: {exc}"
        ) from None
    if array.dtype in SUPPORTED_DTYPES:
        return array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    raise TypeError(
        f"{func}: {name} must be a float32 or float64 array; got dtype {array.dtype}. "
        f"Convert it first, for example numpy.asarray({name}, dtype=numpy.float64)."
    )


def require(ok: bool, message: str, error: type[Exception] = ValueError) -> None:
    """Raise ``error(message)`` unless ``ok``: one check, its message naming what was wrong and
    what was expected."""
    if not ok:
        raise error(message)


def check_same_dtype(func: str, **arrays: np.ndarray) -> np.dtype[Any]:
    """Return the common dtype of ``arrays``, or raise a TypeError naming each dtype.

    Mixed float32/float64 arguments are refused rather than silently promoted: a reference
    that quietly computes in float64 would hide a dtype bug in the code being checked.
    """
    dtypes = {name: array.dtype for name, array in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listing = ", ".join(f"{name} is {dtype}" for name, dtype in dtypes.items())
        raise TypeError(f"{func}: all arrays must have one dtype; got {listing}.")
    return next(iter(dtypes.values()))


def as_float_array_of_ndim(
    value: Any, ndim: tuple[int, ...], *, name: str, func: str
) -> np.ndarray:
    """`as_float_array`, then a ValueError unless the array's ``ndim`` is one of ``ndim``."""
    array = as_float_array(value, name=name, func=func)
    if array.ndim not in ndim:
        wanted = " or ".join(f"{n}-D" for n in ndim)
        raise ValueError(
            f"{func}: {name} must be {wanted}; got shape {array.shape} ({array.ndim}-D)."
        )
    return array


def check_negative_slope(negative_slope: Any, *, func: str) -> float:
    """Return ``negative_slope`` as a float, refusing negative, non-finite or non-real values."""
    try:
        slope = float(negative_slope)
    except (TypeError, ValueError):
        raise TypeError(
            f"{func}: negative_slope must be a real number >= 0; got {negative_slope!r}."
        ) from None
    if not math.isfinite(slope) or slope < 0:
        raise ValueError(f"{func}: negative_slope must be a finite number >= 0; got {slope!r}.")
    return slope
