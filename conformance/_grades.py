r"""Accuracy, graded apart from correctness: the worst error of each elementwise member.

The value clauses decide whether a member is *correct* (within a tolerance that follows the
function's conditioning). How *accurate* it is, is a separate figure: for every elementwise
member and dtype, its worst error in ULPs against the exact oracle
(`gradspec.reference.oracle.ulp_error`) on a fixed sample of the whole finite range, and a
grade with a name.

The sample: `gradspec._accuracy.sample` (magnitudes log-spaced from the smallest normal
number to the largest finite one, both signs, 0 and :math:`\pm 1`; the far tails and the
inputs whose results are subnormal are in it) together with the value clauses' fixed edge
inputs (small integers and halves up to 20, the neighbours of the kinks, swish's stationary
point), leaky ReLU at its default slope. Near the root of ``swish_derivative``
(:math:`z_0 \approx -1.2785`) the error is measured in ULPs of the larger of
:math:`|\mathrm{swish}'(z)|` and :math:`\sigma(z)` (``scale="sigmoid"``), since a
relative measure is meaningless at a root; everywhere else in ULPs of the exact value.

The grades, best first (`GRADES`):

==========================  ================================================================
``correctly rounded``       worst error at most 0.5 ULP
``faithful``                at most 1 ULP
``within 4 ULP``            at most 4 ULP
``within 1e3 ULP``          at most 1000 ULP
``tails lost beyond |z| = X``  more than 1000 ULP only at inputs with :math:`|z| \ge X > 1`
                            (X is the smallest such sampled magnitude)
``wrong``                   more than 1000 ULP at some :math:`|z| \le 1`, or a NaN or an
                            infinity where the exact value is finite
==========================  ================================================================

Left out: a derivative's value exactly at its kinks (a convention, judged by the kink
clauses), and subnormal results flushed to zero (a zero more than one ULP from the exact
subnormal value), which the value clauses accept with a flag: the grade then says "(subnormal
results flushed)".

The textbook derivatives :math:`1 - \tanh^2(z)` and :math:`s (1 - s)` are correct and graded
"tails lost": their relative error grows without bound as the value shrinks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._adapter import AdapterCallError, LoadedAdapter
from .contract import ELEMENTWISE, KINKS, derivative_of

__all__ = [
    "GRADES",
    "GRADE_OPTIONS",
    "AccuracyGrade",
    "accuracy_sample",
    "as_json",
    "grade_adapter",
    "grade_errors",
    "meets",
]

#: The named levels, best first; the index is the level.
GRADES: tuple[str, ...] = (
    "correctly rounded",
    "faithful",
    "within 4 ULP",
    "within 1e3 ULP",
    "tails lost",
    "wrong",
)
#: Their spellings on the command line (``--accuracy within-4-ulp``).
GRADE_OPTIONS: dict[str, int] = {g.replace(" ", "-").lower(): i for i, g in enumerate(GRADES)}
_BOUNDS = (0.5, 1.0, 4.0, 1e3)
#: Log-spaced magnitudes per sign taken from `gradspec._accuracy.sample`.
SAMPLE_POINTS = 200


@dataclass(frozen=True)
class AccuracyGrade:
    """The accuracy of one member in one dtype.

    Attributes
    ----------
    member, dtype : str
    worst_ulp : float
        The worst error in ULPs over the sample (inf for a NaN where a number is exact).
    worst_input : float
        The input where it occurs.
    level : int
        Index into `GRADES`.
    grade : str
        The grade's name, with the magnitude where the tails are lost.
    points : int
        The number of inputs measured.
    """

    member: str
    dtype: str
    worst_ulp: float
    worst_input: float
    level: int
    grade: str
    points: int


def accuracy_sample(dtype: str) -> np.ndarray:
    """The fixed finite inputs every member is graded on, in ``dtype`` (see the docstring)."""
    from gradspec._accuracy import sample

    from .checks._functions import edge_inputs

    z = np.concatenate([sample(dtype, SAMPLE_POINTS), edge_inputs(dtype)])
    z = z[np.isfinite(z)]
    return np.unique(z)


def grade_errors(z: np.ndarray, errors: np.ndarray) -> tuple[int, str]:
    """The level and the grade's name for the errors ``errors`` (ULPs) at inputs ``z``."""
    errors = np.where(np.isnan(errors), np.inf, errors)
    worst = float(errors.max()) if errors.size else 0.0
    for level, bound in enumerate(_BOUNDS):
        if worst <= bound:
            return level, GRADES[level]
    lost = np.abs(z[errors > _BOUNDS[-1]].astype(np.float64))
    start = float(lost.min())
    if start <= 1.0 or (np.isinf(errors).any() and (np.abs(z[np.isinf(errors)]) <= 1.0).any()):
        return len(GRADES) - 1, "wrong"
    return len(GRADES) - 2, f"tails lost beyond |z| = {start:.3g}"


