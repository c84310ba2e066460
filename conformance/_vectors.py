"""Portable test vectors: load them, judge an adapter's answer to each, report per clause.

A *vector file* (``conformance/vectors/*.json``, format described by ``schema.json`` next to
it and by the docs page *Portable conformance*) holds *cases*: one call of one contract member
with fixed inputs, the exact expected result and the tolerance, so that an implementation in
any language can be checked without Python. This module is the Python runner of those files;
``gradspec vectors --adapter SPEC`` calls `run_vectors`.

Judging one element ``a`` of a result against its expected value ``e``:

- it **matches** when both are NaN, or ``a == e`` (so +0 equals -0 and inf equals inf), or
  both are finite and ``ulps(a, e) <= tolerance.ulps`` or ``|a - e| <= atol + rtol |e|``
  (``ulps`` and ``atol`` taken elementwise when they are arrays);
- otherwise it is **acceptable** when it lies in ``[low, high]`` of one of the case's
  ``acceptable`` entries (or is NaN and the entry allows NaN).

A case passes when the result has the right structure, dtype and shape and every element
matches; it is acceptable when every element matches or is acceptable (the entries' flags are
reported); it fails otherwise. An ``expect: {"error": true}`` case passes when the member
raises (a program answers an error) and fails when it returns a result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ._adapter import AdapterCallError, LoadedAdapter
from ._model import Outcome
from ._results import SEVERITY
from ._wire import WireError, decode_args, decode_array, decode_result

__all__ = [
    "CaseResult",
    "VectorReport",
    "check_case",
    "format_vector_report",
    "load_vectors",
    "run_vectors",
    "vector_files",
]


def vector_files(directory: str | Path | None = None) -> list[Path]:
    """The vector files in ``directory`` (default: the ones shipped in the package), sorted."""
    if directory is None:
        folder = Path(str(resources.files("gradspec.conformance") / "vectors"))
    else:
        folder = Path(directory)
    return sorted(p for p in folder.glob("*.json") if p.name != "schema.json")


def load_vectors(
    paths: Iterable[str | Path] | None = None, *, validate: bool = True
) -> list[dict[str, Any]]:
    """Every case of the given files (default: the shipped ones), validated against the schema.

    Raises
    ------
    ValueError
        Naming the file and the first place it breaks the schema.
    """
    from ._vector_schema import validate_file

    cases: list[dict[str, Any]] = []
    for path in vector_files() if paths is None else [Path(p) for p in paths]:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        if validate:
            problems = validate_file(document)
            if problems:
                raise ValueError(f"{path}: not a valid vector file: {problems[0]}")
        cases.extend(document["cases"])
    return cases


@dataclass(frozen=True)
class CaseResult:
    """How one case went: the outcome, why, and the flags of accepted deviations."""

    case_id: str
    clause: str
    outcome: Outcome
    message: str = ""
    flags: tuple[str, ...] = ()


# --- judging ------------------------------------------------------------------------------------


def _ulps(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    from ._compare import ulp_distance

    return ulp_distance(a, e)


def _float(text: Any) -> float:
    return float(text)


def _per_element(
    tolerance: Mapping[str, Any], key: str, expected: np.ndarray, default: str
) -> np.ndarray:
    """Tolerance ``key`` at each element: an array of the result's shape, or one number."""
    value = tolerance.get(key, default)
    if isinstance(value, Mapping):
        values = decode_array(value, where=f"tolerance.{key}").astype(np.float64)
        if values.shape != expected.shape:
            raise ValueError(
                f"tolerance.{key} has shape {values.shape}; the result {expected.shape}"
            )
        return values
    return np.full(expected.shape, _float(value))


def _elementwise_tolerance(tolerance: Mapping[str, Any], expected: np.ndarray) -> np.ndarray:
    return _per_element(tolerance, "atol", expected, "0")


def _matches(actual: np.ndarray, expected: np.ndarray, tolerance: Mapping[str, Any], atol: Any):
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    with np.errstate(all="ignore"):
        ok = (np.isnan(a) & np.isnan(e)) | (a == e)
        finite = np.isfinite(a) & np.isfinite(e)
        if tolerance.get("ulps") is not None:
            ulps = _per_element(tolerance, "ulps", expected, "0")
            ok |= finite & (_ulps(actual, expected) <= ulps)
        rtol = _float(tolerance.get("rtol", "0"))
        ok |= finite & (np.abs(a - e) <= atol + rtol * np.abs(e))
    return ok


