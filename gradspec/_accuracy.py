"""The reference's accuracy, measured against the exact oracle (``gradspec accuracy``).

For each activation and derivative and each dtype, the reference is evaluated on a sample of
the whole finite range and compared with `gradspec.reference.oracle.ulp_error`; the
figure reported is the worst error in ULPs of that dtype, and the input where it occurs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SWISH_ROOT", "AccuracyRow", "format_accuracy", "measure_accuracy", "sample"]

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


#: Zero of swish' (where its relative error is meaningless): a band around it is sampled.
SWISH_ROOT = -1.2784645427610738


def _edges(dtype: Any) -> list[float]:
    """Magnitudes where results saturate, underflow or turn subnormal, or where the reference
    switches formulas, derived from the formulas: e.g. sigma(z) rounds to 1 once e^{-z} is below
    half an ulp of 1, e^{-|z|} turns subnormal below e^{emin}, and rounds to 0 below half the
    smallest subnormal."""
    info = np.finfo(dtype)
    p, emin, ln2 = info.nmant + 1, info.minexp, math.log(2.0)
    smallest = float(info.smallest_subnormal)
    return [
        (p + 1) * ln2,  # sigma -> 1, swish' -> 1
        (p + 2) * ln2 / 2,  # tanh -> 1
        -emin * ln2,  # e^{-|z|} turns subnormal
        -emin * ln2 / 2,  # tanh' turns subnormal
        -(emin - p) * ln2,  # sigma, sigma' underflow to 0
        -(emin - p) * ln2 / 2,  # tanh' underflows
        math.log(float(info.max)),  # exp overflows
        math.log(float(info.max)) / 2,
        -math.log(smallest),  # exp(-z) underflows to 0
        -math.log(smallest) + math.log(-math.log(smallest)),  # swish underflows
        350.0,  # the reference's tail forms: tanh' ...
        700.0,  # ... swish and swish'
        800.0,  # ... and the clamp of swish and swish'
    ]


def sample(dtype: Any, points: int = 1000, *, specials: bool = False) -> np.ndarray:
    """Inputs spanning the whole finite range of ``dtype``: the one accuracy sample.

    ``gradspec accuracy``, ``benchmarks/accuracy.py`` and the accuracy tests all measure on it.

    Parameters
    ----------
    dtype : float32 or float64 (a dtype or its name)
    points : int
        Magnitudes log-spaced from the smallest subnormal to the largest finite number; the
        bands below scale with it.
    specials : bool
        Append -0.0, +inf, -inf and NaN (after the sorted finite values).

    Returns
    -------
    ndarray, shape (n,), dtype ``dtype``
        Sorted, unique (one zero), both signs: the log-spaced magnitudes; as many log-spaced
        on \\([2^{-10}, 1000]\\) and evenly spaced bands on \\([0, 800]\\), \\([0, 40]\\)
        and \\([0, 3]\\), where the functions change; a band around the zero of swish';
        and edges with their float neighbours: 0, 0.5, 1, 2, that zero, the smallest and largest
        subnormal and normal numbers, the largest finite one, and the thresholds of `_edges`
        (each also moved by up to 3e-4 relative).

    Examples
    --------
    >>> z = sample("float32", 20)
    >>> z.dtype, bool(np.all(np.diff(z) > 0)), float(z[-1]) == float(np.finfo("f4").max)
    (dtype('float32'), True, True)
    >>> bool(np.finfo("f4").smallest_subnormal in z and 0 in z)
    True
    """
    dtype = np.dtype(dtype)
    info = np.finfo(dtype)
    smallest, big = float(info.smallest_subnormal), float(info.max)
    with np.errstate(over="ignore"):  # 2**log2(max) may round past max: clamped back
        logs = np.minimum(np.exp2(np.linspace(math.log2(smallest), math.log2(big), points)), big)
    bands = [
        np.geomspace(2.0**-10, 1000.0, points),
        np.linspace(0.0, 800.0, points // 4),
        np.linspace(0.0, 40.0, points // 4),
        np.linspace(0.0, 3.0, points // 8),
        abs(SWISH_ROOT) + np.linspace(-1e-3, 1e-3, points // 15 + 1),
    ]
    moved = [edge * (1 + k * 1e-4) for edge in _edges(dtype) for k in range(-3, 4)]
    fixed = [
        0.0,
        0.5,
        1.0,
        2.0,
        abs(SWISH_ROOT),
        smallest,
        float(info.tiny) - smallest,
        float(info.tiny),
        big,
    ]
    with np.errstate(over="ignore"):  # nextafter(max, inf) is inf, dropped below
        edges = np.array(fixed + moved).astype(dtype)
        neighbours = [np.nextafter(edges, dtype.type(np.inf)), np.nextafter(edges, dtype.type(0))]
        magnitudes = np.concatenate([logs, *bands]).astype(dtype)
    magnitudes = np.concatenate([magnitudes, edges, *neighbours])
    magnitudes = magnitudes[np.isfinite(magnitudes)]
    finite = np.unique(np.concatenate([magnitudes, -magnitudes]))  # sorted; one zero
    if not specials:
        return finite
    return np.concatenate([finite, np.array([-0.0, np.inf, -np.inf, np.nan], dtype=dtype)])


def measure_accuracy(*, points: int = 200) -> list[AccuracyRow]:
    """Worst ULP error of every reference function in float32 and float64."""
    import gradspec.reference as reference
    from gradspec.reference import oracle

    rows = []
    for name in oracle.FUNCTIONS:
        function = getattr(reference, name)
        for dtype in DTYPES:
            z = sample(dtype, points, specials=True)
            with np.errstate(all="ignore"):
                actual = np.asarray(function(z))
            # swish' crosses zero near SWISH_ROOT, where no relative bound can hold: it is
            # measured in ULPs of the larger of its value and sigma(z), the size of its terms.
            scale = "sigmoid" if name == "swish_derivative" else None
            errors = oracle.ulp_error(name, z, actual, scale=scale)
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
        f"{points} inputs per function and dtype (gradspec._accuracy.sample): log-spaced over "
        "the finite range, subnormals included, both signs, bands where the functions change, "
        "thresholds and their neighbours, plus ±inf and NaN (listed above when the result is "
        "not the limit); errors in ULPs of the dtype against the exact value "
        "(gradspec.reference.oracle); swish_derivative in ULPs of the larger of its value "
        "and sigmoid(z), since it crosses zero near z = -1.2785."
    )
    return "\n".join(lines)
