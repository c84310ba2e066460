"""Comparing results and explaining differences: ULP errors, the worst element, hints, failures.

Every check compares an adapter's result with an expected value and, when they differ by more
than the clause's tolerance, raises `gradspec.conformance._model.ClauseViolation`
built by `fail`. The failure shows the worst element (the one furthest outside its
tolerance), its input, expected and actual values, the absolute, relative and ULP errors, a
hint when the error has a recognisable pattern, and a copy-paste reproducer.

Expected values of the elementwise functions start from textbook formulas in float64, written
apart from the reference (`gradspec.conformance._formulas`), rounded once to the dtype under
test. Every element outside half its tolerance of that estimate is re-judged against the exact
oracle (`gradspec.reference.oracle`, mpmath), so the slow exact arithmetic stays off the hot
path, a verdict never rests on a formula's last-bit error, and the reference is judged like
any other implementation.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

# The package's one ULP function is the reference's; it is re-exported under the same name for
# the checks that import it from this module.
from gradspec.reference._ulp import ulp_distance

from ._adapter import AdapterCallError
from ._formulas import formula_values
from ._model import CheckContext, ClauseViolation, Failure

__all__ = [
    "call",
    "checked_call",
    "exact_values",
    "expected_values",
    "fail",
    "find_hint",
    "quiet",
    "raised",
    "relative_error",
    "reproducer",
    "ulp_distance",
    "worst_index",
]


def relative_error(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``|actual - expected| / |expected|`` in float64 (inf where only expected is 0)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    with np.errstate(all="ignore"):
        diff = np.abs(a - e)
        diff = np.where(a == e, 0.0, diff)  # inf == inf has no error
        out = np.where(e == 0, np.where(diff == 0, 0.0, np.inf), diff / np.abs(e))
    return np.asarray(np.where(np.isnan(a) & np.isnan(e), 0.0, out))


def worst_index(score: np.ndarray) -> tuple[int, ...]:
    """The index of the largest score (NaN counts as the largest)."""
    score = np.asarray(score, dtype=np.float64)
    if score.size == 0:
        return ()
    flat = np.where(np.isnan(score), np.inf, score).reshape(-1)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(flat)), score.shape))


# --- expected values of the elementwise functions -----------------------------------------------


def expected_values(name: str, z: np.ndarray, *, negative_slope: float | None = None) -> np.ndarray:
    """The first estimate of ``name`` at ``z``: its textbook formula in float64, rounded to
    z's dtype (`gradspec.conformance._formulas`; never the reference's code)."""
    return formula_values(name, z, negative_slope=negative_slope)


def exact_values(
    name: str, z: np.ndarray, *, negative_slope: float | None = None
) -> np.ndarray | None:
    """The exact value of ``name`` at ``z``, rounded once to z's dtype; None without the oracle.

    Elements the oracle cannot evaluate (it may refuse extreme inputs) keep the formula's
    value (`expected_values`).
    """
    try:
        from gradspec.reference import oracle
    except ImportError:  # an older reference without the oracle: fall back on the reference
        return None
    slope = 0.01 if negative_slope is None else negative_slope
    out = expected_values(name, z, negative_slope=negative_slope)
    # Beyond |z| = 1000 every function sits at its limit or underflows in both dtypes, where
    # the formulas are exact; the oracle's multiprecision rounding would be needlessly costly.
    near = np.abs(z) <= 1000
    try:
        out[near] = oracle.exact(name, z[near], z.dtype, negative_slope=slope)
    except Exception:  # the oracle refused an element: judge that one on the formula
        flat_z, flat_out, flat_near = z.reshape(-1), out.reshape(-1), near.reshape(-1)
        for i in np.flatnonzero(flat_near):
            try:
                flat_out[i] = oracle.exact(name, flat_z[i : i + 1], negative_slope=slope)[0]
            except Exception:  # keep the formula's value for this element
                continue
    return out


# --- calling the adapter -----------------------------------------------------------------------


@contextmanager
def quiet() -> Any:
    """Silence warnings while an adapter computes: overflow in exp at huge inputs is not a
    failure, and the library's own warnings (deprecations, device notices) are not the
    suite's output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


def call(ctx: CheckContext, member: str, *args: Any, **kwargs: Any) -> Any:
    """Call an adapter member with warnings silenced. AdapterCallError propagates.

    The runner turns an AdapterCallError into a failure of the clause; checks that need a
    better message (with the inputs and a reproducer) catch it themselves.
    """
    with quiet():
        return ctx.adapter.call(member, *args, **kwargs)


# --- hints ------------------------------------------------------------------------------------


