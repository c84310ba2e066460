"""Family ``robustness``: the array boundary and the edges of the floating-point range.

Decisions (the clauses state them):

- ROB-LARGE-FINITE checks |z| > 20 up to the largest finite number. Functions must be within
  their ULP tolerance or within 4 tiny max(1, |z|) absolutely (subnormal results may be
  flushed). Derivatives are allowed to lose relative accuracy in the tails, as the textbook
  formulas s (1 - s) and 1 - t^2 of every major library do: a result of 0 where the exact
  value is tiny but nonzero is *acceptable* (flag ``tail-flush-to-zero``), a result of the
  right sign within a factor of 4 of the exact value is *acceptable* (flag ``tail-inaccurate``);
  NaN, infinity, a wrong sign or a value off by more than a factor of 4 fails.
- ROB-INFINITY: the limits at +-inf. swish(-inf) = NaN is acceptable (flag
  ``swish-neg-inf-nan``, PyTorch and JAX compute -inf * 0); a derivative that is NaN at +-inf
  is acceptable (flag ``<member>-inf-nan``, the same product); any other value fails.
- ROB-NAN: NaN in gives NaN out for the functions; a derivative that returns a number for NaN
  is acceptable (flag ``<member>-nan``).
- ROB-SUBNORMAL (added): subnormal inputs give the exact value, or the value at 0 (flag
  ``subnormal-input-as-zero``: denormals-are-zero, as XLA on CPU does).
"""

from __future__ import annotations

import hashlib
import pickle
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .._adapter import AdapterCallError
from .._compare import (
    call,
    exact_values,
    expected_values,
    fail,
    find_hint,
    quiet,
    raised,
    relative_error,
    reproducer,
    ulp_distance,
    worst_index,
)
from .._hypothesis import run_property
from .._model import CheckContext, ClauseViolation, Tolerance
from .._strategies import (
    LAYER_BATCHES,
    LAYER_SIZES,
    float_arrays,
    layer_arrays,
    layer_shapes,
)
from ..contract import DEFAULT_SLOPE, DERIVATIVES, ELEMENTWISE, LIMITS
from ._batch import padded, pool_sweep, pooled_graphs, random_fill, run_batched
from ._common import as_result, call_elementwise
from ._functions import COND_CAP, COND_MULTIPLE, spec, wrong_formulas
from ._graphs import covering_inputs
from ._ops import supported_ops

__all__ = [
    "dtype_check",
    "infinity_check",
    "large_finite_check",
    "nan_check",
    "no_mutation_check",
    "shape_check",
    "subnormal_check",
]


def _present(ctx: CheckContext, names: tuple[str, ...] = ELEMENTWISE) -> list[str]:
    return [name for name in names if ctx.adapter.has(name)]


# --- every member: mutation and dtype -----------------------------------------------------------


#: A member's named arguments, as the robustness tests take them.
_Args = list[tuple[str, Any]]


