r"""Central differences: the package's one finite-difference rule, with its error bound.

Every numerical derivative in gradspec (the reference's gradient check and numerical
Jacobian, the conformance suite's GRAD clauses) is a `central_difference`. It samples f at
four points, \(x \pm h\) and \(x \pm h/2\), and returns one `Difference`: the estimate,
the step actually taken and an error bound.

The step rule, stated once: a difference whose truncation error is of order \(h^p\) errs
by about \(C h^p + \epsilon |f| / h\) (truncation plus the rounding of f, \(\epsilon\)
the machine epsilon). The two balance at \(h \sim \epsilon^{1/(p+1)}\) times the scale on
which f varies, so

\[
    h = \epsilon^{1/(p+1)} \max(1, |x|),
\]

with \(p = 2\) for the central difference \(D(h) = (f(x+h) - f(x-h)) / 2h\) (so
\(h = \epsilon^{1/3}\), \(6 \cdot 10^{-6}\) in float64) and \(p = 4\) for its Richardson
extrapolation \((4 D(h/2) - D(h)) / 3\) (\(h = \epsilon^{1/5}\), \(7 \cdot 10^{-4}\) in
float64), in which the \(h^2\) terms cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import as_float_array

__all__ = ["Difference", "central_difference", "relative_step"]


@dataclass(frozen=True)
class Difference:
    """The result of `central_difference`.

    Attributes
    ----------
    value : ndarray of float64
        The derivative estimate: elementwise, the shape of x; along a direction, the shape of
        f's output.
    step : ndarray of float64
        In the shape of x: the step actually taken, \\(((x + h) - (x - h)) / 2\\), or along a
        direction \\(((x + h d) - (x - h d)) / 2\\): \\(x + h\\) is rarely representable. Along a
        direction the estimate divides by the nominal \\(2h\\), so a linear f with Jacobian J gives
        ``J @ step / h`` up to rounding.
    truncation : ndarray of float64
        The estimated truncation error, from the two steps \\(h\\) and \\(h/2\\).
    rounding : ndarray of float64
        The bound of the rounding error: the accuracy of f's values times the sum of the
        stencil's weights.
    samples : dict of float to ndarray
        f at \\(x + s h\\) (or \\(x + s h d\\)) for \\(s = \\pm 1, \\pm 1/2\\), float64, for the
        layers built on top (a kink diagnosis needs them).
    """

    value: np.ndarray
    step: np.ndarray
    truncation: np.ndarray
    rounding: np.ndarray
    samples: dict[float, np.ndarray]

    @property
    def error(self) -> np.ndarray:
        """The error bound: ``truncation + rounding``."""
        return self.truncation + self.rounding


def relative_step(x: Any, dtype: Any, *, extrapolate: bool = False) -> np.ndarray:
    """The step rule of the module docstring: \\(\\epsilon^{1/(p+1)} \\max(1, |x|)\\).

    ``dtype`` sets \\(\\epsilon\\); ``extrapolate`` selects \\(p = 4\\) instead of 2.

    >>> bool(relative_step(0.5, np.float64) == np.finfo(np.float64).eps ** (1 / 3))
    True
    """
    order = 4 if extrapolate else 2
    eps = float(np.finfo(dtype).eps)
    return eps ** (1 / (order + 1)) * np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64)))


def central_difference(
    f: Callable[[np.ndarray], Any],
    x: Any,
    *,
    direction: Any = None,
    extrapolate: bool = False,
    step: Any = None,
    accuracy: Any = None,
    estimate_error: bool = True,
) -> Difference:
    r"""The central difference of f at x, with the step actually taken and an error bound.

    Parameters
    ----------
    f : callable
        Elementwise (``direction=None``): maps an array of x's shape to one of that shape,
        each element on its own. Along a direction: maps an array of x's shape to any array.
    x : ndarray, float32 or float64
        Where to differentiate. The points are built in float64 and rounded to x's dtype,
        which is the dtype f is called with.
    direction : ndarray of x's shape, optional
        Differentiate \(t \mapsto f(x + t d)\) at \(t = 0\) instead. The rule's
        \(\max(1, |t|)\) is 1 there, so the scale of the step is the length of ``d``.
    extrapolate : bool
        Return the Richardson value \((4 D(h/2) - D(h)) / 3\) with \(p = 4\), instead of
        \(D(h)\) with \(p = 2\).
    step : float or ndarray, optional
        The nominal step \(h\), instead of the rule (for an f known to be linear, say).
    accuracy : float or ndarray, optional
        The absolute accuracy of f's values; default \(\epsilon \max_s |f(x + s h)|\).
    estimate_error : bool
        False skips the pair \(x \pm h/2\) for the plain difference: two evaluations of f
        instead of four, and a NaN truncation estimate.

    Returns
    -------
    Difference

    Raises
    ------
    TypeError
        If f is not callable or x is not an array of real float32/float64 numbers.

    Notes
    -----
    Elementwise, each quotient divides by the displacement actually taken,
    \(D(h) = (f(x^+) - f(x^-)) / (x^+ - x^-)\) with \(x^\pm = \mathrm{fl}(x \pm h)\), so
    a linear f is differentiated exactly. Along a direction the nominal \(2h\) is used;
    the rounding of the points moves f by about \(\epsilon \lVert J \odot x \rVert\), which
    ``accuracy`` should include.

    With \(D(h) - f' \approx c h^2\), \(D(h) - D(h/2) \approx \tfrac34 c h^2\): the
    truncation error of \(D(h)\) is estimated as \(\tfrac43 |D(h) - D(h/2)|\), and that of
    the extrapolated value is bounded by the one of \(D(h/2)\),
    \(\tfrac13 |D(h) - D(h/2)|\). Rounding: the stencil
    \(\sum_s w_s f(x + s h)\) weighs f's errors by \(\sum_s |w_s|\), \(1/h\) for
    \(D(h)\) and \(3/h\) for the extrapolated value.

    Examples
    --------
    >>> import numpy as np
    >>> d = central_difference(np.sin, np.array([0.0, 1.0]), extrapolate=True)
    >>> bool(np.all(np.abs(d.value - np.cos([0.0, 1.0])) <= d.error))
    True
    >>> along = central_difference(lambda x: x @ x, np.ones(3), direction=np.ones(3))
    >>> round(float(along.value), 6), bool(abs(along.value - 6.0) <= along.error)
    (6.0, True)
    """
    if not callable(f):
        got = type(f).__name__
        raise TypeError(f"central_difference: f must be a function taking an ndarray; got {got}.")
    x = as_float_array(x, name="x", func="central_difference")
    x64 = x.astype(np.float64)
    if direction is None:
        h = relative_step(x, x.dtype, extrapolate=extrapolate) if step is None else step
        move = np.ones_like(x64)
    else:
        h = relative_step(0.0, x.dtype, extrapolate=extrapolate) if step is None else step
        move = np.asarray(direction, dtype=np.float64)
    offsets = (-1.0, -0.5, 0.5, 1.0) if (estimate_error or extrapolate) else (-1.0, 1.0)
    points = {s: (x64 + s * h * move).astype(x.dtype) for s in offsets}
    samples = {s: np.asarray(f(p), dtype=np.float64) for s, p in points.items()}

    def quotient(s: float) -> np.ndarray:
        rise = samples[s] - samples[-s]
        if direction is None:  # divide by the run actually taken
            return rise / (points[s].astype(np.float64) - points[-s].astype(np.float64))
        return rise / (2 * s * h)

    taken = (points[1.0].astype(np.float64) - points[-1.0].astype(np.float64)) / 2
    whole = quotient(1.0)
    half = quotient(0.5) if 0.5 in samples else np.full_like(whole, np.nan)
    if accuracy is None:
        eps = float(np.finfo(x.dtype).eps)
        accuracy = eps * np.max(np.abs(np.stack(list(samples.values()))), axis=0)
    if extrapolate:
        value, truncation, weight = (4 * half - whole) / 3, np.abs(whole - half) / 3, 3.0
    else:
        value, truncation, weight = whole, 4 / 3 * np.abs(whole - half), 1.0
    run = np.abs(taken) if direction is None else h  # the unit the derivative is taken in
    return Difference(value, taken, truncation, weight * accuracy / run, samples)