def find_hint(
    actual: Any,
    expected: Any,
    *,
    candidates: Mapping[str, np.ndarray] | None = None,
    inputs: np.ndarray | None = None,
    bad: np.ndarray | None = None,
    dtype: str | None = None,
) -> str | None:
    """Name a recognisable pattern in a wrong result, or return None.

    Parameters
    ----------
    actual, expected : ndarray, same shape
        The adapter's result and the expected one.
    candidates : mapping of str to ndarray, optional
        Known wrong formulas (``"1 - tanh(z) (the square is missing)"``) evaluated at the
        same inputs; the first that ``actual`` matches is named.
    inputs : ndarray, optional
        The elementwise inputs, to say over which range of inputs the result is wrong.
    bad : ndarray of bool, optional
        Which elements are outside the tolerance.
    dtype : str, optional
        The dtype of the result: a candidate formula matches within a few of its eps
        absolutely (formulas such as 1 - tanh(z) lose that much in any dtype).

    Examples
    --------
    >>> import numpy as np
    >>> find_hint(np.array([-1.0, 2.0]), np.array([1.0, -2.0]))
    'sign flipped: actual = -expected'
    """
    try:
        a = np.asarray(actual, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if a.shape != e.shape:
        if (
            a.ndim == 2
            and a.T.shape == e.shape
            and np.allclose(a.T, e, rtol=1e-5, atol=_atol(e), equal_nan=True)
        ):
            return "transposed: actual equals the transpose of the expected array"
        return None
    finite = np.isfinite(a) & np.isfinite(e)
    if not finite.any():
        return None
    a_f, e_f = a[finite], e[finite]
    atol = 16 * float(np.finfo(dtype).eps) if dtype is not None else 0.0
    close = _close(a_f, e_f, atol)
    if candidates:
        for label, values in candidates.items():
            v = np.asarray(values, dtype=np.float64)
            if v.shape == a.shape and np.all(np.isfinite(v[finite])):
                if _close(a_f, v[finite], atol).all() and not close.all():
                    return f"matches {label}"
    nonzero = e_f != 0
    if a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1:
        if np.allclose(a, e.T, rtol=1e-5, atol=_atol(e), equal_nan=True) and not np.allclose(
            a, e, rtol=1e-5, atol=_atol(e), equal_nan=True
        ):
            return "transposed: actual equals the transpose of the expected array"
    if nonzero.any():
        ratio = a_f[nonzero] / e_f[nonzero]
        if np.allclose(ratio, -1.0, rtol=1e-5):
            return "sign flipped: actual = -expected"
        k = float(np.median(ratio))
        if k != 0 and abs(k - 1) > 1e-5 and np.allclose(ratio, k, rtol=1e-5):
            return f"off by a constant factor: actual = {k:.6g} * expected"
        zero_instead = (a_f == 0) & nonzero
        if zero_instead.any() and (zero_instead | close).all():
            finfo = np.finfo(dtype or np.float64)
            if (np.abs(e_f[zero_instead]) < float(finfo.tiny) / float(finfo.eps)).all():
                return "silent zero: actual is 0 where a tiny nonzero value is expected (underflow)"
            return (
                "silent zero: actual is 0 where a nonzero value is expected, far above the "
                "underflow threshold (not underflow: a missing term, or a difference that "
                "cancels to 0)"
            )
    if inputs is not None and bad is not None:
        z = np.asarray(inputs, dtype=np.float64)
        if z.shape == a.shape and bad.any() and (~bad).any():
            lo, hi = float(z[bad].min()), float(z[bad].max())
            return (
                f"wrong only for some inputs: the bad elements have inputs in [{lo:.6g}, {hi:.6g}]"
                " (check the branch conditions)"
            )
    return None


def _atol(e: np.ndarray) -> float:
    """An absolute allowance for comparing whole arrays: 1e-12 of their largest magnitude."""
    finite = np.abs(e[np.isfinite(e)])
    return 1e-12 * float(finite.max()) if finite.size else 0.0


def _close(a: np.ndarray, b: np.ndarray, atol: float = 0.0) -> np.ndarray:
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.abs(a - b) <= 1e-6 * scale + atol + 1e-300


# --- failures ----------------------------------------------------------------------------------


def _literal(value: Any) -> str:
    """Python source for a value: arrays with exact float reprs and their dtype."""
    if isinstance(value, np.ndarray):
        body = repr(value.astype(np.float64).tolist()) if value.dtype.kind == "f" else None
        if body is None:
            body = repr(value.tolist())
        body = body.replace("nan", "float('nan')").replace("inf", "float('inf')")
        return f"np.array({body}, dtype=np.{value.dtype})"
    if isinstance(value, Mapping):
        items = ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f"float({str(value)!r})"
        return repr(value)
    return repr(value)


def _first_array(args: Sequence[tuple[str, Any]]) -> str | None:
    """Python for the first array among ``args``: an array argument, or the first value of
    a dict of arrays (a graph member's ``inputs``); None if there is none."""
    for name, value in args:
        if isinstance(value, np.ndarray):
            return name
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(v, np.ndarray) for v in value.values())
        ):
            return f"next(iter({name}.values()))"
    return None


