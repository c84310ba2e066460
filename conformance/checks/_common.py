"""Helpers shared by the check modules: calling an elementwise member and judging its result."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._adapter import AdapterCallError
from .._compare import (
    call,
    exact_values,
    expected_values,
    fail,
    find_hint,
    raised,
    relative_error,
    reproducer,
    ulp_distance,
    worst_index,
)
from .._model import CheckContext
from ..contract import ELEMENTWISE
from ._functions import spec, wrong_formulas

__all__ = [
    "as_result",
    "call_elementwise",
    "judge_array",
    "judge_elementwise",
    "slope_kwargs",
]


def slope_kwargs(slope: float | None) -> dict[str, float]:
    """``{}`` for the contract's default slope, else ``{"negative_slope": slope}``."""
    return {} if slope is None else {"negative_slope": slope}


def as_result(
    ctx: CheckContext,
    clause_id: str,
    member: str,
    result: Any,
    shape: tuple[int, ...],
    args: list[tuple[str, Any]],
    kwargs: dict[str, Any] | None = None,
    *,
    owns_shape: bool = False,
) -> np.ndarray:
    """The result as an array of ``shape`` in the dtype under test, looking through defects
    that other clauses own.

    Each clause owns one property. The result's dtype is ROB-DTYPE's: a result of another
    float dtype is noted and cast to the dtype under test, so the values are still judged. Its
    shape is owned by the shape clauses (``owns_shape=True``): elsewhere a result with the
    right number of elements is noted and reshaped (C order) to ``shape``. A result that
    cannot be read that way is a violation of ``clause_id``.
    """
    every = {**dict(args), **dict(kwargs or {})}
    if not isinstance(result, np.ndarray):
        raise fail(
            clause_id,
            f"{member} returned {type(result).__name__} where one array was expected",
            inputs=every,
            reproducer=reproducer(ctx.adapter.spec, member, args, kwargs),
            member=member,
            kind="form",
        )
    shape = tuple(shape)
    if result.shape != shape:
        if owns_shape or result.size != int(np.prod(shape, dtype=np.int64)):
            raise fail(
                clause_id,
                f"{member} returned an array of shape {result.shape}; expected shape {shape}",
                inputs=every,
                expected=str(shape),
                actual=str(result.shape),
                hint="elementwise functions keep the shape of their input (0-d and empty included)"
                if member in ELEMENTWISE
                else None,
                reproducer=reproducer(ctx.adapter.spec, member, args, kwargs, show="shape"),
                member=member,
                kind="shape",
            )
        ctx.note(
            f"{member}-shape",
            f"{member} returned shape {result.shape} for {shape}; judged after "
            "reshaping in C order (the shape is another clause's)",
        )
        result = result.reshape(shape)
    if result.dtype != np.dtype(ctx.dtype):
        if result.dtype.kind not in "fiub":
            raise fail(
                clause_id,
                f"{member} returned an array of dtype {result.dtype}, which holds no numbers",
                inputs=every,
                reproducer=reproducer(ctx.adapter.spec, member, args, kwargs, show="dtype"),
                member=member,
                kind="form",
            )
        ctx.note(
            f"{member}-dtype",
            f"{member} returned dtype {result.dtype} for {ctx.dtype} input; judged after "
            f"casting to {ctx.dtype} (the dtype is ROB-DTYPE's)",
        )
        with np.errstate(all="ignore"):
            result = result.astype(ctx.dtype)
    return result


def call_elementwise(
    ctx: CheckContext,
    clause_id: str,
    member: str,
    z: np.ndarray,
    slope: float | None = None,
    *,
    owns_shape: bool = False,
) -> np.ndarray:
    """Call an elementwise member on a copy of ``z``; its result as an array like ``z``.

    A member that raises only for some kinds of array (0-d, empty, more than one dimension)
    is ROB-SHAPE's defect: elsewhere (``owns_shape=False``) the values are then obtained
    from the same inputs as a 1-D array, and the detour is noted.
    """
    kwargs = slope_kwargs(slope)
    args = [("z", z)]
    try:
        result = call(ctx, member, z.copy(), **kwargs)
    except AdapterCallError as error:
        if owns_shape or error.unreadable or (z.ndim == 1 and z.size):
            raise raised(clause_id, error, ctx.adapter.spec, member, args, kwargs) from None
        flat = np.ascontiguousarray(z.reshape(-1))
        if flat.size:
            try:
                result = call(ctx, member, flat.copy(), **kwargs)
            except AdapterCallError:
                raise raised(clause_id, error, ctx.adapter.spec, member, args, kwargs) from None
        else:
            result = np.zeros(0, dtype=ctx.dtype)
        ctx.note(
            f"{member}-raises-{z.ndim}d",
            f"{member} raised for an input of shape {z.shape} ({error}); judged on the same "
            "values as a 1-D array (accepting every shape is ROB-SHAPE's)",
        )
        result = as_result(ctx, clause_id, member, result, flat.shape, [("z", flat)], kwargs)
        return result.reshape(z.shape)
    return as_result(ctx, clause_id, member, result, z.shape, args, kwargs, owns_shape=owns_shape)


