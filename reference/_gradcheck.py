r"""Gradient checks: compare an analytic gradient or Jacobian with central differences of f.

Three layers, each on top of the one before:

1. **The core** (`_compare`): along one line \(x + t d\) through x, the plain central
   difference of `gradspec.reference._numdiff` (its step rule, the step actually taken, its
   error bound) is compared with what the checked Jacobian predicts, within a tolerance
   built from that error bound: one verdict per output element.
2. **The kink diagnosis** (`_diagnose`), only for a comparison that failed or whose
   truncation estimate is a sizeable part of the slope: from the same samples and f(x), are
   the one-sided slopes apart? Then f has a kink within the step and any analytic value
   between them is a valid subgradient.
3. **The lines** (`_lines`): one per element of x (``mode="full"``, the classic check) or
   one per random direction (``mode="projection"``, a dot-product test whose cost does not
   depend on the size of x).

`check_gradient` takes a scalar function and its gradient, `check_jacobian` a vector-valued
function and its Jacobian; `numerical_jacobian` returns the plain central-difference
Jacobian of the notes.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._numdiff import Difference, central_difference, relative_step
from ._validation import as_float_array, require

__all__ = ["GradientCheck", "Kink", "check_gradient", "check_jacobian", "numerical_jacobian"]

#: The truncation estimate is multiplied by this before comparing (it is an estimate).
_SAFETY = 2.0
#: f and grad are assumed accurate to this many machine epsilons of their scale (see Notes).
_ROUNDING_EPS = 16.0
#: The one-sided slopes must differ by this many estimated errors to count as a kink.
_KINK_FACTOR = 4.0
#: A truncation estimate above this fraction of the slope means f may not be smooth.
_IRREGULAR = 1e-3
#: The measured fourth difference of f is multiplied by this to bound its rounding noise.
_NOISE_FACTOR = 4.0
#: Smallest denominator of the relative error, so that 0 vs 0 reads 0 instead of nan.
_TINY = np.finfo(np.float64).tiny

#: The user's functions: f, its gradient or its Jacobian, each taking an ndarray.
Func = Callable[[np.ndarray], Any]
#: What seeds the random directions of projection mode.
Seed = int | np.random.Generator | None


@dataclass(frozen=True)
class Kink:
    """A place where f is not smooth within the finite-difference step.

    Attributes
    ----------
    where : str
        The element of x (``"x[2, 1]"``) or the random direction (``"probe 1"``), and for a
        vector-valued f the output element (``"f(x)[3] / x[0]"``).
    x_value : float or None
        The input value at that element (None for a probe).
    left, right : float
        The one-sided derivatives measured from the left and from the right.
    analytic : float
        The value the checked gradient gives there.
    accepted : bool
        True when ``analytic`` lies between ``left`` and ``right`` (within the tolerance): at a
        kink every value in between is a valid subgradient, so this is not a failure.
    """

    where: str
    x_value: float | None
    left: float
    right: float
    analytic: float
    accepted: bool

    def __str__(self) -> str:
        at = self.where if self.x_value is None else f"{self.where} = {self.x_value:.6g}"
        verdict = "lies between them: accepted" if self.accepted else "lies OUTSIDE them"
        return (
            f"kink at {at}: slope {self.left:.6g} from the left, {self.right:.6g} from the "
            f"right; the analytic value {self.analytic:.6g} {verdict}"
        )


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of `check_gradient` or `check_jacobian`.

    ``bool(result)`` is ``result.ok``; ``str(result)`` is a summary meant for a student.

    Attributes
    ----------
    ok : bool
        True when every comparison was within its tolerance (accepted kinks count as passed).
    mode : str
        ``"full"`` or ``"projection"``.
    where : str
        The comparison that came closest to failing (or failed worst): an element of x such as
        ``"x[2, 1]"`` in full mode, a random direction such as ``"probe 0"`` in projection
        mode, prefixed by the output element for a vector-valued f.
    x_value : float or None
        x at that element (None in projection mode).
    analytic, numeric : float
        The checked value and the central-difference value there (at a kink, the middle of
        the one-sided slopes measured there). In full mode they are the partial derivative; in
        projection mode the derivative along the unit direction.
    abs_error : float
        ``abs(analytic - numeric)``.
    rel_error : float
        ``abs_error / max(abs(analytic), abs(numeric), tiny)``: 0 when both are 0, about 2 for
        a flipped sign, 0.5 for a factor of 2.
    tolerance : float
        The estimated error bound the absolute error was compared with (at a kink, widened
        by half the spread of the one-sided slopes).
    step : float
        The step actually taken there: ``(x + h) - x`` for an element, h along a unit probe.
    evaluations : int
        Number of calls of f made by the check (the gradient is called once).
    checked : int
        Number of comparisons made (elements or probes, times outputs).
    kinks : tuple of Kink
        Kinks found where the central difference disagreed with the gradient.
    precision : str
        How f was evaluated: ``"float64"``, or an explanation when float32 steps were needed.
    """

    ok: bool
    mode: str
    where: str
    x_value: float | None
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    tolerance: float
    step: float
    evaluations: int
    checked: int
    kinks: tuple[Kink, ...]
    precision: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "PASSED" if self.ok else "FAILED"
        at = self.where if self.x_value is None else f"{self.where} = {self.x_value:.6g}"
        quantity = "derivative" if self.mode == "full" else "directional derivative"
        lines = [
            f"gradient check {verdict} (mode {self.mode!r}: {self.checked} comparisons, "
            f"{self.evaluations} evaluations of f, {self.precision})",
            f"  {'worst' if self.ok else 'failed'} at {at}: {quantity} analytic "
            f"{self.analytic:.10g}, numeric {self.numeric:.10g}",
            f"  error {self.abs_error:.3g} (relative {self.rel_error:.3g}), "
            f"tolerance {self.tolerance:.3g}, step {self.step:.3g}",
        ]
        if not self.ok:
            lines.append("  " + _hint(self.analytic, self.numeric, self.mode))
        lines.extend(f"  {kink}" for kink in self.kinks[:5])
        if len(self.kinks) > 5:
            lines.append(f"  ... and {len(self.kinks) - 5} more kinks")
        return "\n".join(lines)


