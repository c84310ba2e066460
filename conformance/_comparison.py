"""Several implementations on the same inputs: where they differ, member by member.

`compare` feeds the same arrays to every adapter's elementwise members and records, per
member, what each returns against the exact value (`gradspec.reference.oracle`, rounded
once to the input's dtype):

========================  ==================================================================
topic                     inputs and what a cell shows
========================  ==================================================================
``kink``                  the derivative at each kink (relu, leaky_relu at 0; hardtanh at ±1)
``special``               +inf, -inf, NaN: the value returned
``signed zero``           -0.0: the value returned, sign shown
``subnormal input``       ±1e-40 (float32) / ±1e-310 (float64): kept or flushed
``subnormal result``      inputs whose exact result is subnormal (sigmoid(-100) in float32)
``dtype``                 the result's dtype for a float32 and a float64 input
``array length``          a special value filling arrays of several lengths: the distinct
                          results per length (PyTorch's hardtanh'(NaN) depends on it)
``tail``                  the first \\|z\\| of a 0.01 grid where the result is 0 though the
                          exact value is not (saturation of sigmoid', tanh', ...)
``ulp``                   the worst error in ULPs (`gradspec.reference._ulp.ulp_distance`
                          to the rounded exact value) on two fixed samples, and where
========================  ==================================================================

A row is kept when the implementations disagree with each other or with the exact value
(``special``, ``ulp`` and ``tail`` rows are always kept). Nothing here is random: the
samples are fixed grids, so a comparison is reproducible on one machine (library results
may depend on the CPU's vector width, which is what the ``array length`` rows show).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from gradspec.reference import oracle
from gradspec.reference._ulp import ulp_distance

from ._adapter import ELEMENTWISE, LoadedAdapter

__all__ = ["Comparison", "Row", "compare", "format_json", "format_markdown", "format_text"]

DTYPES = (np.float32, np.float64)

#: Where each derivative has a kink (any value between the one-sided derivatives is valid).
KINKS: dict[str, tuple[float, ...]] = {
    "relu_derivative": (0.0, -0.0),
    "leaky_relu_derivative": (0.0,),
    "hardtanh_derivative": (-1.0, 1.0),
}

#: Array lengths for the length-dependence rows: around the vector widths of SIMD loops.
LENGTHS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33)

#: A subnormal input per dtype.
SUBNORMAL = {np.float32: 1e-40, np.float64: 1e-310}

#: Inputs whose exact results are subnormal, per dtype, for the members that have them.
SUBNORMAL_RESULT_INPUT = {np.float32: -100.0, np.float64: -740.0}
SUBNORMAL_RESULT_MEMBERS = ("sigmoid", "swish", "sigmoid_derivative", "swish_derivative")

#: Members whose saturation tails are measured, and the grid (step 0.01 up to 800).
TAIL_MEMBERS = ("sigmoid_derivative", "tanh_derivative", "swish_derivative", "sigmoid", "swish")
TAIL_GRID = np.arange(1, 80_001) / 100.0


@dataclass(frozen=True)
class Row:
    """One input case of one member: the exact value and each implementation's result.

    Attributes
    ----------
    member, topic, case, dtype : str
        What was run (``case`` describes the input, e.g. ``"z = nan"``).
    exact : str
        The exact value (or the contract's expectation), as a cell.
    results : dict of str to str
        Per implementation (its spec), the cell.
    differs : bool
        Whether the cells disagree with each other or with ``exact``.
    """

    member: str
    topic: str
    case: str
    dtype: str
    exact: str
    results: dict[str, str]
    differs: bool


@dataclass
class Comparison:
    """The implementations compared (spec to display name) and the rows kept."""

    implementations: dict[str, str]
    rows: list[Row] = field(default_factory=list)

    def members(self) -> list[str]:
        """The members with at least one row, in contract order."""
        present = {row.member for row in self.rows}
        return [m for m in ELEMENTWISE if m in present]


def _cell(value: Any) -> str:
    array = np.asarray(value)
    if array.dtype.kind != "f":
        return str(array.tolist())
    flat = [float(v) for v in array.reshape(-1)]
    text = [repr(v) if v == v else "nan" for v in flat]
    return text[0] if len(text) == 1 else "[" + ", ".join(text) + "]"


def _call(adapter: LoadedAdapter, member: str, z: np.ndarray) -> np.ndarray | str:
    """The member's result as an ndarray, or a short cell saying why there is none."""
    if not adapter.has(member) or str(z.dtype) not in adapter.dtypes:
        return "—"
    try:
        with np.errstate(all="ignore"):
            return np.asarray(adapter.call(member, z.copy()))
    except Exception as error:
        original = getattr(error, "original", None) or error
        return f"error: {type(original).__name__}"


def compare(
    adapters: Sequence[LoadedAdapter], *, members: Sequence[str] = ELEMENTWISE
) -> Comparison:
    """Run every topic of the module docstring on ``adapters`` for ``members``.

    Parameters
    ----------
    adapters : sequence of LoadedAdapter
        At least one; the reference counts as one like any other.
    members : sequence of str
        Elementwise members to compare (default: all twelve).

    Returns
    -------
    Comparison
    """
    comparison = Comparison({a.spec: a.name for a in adapters})
    for member in members:
        for dtype in DTYPES:
            for measure in _TOPICS:
                comparison.rows.extend(measure(adapters, member, dtype))
    return comparison


def _point_rows(
    adapters: Sequence[LoadedAdapter], member: str, dtype: type, topic: str, points: Sequence[float]
) -> list[Row]:
    rows = []
    for point in points:
        z = np.array([point], dtype=dtype)
        exact = oracle.exact(member, z, dtype)
        results = {}
        for adapter in adapters:
            result = _call(adapter, member, z)
            results[adapter.spec] = result if isinstance(result, str) else _cell(result)
        exact_cell = _cell(exact)
        if topic == "kink":
            exact_cell = f"any in [{_KINK_RANGES[member]}]"
        values = set(results.values())
        # Special values are always shown: agreeing on them is a finding too.
        differs = (
            topic == "special" or len(values) > 1 or (topic != "kink" and values != {exact_cell})
        )
        rows.append(
            Row(member, topic, f"z = {_cell(z)}", dtype.__name__, exact_cell, results, differs)
        )
    return rows


#: The one-sided derivatives around each kink (leaky_relu at its default slope 0.01).
_KINK_RANGES = {
    "relu_derivative": "0, 1",
    "leaky_relu_derivative": "0.01, 1",
    "hardtanh_derivative": "0, 1",
}


def _kinks(adapters, member, dtype):
    return _point_rows(adapters, member, dtype, "kink", KINKS.get(member, ()))


def _specials(adapters, member, dtype):
    return _point_rows(adapters, member, dtype, "special", (np.inf, -np.inf, np.nan))


def _signed_zero(adapters, member, dtype):
    return _point_rows(adapters, member, dtype, "signed zero", (-0.0,))


def _subnormal_inputs(adapters, member, dtype):
    small = SUBNORMAL[dtype]
    return _point_rows(adapters, member, dtype, "subnormal input", (small, -small))


def _subnormal_results(adapters, member, dtype):
    if member not in SUBNORMAL_RESULT_MEMBERS:
        return []
    return _point_rows(
        adapters, member, dtype, "subnormal result", (SUBNORMAL_RESULT_INPUT[dtype],)
    )


def _dtypes(adapters, member, dtype):
    z = np.array([0.5, -2.0], dtype=dtype)
    results = {}
    for adapter in adapters:
        result = _call(adapter, member, z)
        results[adapter.spec] = result if isinstance(result, str) else str(result.dtype)
    expected = dtype.__name__
    differs = set(results.values()) - {"—"} != {expected}
    return [Row(member, "dtype", "z = [0.5, -2.0]", expected, expected, results, differs)]


def _length_summary(per_length: dict[int, str]) -> str:
    """``{1: "1", 2: "1", 8: "0"}`` as ``"1-2: 1; 8: 0"`` (runs of equal results joined)."""
    parts: list[str] = []
    runs: list[tuple[int, int, str]] = []
    for n in LENGTHS:
        if n not in per_length:
            continue
        if (
            runs
            and runs[-1][2] == per_length[n]
            and LENGTHS.index(runs[-1][1]) + 1 == LENGTHS.index(n)
        ):
            runs[-1] = (runs[-1][0], n, per_length[n])
        else:
            runs.append((n, n, per_length[n]))
    for first, last, value in runs:
        parts.append(f"{first}{'' if first == last else f'-{last}'}: {value}")
    return "; ".join(parts)


def _array_length(adapters, member, dtype):
    points = (np.nan, *KINKS.get(member, ()))
    rows = []
    for point in points:
        results, varies = {}, False
        for adapter in adapters:
            per_length: dict[int, str] = {}
            for n in LENGTHS:
                result = _call(adapter, member, np.full(n, point, dtype=dtype))
                if isinstance(result, str):
                    per_length[n] = result
                    continue
                distinct = np.unique(result.astype(np.float64))
                per_length[n] = ", ".join("nan" if v != v else repr(float(v)) for v in distinct)
            varies |= len(set(per_length.values())) > 1
            results[adapter.spec] = _length_summary(per_length)
        if varies:
            case = f"np.full(n, {_cell(np.array(point))})"
            rows.append(Row(member, "array length", case, dtype.__name__, "-", results, True))
    return rows


def _tails(adapters, member, dtype):
    if member not in TAIL_MEMBERS:
        return []
    rows = []
    for sign, side in ((1.0, "z > 0"), (-1.0, "z < 0")):
        z = (sign * TAIL_GRID).astype(dtype)
        last = _last_nonzero_exact(member, z, dtype)
        exact_cell = f"nonzero up to |z| = {abs(float(z[last])):.2f}" if last >= 0 else "0"
        results = {}
        for adapter in adapters:
            result = _call(adapter, member, z)
            if isinstance(result, str):
                results[adapter.spec] = result
                continue
            bad = np.flatnonzero(result[: last + 1] == 0)
            results[adapter.spec] = "never" if bad.size == 0 else f"{abs(float(z[bad[0]])):.2f}"
        rows.append(Row(member, "tail", side, dtype.__name__, exact_cell, results, True))
    return rows


def _last_nonzero_exact(member: str, z: np.ndarray, dtype: type) -> int:
    """The last index of ``z`` (|z| increasing) whose exact value rounds to nonzero, or -1.

    The tails are monotone in |z|, so a bisection over the grid needs about 17 oracle calls.
    """

    def nonzero(i: int) -> bool:
        return bool(oracle.exact(member, z[i : i + 1], dtype)[0] != 0)

    if not nonzero(0):
        return -1
    if nonzero(len(z) - 1):
        return len(z) - 1
    low, high = 0, len(z) - 1  # nonzero at low, zero at high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if nonzero(middle) else (low, middle)
    return low


def _ulp_samples(dtype: type) -> dict[str, np.ndarray]:
    magnitudes = np.geomspace(1e-30, 1e4, 1500)
    return {
        "|z| <= 20": np.linspace(-20, 20, 4001).astype(dtype),
        "±[1e-30, 1e4]": np.concatenate([-magnitudes[::-1], [0.0], magnitudes]).astype(dtype),
    }


def _ulp(adapters, member, dtype):
    rows = []
    for label, z in _ulp_samples(dtype).items():
        z = z[~np.isin(z, KINKS.get(member, ()))]
        exact = oracle.exact(member, z, dtype)
        results = {}
        for adapter in adapters:
            result = _call(adapter, member, z)
            if isinstance(result, str):
                results[adapter.spec] = result
            elif result.dtype != exact.dtype or result.shape != exact.shape:
                results[adapter.spec] = f"{result.dtype} {result.shape}: not comparable"
            else:
                distance = ulp_distance(result, exact)
                worst = int(np.argmax(distance))
                results[adapter.spec] = (
                    "0"
                    if distance[worst] == 0
                    else f"{distance[worst]:.3g} at z = {float(z[worst]):.6g}"
                )
        rows.append(Row(member, "ulp", label, dtype.__name__, "0", results, True))
    return rows


#: The measurements, in the order their rows appear in a member's table.
_TOPICS: tuple[Callable[..., list[Row]], ...] = (
    _kinks,
    _specials,
    _signed_zero,
    _subnormal_inputs,
    _subnormal_results,
    _dtypes,
    _array_length,
    _tails,
    _ulp,
)


# -- output ----------------------------------------------------------------------------


def _table(comparison: Comparison, member: str) -> tuple[list[str], list[list[str]]]:
    specs = list(comparison.implementations)
    header = ["topic", "dtype", "input", "exact", *specs]
    body = [
        [row.topic, row.dtype, row.case, row.exact, *(row.results[s] for s in specs)]
        for row in comparison.rows
        if row.member == member and row.differs
    ]
    return header, body


def _preamble(comparison: Comparison) -> list[str]:
    return [
        "Implementations: "
        + "; ".join(f"{spec} = {name}" for spec, name in comparison.implementations.items())
        + ".",
        "",
        "Exact: gradspec.reference.oracle (mpmath, rounded once to the input's dtype). "
        "Rows are kept where the implementations differ from each other or from the exact "
        "value; special, ulp and tail rows always.",
    ]


def format_text(comparison: Comparison) -> str:
    """Plain-text tables, one per member, columns padded to their widest cell."""
    lines = _preamble(comparison)
    for member in comparison.members():
        header, body = _table(comparison, member)
        if not body:
            continue
        widths = [max(len(r[i]) for r in (header, *body)) for i in range(len(header))]
        lines += ["", member, "-" * len(member)]
        for cells in (header, *body):
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def format_markdown(comparison: Comparison) -> str:
    """Markdown: a title naming the command that made it, then one table per member."""
    specs = " ".join(comparison.implementations)
    lines = [
        f"# gradspec compare {specs}",
        "",
        f"Generated by `gradspec compare {specs} --format markdown`; do not edit by hand.",
        "",
        *_preamble(comparison),
    ]
    for member in comparison.members():
        header, body = _table(comparison, member)
        if not body:
            continue
        lines += ["", f"## {member}", ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(_escape(c) for c in cells) + " |" for cells in body]
    return "\n".join(lines) + "\n"


def format_json(comparison: Comparison) -> str:
    """Every row, kept or not, with the implementations, as indented JSON."""
    document = {
        "implementations": comparison.implementations,
        "rows": [asdict(row) for row in comparison.rows],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