def _errors(
    actual: np.ndarray, expected: np.ndarray, z: np.ndarray, name: str, dtype: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ULP errors, absolute errors and each element's error relative to its tolerance."""
    entry = spec(name)
    ulps = ulp_distance(actual, expected)
    with np.errstate(all="ignore"):
        abs_err = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
        abs_err = np.where(actual == expected, 0.0, abs_err)
        abs_err = np.where(np.isnan(actual) & np.isnan(expected), 0.0, abs_err)
        abs_err = np.where(np.isnan(actual) != np.isnan(expected), np.inf, abs_err)
        tol = entry.allowed_ulps(z, dtype)
        score = np.where(tol > 0, ulps / np.where(tol > 0, tol, 1.0), np.where(ulps > 0, np.inf, 0))
        if entry.floor is not None:
            floor = entry.floor_factor(dtype) * entry.floor(z.astype(np.float64))
            score = np.minimum(score, abs_err / floor)
    return ulps, abs_err, np.asarray(score, dtype=np.float64)


def _flushed(actual: np.ndarray, expected: np.ndarray, dtype: str) -> np.ndarray:
    """Elements whose exact value is subnormal and whose result is within one tiny of it."""
    tiny = float(np.finfo(dtype).tiny)
    with np.errstate(all="ignore"):
        e = expected.astype(np.float64)
        a = actual.astype(np.float64)
        return (np.abs(e) < tiny) & (np.abs(a - e) <= tiny)


def judge_elementwise(
    ctx: CheckContext,
    clause_id: str,
    name: str,
    z: np.ndarray,
    actual: np.ndarray,
    slope: float | None = None,
    *,
    summary: str | None = None,
    repro: str | None = None,
    blame: str | None = None,
) -> None:
    """Compare ``actual`` with the exact values of ``name`` at ``z``; record or raise.

    ``repro`` replaces the default reproducer (a call of member ``name``) when the values
    came from another member, ``blame`` (that member).

    The reference (float64, rounded) gives the expected values; elements outside half their
    tolerance are re-judged against the exact oracle, so the reference's own last-bit error
    never decides a verdict.
    """
    kwargs = slope_kwargs(slope)
    expected = expected_values(name, z, negative_slope=slope)
    ulps, abs_err, score = _errors(actual, expected, z, name, ctx.dtype)
    doubtful = score > 0.5
    if doubtful.any():
        exact = exact_values(name, z[doubtful], negative_slope=slope)
        if exact is not None:
            expected = expected.copy()
            expected[doubtful] = exact
            ulps, abs_err, score = _errors(actual, expected, z, name, ctx.dtype)
    bad = score > 1.0
    flushed = bad & _flushed(actual, expected, ctx.dtype)
    if flushed.any():
        # Flush-to-zero of subnormal results (XLA on CPU does it): acceptable, with a flag.
        i = worst_index(np.where(flushed, score, -1.0))
        ctx.flag(
            "subnormal-result-flushed",
            f"{name}({float(z[i])!r}) = {float(actual[i])!r}; the exact value "
            f"{float(expected[i])!r} is subnormal",
        )
        bad = bad & ~flushed
    if not bad.any():
        rel = relative_error(actual, expected).reshape(-1)
        finite = np.isfinite(rel) & ~flushed.reshape(-1)
        kept = ulps.reshape(-1)[~flushed.reshape(-1)]
        kept_score = score.reshape(-1)[~flushed.reshape(-1)]
        ctx.record(
            ulp_error=float(kept.max()) if kept.size else 0.0,
            abs_error=float(abs_err.max()) if abs_err.size else 0.0,
            rel_error=float(rel[finite].max()) if finite.any() else 0.0,
            tol_fraction=float(kept_score.max()) if kept_score.size else 0.0,
        )
        return
    index = worst_index(score)
    slope_value = 0.01 if slope is None else slope
    hint = find_hint(
        actual,
        expected,
        candidates=wrong_formulas(name, z, slope_value),
        inputs=z,
        bad=bad,
        dtype=ctx.dtype,
    )
    # The reproducer shows the worst element alone when it fails alone (it nearly always does
    # for an elementwise function); otherwise the whole array.
    single = z[index].reshape(1)
    repro_z = single
    if repro is None:
        try:
            alone = call_elementwise(ctx, clause_id, name, single, slope)
            if not (ulp_distance(alone, expected[index].reshape(1)) == ulps[index]).all():
                repro_z = z
        except AssertionError:
            repro_z = z
        repro_expected = expected[index].reshape(1) if repro_z is single else expected
        repro = reproducer(
            ctx.adapter.spec, name, [("z", repro_z)], kwargs, expected=repro_expected
        )
    rel = relative_error(actual[index], expected[index])
    entry = spec(name)
    tolerance = f"{float(entry.allowed_ulps(z[index], ctx.dtype)):.3g} ULP at this input"
    if entry.floor is not None:
        floor = entry.floor_factor(ctx.dtype) * float(entry.floor(z[index].astype(np.float64)))
        tolerance += f", or {floor:.3g} absolute (the textbook formula's conditioning)"
    raise fail(
        clause_id,
        summary or f"{name}(z) differs from the exact value beyond the tolerance",
        inputs={"z": z, **kwargs},
        index=index,
        input_value=z[index],
        expected=expected[index],
        actual=actual[index],
        abs_error=abs_err[index],
        rel_error=float(rel),
        ulp_error=ulps[index],
        hint=hint,
        reproducer=repro,
        member=blame or name,
        tolerance=tolerance,
    )


def judge_array(
    ctx: CheckContext,
    clause_id: str,
    label: str,
    actual: np.ndarray,
    expected: np.ndarray,
    tol: np.ndarray,
    member: str,
    args: list[tuple[str, Any]],
    *,
    summary: str | None = None,
    hint: str | None = None,
    owns_shape: bool = False,
) -> None:
    """Compare one array result elementwise with an absolute tolerance; record or raise.

    The result is compared in float64 whatever its dtype (the dtype is ROB-DTYPE's). Unless
    this clause owns the shape (``owns_shape``), a result in another shape is compared after a
    documented reshape, and noted: a 2-D result of the transposed shape is compared
    transposed, any other result with the expected number of elements is reshaped in C order.
    """
    e = np.asarray(expected, dtype=np.float64)
    if actual.dtype == object or actual.dtype.kind not in "fiub":
        what = "None" if actual.dtype == object and actual.ndim == 0 else f"dtype {actual.dtype}"
        raise fail(
            clause_id,
            f"{label} is {what}, not an array of numbers",
            inputs=dict(args),
            hint="return a NumPy array (or a tensor NumPy can read) for every result",
            reproducer=reproducer(ctx.adapter.spec, member, args),
            member=member,
            kind="form",
        )
    a = actual.astype(np.float64)
    if a.shape != e.shape and not owns_shape and a.size == e.size:
        transposed = a.ndim == 2 and a.shape == e.shape[::-1]
        ctx.note(
            f"{member}-shape",
            f"{label} has shape {a.shape} for {e.shape}; judged after "
            + ("transposing" if transposed else "reshaping in C order")
            + " (the shape is the shape clauses')",
        )
        a = a.T if transposed else a.reshape(e.shape)
    if a.shape != e.shape:
        shape_hint = hint
        if a.ndim == 2 and a.shape == e.shape[::-1]:
            shape_hint = "transposed: the result has the transposed shape"
        raise fail(
            clause_id,
            f"{label} has shape {a.shape}; expected {e.shape}",
            inputs=dict(args),
            hint=shape_hint,
            reproducer=reproducer(ctx.adapter.spec, member, args, show="shape"),
            member=member,
            kind="shape",
        )
    with np.errstate(all="ignore"):
        err = np.where(a == e, 0.0, np.abs(a - e))
        err = np.where(np.isnan(err), np.inf, err)
        # Products that underflow (flushed or rounded to a subnormal) differ by a few tiny.
        floor = 4 * float(np.finfo(ctx.dtype).tiny)
        score = np.where(err <= floor, 0.0, err / (np.asarray(tol) + floor))
    if not (score > 1).any():
        rel = relative_error(a, e).reshape(-1)
        rel = rel[np.isfinite(rel)]
        ctx.record(
            abs_error=float(err.max()) if err.size else 0.0,
            rel_error=float(rel.max()) if rel.size else 0.0,
            tol_fraction=float(score.max()) if score.size else 0.0,
        )
        return
    index = worst_index(score)
    allowed = float(np.broadcast_to(np.asarray(tol, dtype=np.float64), e.shape)[index]) + floor
    raise fail(
        clause_id,
        summary or f"{label} differs from the expected value beyond the tolerance",
        inputs=dict(args),
        index=index,
        expected=float(e[index]) if e.ndim else float(e),
        actual=float(a[index]) if a.ndim else float(a),
        abs_error=float(err[index]),
        rel_error=float(relative_error(a[index], e[index])),
        hint="; ".join(h for h in (find_hint(a, e, dtype=ctx.dtype), hint) if h) or None,
        reproducer=reproducer(ctx.adapter.spec, member, args),
        member=member,
        tolerance=f"{allowed:.3g} absolute at this element",
    )