#: What an analytic/numeric ratio suggests, for `_hint`.
_RATIOS = {
    -1.0: "the sign looks flipped",
    2.0: "the gradient looks twice too large",
    0.5: "the gradient looks half too small",
}


def _hint(analytic: float, numeric: float, mode: str) -> str:
    """One sentence pointing a student at the likely mistake."""
    if not math.isfinite(analytic):
        return "The gradient is not finite there."
    for ratio, text in _RATIOS.items():
        if abs(analytic - ratio * numeric) <= 1e-3 * abs(numeric):
            return f"The gradient does not match f: {text}."
    if mode == "projection":
        guess = "rerun with mode='full' (on a small input) to find the wrong element"
    else:
        guess = "the analytic value is not the slope of f there"
    return f"The gradient does not match f: {guess}."


# --------------------------------------------------------------------------------------------
# Calling the user's functions
# --------------------------------------------------------------------------------------------


def _call(func: Callable[..., Any], point: np.ndarray, *, role: str, caller: str) -> np.ndarray:
    """Call a user function and return its result as a real float array, or raise clearly."""
    try:
        out = func(point)
    except Exception as exc:  # any failure of user code becomes one clear message
        frame = traceback.extract_tb(exc.__traceback__)[-1]  # where in the user's code
        raise ValueError(
            f"{caller}: {role} raised {type(exc).__name__}: {exc} "
            f"({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}) when "
            f"called with an array of shape {point.shape} and dtype {point.dtype}."
        ) from None
    try:
        return as_float_array(out, name=role, func=caller)
    except TypeError:
        raise TypeError(
            f"{caller}: {role} must return real numbers (float32 or float64); got "
            f"{type(out).__name__}."
        ) from None


