"""Family ``values``: each elementwise member against the exact value, in ULPs.

Inputs: the fixed edge inputs (0, +-0.25, +-0.5, +-1, +-2, ..., +-20, the neighbours of the
kinks, swish's stationary point), then random arrays (0-d, empty, 1-D, 2-D) with values in the
moderate range |z| <= 20, many per adapter call (see ``_batch``). The saturated tails and the
overflow range are the robustness family's (ROB-LARGE-FINITE), where widely used libraries
legitimately lose relative accuracy.
Derivatives are not checked exactly at their kinks (the kinks family is).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st

from .._model import CheckContext
from .._strategies import float_arrays
from ._batch import padded, random_fill, run_batched
from ._common import call_elementwise, judge_elementwise
from ._functions import edge_inputs, spec

__all__ = ["MODERATE", "SLOPES", "value_check"]

#: The edge of the moderate range checked in ULPs.
MODERATE = 20.0
#: Slopes tried for leaky_relu: None is the contract's default (no keyword passed).
SLOPES: tuple[float | None, ...] = (None, 0.0, 0.01, 0.1, 0.2, 0.5, 1.0, 3.0)


def value_check(name: str, clause_id: str) -> Callable[[CheckContext], None]:
    """The check of clause ``clause_id``: member ``name`` against the exact values."""
    entry = spec(name)

    def check(ctx: CheckContext) -> None:
        def test(z: np.ndarray, slope: float | None) -> None:
            actual = call_elementwise(ctx, clause_id, name, z, slope)
            judge_elementwise(ctx, clause_id, name, z, actual, slope)

        slopes = SLOPES if entry.sloped else (None,)
        grid = edge_inputs(ctx.dtype, exclude=entry.kinks)
        # The fixed grid first, in a call of its own per slope: a defect it shows fails
        # before any search, the same way every run.
        for slope in slopes:
            test(padded(grid, ctx.profile), slope)

        arrays = float_arrays(
            dtype=ctx.dtype,
            max_size=ctx.profile.max_array_size,
            bound=MODERATE,
            avoid=entry.kinks,
        )
        run_batched(
            ctx,
            arrays,
            st.sampled_from(slopes),
            test,
            test,
            fill=random_fill("moderate", MODERATE),
        )

    return check