def _judge_array(
    label: str,
    actual: Any,
    expected: np.ndarray,
    tolerance: Mapping[str, Any],
    acceptable: Sequence[Mapping[str, Any]],
) -> tuple[Outcome, str, tuple[str, ...]]:
    if not isinstance(actual, np.ndarray):
        return Outcome.FAIL, f"{label}: expected an array, got {type(actual).__name__}", ()
    if actual.shape != expected.shape:
        return Outcome.FAIL, f"{label}: shape {actual.shape}, expected {expected.shape}", ()
    if actual.dtype != expected.dtype:
        return Outcome.FAIL, f"{label}: dtype {actual.dtype}, expected {expected.dtype}", ()
    ok = _matches(actual, expected, tolerance, _elementwise_tolerance(tolerance, expected))
    if ok.all():
        return Outcome.PASS, "", ()
    a = actual.astype(np.float64)
    flags: list[str] = []
    covered = ok.copy()
    for entry in acceptable:
        low = decode_array(entry["low"], where="acceptable.low").astype(np.float64)
        high = decode_array(entry["high"], where="acceptable.high").astype(np.float64)
        inside = ~covered & (low <= a) & (a <= high)
        if entry.get("nan"):
            inside |= ~covered & np.isnan(a)
        if inside.any():
            flags.append(entry["flag"])
            covered |= inside
    if covered.all():
        return Outcome.ACCEPTABLE, "", tuple(flags)
    bad = np.argwhere(~covered)
    index = tuple(int(i) for i in bad[0])
    e = expected.astype(np.float64)
    return (
        Outcome.FAIL,
        f"{label}: {int((~covered).sum())} of {covered.size} element(s) outside the tolerance; "
        f"first at index {index}: actual {a[index]!r}, expected {e[index]!r}",
        (),
    )


def _judge(member: str, actual: Any, case: Mapping[str, Any]) -> tuple[Outcome, str, tuple]:
    expected = decode_result(member, case["expect"]["result"], where=f"{case['id']}: expect")
    tolerance = case.get("tolerance", {})
    acceptable = case.get("acceptable", [])
    if member == "linear_backward":
        names = ("grad_W", "grad_x", "grad_b")
        if not isinstance(actual, tuple) or len(actual) != 3:
            return Outcome.FAIL, "linear_backward must return three arrays", ()
        pairs = list(zip(names, actual, expected, strict=True))
    elif member == "backprop":
        if not isinstance(actual, tuple) or len(actual) != 2 or not isinstance(actual[1], dict):
            return Outcome.FAIL, "backprop must return (output, {input name: gradient})", ()
        output, gradients = actual
        want_out, want_grads = expected
        if set(gradients) != set(want_grads):
            return (
                Outcome.FAIL,
                f"backprop's gradients have keys {sorted(gradients)}; expected every input "
                f"{sorted(want_grads)}",
                (),
            )
        pairs = [("output", output, want_out)]
        pairs += [(f"gradients[{k!r}]", gradients[k], want_grads[k]) for k in sorted(want_grads)]
    else:
        pairs = [("result", actual, expected)]
    worst, messages, flags = Outcome.PASS, [], []
    for label, got, want in pairs:
        outcome, message, new_flags = _judge_array(
            label, got, want, tolerance, acceptable if len(pairs) == 1 else ()
        )
        if SEVERITY[outcome] > SEVERITY[worst]:
            worst = outcome
        if message:
            messages.append(message)
        flags.extend(new_flags)
    return worst, "; ".join(messages), tuple(dict.fromkeys(flags))


def check_case(adapter: LoadedAdapter, case: Mapping[str, Any]) -> CaseResult:
    """Run one case against ``adapter`` and judge it; never raises for the adapter's faults."""
    member = case["member"]
    ident, clause = case["id"], case["clause"]
    if not adapter.has(member):
        return CaseResult(ident, clause, Outcome.NOT_PROVIDED, f"{member} is not provided")
    if case["dtype"] not in adapter.dtypes:
        return CaseResult(ident, clause, Outcome.NOT_PROVIDED, f"{case['dtype']} not declared")
    args = decode_args(member, case["args"], where=f"{ident}: args")
    wants_error = bool(case["expect"].get("error"))
    try:
        with np.errstate(all="ignore"):
            actual = adapter.call(member, **args)
    except AdapterCallError as error:
        if wants_error and not _broke_protocol(error):
            return CaseResult(ident, clause, Outcome.PASS)
        return CaseResult(ident, clause, Outcome.FAIL, str(error))
    except Exception as error:  # the call machinery itself, e.g. a result numpy cannot read
        return CaseResult(ident, clause, Outcome.FAIL, f"{type(error).__name__}: {error}")
    if wants_error:
        return CaseResult(
            ident, clause, Outcome.FAIL, f"{member} returned a result; it must reject this input"
        )
    try:
        outcome, message, flags = _judge(member, actual, case)
    except (WireError, ValueError, TypeError) as error:
        return CaseResult(ident, clause, Outcome.FAIL, f"could not compare the result: {error}")
    return CaseResult(ident, clause, outcome, message, flags)