class _Evaluator:
    """f as the check sees it: flat float64 output, counted calls, one working dtype.

    The points are float64 whenever f accepts float64 and answers in float64, even when x is
    float32: a float32 gradient is then checked against float64 differences. Only when f
    answers in float32 (or refuses float64 input) are the points built in float32, with steps
    and bounds for float32.
    """

    def __init__(self, f: Callable[..., Any], x: np.ndarray, *, caller: str) -> None:
        self._f = f
        self._caller = caller
        self.evaluations = 0
        try:
            y0 = self._raw(x.astype(np.float64))
            why = "f returns float32" if y0.dtype == np.float32 else None
        except ValueError:
            if x.dtype != np.float32:
                raise
            y0, why = self._raw(x), "f refused float64 input"  # it may accept its own dtype
        self.precision = f"float32 ({why}; float32 steps and bounds)" if why else "float64"
        self.dtype = np.dtype(np.float32 if why else np.float64)
        self.eps = float(np.finfo(self.dtype).eps)
        self.out_shape = y0.shape
        self.x = x.astype(self.dtype)
        self.f0 = self._checked(y0, self.x)

    def _raw(self, point: np.ndarray) -> np.ndarray:
        self.evaluations += 1
        return _call(self._f, point, role="f", caller=self._caller)

    def _checked(self, y: np.ndarray, point: np.ndarray) -> np.ndarray:
        if y.shape != self.out_shape:
            raise ValueError(
                f"{self._caller}: f returned shape {y.shape} at a point near x but shape "
                f"{self.out_shape} at x; its output shape must not depend on the values of x."
            )
        if not np.all(np.isfinite(y)):
            moved = float(np.max(np.abs(point.astype(np.float64) - self.x)))
            raise ValueError(
                f"{self._caller}: f returned a non-finite value at a point {moved:.3g} away "
                "from x (0 means at x itself); x may be too close to the edge of f's domain."
            )
        return y.astype(np.float64).ravel()

    def __call__(self, point: np.ndarray) -> np.ndarray:
        return self._checked(self._raw(point), point)


# --------------------------------------------------------------------------------------------
# 1. The core: one line, one central difference, one verdict per output element
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Verdict:
    """One output element along one line, in derivative units along the unit direction."""

    ok: bool
    analytic: float
    numeric: float
    error: float
    tolerance: float
    step: float
    kink: tuple[float, float] | None = None  # the one-sided slopes (left, right) at a kink

    @property
    def ratio(self) -> float:
        """The error as a fraction of the tolerance: 0 for no error, inf for a nan error."""
        if self.error == 0:
            return 0.0
        finite = self.tolerance > 0 and math.isfinite(self.error)
        return self.error / self.tolerance if finite else math.inf


class _Claim(NamedTuple):
    """What is checked: the Jacobian, and the rounding allowed per output element."""

    jac: np.ndarray  # (m, n) float64: the gradient as one row, or the Jacobian
    f_rounding: np.ndarray  # of f's values, in units of f (see `_claim`)
    jac_rounding: np.ndarray  # of the checked values, per unit length of the step


def _compare(
    ev: _Evaluator, claim: _Claim, direction: np.ndarray, index: int | None, *, second_look: bool
) -> list[_Verdict]:
    """The central difference along \\(x + t d\\) against the claim, one verdict per output.

    Everything is computed per unit of t, then divided by the length of the direction
    actually taken. ``index`` is the element moved in full mode (its partial derivative is
    then reported as is), None for a random direction.
    """
    d = central_difference(ev, ev.x, direction=direction, accuracy=claim.f_rounding)
    h = float(relative_step(0.0, ev.dtype))  # the step in t that central_difference took
    predicted = claim.jac @ d.step.reshape(-1) / h  # J d for the points actually used
    grad_term = claim.jac_rounding * np.sum(np.abs(d.step)) / h
    tolerance = _SAFETY * d.truncation + 2 * d.rounding + grad_term
    error = np.abs(d.value - predicted)
    irregular = d.truncation > np.maximum(
        _IRREGULAR * np.abs(d.value), _KINK_FACTOR * (d.rounding + grad_term)
    )
    length = float(np.linalg.norm(d.step)) / h
    verdicts = []
    for k in range(error.size):
        analytic = claim.jac[k, index] if index is not None else predicted[k] / length
        ok = bool(error[k] <= tolerance[k])  # a nan error fails
        verdict = _Verdict(
            ok, analytic, d.value[k] / length, error[k] / length, tolerance[k] / length, h * length
        )
        if (not ok or irregular[k]) and second_look:
            verdict = _diagnose(d, ev.f0[k], k, verdict, length, h, d.rounding[k] + grad_term[k])
        verdicts.append(verdict)
    return verdicts


