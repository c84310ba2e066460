"""Running a property with Hypothesis under the suite's profile and seed.

Checks never build ``@given`` tests by hand: they call `run_property`, so every
property in the suite is seeded, writes no example database into the user's folder, has no
deadline (adapters of real libraries are slow on their first call), and shrinks a failure
within the profile's bounds (`gradspec.conformance._model.Profile.max_shrinks` and
``shrink_seconds``): a wrong implementation must not cost minutes of shrinking.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from ._model import CheckContext, Profile

T = TypeVar("T")

__all__ = ["data_check", "run_property"]


def run_property(
    ctx: CheckContext,
    strategy: st.SearchStrategy[T],
    test: Callable[[T], Any],
    *,
    max_examples: int | None = None,
) -> None:
    """Run ``test`` on examples drawn from ``strategy``; re-raise the shrunk failure.

    Parameters
    ----------
    ctx : CheckContext
        Supplies the profile (number of examples) and the seed.
    strategy : SearchStrategy
        Draws one example (use ``st.tuples`` or ``st.fixed_dictionaries`` for several).
    test : callable
        Raises `gradspec.conformance._model.ClauseViolation` on a bad example.
    max_examples : int, optional
        Overrides the profile, for checks whose examples are expensive.
    """
    examples = max_examples if max_examples is not None else ctx.profile.max_examples

    @seed(ctx.seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        print_blob=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def _property(example: T) -> None:
        test(example)

    with _bounded_shrinking(ctx.profile):
        _property()


@contextlib.contextmanager
def _bounded_shrinking(profile: Profile) -> Iterator[None]:
    """Hypothesis's shrink limits set to the profile's for the duration.

    Hypothesis documents these two engine constants as the ones to change; when a release
    lacks them, shrinking keeps its own limits. Its note when the time bound stops shrinking
    (a warning meant for slow shrinkers, not a problem here) is not printed.
    """
    try:
        from hypothesis.internal.conjecture import engine
    except ImportError:  # pragma: no cover - a Hypothesis laid out differently
        yield
        return
    names = ("MAX_SHRINKS", "MAX_SHRINKING_SECONDS")
    if not all(hasattr(engine, name) for name in names):
        yield
        return
    saved = [getattr(engine, name) for name in names]
    engine.MAX_SHRINKS = profile.max_shrinks
    engine.MAX_SHRINKING_SECONDS = profile.shrink_seconds
    try:
        with with_reporter(lambda text: None):
            yield
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(engine, name, value)


def data_check(
    test: Callable[[CheckContext, st.DataObject], Any],
    *,
    examples: Callable[[CheckContext], int] | None = None,
) -> Callable[[CheckContext], None]:
    """A clause check that runs ``test(ctx, data)`` as a property drawing interactively.

    For checks whose later draws depend on earlier ones (shapes, then arrays of those
    shapes), so they take Hypothesis's ``data`` object instead of one fixed strategy.
    ``examples(ctx)`` overrides the profile's number of examples.
    """

    def check(ctx: CheckContext) -> None:
        count = examples(ctx) if examples is not None else None
        run_property(ctx, st.data(), lambda data: test(ctx, data), max_examples=count)

    # Named after the factory that built ``test``, so the docs' "checked by" line points at
    # the clause's own check rather than at this helper.
    check.__module__ = test.__module__
    check.__qualname__ = f"{test.__qualname__.rpartition('.')[0] or test.__qualname__}.check"
    return check
