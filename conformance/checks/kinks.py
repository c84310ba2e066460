"""Family ``kinks``: derivatives exactly where the function is not differentiable.

At a kink any value between the one-sided derivatives is a valid subgradient, so any such value
is *acceptable* (flagged when it differs from the reference's convention; ``--strict`` then
requires the convention). A value outside that interval, or NaN, fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._compare import fail, reproducer
from .._model import CheckContext
from ._batch import call_padded
from ._common import slope_kwargs

__all__ = ["KINKS", "Kink", "kink_check"]


@dataclass(frozen=True)
class Kink:
    """Where a derivative has a kink, its one-sided derivatives and the reference's value."""

    member: str
    points: tuple[float, ...]
    #: (left, right, convention) as functions of the slope.
    sides: Callable[[float, float], tuple[float, float, float]]
    slopes: tuple[float | None, ...] = (None,)


KINKS: dict[str, Kink] = {
    "KINK-RELU": Kink("relu_derivative", (0.0, -0.0), lambda p, s: (0.0, 1.0, 0.0)),
    "KINK-LEAKY-RELU": Kink(
        "leaky_relu_derivative",
        (0.0, -0.0),
        lambda p, s: (s, 1.0, s),
        slopes=(None, 0.0, 0.01, 0.2, 1.0, 3.0),
    ),
    "KINK-HARDTANH": Kink(
        "hardtanh_derivative",
        (1.0, -1.0),
        # Left and right of -1: 0 then 1; of +1: 1 then 0. The reference gives 0 at both.
        lambda p, s: (0.0, 1.0, 0.0) if p < 0 else (1.0, 0.0, 0.0),
    ),
}


def kink_check(clause_id: str) -> Callable[[CheckContext], None]:
    """The check of a kink clause of `KINKS`."""
    kink = KINKS[clause_id]

    def check(ctx: CheckContext) -> None:
        z = np.array(kink.points, dtype=ctx.dtype)
        for slope in kink.slopes:
            s = 0.01 if slope is None else slope
            actual = call_padded(ctx, clause_id, kink.member, z, slope)
            for i, point in enumerate(kink.points):
                left, right, convention = kink.sides(point, s)
                value = float(actual[i])
                lo, hi = min(left, right), max(left, right)
                # The one-sided derivatives rounded to the dtype, so s = 0.01 in float32 counts.
                cast = np.dtype(ctx.dtype).type
                lo_d, hi_d = float(cast(lo)), float(cast(hi))
                where = f"{kink.member}({point!r}{'' if slope is None else f', {slope}'})"
                if not lo_d <= value <= hi_d:
                    raise fail(
                        clause_id,
                        f"{where} = {value!r}, outside [{lo:g}, {hi:g}], the interval between "
                        "the one-sided derivatives",
                        inputs={"z": z, **slope_kwargs(slope)},
                        index=(i,),
                        input_value=point,
                        expected=float(np.dtype(ctx.dtype).type(convention)),
                        actual=value,
                        hint="at a kink any value between the left and right derivatives is "
                        f"acceptable; the reference returns {convention:g}",
                        reproducer=reproducer(
                            ctx.adapter.spec,
                            kink.member,
                            [("z", z)],
                            slope_kwargs(slope),
                            note=f"every result must lie in [{lo:g}, {hi:g}] (the one-sided "
                            "derivatives)",
                        ),
                        member=kink.member,
                        kind="kink",
                        tolerance=f"the interval [{lo_d:.9g}, {hi_d:.9g}] in {ctx.dtype}",
                    )
                if value != float(np.dtype(ctx.dtype).type(convention)):
                    ctx.flag(
                        "kink-" + kink.member.replace("_derivative", "").replace("_", "-"),
                        f"{where} = {value:g} (a valid subgradient; the reference gives "
                        f"{convention:g})",
                    )
                ctx.record(abs_error=abs(value - convention))

    return check


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import Clause, Tolerance  # noqa: E402
from .._wording import NOTES, slope_words  # noqa: E402

#: Every kink clause's rule: the check's comparison ``lo_d <= value <= hi_d``.
KINK_TOLERANCE = Tolerance(
    r"\min(d_-, d_+) \le a \le \max(d_-, d_+)",
    "d_- and d_+ the one-sided derivatives at the kink, rounded to the dtype; any value in the "
    "interval is acceptable (flagged unless it is the reference's)",
)

#: Each kink clause's (title, section, statement, LaTeX), in report order.
_KINK_WORDS = {
    "KINK-RELU": (
        "ReLU derivative at 0",
        "relu",
        "relu_derivative(0) (and at -0) is in [0, 1]; the reference returns 0, which --strict "
        "requires.",
        r"\operatorname{ReLU}'(0) \in [0, 1]",
    ),
    "KINK-LEAKY-RELU": (
        "leaky ReLU derivative at 0",
        "leaky_relu",
        "leaky_relu_derivative(0, s) is between s and 1, for the default slope and slopes "
        f"{slope_words(KINKS['KINK-LEAKY-RELU'].slopes)}; the reference returns s, which "
        "--strict requires.",
        r"\operatorname{LeakyReLU}_s'(0) \in [\min(s, 1), \max(s, 1)]",
    ),
    "KINK-HARDTANH": (
        "hard tanh derivative at -1 and 1",
        "hardtanh",
        "hardtanh_derivative(-1) and hardtanh_derivative(1) are in [0, 1]; the reference returns "
        "0 at both, which --strict requires (JAX returns 1).",
        r"\operatorname{HardTanh}'(\pm 1) \in [0, 1]",
    ),
}

#: The family's clauses, in report order.
CLAUSES: tuple[Clause, ...] = tuple(
    Clause(
        id=clause_id,
        title=title,
        family="kinks",
        section=section,
        statement=statement,
        latex=latex,
        notes=NOTES[section],
        members=(KINKS[clause_id].member,),
        tolerance=KINK_TOLERANCE,
        check=kink_check(clause_id),
    )
    for clause_id, (title, section, statement, latex) in _KINK_WORDS.items()
)
