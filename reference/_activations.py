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
  tail is computed from \(e^{z + 64}\) (the shift is exact) and scaled back by a
  constant in one final rounding.
- float32 inputs are computed in float64 and rounded once, which costs about 0.5 ULP.
- Work is done in blocks of `_BLOCK` elements with preallocated buffers, so the
  intermediate arrays stay in cache; this is what keeps the stable forms as fast as the
  textbook NumPy formulas.

Kinks: the derivative at a kink is a one-sided value, as in PyTorch:
\(\mathrm{relu}'(0) = 0\), \(\mathrm{leaky\_relu}'(0) = s\) (the negative slope)
and \(\mathrm{hardtanh}'(\pm 1) = 0\). ``relu(-0.0)`` may return either zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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

#: Elements per block: a few float64 buffers of this size fit in a core's L2 cache.
_BLOCK = 32768
_FLOAT64 = np.dtype(np.float64)


def _float64_constant(value: float) -> np.ndarray:
    """``value`` as a read-only float64 0-d array, for kernels that always compute in float64.

    As a ufunc operand it costs about 0.13 us less per call than a Python float (NumPy skips
    the promotion rules for Python scalars), which is a tenth of a tiny array's whole cost in
    the graph engine. Not for the native kernels: a float64 array operand would promote
    float32 inputs.
    """
    constant = np.array(value, dtype=np.float64)
    constant.setflags(write=False)
    return constant


_ZERO, _ONE, _TWO = _float64_constant(0.0), _float64_constant(1.0), _float64_constant(2.0)
_FOUR = _float64_constant(4.0)
_MINUS_TWO = _float64_constant(-2.0)

#: The exact shift of the subnormal tails: for \(x \le -32\), \(x + 64\) is exact.
_SHIFT = 64.0
#: \(e^{-64}\) rounded to float64 (one rounding, relative error below 2**-53).
_EXP_MINUS_SHIFT = float(np.exp(-_SHIFT))

#: Below this input swish and swish' are computed by their tail forms (their results, and
#: \(e^{z}\), are subnormal or close to it beyond about -701).
_SWISH_TAIL = _float64_constant(-700.0)
#: Above this \(|z|\), \(e^{-2|z|}\) may be subnormal and tanh' takes its tail form.
_TANH_DERIVATIVE_TAIL = 350.0
_TANH_DERIVATIVE_TAIL_T = _float64_constant(np.exp(-2.0 * _TANH_DERIVATIVE_TAIL))
#: For float32 inputs, clamping |z| to this in float64 changes no float32 result of
#: swish or swish' (they round to 0 or 1 beyond |z| = 104) and keeps exp finite.
_CLAMP_FLOAT32 = 200.0
#: Clamping |z| to this changes no float64 result of swish' or of swish for z < 0 (they
#: round to 1 or 0 well before) and keeps infinities out of the arithmetic.
_CLAMP = 800.0
_MINUS_CLAMP = _float64_constant(-_CLAMP)
_MINUS_CLAMP_FLOAT32 = _float64_constant(-_CLAMP_FLOAT32)


#: A kernel computes one block: (z, out, scratch buffers, boolean scratch), all 1-D (a kernel
#: with no scratch and no mask receives ``z`` and ``out`` whole, of any shape).
_Kernel = Callable[[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray], None]


@dataclass(frozen=True)
class _Elementwise:
    """One elementwise function: its kernel, how many scratch buffers it needs, and its dtypes.

    By default the kernel computes in float64 and float32 blocks are converted on the way in
    and rounded once on the way out; ``float32_kernel``, when given, is used for those
    blocks instead (still in float64, where float64's wider range lets a simpler formula be
    exact enough). ``native=True`` runs the kernel in the input's own dtype: for kernels
    whose results are exact in any dtype. ``mask=False`` says the kernel needs no boolean
    scratch (it then receives None).

    Calling it skips the argument checks and the ``errstate`` of the public functions: it is
    for callers that pass a float32 or float64 array and have silenced floating-point warnings
    themselves (the graph engine, which evaluates thousands of tiny arrays). The kernels are
    the same, so the results are the same bit for bit.
    """

    kernel: _Kernel
    scratch: int = 0
    float32_kernel: _Kernel | None = None
    native: bool = False
    mask: bool = True

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Apply the kernel to ``z`` block by block and return the new array of results.

        An array of at most one block in the dtype the kernel computes in (the graph
        engine's usual case) runs the kernel once, on scratch buffers of its own size and
        without copies: a 2-element call costs little more than the kernel's ufunc calls.
        """
        convert = not self.native and z.dtype != _FLOAT64
        if not (convert or self.scratch or self.mask):
            # One ufunc-like call with no scratch (tanh in float64, relu, hardtanh, leaky
            # relu): blocks would gain nothing, so the kernel gets the arrays whole.
            out = np.empty(z.shape, dtype=z.dtype)
            self.kernel(z, out, [], None)
            return out
        flat_in = z.ravel()  # a copy only when z is not contiguous; z itself is never written
        total = flat_in.size
        out = np.empty(z.shape, dtype=z.dtype)  # returned itself: callers get an array that
        flat_out = out.reshape(-1)  # owns its data (the engine hands such arrays out as is)
        if total <= _BLOCK and not convert:  # one block, no conversion: the kernel, once
            scratch = [np.empty(total, dtype=z.dtype) for _ in range(self.scratch)]
            mask = np.empty(total, dtype=bool) if self.mask else None
            self.kernel(flat_in, flat_out, scratch, mask)
            return out
        size = min(total, _BLOCK)
        kernel = (self.float32_kernel or self.kernel) if convert else self.kernel
        work_dtype = _FLOAT64 if convert else z.dtype
        scratch = [np.empty(size, dtype=work_dtype) for _ in range(self.scratch)]
        mask = np.empty(size, dtype=bool) if self.mask else None
        if convert:
            in64, out64 = np.empty(size), np.empty(size)
        for start in range(0, total, _BLOCK):
            block_in = flat_in[start : start + _BLOCK]
            block_out = flat_out[start : start + _BLOCK]
            n = block_in.size
            if n < size:  # the last, partial block
                scratch = [array[:n] for array in scratch]
                mask = None if mask is None else mask[:n]
            if not convert:
                kernel(block_in, block_out, scratch, mask)
            else:
                np.copyto(in64[:n], block_in)
                kernel(in64[:n], out64[:n], scratch, mask)
                np.copyto(block_out, out64[:n], casting="same_kind")  # the one rounding
        return out


def _quietly(function: _Elementwise, z: np.ndarray) -> np.ndarray:
    """``function(z)`` without floating-point warnings, for the public functions."""
    # Underflow to subnormals or zero is the correct result in the tails. Overflow happens
    # where infinity is the right intermediate (e^{-z} in float32 sigmoid, whose result is
    # then 0) or the correctly rounded result (float32 leaky_relu with slope > 1 beyond
    # float32's range). Neither deserves a warning.
    with np.errstate(under="ignore", over="ignore"):
        return function(z)


def _exp_minus_abs(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Write \\(e^{-|z|}\\) into ``t`` (never overflows)."""
    np.abs(z, out=t)
    np.negative(t, out=t)
    return np.exp(t, out=t)


def _step(z: np.ndarray, out: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Write 1.0 where z >= 0 and 0.0 elsewhere (NaN included) into ``out``."""
    np.greater_equal(z, _ZERO, out=mask)
    np.copyto(out, mask)
    return out


def _fix_tail(z: np.ndarray, out: np.ndarray, mask: np.ndarray, tail: Callable) -> None:
    """Overwrite ``out`` where ``mask`` is set with ``tail(z[mask])``: the rare tail inputs."""
    if np.count_nonzero(mask):  # cheaper than mask.any() on the engine's tiny arrays
        out[mask] = tail(z[mask])


def _one_plus_t_squared(t: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write \\((1 + t)^2\\) into ``out``, evaluated as \\(1 + t(2 + t)\\).

    Squaring the rounded \\(1 + t\\) doubles its rounding error; in this form the small
    term carries its own errors and only the last addition rounds at the result's scale.
    Measured against the oracle, it takes about 1 ULP off the worst float64 errors of
    sigmoid', tanh' and swish' (for one more ufunc pass).
    """
    np.add(t, _TWO, out=out)
    np.multiply(out, t, out=out)
    return np.add(out, _ONE, out=out)


def _shifted_exp(x: np.ndarray) -> np.ndarray:
    """\\(e^{x + 64}\\) for \\(x \\le -32\\), where the shift is exact."""
    return np.exp(x + _SHIFT)


# --- steps: the derivatives of the piecewise-linear functions ----------------------------


def _positive_step(z: np.ndarray, out: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Write 1 where z > 0, +0 where z <= 0 and NaN where z is NaN.

    A comparison turns NaN into 0, so NaN inputs are put back afterwards; NaN is rare, and
    testing for it is cheaper than ``sign(maximum(z, 0))`` (0.99 ms against 2.24 ms for
    1e6 float64 elements, measured by the benchmark).
    """
    np.greater(z, 0.0, out=mask)
    np.copyto(out, mask)
    np.isnan(z, out=mask)
    if np.count_nonzero(mask):
        out[mask] = np.nan
    return out


def _relu_derivative_kernel(z, out, scratch, mask):
    _positive_step(z, out, mask)


def _hardtanh_derivative_kernel(z, out, scratch, mask):
    # H(1 - |z|): 1 - |z| is exact near the kinks and positive for every |z| < 1.
    distance = scratch[1]
    np.abs(z, out=distance)
    np.subtract(1.0, distance, out=distance)
    _positive_step(distance, out, mask)


def _leaky_relu_derivative_kernel(slope: float) -> _Kernel:
    def kernel(z, out, scratch, mask):
        slope_value = z.dtype.type(slope)  # the slope rounded once to the dtype
        step = scratch[1]
        _positive_step(z, step, mask)
        if slope <= 1.0:
            np.maximum(step, slope_value, out=out)
            return
        np.subtract(1.0, step, out=out)
        np.multiply(out, slope_value, out=out)
        np.add(out, step, out=out)

    return kernel


# --- sigmoid ------------------------------------------------------------------------------


def _sigmoid_kernel(z, out, scratch, mask):
    t, numerator = scratch[0], scratch[1]
    _exp_minus_abs(z, t)
    # numerator = t for z < 0 and 1 for z >= 0, branch-free: t <= 1, so max(t, step(z)).
    np.maximum(t, _step(z, numerator, mask), out=numerator)
    np.add(t, _ONE, out=t)
    np.divide(numerator, t, out=out)


def _sigmoid_float32_kernel(z, out, scratch, mask):
    # float32 inputs, computed in float64: 1 / (1 + e^{-z}) cancels nothing and is within 3
    # float64 roundings of the exact value. For z < -709, e^{-z} overflows to inf and the
    # result is 0, which is also the correct float32 result there (sigmoid(-104) already
    # rounds to 0 in float32).
    t = scratch[0]
    np.negative(z, out=t)
    np.exp(t, out=t)
    np.add(t, _ONE, out=t)
    np.divide(_ONE, t, out=out)


_SIGMOID = _Elementwise(_sigmoid_kernel, scratch=2, float32_kernel=_sigmoid_float32_kernel)


def sigmoid(z: ArrayLike) -> np.ndarray:
    r"""The logistic sigmoid \(\sigma(z) = 1 / (1 + e^{-z})\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        Values in \([0, 1]\); 0 and 1 at \(\mp\infty\), NaN at NaN.

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
    z = as_float_array(z, name="z", func="sigmoid")
    return _quietly(_SIGMOID, z)


def _sigmoid_derivative_kernel(z, out, scratch, mask):
    t, denominator = scratch[0], scratch[1]
    _exp_minus_abs(z, t)
    np.divide(t, _one_plus_t_squared(t, denominator), out=out)


_SIGMOID_DERIVATIVE = _Elementwise(_sigmoid_derivative_kernel, scratch=2)


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of the sigmoid, \(\sigma'(z) = \sigma(z)\,\sigma(-z)\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        Values in \((0, 1/4]\); 0 at \(\pm\infty\), NaN at NaN.

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
    z = as_float_array(z, name="z", func="sigmoid_derivative")
    return _quietly(_SIGMOID_DERIVATIVE, z)


# --- tanh ---------------------------------------------------------------------------------


def _tanh_kernel(z, out, scratch, mask):
    np.tanh(z, out=out)


_TANH = _Elementwise(_tanh_kernel, mask=False)


def tanh(z: ArrayLike) -> np.ndarray:
    r"""The hyperbolic tangent \(\tanh z = (e^z - e^{-z}) / (e^z + e^{-z})\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        Values in \([-1, 1]\); \(\pm 1\) at \(\pm\infty\), NaN at NaN.

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
    z = as_float_array(z, name="z", func="tanh")
    return _quietly(_TANH, z)


def _tanh_derivative_tail(z: np.ndarray) -> np.ndarray:
    # 4 e^{-2|z|} = e^{-2|z| + 64} (4 e^{-64}): the product rounds once into the subnormals.
    return _shifted_exp(-2.0 * np.abs(z)) * (4.0 * _EXP_MINUS_SHIFT)


def _tanh_derivative_main(z, out, scratch, mask=None):
    """4t / (1 + t)^2 with t = e^{-2|z|}; with ``mask``, also mark the tail |z| > 350."""
    t, denominator = scratch[0], scratch[1]
    np.abs(z, out=t)
    np.multiply(t, _MINUS_TWO, out=t)
    np.exp(t, out=t)  # t = e^{-2|z|}
    if mask is not None:
        # |z| > 350 exactly when t < e^{-700} (±inf included, NaN not): the tail, where t may
        # be subnormal. Both forms are accurate near the boundary, so its rounding is harmless.
        np.less(t, _TANH_DERIVATIVE_TAIL_T, out=mask)
    _one_plus_t_squared(t, denominator)
    np.multiply(t, _FOUR, out=t)
    np.divide(t, denominator, out=out)


def _tanh_derivative_kernel(z, out, scratch, mask):
    _tanh_derivative_main(z, out, scratch, mask)
    _fix_tail(z, out, mask, _tanh_derivative_tail)


def _tanh_derivative_float32_kernel(z, out, scratch, mask):
    # float32 inputs, in float64: the tail form is not needed, since tanh'(z) rounds to 0 in
    # float32 from |z| = 52.5 on, where t = e^{-105} is still a normal float64.
    _tanh_derivative_main(z, out, scratch)


_TANH_DERIVATIVE = _Elementwise(
    _tanh_derivative_kernel, scratch=2, float32_kernel=_tanh_derivative_float32_kernel
)


def tanh_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of tanh, \(\tanh'(z) = 1 / \cosh^2 z\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        Values in \((0, 1]\); 0 at \(\pm\infty\), NaN at NaN.

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
    z = as_float_array(z, name="z", func="tanh_derivative")
    return _quietly(_TANH_DERIVATIVE, z)


# --- hardtanh -----------------------------------------------------------------------------


def _hardtanh_kernel(z, out, scratch, mask):
    np.clip(z, -1.0, 1.0, out=out)


_HARDTANH = _Elementwise(_hardtanh_kernel, native=True, mask=False)


def hardtanh(z: ArrayLike) -> np.ndarray:
    r"""Hard tanh: \(-1\) for \(z < -1\), \(z\) on \([-1, 1]\), 1 for \(z > 1\).

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        \(\min(\max(z, -1), 1)\), exact; NaN at NaN.

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
    return _quietly(_HARDTANH, z)


_HARDTANH_DERIVATIVE = _Elementwise(_hardtanh_derivative_kernel, scratch=2, native=True)


def hardtanh_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of hard tanh: 1 on \((-1, 1)\), 0 elsewhere (0 at the kinks ±1).

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        1.0 where \(|z| < 1\), 0.0 where \(|z| \ge 1\) (infinities included), NaN at
        NaN.

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
    return _quietly(_HARDTANH_DERIVATIVE, z)


# --- relu and leaky relu ------------------------------------------------------------------


def _relu_kernel(z, out, scratch, mask):
    np.maximum(z, 0.0, out=out)


_RELU = _Elementwise(_relu_kernel, native=True, mask=False)


def relu(z: ArrayLike) -> np.ndarray:
    r"""The rectified linear unit \(\max(z, 0)\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        Exact; NaN at NaN. ``relu(-0.0)`` is a zero of either sign.

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
    return _quietly(_RELU, z)


_RELU_DERIVATIVE = _Elementwise(_relu_derivative_kernel, scratch=1, native=True)


def relu_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of relu: 1 for \(z > 0\), 0 for \(z \le 0\) (0 at the kink).

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        1.0 or 0.0; NaN at NaN.

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
    return _quietly(_RELU_DERIVATIVE, z)


def _leaky_relu_kernel(slope: float) -> _Kernel:
    # For s <= 1 the larger of z and s z is the right branch, for s > 1 the smaller; s = 0 is
    # relu (0 * -inf would be NaN). The product s z is rounded once (float32: in float64,
    # then once more to float32, within 0.5 ULP plus 2**-29).
    def kernel(z, out, scratch, mask):
        if slope == 0.0:
            np.maximum(z, 0.0, out=out)
            return
        np.multiply(z, slope, out=out)
        (np.maximum if slope <= 1.0 else np.minimum)(z, out, out=out)

    return kernel


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
    ndarray, the shape and dtype of ``z``
        \(s z\) correctly rounded for \(z \le 0\) (float32: within 0.5 ULP plus
        \(2^{-29}\)), \(z\) otherwise; NaN at NaN, \(-\infty\) at
        \(-\infty\) (0 when \(s = 0\)).

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers, or ``negative_slope`` is
        not a real number.
    ValueError
        If ``negative_slope`` is negative or not finite.

    Notes
    -----
    \(\mathrm{leaky\_relu}(z) = \max(z, s z)\) for \(s \le 1\) and
    \(\min(z, s z)\) for \(s > 1\): one product and one comparison, no branch
    arrays.

    Examples
    --------
    >>> import numpy as np
    >>> leaky_relu(np.array([-2.0, 0.0, 3.0]), negative_slope=0.5)
    array([-1.,  0.,  3.])
    """
    z = as_float_array(z, name="z", func="leaky_relu")
    slope = check_negative_slope(negative_slope, func="leaky_relu")
    return _quietly(leaky_relu_unchecked(slope), z)


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
    ndarray, the shape and dtype of ``z``
        1.0 or \(s\) rounded to the dtype; NaN at NaN.

    Raises
    ------
    TypeError
        If ``z`` is not an array of real float32/float64 numbers, or ``negative_slope`` is
        not a real number.
    ValueError
        If ``negative_slope`` is negative or not finite.

    Notes
    -----
    Kink convention (PyTorch's): \(\mathrm{leaky\_relu}'(0) = s\), the left derivative.
    Computed from the step \(H = H(z) \in \{0, 1\}\) (NaN at NaN) as \(\max(H, s)\)
    for \(s \le 1\) and \(H + (1 - H)\,s\) otherwise: exact, since one term is 0.

    Examples
    --------
    >>> import numpy as np
    >>> leaky_relu_derivative(np.array([-2.0, 0.0, 3.0]), negative_slope=0.1)
    array([0.1, 0.1, 1. ])
    """
    z = as_float_array(z, name="z", func="leaky_relu_derivative")
    slope = check_negative_slope(negative_slope, func="leaky_relu_derivative")
    return _quietly(leaky_relu_derivative_unchecked(slope), z)


# --- swish --------------------------------------------------------------------------------


def _swish_tail(z: np.ndarray) -> np.ndarray:
    # z e^{z} = (z e^{z + 64}) e^{-64}: z e^{z + 64} is a normal number; one final rounding.
    z = np.maximum(z, -_CLAMP)
    return (z * _shifted_exp(z)) * _EXP_MINUS_SHIFT


def _swish_kernel(z, out, scratch, mask):
    t, weight, clamped = scratch
    # Clamping at -800 keeps -inf * 0 out; swish(-800) already rounds to 0.
    np.maximum(z, _MINUS_CLAMP, out=clamped)
    _exp_minus_abs(clamped, t)
    # weight = sigma(z) (1 + t) = 1 for z >= 0 and t for z < 0, as in sigmoid.
    np.maximum(t, _step(clamped, weight, mask), out=weight)
    np.add(t, _ONE, out=t)
    np.multiply(clamped, weight, out=out)
    np.divide(out, t, out=out)
    np.less(clamped, _SWISH_TAIL, out=mask)
    _fix_tail(z, out, mask, _swish_tail)


def _swish_float32_kernel(z, out, scratch, mask):
    # float32 inputs, in float64: z / (1 + e^{-z}) with z clamped to [-200, inf), where the
    # result is far below float32's subnormals and rounds to -0 as it should.
    clamped, t = scratch[0], scratch[1]
    np.maximum(z, _MINUS_CLAMP_FLOAT32, out=clamped)
    np.negative(clamped, out=t)
    np.exp(t, out=t)
    np.add(t, _ONE, out=t)
    np.divide(clamped, t, out=out)


_SWISH = _Elementwise(_swish_kernel, scratch=3, float32_kernel=_swish_float32_kernel)


def swish(z: ArrayLike) -> np.ndarray:
    r"""Swish (SiLU) \(z\,\sigma(z) = z / (1 + e^{-z})\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        \(+\infty\) at \(+\infty\), 0 at \(-\infty\), NaN at NaN.

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
    z = as_float_array(z, name="z", func="swish")
    return _quietly(_SWISH, z)


def _swish_derivative_tail(z: np.ndarray) -> np.ndarray:
    # (1 + z) e^{z} = ((1 + z) e^{z + 64}) e^{-64}, rounded once; (1 + t)^2 = 1 here.
    z = np.maximum(z, -_CLAMP)
    return ((1.0 + z) * _shifted_exp(z)) * _EXP_MINUS_SHIFT


def _swish_derivative_kernel(z, out, scratch, mask):
    t, numerator, clamped, other = scratch
    np.clip(z, _MINUS_CLAMP, _CLAMP, out=clamped)  # keeps 0 * inf out; 1, 0 are reached before
    _exp_minus_abs(clamped, t)
    # numerator = t (1 + z) + max(t^2, step(z)): 1 + t(1 + z) for z >= 0, t((1 + z) + t) < 0.
    np.add(clamped, _ONE, out=numerator)
    np.multiply(numerator, t, out=numerator)
    np.multiply(t, t, out=other)
    np.maximum(other, _step(clamped, out, mask), out=other)
    np.add(numerator, other, out=numerator)
    np.divide(numerator, _one_plus_t_squared(t, other), out=out)
    np.less(clamped, _SWISH_TAIL, out=mask)
    _fix_tail(z, out, mask, _swish_derivative_tail)


def _swish_derivative_float32_kernel(z, out, scratch, mask):
    # float32 inputs, in float64: s (1 + z (1 - s)) with s = sigma(z) and z clamped to
    # [-200, 200]. The cancellations of this form (1 - s for large z, the bracket near the
    # root) cost at most about 2**-53 absolute, far below a float32 ULP of sigma(z).
    clamped, s, other = scratch[:3]
    np.clip(z, _MINUS_CLAMP_FLOAT32, _CLAMP_FLOAT32, out=clamped)
    np.negative(clamped, out=s)
    np.exp(s, out=s)
    np.add(s, _ONE, out=s)
    np.divide(_ONE, s, out=s)
    np.subtract(_ONE, s, out=other)
    np.multiply(other, clamped, out=other)
    np.add(other, _ONE, out=other)
    np.multiply(other, s, out=out)


_SWISH_DERIVATIVE = _Elementwise(
    _swish_derivative_kernel, scratch=4, float32_kernel=_swish_derivative_float32_kernel
)


def swish_derivative(z: ArrayLike) -> np.ndarray:
    r"""The derivative of swish, \(\sigma(z)\,(1 + z\,\sigma(-z))\), elementwise.

    Parameters
    ----------
    z : array_like, any shape
        Inputs (float32 or float64; numbers, lists and integer arrays are read as float64).

    Returns
    -------
    ndarray, the shape and dtype of ``z``
        1 at \(+\infty\), 0 at \(-\infty\), NaN at NaN.

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
    z = as_float_array(z, name="z", func="swish_derivative")
    return _quietly(_SWISH_DERIVATIVE, z)


# --- for the graph engine -----------------------------------------------------------------


def leaky_relu_unchecked(negative_slope: float) -> _Elementwise:
    """`leaky_relu` with a checked slope, as an `_Elementwise` (no argument checks)."""
    return _Elementwise(_leaky_relu_kernel(negative_slope), mask=False)


def leaky_relu_derivative_unchecked(negative_slope: float) -> _Elementwise:
    """`leaky_relu_derivative` with a checked slope, as an `_Elementwise` (no checks)."""
    return _Elementwise(_leaky_relu_derivative_kernel(negative_slope), scratch=2, native=True)


#: The activations and derivatives without a slope, by public name, as `_Elementwise`
#: functions: the graph engine calls these on arrays it has checked, under its own errstate.
UNCHECKED: dict[str, _Elementwise] = {
    "sigmoid": _SIGMOID,
    "sigmoid_derivative": _SIGMOID_DERIVATIVE,
    "tanh": _TANH,
    "tanh_derivative": _TANH_DERIVATIVE,
    "hardtanh": _HARDTANH,
    "hardtanh_derivative": _HARDTANH_DERIVATIVE,
    "relu": _RELU,
    "relu_derivative": _RELU_DERIVATIVE,
    "swish": _SWISH,
    "swish_derivative": _SWISH_DERIVATIVE,
}