# --------------------------------------------------------------------------------------------
# 2. The kink diagnosis, on the same samples and f(x)
# --------------------------------------------------------------------------------------------


def _diagnose(
    d: Difference, f0: float, k: int, verdict: _Verdict, length: float, h: float, noise: float
) -> _Verdict:
    """Second look at a failed or irregular comparison: is f smooth within the step?

    From f at \\(t = 0, \\pm h/2, \\pm h\\) (spacing \\(\\delta = h/2\\)): the second-order
    one-sided slopes \\((-3f_0 + 4f_1 - f_2) / 2\\delta\\) and \\((3f_0 - 4f_{-1} + f_{-2}) /
    2\\delta\\) agree for a smooth f up to a fourth-derivative term and rounding. If they are
    far apart, f has a kink within the step (a central difference across relu's 0 reads
    0.5): it is reported with the first-order slopes \\((f_0 - f_{-1}) / \\delta\\) and
    \\((f_1 - f_0) / \\delta\\), and an analytic value within the range of the slopes is
    accepted as a subgradient: its distance from their middle is within half their spread
    (plus the tolerance). If f is smooth, the verdict stands, with the tolerance widened to
    f's measured noise (its fourth difference) for an f whose rounding exceeds the model (a
    sum over sorted values has large partial sums).
    """
    f = {s: float(v[k]) for s, v in d.samples.items()} | {0.0: float(f0)}
    delta = h / 2
    right2 = (-3 * f[0.0] + 4 * f[0.5] - f[1.0]) / (2 * delta)
    left2 = (3 * f[0.0] - 4 * f[-0.5] + f[-1.0]) / (2 * delta)
    tolerance = verdict.tolerance * length  # back to units of t
    analytic = verdict.analytic * length
    jump_bound = _KINK_FACTOR * (d.truncation[k] + 16 * noise)
    if abs(right2 - left2) <= max(jump_bound, tolerance):
        fourth = abs(f[1.0] - 4 * f[0.5] + 6 * f[0.0] - 4 * f[-0.5] + f[-1.0])
        tolerance = max(tolerance, _SAFETY * d.truncation[k] + _NOISE_FACTOR * fourth / h + noise)
        ok = bool(verdict.error * length <= tolerance)
        return replace(verdict, ok=ok, tolerance=tolerance / length)
    left, right = (f[0.0] - f[-0.5]) / delta, (f[0.5] - f[0.0]) / delta
    slopes = (left, right, left2, right2)
    # Every value between the slopes is a valid subgradient: the analytic value is compared
    # with their middle, within half their spread.
    middle = (min(slopes) + max(slopes)) / 2
    tolerance += (max(slopes) - min(slopes)) / 2
    error = abs(analytic - middle)
    return replace(
        verdict,
        ok=bool(error <= tolerance),
        numeric=middle / length,
        error=error / length,
        tolerance=tolerance / length,
        kink=(left / length, right / length),
    )


# --------------------------------------------------------------------------------------------
# 3. The lines: one per element (full mode) or one per random direction (projection mode)
# --------------------------------------------------------------------------------------------


def _lines(ev: _Evaluator, mode: str, probes: int, seed: Any) -> Iterator[tuple[np.ndarray, Any]]:
    """The directions d, each with the element it moves (None for a random direction).

    The scale of the step is the length of d (see `gradspec.reference._numdiff`): in full
    mode \\(d = \\max(1, |x_i|)\\, e_i\\), the rule \\(h_i = \\epsilon^{1/3} \\max(1, |x_i|)\\);
    in projection mode \\(d = \\max(1, \\lVert x \\rVert_2)\\, u\\) for a unit Gaussian u,
    whose line's length scale is the distance of x from the origin.
    """
    x64 = ev.x.astype(np.float64)
    if mode == "full":  # one direction at a time: a list of them would take x.size**2 floats
        scale = np.maximum(1.0, np.abs(x64.reshape(-1)))
        for i in range(x64.size):
            d = np.zeros(x64.size)
            d[i] = scale[i]
            yield d.reshape(x64.shape), i
        return
    rng = np.random.default_rng(seed)
    length = max(1.0, float(np.linalg.norm(x64)))
    for _ in range(probes):
        u = rng.standard_normal(x64.shape)
        yield length * u / np.linalg.norm(u), None


