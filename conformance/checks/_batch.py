"""Few adapter calls of few shapes: batched elementwise examples, a graph pool, fewer examples.

A library that dispatches, traces or compiles per call pays for every call and for every new
shape, so the elementwise clauses do not call a member once per example. Each property example
is a *batch* (`run_batched`): up to :data:`BATCH` drawn arrays and random inputs of the
clause's range (`random_fill`, seeded by the example), concatenated into one 1-D array of the
profile's one length (`bucket`), so a member sees one shape per dtype in these clauses (the
clause's fixed grid is one call of that length too, before the search). The result is split
and judged per element, exactly as a single example's.

When a batch fails, each drawn array is examined again on its own (its own shape, its own
call: the check's single-example path), then the batch's worst input alone; the first that
fails is the failure. Hypothesis then shrinks the batch to that one array and the array to a
small one, so the counterexample and its reproducer are one small input, as without batching.
A batch that fails while all of these pass (a member whose values depend on the length of its
input) is reported as the batch.

Layer and graph clauses draw fewer examples (`structured_examples`) from few shapes: graph
structures come from a fixed pool per profile (`pooled_graphs`), so a library that compiles
per graph compiles each a few times.

Calling and judging stay apart: the checks call the adapter and judge the results with their
own functions; this module only decides how examples are grouped into calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from hypothesis import strategies as st

from gradspec.reference._numdiff import Difference, central_difference

from .._hypothesis import run_property
from .._model import CheckContext, ClauseViolation, Profile
from .._strategies import GraphExample, graphs, pool_examples
from ._common import call_elementwise
from ._graphs import near_kink

__all__ = [
    "BATCH",
    "batch_examples",
    "bucket",
    "call_padded",
    "concatenated",
    "examples_calling",
    "graph_pool",
    "padded",
    "pool_sweep",
    "pooled_graphs",
    "random_fill",
    "record_batch",
    "run_batched",
    "stencil_difference",
    "structured_examples",
    "swept_examples",
]

T = TypeVar("T")

#: Drawn arrays per batch (per property example) at most.
BATCH = 4
#: The length of a batched call, in the profile's largest arrays: the drawn arrays and as
#: many random inputs again (`random_fill`).
BUCKET_ARRAYS = 2 * BATCH


def bucket(profile: Profile) -> int:
    """The length of every batched call in ``profile``."""
    return BUCKET_ARRAYS * profile.max_array_size


def batch_examples(profile: Profile) -> int:
    """Property examples (batches) per elementwise clause and dtype: a twelfth of the
    profile's examples, at least 3; each judges its drawn arrays and a bucket's worth of
    random inputs (8 of the profile's largest arrays)."""
    return max(3, profile.max_examples // 12)


def structured_examples(ctx: CheckContext) -> int:
    """Examples of a layer or graph clause (each one or more calls of its own shape).

    A sixth of the profile's examples, at least 5: the layer and graph defects the suite
    knows (a transposed gradient, a lost fan-out, a wrong order) show on nearly every example.
    """
    return max(5, ctx.profile.max_examples // 6)


def examples_calling(calls: int) -> Callable[[CheckContext], int]:
    """`structured_examples` for a check making ``calls`` adapter calls per example (a graph
    and its reordering: 2; four fan-out graphs: 4): as many calls as a one-call clause makes,
    at least 3 examples."""

    def examples(ctx: CheckContext) -> int:
        return max(3, structured_examples(ctx) // calls)

    return examples


def graph_pool(profile: Profile) -> int:
    """Graph structures per dtype and kind of graph (scalar output or any) in ``profile``
    (6 quick, 6 default, 12 thorough); every op is in three of them (see `graphs`)."""
    return max(6, profile.max_graph_nodes - 4)


def pooled_graphs(ctx: CheckContext, **options: Any) -> st.SearchStrategy[GraphExample]:
    """`graphs` of the profile's size in the dtype under test, their structures from the
    profile's pool (`graph_pool`): every graph clause draws from the same few structures, so
    a library that compiles per graph compiles each once per dtype.

    The nodes are listed in the order they were made unless ``shuffle=True`` is asked for:
    the order of the nodes is BP-ORDER's, which lists them in other orders itself.
    """
    options.setdefault("shuffle", False)
    return graphs(
        dtype=ctx.dtype,
        max_nodes=ctx.profile.max_graph_nodes,
        pool=graph_pool(ctx.profile),
        **options,
    )


def pool_sweep(ctx: CheckContext, **options: Any) -> list[GraphExample]:
    """Every structure of `pooled_graphs`'s pool (same options), once, with seeded values
    of both signs on both sides of 1 and off every kink (`pool_examples`).

    A graph clause runs these beside its search: the search draws a structure at random, so
    in a run of few examples an op (a leaky_relu with a slope, say) may meet no example; the
    sweep makes every op of the pool meet every graph clause that sweeps, in every run.
    """
    options.pop("shuffle", None)
    return pool_examples(
        dtype=ctx.dtype,
        max_nodes=ctx.profile.max_graph_nodes,
        pool=graph_pool(ctx.profile),
        seed=ctx.seed,
        avoid=lambda example: near_kink(example.graph, example.inputs, np.float32),
        **options,
    )


def swept_examples(ctx: CheckContext) -> int:
    """Search examples of a graph clause that also runs `pool_sweep`: the sweep's
    structures count towards `structured_examples`, at least 3 drawn ones remain."""
    return max(3, structured_examples(ctx) - graph_pool(ctx.profile))


def padded(values: np.ndarray, profile: Profile, *, length: int | None = None) -> np.ndarray:
    """``values`` (1-D) repeated cyclically up to the next multiple of the profile's bucket
    (or of ``length``).

    The padding repeats the batch's own inputs, so every element of the call is a valid
    example of the clause's input range (judged like the others); an empty batch becomes one
    bucket of 0.5 (inside every member's domain, away from every kink).
    """
    size = length or bucket(profile)
    n = values.size
    length = size * max(1, -(-n // size))
    if n == 0:
        return np.full(length, 0.5, dtype=values.dtype)
    return np.ascontiguousarray(np.resize(values, length))


def concatenated(arrays: Sequence[np.ndarray], dtype: Any) -> np.ndarray:
    """Every element of ``arrays`` in one 1-D array of ``dtype`` (C order)."""
    if not arrays:
        return np.zeros(0, dtype=dtype)
    return np.ascontiguousarray(np.concatenate([np.asarray(a).reshape(-1) for a in arrays]))


def call_padded(
    ctx: CheckContext, clause_id: str, member: str, z: np.ndarray, slope: float | None = None
) -> np.ndarray:
    """``member`` at the fixed inputs ``z`` (1-D), called at the batches' length.

    For the small fixed grids (NaNs, infinities, kinks): the call has the length every other
    call of the member has, the result of ``z`` itself is returned, and reproducers show ``z``
    alone (an elementwise member gives each element the same value at any length).
    """
    return call_elementwise(ctx, clause_id, member, padded(z, ctx.profile), slope)[: z.size]


def record_batch(ctx: CheckContext, count: int) -> None:
    """Count a judged batch as ``count`` examples (the judge recorded one, with the errors)."""
    ctx.examples += max(0, count - 1)


def random_fill(magnitude: str, bound: float) -> Callable[[np.random.Generator, int, Any], Any]:
    """Random inputs of the range `float_arrays` draws (``magnitude`` and ``bound`` as there),
    for the part of a batch's call its drawn arrays leave empty.

    ``moderate``: uniform in [-bound, bound]; ``large``: magnitudes above ``bound`` up to the
    largest finite number, uniform in the exponent; ``all``: half of each.
    """

    def fill(rng: np.random.Generator, n: int, dtype: Any) -> np.ndarray:
        finfo = np.finfo(dtype)
        moderate = rng.uniform(-bound, bound, size=n)
        exponent = rng.uniform(np.log2(bound), float(finfo.maxexp), size=n)
        with np.errstate(over="ignore"):
            large = np.minimum(np.exp2(exponent), float(finfo.max))
        large *= rng.choice([-1.0, 1.0], size=n)
        if magnitude == "moderate":
            values = moderate
        elif magnitude == "large":
            values = large
        else:
            values = np.where(rng.random(n) < 0.5, moderate, large)
        out = values.astype(dtype)
        # Rounding to the dtype can land a large value on the bound (or below it).
        if magnitude == "large":
            out = np.where(np.abs(out) > bound, out, np.copysign(finfo.max, out)).astype(dtype)
        return out

    return fill


def run_batched(
    ctx: CheckContext,
    arrays: st.SearchStrategy[np.ndarray],
    options: st.SearchStrategy[T],
    judge_batch: Callable[[np.ndarray, T], None],
    judge_one: Callable[[np.ndarray, T], None],
    *,
    fill: Callable[[np.random.Generator, int, Any], np.ndarray] | None = None,
    share: int = 1,
) -> None:
    """Run a batched elementwise property; re-raise the failure of one array.

    Parameters
    ----------
    ctx : CheckContext
    arrays : SearchStrategy of ndarray
        One example's input (any shape); a batch is a list of 1 to :data:`BATCH` of them.
    options : SearchStrategy
        What the batch shares (a slope, a member name): one draw per batch.
    judge_batch : callable
        ``judge_batch(z, option)`` with ``z`` the batch's inputs concatenated and
        :func:`padded`: calls the adapter once per member and judges every element; raises
        `ClauseViolation` on a bad element.
    judge_one : callable
        ``judge_one(z, option)``: the single-example check, on one drawn array in its own
        shape; used only to re-examine a failing batch.
    fill : callable, optional
        ``fill(rng, n, dtype)``: ``n`` random inputs (`random_fill`) for the rest of the
        call after the drawn arrays, from a seed the example draws; without it the drawn
        values are repeated (`padded`).
    share : int
        The batch is ``1 / share`` of the bucket: for checks that call one member on
        ``share`` arrays of the batch's size at once (z and -z: 2; a difference's four
        points: 4), so that call too has the bucket's length.

    Notes
    -----
    A failing batch is re-examined in this order: each drawn array alone, then the worst
    input of the batch alone (a 1-element array: how a failure in the random fill becomes a
    one-input counterexample); only when all of these pass is the batch's own failure raised.
    """

    def test(example: tuple[list[np.ndarray], T, int]) -> None:
        zs, option, seed = example
        drawn = concatenated(zs, ctx.dtype)
        size = bucket(ctx.profile) // share
        if fill is None:
            z = padded(drawn, ctx.profile, length=size)
        else:
            length = size * max(1, -(-drawn.size // size))
            rest = fill(np.random.default_rng(seed), length - drawn.size, ctx.dtype)
            z = np.ascontiguousarray(np.concatenate([drawn, rest]).astype(ctx.dtype))
        before = ctx.examples
        try:
            judge_batch(z, option)
        except ClauseViolation as violation:
            # The re-examination only finds the failure: what it judges correct is not
            # counted (the clause fails, and its worst passing error must not read 0).
            counted = (ctx.examples, ctx.worst_ulp, ctx.worst_abs, ctx.worst_rel, ctx.worst_tol)
            try:
                for one in zs:
                    judge_one(one, option)
                worst = violation.failure.input_value
                if worst is not None and np.size(worst) == 1:
                    judge_one(np.array([worst], dtype=ctx.dtype).reshape(1), option)
            finally:
                (ctx.examples, ctx.worst_ulp, ctx.worst_abs, ctx.worst_rel, ctx.worst_tol) = counted
            raise
        if ctx.examples > before:
            # The random inputs count as the arrays of the profile's largest size they fill.
            extra = z.size - drawn.size if fill is not None else 0
            record_batch(ctx, len(zs) + -(-extra // ctx.profile.max_array_size))

    seeds = st.integers(0, 2**32 - 1)
    strategy = st.tuples(st.lists(arrays, min_size=1, max_size=BATCH), options, seeds)
    run_property(ctx, strategy, test, max_examples=batch_examples(ctx.profile))


def stencil_difference(f: Callable[[np.ndarray], np.ndarray], z: np.ndarray) -> Difference:
    """The reference's extrapolated central difference of an elementwise ``f`` at ``z``,
    with ``f`` called once on every point of the stencil at once.

    `central_difference` evaluates f at four arrays of points (z +- h, z +- h/2) that depend
    on z alone: they are collected by a first pass, evaluated by one call of ``f`` on their
    concatenation, and handed back in the same order by a second pass.
    """
    points: list[np.ndarray] = []

    def collect(p: np.ndarray) -> np.ndarray:
        points.append(np.array(p, copy=True))
        return np.zeros_like(p)

    central_difference(collect, z, extrapolate=True)
    values = f(concatenated(points, z.dtype))
    parts = iter(np.split(values.reshape(-1), np.cumsum([p.size for p in points])[:-1]))

    def replay(p: np.ndarray) -> np.ndarray:
        expected = points[len(seen)]
        seen.append(p)
        if p.shape != expected.shape or not np.array_equal(p, expected, equal_nan=True):
            raise RuntimeError("the difference asked for points it did not ask for before")
        return next(parts).reshape(p.shape)

    seen: list[np.ndarray] = []
    return central_difference(replay, z, extrapolate=True)