def _member_arguments(
    ctx: CheckContext,
) -> list[tuple[str, st.SearchStrategy[_Args], list[_Args]]]:
    """For each provided non-elementwise member: a strategy of its named arguments, and the
    fixed arguments it also meets (for the graph members, every structure of the pool,
    `pool_sweep`, the jacobian with respect to inputs that together reach every node)."""
    out: list[tuple[str, st.SearchStrategy[_Args], list[_Args]]] = []
    layer = layer_shapes(sizes=LAYER_SIZES, batch_sizes=LAYER_BATCHES).flatmap(
        lambda shape: layer_arrays(dtype=ctx.dtype, shape=shape)
    )
    if ctx.adapter.has("linear"):
        out.append(("linear", layer.map(lambda a: [(k, a[k]) for k in ("W", "x", "b")]), []))
    if ctx.adapter.has("linear_backward"):
        keys = ("W", "x", "b", "grad_z")
        out.append(("linear_backward", layer.map(lambda a: [(k, a[k]) for k in keys]), []))
    ops = supported_ops(ctx).usable if _present(ctx, ("backprop", "jacobian")) else ()
    if ctx.adapter.has("backprop") and ops:
        scalar = pooled_graphs(ctx, ops=ops)
        swept = [[("graph", e.graph), ("inputs", e.inputs)] for e in pool_sweep(ctx, ops=ops)]
        out.append(
            ("backprop", scalar.map(lambda e: [("graph", e.graph), ("inputs", e.inputs)]), swept)
        )
    if ctx.adapter.has("jacobian") and ops:
        anything = pooled_graphs(ctx, scalar_output=False, ops=ops)
        swept = [
            [("graph", e.graph), ("inputs", e.inputs), ("wrt", wrt)]
            for e in pool_sweep(ctx, ops=ops, scalar_output=False)
            for wrt in covering_inputs(e.graph)
        ]
        out.append(
            (
                "jacobian",
                anything.flatmap(
                    lambda e: st.sampled_from(sorted(e.inputs)).map(
                        lambda wrt: [("graph", e.graph), ("inputs", e.inputs), ("wrt", wrt)]
                    )
                ),
                swept,
            )
        )
    return out


#: 0-d, empty and more than one dimension; non-empty 1-D arrays are every other elementwise
#: clause's (at the batches' length). Few shapes: each is a compile in some libraries.
_SHAPES: tuple[tuple[int, ...], ...] = ((), (3, 0), (2, 1, 3))


def _shape_inputs(ctx: CheckContext) -> list[np.ndarray]:
    """ROB-SHAPE's arrays, one per shape of `_SHAPES`: the same for every member (seeded)."""
    rng = np.random.default_rng(ctx.seed)
    return [np.array(rng.uniform(-3, 3, size=shape).astype(ctx.dtype)) for shape in _SHAPES]


def _special_parts(dtype: str) -> dict[str, np.ndarray]:
    """The fixed inputs of ROB-NAN, ROB-INFINITY and ROB-SUBNORMAL."""
    d = np.dtype(dtype)
    tiny = d.type(np.finfo(d).tiny)
    smallest = np.nextafter(d.type(0), d.type(1))
    return {
        "nan": np.array([np.nan, 0.5, -np.nan, -2.0], dtype=d),
        "inf": np.array([np.inf, -np.inf], dtype=d),
        "subnormal": np.array([smallest, -smallest, tiny / 2, -tiny / 2, tiny / 3], dtype=d),
    }


def _special_inputs(ctx: CheckContext) -> np.ndarray:
    """Every special input in one array of the batches' length."""
    return padded(np.concatenate(list(_special_parts(ctx.dtype).values())), ctx.profile)


def _elementwise_arguments(ctx: CheckContext) -> list[np.ndarray]:
    """The fixed arrays of the elementwise members' robustness calls: ROB-SHAPE's shapes and
    the special inputs (values on both sides of 0 and of +-1 among them, where in-place
    clipping or zeroing shows). ROB-SHAPE, ROB-NAN, ROB-INFINITY, ROB-SUBNORMAL, ROB-DTYPE
    and ROB-NO-MUTATION judge the same calls (`_observed_call`): four calls per member."""
    return [*_shape_inputs(ctx), _special_inputs(ctx)]


def _special_call(ctx: CheckContext, clause_id: str, name: str, part: str) -> np.ndarray:
    """``name`` at the special inputs of ``part``, from the shared call on all of them.

    Failures show ``part``'s inputs alone (an elementwise member gives each element the same
    value at any length); the result's dtype and shape are looked through (`as_result`).
    """
    parts = _special_parts(ctx.dtype)
    z = _special_inputs(ctx)
    small = parts[part]
    observed = _observed_call(ctx, name, [("z", z)])
    if observed.error is not None:
        raise raised(clause_id, observed.error, ctx.adapter.spec, name, [("z", small)], {})
    result = as_result(ctx, clause_id, name, observed.result, z.shape, [("z", small)])
    start = 0
    for key, values in parts.items():
        if key == part:
            break
        start += values.size
    return result[start : start + small.size]