def _validate(
    f: Any, g: Any, x: ArrayLike, *, g_name: str, mode: Any, probes: Any, caller: str
) -> np.ndarray:
    """Check everything that can be checked before calling f; return x as an array."""
    for name, func in (("f", f), (g_name, g)):
        got = type(func).__name__
        wanted = f"{caller}: {name} must be a function taking an ndarray; got {got}."
        require(callable(func), wanted, TypeError)
    x = as_float_array(x, name="x", func=caller)
    require(x.size > 0, f"{caller}: x must have at least one element; got shape {x.shape}.")
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        where = f"x{_index_str(x.shape, int(bad[0]))} is {x.reshape(-1)[bad[0]]}"
        raise ValueError(f"{caller}: x must be finite; {where} ({bad.size} non-finite element(s)).")
    wrong_mode = f"{caller}: mode must be 'full' or 'projection'; got {mode!r}."
    require(mode in ("full", "projection"), wrong_mode)
    integer = isinstance(probes, (int, np.integer)) and not isinstance(probes, bool)
    require(integer and probes >= 1, f"{caller}: probes must be an integer >= 1; got {probes!r}.")
    return x


def _index_str(shape: tuple[int, ...], flat: int) -> str:
    if not shape:
        return "[()]"
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"


def _claim(
    g: Func, x: np.ndarray, ev: _Evaluator, *, g_name: str, caller: str, scalar: bool
) -> _Claim:
    """The checked gradient or Jacobian at x, with the rounding allowed of f and of itself."""
    m, n = ev.f0.size, x.size
    raw = _call(g, x, role=g_name, caller=caller)
    full = ev.out_shape + x.shape  # x.shape for a scalar f
    if scalar:
        shapes, wanted = (full,), f"grad(x) must have the shape of x, {x.shape}"
    else:
        shapes, wanted = ((m, n), full), f"jac(x) must have shape (f(x).size, x.size) = {(m, n)}"
        wanted += f" (or f(x).shape + x.shape = {full})"
    require(raw.shape in shapes, f"{caller}: {wanted}; got {raw.shape}.")
    jac = np.asarray(raw, dtype=np.float64).reshape(m, n)
    # Rounding of f beyond |f| itself: a backward-stable f computes f(x') for x' within a few
    # ulps of x, which moves f by about eps * ||J * x||_2 (see check_gradient Notes). The floor
    # of 1 plays the role of the 1 in max(1, |x|): values that cancel to nearly 0 (sum(tanh(x))
    # over saturated units) still carry the rounding of their terms.
    with np.errstate(invalid="ignore", over="ignore"):
        f_scale = np.linalg.norm(np.nan_to_num(jac) * x.astype(np.float64).reshape(-1), axis=1)
    f_rounding = _ROUNDING_EPS * ev.eps * (np.maximum(1.0, np.abs(ev.f0)) + f_scale)
    # The checked values themselves are rounded in their own dtype (float32 for a float32 x).
    jac_rounding = _ROUNDING_EPS * float(np.finfo(raw.dtype).eps) * np.max(np.abs(jac), axis=1)
    return _Claim(jac, f_rounding, jac_rounding)