def _call_in_pieces(
    adapter: LoadedAdapter, member: str, z: np.ndarray, length: int | None
) -> np.ndarray:
    """``member`` at ``z`` (1-D): one call, or with ``length`` calls of exactly ``length``
    elements (the last padded with its own inputs), the length of every batched call of the
    run, so that a library compiling per shape compiles nothing new for the grade."""
    if length is None:
        return np.asarray(adapter.call(member, z.copy())).reshape(z.shape)
    pieces = []
    for start in range(0, z.size, length):
        part = z[start : start + length]
        called = np.resize(part, length)  # (a copy: the member may not touch z)
        pieces.append(np.asarray(adapter.call(member, called)).reshape(length)[: part.size])
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=z.dtype)


def _grade_member(
    adapter: LoadedAdapter, member: str, dtype: str, length: int | None = None
) -> AccuracyGrade | None:
    from gradspec.reference import oracle

    from ._compare import quiet

    z = accuracy_sample(dtype)
    # A derivative at its kinks follows a convention (the kink clauses judge it), not accuracy.
    kinks = KINKS.get(derivative_of(member) or "", ())
    z = z[~np.isin(z, np.array(kinks, dtype=dtype))] if derivative_of(member) else z
    try:
        with quiet():
            actual = _call_in_pieces(adapter, member, z, length).astype(dtype)
    except (AdapterCallError, ValueError, TypeError):
        return None  # a member that cannot be measured this way: its clauses say why
    try:
        scale = "sigmoid" if member == "swish_derivative" else None
        with quiet():
            errors = oracle.ulp_error(member, z, actual, scale=scale)
    except Exception:  # a result the oracle cannot compare (its clauses fail it)
        return None
    errors = np.asarray(errors, dtype=np.float64)
    # Subnormal results flushed to zero (or a subnormal input read as zero), which the value
    # clauses accept with a flag, are left out of the worst error and named in the grade.
    with quiet():
        exact = oracle.exact(member, z, dtype).astype(np.float64)
    tiny = float(np.finfo(dtype).tiny)
    # Flushed means a zero more than one ULP from an exact subnormal: a subnormal result that
    # is merely a little off (an ULP there is absolute), or a zero for an exact value below one
    # subnormal step, is a rounding, graded like any other.
    flushed = (np.abs(exact) < tiny) & (actual == 0) & (errors > 1)
    if flushed.any():
        z, actual, errors = z[~flushed], actual[~flushed], errors[~flushed]
    level, grade = grade_errors(z, errors)
    if flushed.any():
        grade += " (subnormal results flushed)"
    worst = int(np.argmax(np.where(np.isnan(errors), np.inf, errors)))
    return AccuracyGrade(
        member=member,
        dtype=dtype,
        worst_ulp=float(errors[worst]),
        worst_input=float(z[worst]),
        level=level,
        grade=grade,
        points=int(z.size),
    )


def grade_adapter(
    adapter: LoadedAdapter, dtypes: Sequence[str], *, length: int | None = None
) -> list[AccuracyGrade]:
    """The grade of every elementwise member the adapter provides, in each of ``dtypes``.

    ``length``: call each member on pieces of this many elements (the suite passes its
    profile's batch length, `checks._batch.bucket`) instead of once on the whole sample.
    """
    out = []
    for member in ELEMENTWISE:
        if not adapter.has(member):
            continue
        for dtype in dtypes:
            graded = _grade_member(adapter, member, dtype, length)
            if graded is not None:
                out.append(graded)
    return out


def meets(grades: Sequence[AccuracyGrade], required: str) -> list[AccuracyGrade]:
    """The grades below ``required`` (a `GRADE_OPTIONS` spelling or a `GRADES` name)."""
    key = required.replace(" ", "-").lower()
    if key not in GRADE_OPTIONS:
        raise ValueError(
            f"unknown accuracy grade {required!r}; choose one of {', '.join(GRADE_OPTIONS)}"
        )
    level = GRADE_OPTIONS[key]
    return [g for g in grades if g.level > level]


def as_json(grade: AccuracyGrade) -> dict[str, Any]:
    """The report's form of a grade."""
    return {
        "member": grade.member,
        "dtype": grade.dtype,
        "worst_ulp": grade.worst_ulp,
        "worst_input": grade.worst_input,
        "grade": grade.grade,
    }
