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


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import Clause  # noqa: E402
from .._wording import DISPLAY, NOTES, clause_stem, slope_words  # noqa: E402
from ..contract import FUNCTIONS  # noqa: E402

_FUNCTION_LATEX = {
    "sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    "tanh": r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    "hardtanh": r"\operatorname{HardTanh}(z) = \begin{cases} -1 & z < -1 \\ z & -1 \le z \le 1"
    r" \\ 1 & z > 1 \end{cases}",
    "relu": r"\operatorname{ReLU}(z) = \max(z, 0)",
    "leaky_relu": r"\operatorname{LeakyReLU}_s(z) = \begin{cases} z & z > 0 \\ s z & z \le 0"
    r" \end{cases}",
    "swish": r"\operatorname{swish}(z) = z \, \sigma(z)",
}
_DERIVATIVE_LATEX = {
    "sigmoid": r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
    "tanh": r"\tanh'(z) = 1 - \tanh^2(z)",
    "hardtanh": r"\operatorname{HardTanh}'(z) = \begin{cases} 1 & |z| < 1 \\ 0 & |z| > 1"
    r" \end{cases}",
    "relu": r"\operatorname{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}",
    "leaky_relu": r"\operatorname{LeakyReLU}_s'(z) = \begin{cases} 1 & z > 0 \\ s & z < 0"
    r" \end{cases}",
    "swish": r"\operatorname{swish}'(z) = \sigma(z) + z\,\sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
}
_RANGE = (
    f"on the fixed edge inputs and on random arrays (0-d, empty, 1-D, 2-D) with |z| <= {MODERATE:g}"
)
_SLOPE_TEXT = f" for the default slope and for slopes {slope_words(SLOPES)}"


def _value_clauses(function: str) -> tuple[Clause, Clause]:
    """The two value clauses of one activation: the function's and its derivative's."""
    stem = clause_stem(function)
    derivative = f"{function}_derivative"
    slopes = _SLOPE_TEXT if spec(function).sloped else ""
    kinks = spec(derivative).kinks
    at_kinks = (
        f" (except exactly at the kink{'s' if len(kinks) > 1 else ''} "
        f"{', '.join(f'{k:g}' for k in kinks)}, see the kink clause)"
        if kinks
        else ""
    )
    shared = {"family": "values", "section": function, "notes": NOTES[function]}
    return (
        Clause(
            id=f"ACT-{stem}-VALUE",
            title=f"{DISPLAY[function]} values",
            statement=f"{function}(z) equals the exact value {_RANGE}{slopes}, within the "
            "tolerance.",
            latex=_FUNCTION_LATEX[function],
            members=(function,),
            tolerance=spec(function).tolerance(),
            check=value_check(function, f"ACT-{stem}-VALUE"),
            **shared,
        ),
        Clause(
            id=f"ACT-{stem}-DERIVATIVE-VALUE",
            title=f"{DISPLAY[function]} derivative values",
            statement=f"{derivative}(z) equals the exact derivative {_RANGE}{slopes}{at_kinks}, "
            "within the tolerance.",
            latex=_DERIVATIVE_LATEX[function],
            members=(derivative,),
            tolerance=spec(derivative).tolerance(),
            check=value_check(derivative, f"ACT-{stem}-DERIVATIVE-VALUE"),
            **shared,
        ),
    )


#: The family's clauses, in report order: each activation's value, then its derivative's.
CLAUSES: tuple[Clause, ...] = tuple(c for f in FUNCTIONS for c in _value_clauses(f))