def reproducer(
    spec: str,
    member: str,
    args: Sequence[tuple[str, Any]],
    kwargs: Mapping[str, Any] | None = None,
    *,
    expected: Any = None,
    note: str | None = None,
    show: str | None = None,
    extra: Sequence[str] = (),
) -> str:
    """Copy-paste Python that loads the adapter, builds the inputs, calls ``member`` and prints.

    Parameters
    ----------
    spec : str
        The adapter spec, as given to the suite.
    member : str
        The member to call.
    args : sequence of (name, value)
        Positional arguments, named for readability.
    kwargs : mapping, optional
        Keyword arguments.
    expected : optional
        The expected result, printed beside the actual one.
    note : str, optional
        A comment line at the top (what to look for).
    show : {"dtype", "shape"}, optional
        Also print that attribute of the result (and of the input), for failures that are
        about it and would look right from the values alone.
    extra : sequence of str, optional
        More lines of Python run after the call (for example a second call to compare with).
    """
    lines = ["import numpy as np", "from gradspec.conformance import load_adapter", ""]
    if note:
        lines.insert(0, f"# {note}")
    lines.append(f"adapter = load_adapter({spec!r})")
    for name, value in args:
        lines.append(f"{name} = {_literal(value)}")
    call_args = [name for name, _ in args]
    call_args += [f"{k}={_literal(v)}" for k, v in (kwargs or {}).items()]
    lines.append(f"actual = adapter.call({member!r}, {', '.join(call_args)})")
    if expected is not None:
        lines.append(f"expected = {_literal(expected)}")
        lines.append('print("expected:", expected)')
    lines.append('print("actual:  ", actual)')
    if show in ("dtype", "shape"):
        first = _first_array(args)
        if first is not None:
            lines.append(f'print("input {show}: ", {first}.{show})')
        lines.append(f'print("result {show}:", getattr(actual, "{show}", type(actual).__name__))')
    lines.extend(extra)
    return "\n".join(lines)


def fail(
    clause_id: str,
    summary: str,
    *,
    inputs: Mapping[str, Any] | None = None,
    index: tuple[int, ...] | None = None,
    input_value: Any = None,
    expected: Any = None,
    actual: Any = None,
    abs_error: float | None = None,
    rel_error: float | None = None,
    ulp_error: float | None = None,
    hint: str | None = None,
    reproducer: str = "",
    member: str | None = None,
    kind: str = "value",
    tolerance: str | None = None,
    expected_label: str = "expected",
) -> ClauseViolation:
    """Build the `ClauseViolation` for ``clause_id`` (the caller raises it).

    The clause's title is filled in by the runner, so this module needs no registry.
    """

    def _plain(value: Any) -> Any:
        if isinstance(value, np.generic):
            return value.item()
        return value

    failure = Failure(
        clause_id=clause_id,
        title="",
        summary=summary,
        inputs=dict(inputs or {}),
        index=index,
        input_value=_plain(input_value),
        expected=_plain(expected),
        actual=_plain(actual),
        abs_error=None if abs_error is None else float(abs_error),
        rel_error=None if rel_error is None else float(rel_error),
        ulp_error=None if ulp_error is None else float(ulp_error),
        hint=hint,
        reproducer=reproducer,
        member=member,
        kind=kind,
        tolerance=tolerance,
        expected_label=expected_label,
    )
    return ClauseViolation(failure)


def raised(
    clause_id: str,
    error: AdapterCallError,
    spec: str,
    member: str,
    args: Sequence[tuple[str, Any]],
    kwargs: Mapping[str, Any] | None = None,
) -> ClauseViolation:
    """The violation for a member that raised on valid input."""
    return fail(
        clause_id,
        f"{member} raised on valid input: {error}",
        inputs={**dict(args), **dict(kwargs or {})},
        hint="the member must accept these inputs (see the adapter contract)",
        reproducer=reproducer(spec, member, args, kwargs),
        member=member,
        kind="raises" if error.original is not None else "form",
    )


def checked_call(
    ctx: CheckContext,
    clause_id: str,
    member: str,
    args: Sequence[tuple[str, Any]],
    kwargs: Mapping[str, Any] | None = None,
    *,
    wrap: Callable[[Any], Any] | None = None,
) -> Any:
    """Call ``member`` with copies of the inputs; a raise becomes a violation of ``clause_id``."""
    values = [_copy(v) for _, v in args]
    try:
        result = call(ctx, member, *values, **(kwargs or {}))
    except AdapterCallError as error:
        raise raised(clause_id, error, ctx.adapter.spec, member, args, kwargs) from None
    return wrap(result) if wrap is not None else result


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