def _per_member(ctx: CheckContext, test: Callable[[str, list[tuple[str, Any]]], None]) -> None:
    # The elementwise members on fixed arrays: a dtype or a mutation does not depend on the
    # values drawn, so no search is needed there.
    for member in _present(ctx):
        with ctx.judging(member):
            for z in _elementwise_arguments(ctx):
                test(member, [("z", z)])
    # One property per other member: a failure shrinks over that member's arguments only, and
    # is collected, so every member is judged. The graph members then meet every structure of
    # the pool (a dtype or a mutation may come from one op only).
    for member, strategy, swept in _member_arguments(ctx):
        with ctx.judging(member):
            run_property(
                ctx,
                strategy,
                lambda args, m=member: test(m, args),
                max_examples=_few(ctx) if not swept else max(3, _few(ctx) // 2),
            )
            for args in swept:
                test(member, args)


def _snapshot(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=True)
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


@dataclass
class _Observation:
    """One call of a member on copies of its arguments: its result (or what it raised) and
    the copies afterwards. ROB-DTYPE reads the result, ROB-NO-MUTATION the copies."""

    adapter: Any  # a weak reference to the LoadedAdapter called
    result: Any
    error: AdapterCallError | None
    after: list[Any]


#: Recent observations by (adapter id, member, dtype, digest of the arguments).
_OBSERVED: OrderedDict[tuple[Any, ...], _Observation] = OrderedDict()
_OBSERVED_SIZE = 1024


def _observed_call(ctx: CheckContext, member: str, args: list[tuple[str, Any]]) -> _Observation:
    """``member`` called on copies of ``args``, once for ROB-DTYPE and ROB-NO-MUTATION both.

    The two clauses judge different properties of the same call on the same arguments (they
    draw the same examples): the second to ask gets the first one's observation instead of a
    call of its own. Keyed by the arguments' bytes, and only for the same adapter object.
    """
    values = [v for _, v in args]
    digest = hashlib.sha1(pickle.dumps(values, protocol=5)).hexdigest()
    key = (id(ctx.adapter), member, ctx.dtype, digest)
    seen = _OBSERVED.get(key)
    if seen is not None and seen.adapter() is ctx.adapter:
        _OBSERVED.move_to_end(key)
        return seen
    work = [_snapshot(v) for v in values]
    try:
        result, error = call(ctx, member, *work), None
    except AdapterCallError as raised:
        result, error = None, raised
    seen = _Observation(weakref.ref(ctx.adapter), result, error, work)
    _OBSERVED[key] = seen
    if len(_OBSERVED) > _OBSERVED_SIZE:
        _OBSERVED.popitem(last=False)
    return seen


def no_mutation_check(clause_id: str) -> Callable[[CheckContext], None]:
    """Every provided member leaves its inputs (arrays, graph dict, inputs dict) unchanged."""

    def check(ctx: CheckContext) -> None:
        def test(member: str, args: list[tuple[str, Any]]) -> None:
            before = [_snapshot(v) for _, v in args]
            observed = _observed_call(ctx, member, args)
            if observed.error is not None:
                return  # a member that raises is failed by its own clauses
            names = [n for n, _ in args]
            for name, original, after in zip(names, before, observed.after, strict=True):
                if not _same(original, after):
                    raise fail(
                        clause_id,
                        f"{member} modified its argument {name!r}",
                        inputs=dict(zip(names, before, strict=True)),
                        expected=original if isinstance(original, np.ndarray) else None,
                        actual=after if isinstance(after, np.ndarray) else None,
                        hint="work on a copy (for example z = z.copy(), or out-of-place "
                        "operations instead of +=, *=, clip(out=...))",
                        member=member,
                        kind="mutation",
                        reproducer=reproducer(
                            ctx.adapter.spec,
                            member,
                            list(zip(names, before, strict=True)),
                            note=f"compare {name} before and after the call",
                        ),
                    )
            ctx.record()

        _per_member(ctx, test)

    return check


def _few(ctx: CheckContext) -> int:
    # A dtype or a mutation shows on nearly every example: a tenth of the profile's is plenty.
    return max(3, ctx.profile.max_examples // 10)


def _dtypes_of(result: Any) -> list[tuple[str, np.dtype[Any]]]:
    if isinstance(result, np.ndarray):
        return [("result", result.dtype)]
    if isinstance(result, dict):
        # A None gradient is not a dtype defect (it is the shape clauses'): not listed here.
        return [
            (f"gradients[{k!r}]", v.dtype)
            for k, v in result.items()
            if not (v.dtype == object and v.ndim == 0 and v.item() is None)
        ]
    out: list[tuple[str, np.dtype[Any]]] = []
    for i, item in enumerate(result):
        for label, dtype in _dtypes_of(item):
            out.append((f"result[{i}]" if label == "result" else label, dtype))
    return out


def dtype_check(clause_id: str) -> Callable[[CheckContext], None]:
    """Every result of every provided member has the dtype of the inputs."""

    def check(ctx: CheckContext) -> None:
        def test(member: str, args: list[tuple[str, Any]]) -> None:
            observed = _observed_call(ctx, member, args)
            if observed.error is not None:
                return
            result = observed.result
            wrong = [(label, dtype) for label, dtype in _dtypes_of(result) if dtype != ctx.dtype]
            if wrong:
                label, dtype = wrong[0]
                raise fail(
                    clause_id,
                    f"{member} returns dtype {dtype} for {ctx.dtype} input"
                    + ("" if label == "result" else f" ({', '.join(w[0] for w in wrong)})"),
                    inputs=dict(args),
                    expected=ctx.dtype,
                    actual=str(dtype),
                    hint="results keep the dtype of their inputs: convert back (for "
                    "example .astype(z.dtype)), and create constants in the input's dtype",
                    reproducer=reproducer(ctx.adapter.spec, member, args, show="dtype"),
                    member=member,
                    kind="dtype",
                )
            ctx.record()

        _per_member(ctx, test)

    return check


# --- elementwise: shapes, NaN, infinities, tails, subnormals -------------------------------------


def shape_check(clause_id: str) -> Callable[[CheckContext], None]:
    """Elementwise results have the input's shape: 0-d, empty and 3-D included."""

    def check(ctx: CheckContext) -> None:
        for name in _present(ctx):
            with ctx.judging(name):
                for z in _shape_inputs(ctx):
                    args = [("z", z)]
                    observed = _observed_call(ctx, name, args)
                    if observed.error is not None:
                        raise raised(clause_id, observed.error, ctx.adapter.spec, name, args, {})
                    as_result(ctx, clause_id, name, observed.result, z.shape, args, owns_shape=True)
                    ctx.record()

    return check


def nan_check(clause_id: str) -> Callable[[CheckContext], None]:
    """NaN in, NaN out (functions); derivatives that return a number are flagged."""

    def check(ctx: CheckContext) -> None:
        z = _special_parts(ctx.dtype)["nan"]
        nan = np.isnan(z)
        for name in _present(ctx):
            with ctx.judging(name):
                _judge_nan(ctx, clause_id, name, z, nan)

    return check


def _judge_nan(ctx: CheckContext, clause_id: str, name: str, z: np.ndarray, nan: Any) -> None:
    actual = _special_call(ctx, clause_id, name, "nan")
    if np.isnan(actual[nan]).all():
        ctx.record()
        return
    index = (int(np.flatnonzero(nan & ~np.isnan(actual))[0]),)
    if name in DERIVATIVES:
        ctx.flag(f"{name}-nan", f"{name}(nan) = {float(actual[index])!r}, not NaN")
        ctx.record()
        return
    raise fail(
        clause_id,
        f"{name}(nan) = {float(actual[index])!r}; NaN in must give NaN out",
        inputs={"z": z},
        index=index,
        input_value=float("nan"),
        expected=float("nan"),
        actual=float(actual[index]),
        hint="comparisons with NaN are False: a branch like where(z > 0, z, 0) "
        "turns NaN into 0; propagate it (np.maximum, or where(isnan(z), z, ...))",
        reproducer=reproducer(ctx.adapter.spec, name, [("z", z)]),
        member=name,
        kind="nan",
        tolerance="exact: NaN",
    )


def infinity_check(clause_id: str) -> Callable[[CheckContext], None]:
    """The limits at +-inf, with the accepted NaNs flagged."""

    def check(ctx: CheckContext) -> None:
        z = _special_parts(ctx.dtype)["inf"]
        for name in _present(ctx):
            with ctx.judging(name):
                _judge_limits(ctx, clause_id, name, z)

    return check


def _judge_limits(ctx: CheckContext, clause_id: str, name: str, z: np.ndarray) -> None:
    actual = _special_call(ctx, clause_id, name, "inf")
    expected = np.array(LIMITS[name], dtype=ctx.dtype)
    for i in range(2):
        a, e = float(actual[i]), float(expected[i])
        if a == e:
            continue
        where = f"{name}({float(z[i])!r})"
        if np.isnan(a) and (name in DERIVATIVES or (name == "swish" and i == 1)):
            flag = "swish-neg-inf-nan" if name == "swish" else f"{name}-inf-nan"
            ctx.flag(flag, f"{where} = nan (the limit is {e!r}; -inf * 0 is NaN)")
            continue
        hint = (
            "evaluate a form that stays finite (for example sigmoid via exp(-|z|)), or "
            "return the limit for infinite inputs"
            if np.isnan(a)
            else "return the function's limit for infinite inputs"
        )
        # A known wrong formula that gives this limit is the values' defect, seen at infinity.
        formula = find_hint(
            actual, expected, candidates=wrong_formulas(name, z, DEFAULT_SLOPE), dtype=ctx.dtype
        )
        kind = "limit"
        if formula and formula.startswith("matches "):
            hint, kind = formula, "value"
        raise fail(
            clause_id,
            f"{where} = {a!r}; the limit is {e!r}",
            inputs={"z": z},
            index=(i,),
            input_value=float(z[i]),
            expected=e,
            actual=a,
            hint=hint,
            reproducer=reproducer(ctx.adapter.spec, name, [("z", z)], expected=expected),
            member=name,
            kind=kind,
            tolerance="exact: the limit",
        )
    ctx.record()


#: ROB-LARGE-FINITE: an absolute allowance of TAIL_TINY tiny max(1, |z|), and the factor
#: within which a derivative's saturated tail is acceptable.
TAIL_TINY = 4.0
TAIL_FACTOR = 4.0
LARGE_FINITE_TOLERANCE = Tolerance(
    rf"|a - f(z)| \le \bigl(u + {COND_MULTIPLE:g} \min(\operatorname{{cond}}(f, z), "
    rf"{COND_CAP:g})\bigr)\,\mathrm{{ulp}}"
    rf" \;\text{{or}}\; |a - f(z)| \le {TAIL_TINY:g}\,\mathrm{{tiny}}\,\max(1, |z|)",
    "u the value clause's ULP tolerance; a derivative that is 0, or within a factor of "
    f"{TAIL_FACTOR:g} of f'(z) with the right sign, is acceptable (flagged)",
)
SUBNORMAL_TOLERANCE = Tolerance(
    r"|a - f(z)| \le \max(u, 1)\,\mathrm{ulp} \;\text{or}\; |a - f(z)| \le \mathrm{tiny}"
    r" \;\text{or}\; a \approx f(0)",
    "u the value clause's ULP tolerance; f(0) within the same tolerance (denormals read "
    "as zero, flagged)",
)


#: Fixed large inputs: where float32 and float64 saturate, exp overflows, and the top.
def _large_edges(dtype: str) -> np.ndarray:
    finfo = np.finfo(dtype)
    values = [25.0, 30.0, 36.0, 40.0, 50.0, 88.0, 89.0, 100.0, 700.0, 710.0, 746.0, 1e4, 1e30]
    values += [float(finfo.max) / 2, float(finfo.max)]
    values = [v for v in values if v <= finfo.max]
    return np.array(values + [-v for v in values], dtype=dtype)


def _judge_tail(
    ctx: CheckContext, clause_id: str, name: str, z: np.ndarray, actual: np.ndarray
) -> None:
    entry = spec(name)
    expected = expected_values(name, z)
    exact = exact_values(name, z)
    if exact is not None:
        expected = exact
    with quiet():
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        ulps = ulp_distance(actual, expected)
        abs_err = np.where(a == e, 0.0, np.abs(a - e))
        abs_err = np.where(np.isnan(abs_err), np.inf, abs_err)
        tiny = float(np.finfo(ctx.dtype).tiny)
        ok = ulps <= entry.allowed_ulps(z, ctx.dtype)
        ok |= abs_err <= TAIL_TINY * tiny * np.maximum(1.0, np.abs(z.astype(np.float64)))
        ratio = np.where(e != 0, a / e, np.inf)
    derivative = name in DERIVATIVES
    flushed = ~ok & (a == 0) & (e != 0) & derivative
    inaccurate = ~ok & ~flushed & (ratio >= 1 / TAIL_FACTOR) & (ratio <= TAIL_FACTOR) & derivative
    bad = ~ok & ~flushed & ~inaccurate
    for mask, flag in ((flushed, "tail-flush-to-zero"), (inaccurate, "tail-inaccurate")):
        if mask.any():
            i = worst_index(np.where(mask, ulps, -1.0))
            ctx.flag(
                flag,
                f"{name}({float(z[i])!r}) = {float(a[i])!r}, exact {float(e[i])!r} "
                f"({float(ulps[i]):.3g} ULP)",
            )
    if not bad.any():
        kept = ulps[ok]
        ctx.record(ulp_error=float(kept.max()) if kept.size else None)
        return
    i = worst_index(np.where(bad, np.where(np.isfinite(ulps), ulps, np.inf), -1.0))
    what = "NaN" if np.isnan(a[i]) else "infinite" if np.isinf(a[i]) else None
    if what is None and e[i] != 0 and np.sign(a[i]) == -np.sign(e[i]):
        what = "of the wrong sign"
    summary = f"{name}(z) is {what}" if what else f"{name}(z) is far from the exact value"
    # The overflow hint only where exp(|z|) does overflow in the dtype and the result shows it.
    overflow = float(np.log(np.finfo(ctx.dtype).max))
    hint = None
    if abs(float(z[i])) > overflow and (np.isnan(a[i]) or np.isinf(a[i]) or what):
        hint = (
            f"exp(|z|) overflows for |z| > {overflow:.4g} in {ctx.dtype}: evaluate a form that "
            "only exponentiates -|z|, e.g. sigmoid(z) = where(z >= 0, 1 / (1 + exp(-z)), "
            "exp(z) / (1 + exp(z)))"
        )
    allowed = float(entry.allowed_ulps(z[i], ctx.dtype))
    raise fail(
        clause_id,
        f"{summary} at a large finite input",
        inputs={"z": z},
        index=i,
        input_value=z[i],
        expected=e[i],
        actual=a[i],
        abs_error=abs_err[i],
        rel_error=float(relative_error(a[i], e[i])),
        ulp_error=ulps[i],
        hint=hint,
        reproducer=reproducer(
            ctx.adapter.spec, name, [("z", z[i].reshape(1))], expected=expected[i].reshape(1)
        ),
        member=name,
        tolerance=f"{allowed:.3g} ULP at this input, or 4 tiny max(1, |z|) absolute"
        + ("; a derivative may also be 0 or within a factor of 4" if derivative else ""),
    )


def large_finite_check(clause_id: str) -> Callable[[CheckContext], None]:
    """Huge finite inputs: right values, and no NaN, overflow or wrong sign in the tails."""

    def check(ctx: CheckContext) -> None:
        edges = padded(_large_edges(ctx.dtype), ctx.profile)
        names = []
        for name in _present(ctx):
            before = len(ctx.failures)
            with ctx.judging(name):
                _judge_tail(
                    ctx, clause_id, name, edges, call_elementwise(ctx, clause_id, name, edges)
                )
            if len(ctx.failures) == before:
                names.append(name)
        arrays = float_arrays(
            dtype=ctx.dtype, max_size=ctx.profile.max_array_size, magnitude="large", bound=20.0
        )

        def test(z: np.ndarray, name: str) -> None:
            _judge_tail(ctx, clause_id, name, z, call_elementwise(ctx, clause_id, name, z))

        # One property over the members still unjudged bad; a member it fails is collected
        # and left out of the next round, so one bad member never hides another.
        while names:
            before = len(ctx.failures)
            bad = ""
            try:
                run_batched(
                    ctx, arrays, st.sampled_from(names), test, test, fill=random_fill("large", 20.0)
                )
            except ClauseViolation as violation:
                bad = violation.failure.member or ""
                ctx.failures.append(violation.failure)
            if len(ctx.failures) == before or bad not in names:
                break
            names.remove(bad)

    return check


def subnormal_check(clause_id: str) -> Callable[[CheckContext], None]:
    """Subnormal inputs: the exact value, or the value at 0 (denormals read as zero)."""

    def check(ctx: CheckContext) -> None:
        z = _special_parts(ctx.dtype)["subnormal"]
        for name in _present(ctx):
            with ctx.judging(name):
                _judge_subnormal(ctx, clause_id, name, z)

    return check


def _judge_subnormal(ctx: CheckContext, clause_id: str, name: str, z: np.ndarray) -> None:
    d = z.dtype
    actual = _special_call(ctx, clause_id, name, "subnormal")
    expected = exact_values(name, z)
    if expected is None:
        expected = expected_values(name, z)
    at_zero = exact_values(name, np.copysign(np.zeros_like(z), z))
    if at_zero is None:
        at_zero = expected_values(name, np.copysign(np.zeros_like(z), z))
    allowed = max(spec(name).ulps(ctx.dtype), 1)
    if name in ("relu_derivative", "leaky_relu_derivative"):
        # At 0 any value between the one-sided derivatives is valid.
        lo = 0.0 if name == "relu_derivative" else 0.01
        as_zero = (actual >= d.type(lo)) & (actual <= 1)
    else:
        as_zero = ulp_distance(actual, at_zero) <= allowed
    close = ulp_distance(actual, expected) <= allowed
    close |= np.abs(actual.astype(np.float64) - expected.astype(np.float64)) <= float(
        np.finfo(d).tiny
    )
    if (~close & as_zero).any():
        i = int(np.flatnonzero(~close & as_zero)[0])
        ctx.flag(
            "subnormal-input-as-zero",
            f"{name}({float(z[i])!r}) = {float(actual[i])!r}, its value at 0",
        )
    bad = ~close & ~as_zero
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise fail(
            clause_id,
            f"{name}(z) at a subnormal z is neither its exact value nor its value at 0",
            inputs={"z": z},
            index=(i,),
            input_value=float(z[i]),
            expected=float(expected[i]),
            actual=float(actual[i]),
            ulp_error=float(ulp_distance(actual[i], expected[i])),
            reproducer=reproducer(ctx.adapter.spec, name, [("z", z)], expected=expected),
            member=name,
            tolerance=f"{allowed:g} ULP or one tiny of the exact value, or the value at 0",
        )
    ctx.record()


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import EXACT, Clause  # noqa: E402
from .._wording import CONTRACT_NOTES  # noqa: E402

#: Each robustness clause's (id, title, statement, LaTeX, tolerance, check factory).
_ROBUSTNESS_WORDS = (
    (
        "ROB-NO-MUTATION",
        "inputs are not modified",
        "No member modifies its inputs: arrays, the graph dict and the inputs dict are "
        "unchanged after every call.",
        r"x_{\text{after}} = x_{\text{before}} \text{ (bitwise)}",
        EXACT,
        no_mutation_check,
    ),
    (
        "ROB-DTYPE",
        "results keep the input dtype",
        "Every result of every member has the dtype of the inputs (float32 in, float32 out).",
        r"\operatorname{dtype}(f(x)) = \operatorname{dtype}(x)",
        EXACT,
        dtype_check,
    ),
    (
        "ROB-SHAPE",
        "elementwise results keep the shape",
        "Each elementwise member returns an array of its input's shape, for 0-d, empty "
        "(0,) and (3, 0), 1-D, 2-D and 3-D inputs.",
        r"\operatorname{shape}(f(z)) = \operatorname{shape}(z)",
        EXACT,
        shape_check,
    ),
    (
        "ROB-NAN",
        "NaN in, NaN out",
        "Every activation returns NaN where its input is NaN. A derivative that returns a "
        "number there is acceptable (flag <member>-nan).",
        r"f(\mathrm{NaN}) = \mathrm{NaN}",
        EXACT,
        nan_check,
    ),
    (
        "ROB-LARGE-FINITE",
        "huge finite inputs",
        "For |z| > 20 up to the largest finite number, every elementwise member returns the "
        "exact value within its value tolerance or 4 tiny max(1, |z|) absolutely; a derivative "
        "that flushes to 0 or loses relative accuracy in the saturated tails (within a factor "
        "of 4, right sign) is acceptable (flags tail-flush-to-zero, tail-inaccurate). NaN, "
        "infinity, a wrong sign or a larger error fails.",
        r"\lim_{z \to \pm\infty} \sigma(z) \in \{0, 1\},\quad "
        r"\sigma'(z) = \sigma(z)\sigma(-z) > 0",
        LARGE_FINITE_TOLERANCE,
        large_finite_check,
    ),
    (
        "ROB-INFINITY",
        "limits at infinity",
        "At +-inf every elementwise member returns its limit (sigmoid 1 and 0, tanh +-1, "
        "relu inf and 0, leaky_relu +-inf, swish inf and 0, derivatives their limits). "
        "swish(-inf) = NaN is acceptable (flag swish-neg-inf-nan), and so is a NaN derivative "
        "at +-inf (flag <member>-inf-nan): PyTorch and JAX compute -inf * 0 there.",
        r"\lim_{z\to-\infty} z\,\sigma(z) = 0",
        EXACT,
        infinity_check,
    ),
    (
        "ROB-SUBNORMAL",
        "subnormal inputs",
        "At subnormal inputs every elementwise member returns its exact value, or its value at "
        "0 (denormals read as zero, as XLA on CPU does: acceptable, flag "
        "subnormal-input-as-zero).",
        r"f(z) \in \{f(z), f(0)\} \text{ for } 0 < |z| < 2^{e_{\min}}",
        SUBNORMAL_TOLERANCE,
        subnormal_check,
    ),
)

#: The family's clauses, in report order.
CLAUSES: tuple[Clause, ...] = tuple(
    Clause(
        id=clause_id,
        title=title,
        family="robustness",
        section="robustness",
        statement=statement,
        latex=latex,
        notes=CONTRACT_NOTES,
        members=(),
        tolerance=tolerance,
        check=factory(clause_id),
    )
    for clause_id, title, statement, latex, tolerance, factory in _ROBUSTNESS_WORDS
)