def _run(
    f: Func, g: Func, x: ArrayLike, mode: str, probes: int, seed: Seed, *, scalar: bool
) -> GradientCheck:
    """`check_gradient` (``scalar``) or `check_jacobian`: the three layers, and the record."""
    caller, g_name = ("check_gradient", "grad") if scalar else ("check_jacobian", "jac")
    x = _validate(f, g, x, g_name=g_name, mode=mode, probes=probes, caller=caller)
    ev = _Evaluator(f, x, caller=caller)
    use_jacobian = "For a vector-valued f use check_jacobian."
    not_scalar = f"{caller}: f must return a scalar; got shape {ev.out_shape}. {use_jacobian}"
    require(not scalar or ev.f0.size == 1, not_scalar)
    claim = _claim(g, x, ev, g_name=g_name, caller=caller, scalar=scalar)
    rows = []  # (where, x_value, verdict) for every comparison
    failed = False  # once a comparison has surely failed, later ones get no second look
    for j, (direction, index) in enumerate(_lines(ev, mode, probes, seed)):
        verdicts = _compare(ev, claim, direction, index, second_look=not failed)
        place = f"probe {j}" if index is None else "x" + _index_str(x.shape, index)
        x_value = None if index is None else float(x.reshape(-1)[index])
        for k, v in enumerate(verdicts):
            where = place if scalar else f"f(x){_index_str(ev.out_shape, k)} / {place}"
            rows.append((where, x_value, v))
            failed = failed or not v.ok
    kinks = tuple(Kink(w, xv, *v.kink, float(v.analytic), v.ok) for w, xv, v in rows if v.kink)
    # The reported comparison: failures first, then the largest error / tolerance.
    where, x_value, v = max(rows, key=lambda row: (not row[2].ok, row[2].ratio))
    analytic, numeric = float(v.analytic), float(v.numeric)
    abs_error = abs(analytic - numeric)
    return GradientCheck(
        ok=not failed,
        mode=mode,
        where=where,
        x_value=x_value,
        analytic=analytic,
        numeric=numeric,
        abs_error=abs_error,
        rel_error=abs_error / max(abs(analytic), abs(numeric), _TINY),
        tolerance=float(v.tolerance),
        step=float(v.step),
        evaluations=ev.evaluations,
        checked=len(rows),
        kinks=kinks,
        precision=ev.precision,
    )


