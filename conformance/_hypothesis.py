"""Running a property with Hypothesis under the suite's profile and seed.

Checks never build ``@given`` tests by hand: they call `run_property`, so every
property in the suite is seeded, writes no example database into the user's folder, and
has no deadline (adapters of real libraries are slow on their first call).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from ._model import CheckContext

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

    _property()


def data_check(
    test: Callable[[CheckContext, st.DataObject], Any],
) -> Callable[[CheckContext], None]:
    """A clause check that runs ``test(ctx, data)`` as a property drawing interactively.

    For checks whose later draws depend on earlier ones (shapes, then arrays of those
    shapes), so they take Hypothesis's ``data`` object instead of one fixed strategy.
    """

    def check(ctx: CheckContext) -> None:
        run_property(ctx, st.data(), lambda data: test(ctx, data))

    # Named after the factory that built ``test``, so the docs' "checked by" line points at
    # the clause's own check rather than at this helper.
    check.__module__ = test.__module__
    check.__qualname__ = f"{test.__qualname__.rpartition('.')[0] or test.__qualname__}.check"
    return check
