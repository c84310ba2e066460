r"""Elementwise activations and their derivatives, accurate over the whole floating range.

Every function takes an array of any shape (0-d and empty included) and returns a new array
of the same shape and dtype: float32 in gives float32 out, float64 gives float64, and Python
numbers, lists and integer arrays are read as float64. Inputs are never modified. No
floating-point warning is raised for any input, finite or infinite; NaN gives NaN (the
derivatives included) and \(\pm\infty\) gives the mathematical limit.

Accuracy, measured against the exact values of `gradspec.reference.oracle`: at most
1 ULP in float32 (about 0.5, a single rounding) and a few ULPs in float64, tails and
subnormal results included, where the textbook formulas return 0 or lose every digit.

How (the *Notes* of each function give its formula and why it is stable):

- The smooth functions are written in terms of \(t = e^{-|z|}\), which never overflows,
  so \(1 + t \in [1, 2]\) carries no cancellation. Formulas that subtract nearly equal
  numbers, \(\sigma(1 - \sigma)\) and \(1 - \tanh^2\), are never used: they return 0
  where the true derivative is tiny but representable (\(\sigma'(40)\),
  \(\tanh'(30)\)).
- Where a result is subnormal, a product with a subnormal factor would lose bits, so the
  tail is computed by `_subnormal_tail` from \(e^{x + 64}\) (the shift is exact) and scaled
  back by a constant in one final rounding.
- The smooth functions compute in float64: a float32 input is widened once and the result
  rounded once to float32, which costs about 0.5 ULP. The piecewise-linear functions are
  exact in either dtype and compute in the input's own.

Kinks: the derivative at a kink is a one-sided value, as in PyTorch:
\(\mathrm{relu}'(0) = 0\), \(\operatorname{LeakyReLU}'(0) = s\) (the negative slope)
and \(\mathrm{hardtanh}'(\pm 1) = 0\). ``relu(-0.0)`` may return either zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_negative_slope

__all__ = [
    "hardtanh",
    "hardtanh_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
]

#: The activations by name, each with its ``<name>_derivative``: the names a graph op, a Jacobian
#: or a layer stack refers to them by.
ACTIVATIONS = ("sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "swish")

#: The exact shift of the subnormal tails: for \(x \le -32\), \(x + 64\) is exact.
_SHIFT = 64.0
#: \(e^{-64}\) rounded to float64 (one rounding, relative error below 2**-53).
_EXP_MINUS_SHIFT = float(np.exp(-_SHIFT))
#: Below this input swish and swish' take their tail forms (their results, and \(e^{z}\),
#: are subnormal or close to it beyond about -701).
_SWISH_TAIL = -700.0
#: Above this \(|z|\), \(e^{-2|z|}\) may be subnormal and tanh' takes its tail form.
_TANH_DERIVATIVE_TAIL = 350.0
#: Clamping \(|z|\) here changes no result of swish' or of swish for z < 0 (they round to
#: 1 or 0 well before) and keeps \(-\infty \cdot 0\) out of the arithmetic.
_CLAMP = 800.0


def _quiet() -> Any:
    """The floating-point state of every function: underflow and overflow are results here.

    Underflow to subnormals or zero is the correct result in the tails; overflow happens only
    where infinity is the correctly rounded result (float32 leaky_relu with slope > 1).
    """
    return np.errstate(under="ignore", over="ignore")


def _widened(z: ArrayLike, func: str) -> tuple[np.ndarray, np.ndarray]:
    """The checked input and its float64 value (the input itself when it is float64)."""
    z = as_float_array(z, name="z", func=func)
    return z, z.astype(np.float64, copy=False)


def _rounded(value: Any, z: np.ndarray) -> np.ndarray:
    """``value`` as an array in the dtype of ``z``: the one rounding of a float32 result."""
    return np.asarray(value).astype(z.dtype, copy=False)


def _one_plus_t_squared(t: np.ndarray) -> np.ndarray:
    """\\((1 + t)^2\\), evaluated as \\(1 + t(2 + t)\\).

    Squaring the rounded \\(1 + t\\) doubles its rounding error; in this form the small
    term carries its own errors and only the last addition rounds at the result's scale
    (about 1 ULP off the worst float64 errors of sigmoid', tanh' and swish').
    """
    return 1.0 + t * (2.0 + t)


def _subnormal_tail(value: np.ndarray, tail: np.ndarray, factor: Any, x: np.ndarray) -> Any:
    """``value`` with \\(c\\,e^{x}\\) where ``tail`` is set, for \\(x \\le -32\\), rounded once.

    \\(c\\,e^{x} = (c\\,e^{x + 64})\\,e^{-64}\\): the shift is exact, \\(c\\,e^{x + 64}\\) is a
    normal number, and the product with the constant rounds once, into the subnormals
    where the result is that small (a subnormal \\(e^{x}\\) times \\(c\\) would multiply its
    rounding error by \\(|c|\\)). ``factor`` is \\(c\\), an array of x's shape or a number.
    """
    value = np.asarray(value)
    if tail.any():
        c = np.broadcast_to(factor, x.shape)[tail]
        value[tail] = (c * np.exp(x[tail] + _SHIFT)) * _EXP_MINUS_SHIFT
    return value


def _step(z: np.ndarray) -> np.ndarray:
    """1 where z > 0, 0 where z <= 0, NaN at NaN: the sign of relu(z), in z's dtype."""
    return np.sign(np.maximum(z, 0.0))


# --- sigmoid ------------------------------------------------------------------------------


def sigmoid(z: ArrayLike) -> np.ndarray:
    r"""The logistic sigmoid \(\sigma(z) = 1 / (1 + e^{-z})\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. Values in \([0, 1]\); 0 and 1 at \(\mp\infty\), NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    With \(t = e^{-|z|} \in (0, 1]\),

    \[
        \sigma(z) = \frac{1}{1 + t} \ (z \ge 0), \qquad
        \sigma(z) = \frac{t}{1 + t} \ (z < 0).
    \]

    \(t\) never overflows and \(1 + t \in [1, 2]\), so each branch is three
    correctly rounded operations with no cancellation. For \(z < -708\) the result is
    \(t\) itself (subnormal, rounded once by the exponential), not 0 as with
    \(1 / (1 + e^{-z})\), whose \(e^{-z}\) overflows.

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([-800.0, -720.0, 0.0, 40.0]))
    array([0.0000000e+000, 2.0322308e-313, 5.0000000e-001, 1.0000000e+000])
    """
    z, x = _widened(z, "sigmoid")
    with _quiet():
        t = np.exp(-np.abs(x))
        return _rounded(np.where(x >= 0, 1.0, t) / (1.0 + t), z)


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of the sigmoid, \(\sigma'(z) = \sigma(z)\,\sigma(-z)\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. Values in \((0, 1/4]\); 0 at \(\pm\infty\), NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    With \(t = e^{-|z|}\),

    \[
        \sigma'(z) = \frac{t}{(1 + t)^2}.
    \]

    The textbook \(\sigma(z)(1 - \sigma(z))\) subtracts from 1 a number that rounds to 1
    for \(z > 37\), and returns 0 where the true value is still about \(e^{-z}\)
    (\(\sigma'(40) \approx 4.2 \cdot 10^{-18}\)): errors of \(10^{15}\) ULPs. Here
    \(t\) is exact up to one rounding, \(1 + t \in [1, 2]\) cancels nothing, and in
    the far tail (\(t < 2^{-53}\)) the result is \(t\) itself, subnormals included.
    The denominator is evaluated as \(1 + t(2 + t)\), which rounds less than squaring
    a rounded \(1 + t\).

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid_derivative(np.array([0.0, 40.0, -40.0]))
    array([2.50000000e-01, 4.24835426e-18, 4.24835426e-18])
    """
    z, x = _widened(z, "sigmoid_derivative")
    with _quiet():
        t = np.exp(-np.abs(x))
        return _rounded(t / _one_plus_t_squared(t), z)


# --- tanh ---------------------------------------------------------------------------------


def tanh(z: ArrayLike) -> np.ndarray:
    r"""The hyperbolic tangent \(\tanh z = (e^z - e^{-z}) / (e^z + e^{-z})\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. Values in \([-1, 1]\); \(\pm 1\) at \(\pm\infty\), NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    The textbook quotient overflows for \(|z| > 710\) (inf/inf is NaN) and cancels near
    0. NumPy's float64 ``tanh`` is accurate to about 1 ULP over the whole range (measured
    against the oracle), so it is used as is; float32 inputs go through float64 and are
    rounded once, because NumPy's float32 ``tanh`` is off by more than 1 ULP.
    \(\tanh z = 2\sigma(2z) - 1\) holds mathematically but loses accuracy near 0.

    Examples
    --------
    >>> import numpy as np
    >>> tanh(np.array([-1000.0, 0.0, 1e-300]))
    array([-1.e+000,  0.e+000,  1.e-300])
    """
    z, x = _widened(z, "tanh")
    with _quiet():
        return _rounded(np.tanh(x), z)


def tanh_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of tanh, \(\tanh'(z) = 1 / \cosh^2 z\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. Values in \((0, 1]\); 0 at \(\pm\infty\), NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    With \(t = e^{-2|z|}\),

    \[
        \tanh'(z) = \frac{4t}{(1 + t)^2} = 4\,\sigma'(2z).
    \]

    The textbook \(1 - \tanh^2 z\) returns 0 for \(|z| > 19\) where the true value
    is about \(4e^{-2|z|}\) (\(\tanh'(30) \approx 3.5 \cdot 10^{-26}\)). Here nothing
    cancels, and the denominator is evaluated as \(1 + t(2 + t)\). For \(|z| > 350\),
    \(t\) may be subnormal and \(4t\) would quadruple its rounding error, so the tail is
    \(e^{-2|z| + 64} \cdot 4e^{-64}\): the shift by 64 is exact, and the product rounds
    once.

    Examples
    --------
    >>> import numpy as np
    >>> tanh_derivative(np.array([0.0, 30.0, -360.0]))
    array([1.00000000e+000, 3.50260431e-026, 8.12892321e-313])
    """
    z, x = _widened(z, "tanh_derivative")
    with _quiet():
        exponent = -2.0 * np.abs(x)
        t = np.exp(exponent)
        value = 4.0 * t / _one_plus_t_squared(t)
        tail = exponent < -2.0 * _TANH_DERIVATIVE_TAIL
        return _rounded(_subnormal_tail(value, tail, 4.0, exponent), z)


# --- hardtanh -----------------------------------------------------------------------------


def hardtanh(z: ArrayLike) -> np.ndarray:
    r"""Hard tanh: \(-1\) for \(z < -1\), \(z\) on \([-1, 1]\), 1 for \(z > 1\).

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. \(\min(\max(z, -1), 1)\), exact; NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    The lecture notes print the middle branch as 0; that is a typo (erratum): hard tanh is
    the identity on \([-1, 1]\), a piecewise-linear tanh.

    Examples
    --------
    >>> import numpy as np
    >>> hardtanh(np.array([-3.0, -0.5, 0.25, 2.0]))
    array([-1.  , -0.5 ,  0.25,  1.  ])
    """
    z = as_float_array(z, name="z", func="hardtanh")
    return _rounded(np.clip(z, -1.0, 1.0), z)


def hardtanh_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of hard tanh: 1 on \((-1, 1)\), 0 elsewhere (0 at the kinks ±1).

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. 1.0 where \(|z| < 1\), 0.0 where \(|z| \ge 1\)
        (infinities included), NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    Kink convention (PyTorch's): \(\mathrm{hardtanh}'(\pm 1) = 0\), the outer one-sided
    derivative; any value in \([0, 1]\) is a valid subgradient there. Computed as
    \(H(1 - |z|)\) with the step \(H\) taken as 0 at 0; \(1 - |z|\) is exact
    near the kinks and positive for every \(|z| < 1\).

    Examples
    --------
    >>> import numpy as np
    >>> hardtanh_derivative(np.array([-1.0, -0.5, 1.0, 3.0]))
    array([0., 1., 0., 0.])
    """
    z = as_float_array(z, name="z", func="hardtanh_derivative")
    return _rounded(_step(1.0 - np.abs(z)), z)


# --- relu and leaky relu ------------------------------------------------------------------


def relu(z: ArrayLike) -> np.ndarray:
    r"""The rectified linear unit \(\max(z, 0)\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. Exact; NaN at NaN. ``relu(-0.0)`` is a zero of either sign.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Examples
    --------
    >>> import numpy as np
    >>> relu(np.array([-2.0, 0.0, 3.5]))
    array([0. , 0. , 3.5])
    """
    z = as_float_array(z, name="z", func="relu")
    return _rounded(np.maximum(z, 0.0), z)


def relu_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of relu: 1 for \(z > 0\), 0 for \(z \le 0\) (0 at the kink).

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. 1.0 or 0.0; NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    Kink convention (PyTorch's): \(\mathrm{relu}'(0) = 0\), the left derivative; any
    value in \([0, 1]\) is a valid subgradient there. Computed as the comparison
    \(z > 0\) read as 1.0 or 0.0, with NaN put back where \(z\) is NaN (a comparison
    alone would turn it into 0).

    Examples
    --------
    >>> import numpy as np
    >>> relu_derivative(np.array([-2.0, 0.0, 3.5, np.nan]))
    array([ 0.,  0.,  1., nan])
    """
    z = as_float_array(z, name="z", func="relu_derivative")
    return _rounded(_step(z), z)


def leaky_relu(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r"""Leaky relu: \(z\) for \(z > 0\), \(s z\) otherwise, elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).
    negative_slope : float, optional
        The slope \(s \ge 0\) for \(z \le 0\); default 0.01.

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. \(s z\) correctly rounded for \(z \le 0\)
        (float32: within 0.5 ULP plus \(2^{-29}\)), \(z\) otherwise; NaN at NaN,
        \(-\infty\) at \(-\infty\) (0 when \(s = 0\)).

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers, or ``negative_slope`` is
        not a real number.
    ValueError
        If ``negative_slope`` is negative or not finite.

    Notes
    -----
    \(\operatorname{LeakyReLU}(z) = \max(z, s z)\) for \(s \le 1\) and
    \(\min(z, s z)\) for \(s > 1\): one product and one comparison, no branch
    arrays.

    Examples
    --------
    >>> import numpy as np
    >>> leaky_relu(np.array([-2.0, 0.0, 3.0]), negative_slope=0.5)
    array([-1.,  0.,  3.])
    """
    z, x = _widened(z, "leaky_relu")
    s = check_negative_slope(negative_slope, func="leaky_relu")
    with _quiet():
        if s == 0.0:  # relu: s z would be NaN at -inf
            return _rounded(np.maximum(x, 0.0), z)
        return _rounded((np.maximum if s <= 1.0 else np.minimum)(x, s * x), z)


def leaky_relu_derivative(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r"""The derivative of leaky relu: 1 for \(z > 0\), \(s\) for \(z \le 0\).

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).
    negative_slope : float, optional
        The slope \(s \ge 0\) for \(z \le 0\); default 0.01.

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. 1.0 or \(s\) rounded to the dtype; NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers, or ``negative_slope`` is
        not a real number.
    ValueError
        If ``negative_slope`` is negative or not finite.

    Notes
    -----
    Kink convention (PyTorch's): \(\operatorname{LeakyReLU}'(0) = s\), the left derivative.
    Computed from the step \(H = H(z) \in \{0, 1\}\) (NaN at NaN) as \(\max(H, s)\)
    for \(s \le 1\) and \(H + (1 - H)\,s\) otherwise: exact, since one term is 0.

    Examples
    --------
    >>> import numpy as np
    >>> leaky_relu_derivative(np.array([-2.0, 0.0, 3.0]), negative_slope=0.1)
    array([0.1, 0.1, 1. ])
    """
    z = as_float_array(z, name="z", func="leaky_relu_derivative")
    s = z.dtype.type(check_negative_slope(negative_slope, func="leaky_relu_derivative"))
    step = _step(z)
    return _rounded(step + (1 - step) * s, z)


# --- swish --------------------------------------------------------------------------------


def swish(z: ArrayLike) -> np.ndarray:
    r"""Swish (SiLU) \(z\,\sigma(z) = z / (1 + e^{-z})\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. \(+\infty\) at \(+\infty\), 0 at \(-\infty\), NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    With \(t = e^{-|z|}\),

    \[
        \mathrm{swish}(z) = \frac{z}{1 + t} \ (z \ge 0), \qquad
        \mathrm{swish}(z) = \frac{z\,t}{1 + t} \ (z < 0).
    \]

    Nothing cancels and nothing overflows. For \(z < -700\), \(t\) is subnormal or
    nearly, and \(z t\) would multiply its rounding error by \(|z|\) (hundreds of
    ULPs at \(z = -724\)); there the result is \((z e^{z + 64}) \cdot e^{-64}\):
    the shift is exact, \(z e^{z+64}\) is a normal number, and the product with the
    constant rounds once. At \(-\infty\) the limit 0 is returned (\(z t\) would be
    \(-\infty \cdot 0\)).

    Examples
    --------
    >>> import numpy as np
    >>> swish(np.array([-np.inf, -724.0, 2.0]))
    array([-0.00000000e+000, -2.69484424e-312,  1.76159416e+000])
    """
    z, x = _widened(z, "swish")
    with _quiet():
        c = np.maximum(x, -_CLAMP)
        t = np.exp(-np.abs(c))
        value = c * np.where(c >= 0, 1.0, t) / (1.0 + t)
        return _rounded(_subnormal_tail(value, x < _SWISH_TAIL, c, c), z)


def swish_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of swish, \(\sigma(z)\,(1 + z\,\sigma(-z))\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray
        The shape and dtype of ``z``. 1 at \(+\infty\), 0 at \(-\infty\), NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers.

    Notes
    -----
    With \(t = e^{-|z|}\),

    \[
        \mathrm{swish}'(z) = \frac{1 + t(1 + z)}{(1 + t)^2} \ (z \ge 0), \qquad
        \mathrm{swish}'(z) = \frac{t\,((1 + z) + t)}{(1 + t)^2} \ (z < 0),
    \]

    evaluated branch-free as \((t(1+z) + \max(t^2, H(z))) / (1 + t(2 + t))\). The
    derivative crosses zero at \(z_0 \approx -1.2785\), where
    \(1 + z\sigma(-z)\) cancels. In the form used, \(1 + z\) is exact there
    (Sterbenz), so the only error that survives the cancellation is the rounding of
    \(t\), scaled by \(t^2\): the absolute error stays within a few ULPs of
    \(\sigma(z)\) (the relative error cannot be small so close to a root). The tail
    \(z < -700\) is \(((1+z) e^{z+64}) \cdot e^{-64}\), rounded once, as in
    `swish`.

    Examples
    --------
    >>> import numpy as np
    >>> swish_derivative(np.array([-np.inf, -1.0, 0.0, 50.0]))
    array([-0.        ,  0.07232949,  0.5       ,  1.        ])
    """
    z, x = _widened(z, "swish_derivative")
    with _quiet():
        c = np.clip(x, -_CLAMP, _CLAMP)
        t = np.exp(-np.abs(c))
        value = ((c + 1.0) * t + np.where(c >= 0, 1.0, t * t)) / _one_plus_t_squared(t)
        return _rounded(_subnormal_tail(value, x < _SWISH_TAIL, c + 1.0, c), z)


# --- by name ------------------------------------------------------------------------------


def activation(name: Any, *, func: str, derivative: bool = False) -> Any:
    """The activation called ``name`` (or its derivative), or a ValueError naming the choices."""
    if name not in ACTIVATIONS:
        choices = ", ".join(ACTIVATIONS)
        raise ValueError(f"{func}: unknown activation {name!r}; expected one of {choices}.")
    return globals()[f"{name}_derivative" if derivative else name]