def check_gradient(
    f: Func, grad: Func, x: ArrayLike, *, mode: str = "full", probes: int = 2, seed: Seed = 0
) -> GradientCheck:
    r"""Check that ``grad`` is the gradient of the scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable, ndarray of x's shape -> scalar
        The function. It is called at points near x, as NumPy float64 arrays when x is float32
        and f accepts them (see Notes).
    grad : callable, ndarray of x's shape -> ndarray of x's shape
        The gradient to check. It is called once, at x itself, in x's own dtype.
    x : ndarray, any shape, float32 or float64
        Where to check. Must be finite.
    mode : {"full", "projection"}
        ``"full"`` compares every element: 4 evaluations of f per element, plus 1 at x.
        ``"projection"`` compares derivatives along ``probes`` random directions:
        ``1 + 4 * probes`` evaluations whatever the size of x.
    probes : int
        Number of random directions in projection mode.
    seed : int, Generator or None
        Seeds the random directions (the check is reproducible by default).

    Returns
    -------
    GradientCheck
        ``ok`` and ``bool(result)`` say pass or fail; the record names the worst comparison,
        the values, errors, tolerance, step, evaluation count and any kinks.

    Raises
    ------
    TypeError
        If f or grad is not callable, x is not real numbers, or f/grad return non-numbers.
    ValueError
        If x is empty or not finite, f raises or returns a non-scalar or a non-finite value,
        grad raises or returns the wrong shape, or mode/probes are invalid.

    Notes
    -----
    **The numeric slope** (the core) along a line \(x + t d\) is
    `gradspec.reference._numdiff.central_difference`: the central difference
    \(D(h) = (f(x + h d) - f(x - h d)) / 2h\), the notes'
    \(f'(x) \approx (f(x+h)-f(x-h))/2h\), with its truncation error estimated from the
    half step, \(\tfrac43 |D(h) - D(h/2)|\). It is compared with what the gradient predicts
    for the points actually used, \(J\,((x + hd) - (x - hd)) / 2h\).

    **The step** is that module's rule, \(h = \epsilon^{1/3}\) times the length of d: the
    balance of the truncation error \(h^2 |f'''| / 6\) and the rounding error
    \(\epsilon |f| / h\). Per element, \(d = \max(1, |x_i|) e_i\), so the step is
    \(h_i = \epsilon^{1/3} \max(1, |x_i|)\) (\(6 \cdot 10^{-6}\) in float64,
    \(5 \cdot 10^{-3}\) in float32, never \(10^{-6}\) in float32); the reported ``step`` is
    the one actually taken, \(((x_i + h_i) - (x_i - h_i)) / 2\). In projection mode d is a
    unit Gaussian vector u times \(\max(1, \lVert x \rVert_2)\): the line's length scale is
    the distance of x from the origin (in one dimension this is the rule above).

    **The tolerance** is estimated, not fixed:
    \(2\,\text{truncation estimate} + 2\rho / h + \gamma\), where
    \(\rho = 16 \epsilon (\max(1, |f(x)|) + \lVert J \odot x \rVert_2)\) bounds the rounding
    of f (a backward-stable f computes f at a point a few ulps from x, which moves f by about
    \(\epsilon \lVert J \odot x \rVert_2\); summing many terms that cancel makes this
    larger than \(\epsilon |f|\)), and \(\gamma\) bounds the rounding of the checked
    gradient itself (16 epsilons of its dtype times its largest entry).

    **The kink diagnosis.** A comparison that fails, or whose truncation estimate is a
    sizeable part of the slope (above 0.1% and well above rounding), gets a second look at the
    same five values \(f(x), f(x \pm h/2), f(x \pm h)\): if the second-order one-sided
    slopes jump apart, f has a kink within the step (a central difference across relu's 0
    reads 0.5). It is reported with the one-sided slopes \((f(x) - f(x-\delta))/\delta\)
    and \((f(x+\delta) - f(x))/\delta\), \(\delta = h/2\), and an analytic value within
    the range of slopes measured there is accepted as a subgradient (it is compared with
    their middle, the tolerance widened by half their spread). If f is smooth, the
    verdict stands, its tolerance widened to f's measured noise (the fourth difference of
    the five values). Once one comparison has surely failed, later ones get no second look.

    **Relative error** ``abs(a - n) / max(abs(a), abs(n), tiny)``, reported for the worst
    comparison: the one whose error is the largest fraction of its tolerance.

    **Float32.** A float32 x is checked against float64 differences when f accepts float64
    input and returns float64: the points are float64, the analytic gradient is computed in
    float32, and its rounding allowance uses float32's epsilon. If f returns float32 (or
    refuses float64 input) the points, steps and bounds are float32 ones and ``precision``
    says so.

    **Limits.** The rounding bound assumes f is computed about as accurately as a
    backward-stable algorithm would. A failing comparison also measures f's noise (the fourth
    difference of the five values), but one sample of it can be small by chance. So an f
    whose rounding is far larger than that model can still raise false alarms: an f hiding a
    float32 computation behind float64 output, or a long sum whose partial sums dwarf the
    result (``sum(tanh(linspace(-1, 1, n)))``: measured 1 in 100 projection checks at
    n = 10^4, 8 in 100 at n = 10^5, none at n = 10^3). Projection mode catches a wrong
    gradient g' unless every random direction is nearly orthogonal to
    \(g' - g\): more probes make a miss less likely; where f has a kink along a probe,
    only "between the one-sided slopes" can be confirmed.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import check_gradient
    >>> f = lambda x: np.sum(np.tanh(x))
    >>> x = np.array([0.3, -1.2, 2.0])
    >>> check_gradient(f, lambda x: 1 - np.tanh(x) ** 2, x).ok
    True
    >>> wrong = check_gradient(f, lambda x: np.tanh(x) ** 2 - 1, x)
    >>> wrong.ok, wrong.where, round(wrong.rel_error, 6)
    (False, 'x[0]', 2.0)
    >>> relu = lambda x: np.sum(np.maximum(x, 0))
    >>> result = check_gradient(relu, lambda x: (x > 0) * 1.0, np.array([0.0, 1.5]))
    >>> kink = result.kinks[0]
    >>> result.ok, kink.where, round(kink.left, 6), round(kink.right, 6)
    (True, 'x[0]', 0.0, 1.0)
    >>> big = np.ones(10**5)
    >>> check_gradient(f, lambda x: 1 - np.tanh(x) ** 2, big, mode="projection").evaluations
    9
    """
    return _run(f, grad, x, mode, probes, seed, scalar=True)