def _broke_protocol(error: AdapterCallError) -> bool:
    """A crash, hang or garbage from an out-of-process adapter is no rejection of the input."""
    from ._pipe import PipeError

    return isinstance(error.original, PipeError)


# --- running and reporting ----------------------------------------------------------------------


@dataclass
class VectorReport:
    """The results of one run, per case, with per-clause summaries."""

    adapter_spec: str
    results: list[CaseResult] = field(default_factory=list)

    def by_clause(self) -> dict[str, tuple[Outcome, list[CaseResult]]]:
        """Each clause's worst outcome and its case results, in first-seen order."""
        out: dict[str, tuple[Outcome, list[CaseResult]]] = {}
        for result in self.results:
            worst, rows = out.get(result.clause, (Outcome.NOT_PROVIDED, []))
            rows.append(result)
            if SEVERITY[result.outcome] > SEVERITY[worst]:
                worst = result.outcome
            out[result.clause] = (worst, rows)
        return out

    def counts(self) -> dict[Outcome, int]:
        """How many clauses ended in each outcome."""
        counts = dict.fromkeys(Outcome, 0)
        for worst, _ in self.by_clause().values():
            counts[worst] += 1
        return counts

    def exit_status(self) -> int:
        """0 when no case failed and at least one ran, else 1."""
        ran = any(r.outcome is not Outcome.NOT_PROVIDED for r in self.results)
        failed = any(r.outcome is Outcome.FAIL for r in self.results)
        return 0 if ran and not failed else 1


def run_vectors(
    adapter: LoadedAdapter,
    *,
    cases: Sequence[Mapping[str, Any]] | None = None,
    select: str | None = None,
) -> VectorReport:
    """Run every case (default: the shipped vectors) whose clause matches ``select``.

    ``select`` is matched like ``gradspec check -k``: comma-separated globs or substrings of
    the clause id, case insensitive.
    """
    import fnmatch

    chosen = load_vectors() if cases is None else list(cases)
    terms = [t.strip().lower() for t in (select or "").split(",") if t.strip()]

    def wanted(case: Mapping[str, Any]) -> bool:
        ident = str(case["clause"]).lower()
        return not terms or any(
            fnmatch.fnmatchcase(ident, t) if any(c in t for c in "*?[") else t in ident
            for t in terms
        )

    report = VectorReport(adapter.spec)
    for case in chosen:
        if wanted(case):
            report.results.append(check_case(adapter, case))
    return report


def format_vector_report(report: VectorReport, *, verbose: bool = False) -> str:
    """One line per clause (outcome, cases passed), then the failures, then a summary."""
    lines = []
    table = report.by_clause()
    width = max((len(c) for c in table), default=6)
    for clause, (worst, rows) in table.items():
        passed = sum(r.outcome is Outcome.PASS for r in rows)
        acceptable = sum(r.outcome is Outcome.ACCEPTABLE for r in rows)
        flags = sorted({f for r in rows for f in r.flags})
        extra = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(
            f"{clause.ljust(width)}  {worst.value:<12}  {passed}/{len(rows)} pass"
            + (f", {acceptable} acceptable" if acceptable else "")
            + extra
        )
    failures = [r for r in report.results if r.outcome is Outcome.FAIL]
    if failures:
        lines.append("")
        lines.append("Failures:")
        for r in failures if verbose else failures[:20]:
            lines.append(f"  {r.case_id}: {r.message}")
        if not verbose and len(failures) > 20:
            lines.append(f"  ... and {len(failures) - 20} more (use --verbose)")
    counts = report.counts()
    lines.append("")
    lines.append(
        f"{len(table)} clauses: {counts[Outcome.PASS]} pass, {counts[Outcome.ACCEPTABLE]} "
        f"acceptable, {counts[Outcome.FAIL]} fail, {counts[Outcome.NOT_PROVIDED]} not provided; "
        f"{len(report.results)} cases"
    )
    return "\n".join(lines)
