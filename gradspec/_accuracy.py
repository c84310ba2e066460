"""The reference's accuracy, measured against the exact oracle (``gradspec accuracy``).

For each activation and derivative and each dtype, the reference is evaluated on a sample of
the whole finite range and compared with `gradspec.reference.oracle.ulp_error`; the
figure reported is the worst error in ULPs of that dtype, and the input where it occurs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AccuracyRow", "format_accuracy", "measure_accuracy", "sample"]

DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class AccuracyRow:
    """The worst error of one function in one dtype."""

    function: str
    dtype: str
    points: int
    max_ulp: float
    worst_input: float
    #: Inputs ±inf where the result is not the limit: (input, expected, got).
    infinite_mismatches: tuple[tuple[float, float, float], ...] = ()


def sample(dtype: str, points: int) -> np.ndarray:
    """Inputs spanning the finite range of ``dtype``: log-spaced magnitudes, both signs.

    The magnitudes run from the smallest normal number to the largest finite one, evenly
    spaced in log2; 0, ±1 (hard tanh's kinks) and ±inf are added.

    >>> z = sample("float32", 5)
    >>> z.dtype, z.size, float(np.abs(z[np.isfinite(z)]).max()) == float(np.finfo("f4").max)
    (dtype('float32'), 15, True)
    """
    info = np.finfo(dtype)
    exponents = np.linspace(np.log2(info.tiny), np.log2(info.max), points)
    with np.errstate(over="ignore"):
        # 2**log2(max) can round just past max; such an endpoint is clamped back to max.
        magnitudes = np.minimum(np.exp2(exponents), info.max).astype(dtype)
    edges = np.array([0.0, 1.0, -1.0, np.inf, -np.inf], dtype=dtype)
    return np.concatenate([-magnitudes[::-1], magnitudes, edges])


def measure_accuracy(*, points: int = 200) -> list[AccuracyRow]:
    """Worst ULP error of every reference function in float32 and float64."""
    import gradspec.reference as reference
    from gradspec.reference import oracle

    rows = []
    for name in oracle.FUNCTIONS:
        function = getattr(reference, name)
        for dtype in DTYPES:
            z = sample(dtype, points)
            with np.errstate(all="ignore"):
                actual = np.asarray(function(z))
            errors = oracle.ulp_error(name, z, actual)
            # Limits at ±inf are conventions more than accuracy; reported apart so one
            # NaN there does not hide the figure over the finite range.
            finite = np.isfinite(z)
            worst = int(np.argmax(np.where(finite, errors, -1.0)))
            expected = oracle.exact(name, z[~finite], dtype)
            mismatches = tuple(
                (float(zi), float(ei), float(ai))
                for zi, ei, ai in zip(z[~finite], expected, actual[~finite], strict=True)
                if not (ei == ai or (np.isnan(ei) and np.isnan(ai)))
            )
            rows.append(
                AccuracyRow(
                    name, dtype, int(z.size), float(errors[worst]), float(z[worst]), mismatches
                )
            )
    return rows


def format_accuracy(rows: list[AccuracyRow]) -> str:
    """A table: function, then the worst ULP error (and where) per dtype."""
    by_function: dict[str, dict[str, AccuracyRow]] = {}
    for row in rows:
        by_function.setdefault(row.function, {})[row.dtype] = row
    width = max(len(name) for name in by_function)
    header = f"{'function'.ljust(width)}  " + "  ".join(
        f"{dtype + ' max ULP, finite z (at z)':<32}" for dtype in DTYPES
    )
    lines = [header.rstrip(), "-" * len(header.rstrip())]
    for name, cells in by_function.items():
        parts = [
            f"{f'{cells[d].max_ulp:.3g}  (z = {cells[d].worst_input:.6g})':<32}"
            for d in DTYPES
            if d in cells
        ]
        lines.append(f"{name.ljust(width)}  " + "  ".join(parts).rstrip())
    points = rows[0].points if rows else 0
    for row in rows:
        for z, expected, got in row.infinite_mismatches:
            lines.append(
                f"  at z = {z:g} ({row.dtype}): {row.function} gives {got!r}, "
                f"the limit is {expected!r}"
            )
    lines.append("")
    lines.append(
        f"{points} inputs per function and dtype: log-spaced over the finite range, both "
        "signs, plus 0, ±1 and ±inf (whose results are listed above when they are not the "
        "limits); errors in ULPs of the dtype against the exact value "
        "(gradspec.reference.oracle)."
    )
    return "\n".join(lines)