def check_jacobian(
    f: Func, jac: Func, x: ArrayLike, *, mode: str = "full", probes: int = 2, seed: Seed = 0
) -> GradientCheck:
    """Check that ``jac`` is the Jacobian of the vector-valued function ``f`` at ``x``.

    The same check as `check_gradient` (see its Notes), for an f with array output.
    Every output element is compared, along every line, with its own tolerance.

    Parameters
    ----------
    f : callable, ndarray of x's shape -> ndarray, shape out
        The function (any output shape, including a scalar).
    jac : callable, ndarray of x's shape -> ndarray, shape (prod(out), x.size)
        The Jacobian in Jacobian form, ``J[i, j] = d f(x).flat[i] / d x.flat[j]``; the shape
        ``out + x.shape`` is accepted too.
    x : ndarray, any shape, float32 or float64
        Where to check.
    mode, probes, seed
        As in `check_gradient`. In projection mode each probe compares the whole vector
        ``J u`` with f's derivative along u.

    Returns
    -------
    GradientCheck
        ``where`` reads ``"f(x)[i] / x[j]"`` (full) or ``"f(x)[i] / probe p"`` (projection).

    Raises
    ------
    TypeError, ValueError
        As in `check_gradient`; jac of the wrong shape is a ValueError.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import check_jacobian
    >>> W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> check_jacobian(lambda x: np.tanh(W @ x),
    ...                lambda x: (1 - np.tanh(W @ x) ** 2)[:, None] * W,
    ...                np.array([0.1, -0.2])).ok
    True
    >>> check_jacobian(lambda x: W @ x, lambda x: W.T.reshape(3, 2), np.ones(2)).where
    'f(x)[0] / x[1]'
    """
    return _run(f, jac, x, mode, probes, seed, scalar=False)


def numerical_jacobian(f: Func, x: ArrayLike) -> np.ndarray:
    r"""The central-difference Jacobian of f at x, ``J[i, j] ~ d f(x).flat[i] / d x.flat[j]``.

    Parameters
    ----------
    f : callable, ndarray of x's shape -> ndarray, any shape
        The function (a scalar output gives one row).
    x : ndarray, any shape, float32 or float64
        Where to differentiate. Must be finite.

    Returns
    -------
    J : ndarray, shape (f(x).size, x.size), float64
        Column j is \((f(x + h_j e_j) - f(x - h_j e_j)) / (h_j^+ + h_j^-)\), with the
        steps actually taken \(h_j^\pm = \pm((x_j \pm h_j) - x_j)\).

    Raises
    ------
    TypeError, ValueError
        If f is not callable, x is not a finite real array, or f fails (as in
        `check_gradient`).

    Notes
    -----
    The step is \(h_j = \epsilon^{1/3} \max(1, |x_j|)\), the balance of the truncation
    error \(h^2 |f'''| / 6\) and the rounding error \(\epsilon |f| / h\) (see
    `check_gradient`), without the half step: ``2 * x.size + 1`` evaluations of f. Float32 input is
    differentiated in float64 when f accepts float64 and answers in float64; otherwise with
    float32 steps. For a tolerance-aware comparison use `check_gradient`.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import numerical_jacobian
    >>> J = numerical_jacobian(lambda x: np.array([x[0] * x[1], x[0] ** 2]), np.array([2.0, 3.0]))
    >>> np.round(J, 8)
    array([[3., 2.],
           [4., 0.]])
    """
    x = _validate(f, f, x, g_name="f", mode="full", probes=1, caller="numerical_jacobian")
    ev = _Evaluator(f, x, caller="numerical_jacobian")
    h = float(relative_step(0.0, ev.dtype))
    columns = []
    for direction, index in _lines(ev, "full", 1, None):
        d = central_difference(ev, ev.x, direction=direction, estimate_error=False)
        columns.append(d.value * h / d.step.reshape(-1)[index])  # per step actually taken
    return np.stack(columns, axis=1)
