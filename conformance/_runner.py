"""Running the clauses against one adapter and collecting a `SuiteReport`.

The runner is the only place that decides an outcome. A check only reports what it saw
(examples recorded, flags, or a `gradspec.conformance._model.ClauseViolation`); the
runner turns that, and anything else that escapes the check, into a
`gradspec.conformance._model.ClauseResult`. Nothing a check or an adapter does can
crash a run: every exception becomes a failing result that says what happened.

Rules, per clause and dtype:

- a member the clause needs is missing, or the dtype is not declared: **not provided**;
- the check raised ``ClauseViolation``: **fail**, with the check's failure;
- an adapter member raised (``AdapterCallError``): **fail**, naming the member;
- any other exception (`BaseException` included, except a real Ctrl-C): **fail**, naming
  the member's own error when a member raised during the check (an intermittent error that
  Hypothesis could not replay, say), else saying the suite could not evaluate the clause;
- the check verified no example: **fail** (zero checks never read as a pass), naming the
  member's error if every call raised, except for a clause that declares no members (it
  exercises whichever members exist) when the adapter has none of them and no call was
  made: **not provided**;
- flags and no failure: **acceptable**, or **fail** under ``strict``;
- otherwise: **pass**.

A run stops early, with ``complete`` false and the reason in the report, at a real Ctrl-C
(`RunInterrupted` carries the partial report) or when its time limit runs out.
"""

from __future__ import annotations

import contextlib
import fnmatch
import platform
import re
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import gradspec

from . import _interrupt
from ._adapter import AdapterCallError, CallTally, LoadedAdapter, load_adapter, safe_text
from ._model import (
    PROFILES,
    CheckContext,
    Clause,
    ClauseResult,
    ClauseViolation,
    Failure,
    NotProvided,
    Outcome,
)
from ._report import SuiteReport
from ._results import combine, exit_status
from .contract import DTYPES as CONTRACT_DTYPES

__all__ = [
    "DTYPES",
    "RunInterrupted",
    "SuiteReport",
    "combine",
    "exit_status",
    "measures_grades",
    "plan",
    "run_clause",
    "run_suite",
    "select_clauses",
]

#: The dtypes a per-dtype clause runs in, in report order.
DTYPES: tuple[str, ...] = CONTRACT_DTYPES

#: ``progress(result, done, total)`` is called after each clause and dtype.
Progress = Callable[[ClauseResult, int, int], None]

#: ``checkpoint(report)`` is called after each clause and dtype with the report so far.
Checkpoint = Callable[["SuiteReport"], None]


def select_clauses(clauses: Sequence[Clause], pattern: str | None) -> list[Clause]:
    """The clauses whose id or title matches ``pattern``.

    ``pattern`` is one or more comma-separated terms, matched case-insensitively: a term
    with ``*``, ``?`` or ``[`` is a glob on the id (``ACT-*-VALUE``), any other term is a
    substring of the id or the title (``sigmoid``). ``None`` or an empty string selects all.
    """
    terms = [term.strip().lower() for term in (pattern or "").split(",") if term.strip()]
    if not terms:
        return list(clauses)

    def matches(clause: Clause) -> bool:
        ident, title = clause.id.lower(), clause.title.lower()
        for term in terms:
            if any(char in term for char in "*?["):
                if fnmatch.fnmatchcase(ident, term):
                    return True
            elif term in ident or term in title:
                return True
        return False

    return [clause for clause in clauses if matches(clause)]


def plan(clauses: Sequence[Clause]) -> list[tuple[Clause, str]]:
    """The (clause, dtype) pairs a run evaluates, in report order."""
    return [
        (clause, dtype)
        for clause in clauses
        for dtype in (DTYPES if clause.per_dtype else ("float64",))
    ]


def _registry() -> tuple[Clause, ...]:
    # Imported late: the registry imports every check, and the runner must stay importable
    # (for the CLI's --help and the pytest plugin) even while a check module is broken.
    from .clauses import CLAUSES

    return tuple(CLAUSES)


class RunInterrupted(KeyboardInterrupt):
    """A real Ctrl-C stopped `run_suite`; ``report`` holds the rows done so far.

    It is a KeyboardInterrupt, so code that does not know it still stops as on any Ctrl-C.
    """

    def __init__(self, report: SuiteReport) -> None:
        super().__init__("the run was interrupted (Ctrl-C)")
        self.report = report


def measures_grades(profile: str, *, whole_registry: bool, accuracy: str | None) -> bool:
    """Whether a run measures the accuracy grades: when a grade is required (``accuracy``),
    or when it runs the whole registry in a profile that grades (`Profile.grades`: not
    ``quick``)."""
    return accuracy is not None or (whole_registry and PROFILES[profile].grades)


def run_suite(
    adapter: Any,
    *,
    profile: str = "default",
    seed: int = 0,
    strict: bool = False,
    select: str | None = None,
    progress: Progress | None = None,
    clauses: Sequence[Clause] | None = None,
    checkpoint: Checkpoint | None = None,
    time_limit: float | None = None,
    accuracy: str | None = None,
    grade: bool | None = None,
) -> SuiteReport:
    """Run every selected clause against ``adapter``.

    Parameters
    ----------
    adapter : LoadedAdapter or anything `gradspec.conformance.load_adapter` takes
        A spec string, a module, a class, an instance or a mapping of member names to
        callables is loaded first.
    profile : {"quick", "default", "thorough"}
        How many examples each clause draws.
    seed : int
        Seed of every property; the same seed reproduces the same run.
    strict : bool
        Require the reference's conventions: acceptable results become failures.
    select : str, optional
        Restrict the run (see `select_clauses`).
    progress : callable, optional
        ``progress(result, done, total)`` after each clause and dtype.
    clauses : sequence of Clause, optional
        The clauses to run instead of the registry (for tests of the runner itself).
    checkpoint : callable, optional
        ``checkpoint(report)`` after each clause and dtype, with the report so far
        (``complete`` false), so a caller can save partial results.
    time_limit : float, optional
        Seconds for the whole run. No clause starts after it; an out-of-process adapter's
        call that is still running then is stopped (that clause fails). The report is then
        incomplete.
    accuracy : str, optional
        A grade of `gradspec.conformance._grades.GRADES` every elementwise member must reach
        (``exit_status`` is 1 otherwise).
    grade : bool, optional
        Measure the accuracy grades; by default as `measures_grades` says (a whole run in a
        profile that grades, or ``accuracy`` required).

    Returns
    -------
    SuiteReport
        ``results`` holds one row per clause and dtype; a selection that matches nothing
        gives a report with no rows (``exit_status`` is then 1).

    Raises
    ------
    RunInterrupted
        On a real Ctrl-C, with the partial report.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}; got {profile!r}.")
    adapter = load_adapter(adapter)
    if accuracy is not None:
        from ._grades import GRADE_OPTIONS

        if accuracy.replace(" ", "-").lower() not in GRADE_OPTIONS:
            raise ValueError(
                f"accuracy must be one of {', '.join(GRADE_OPTIONS)}; got {accuracy!r}."
            )
    chosen = select_clauses(_registry() if clauses is None else clauses, select)
    started = time.perf_counter()
    deadline = None if time_limit is None else time.monotonic() + time_limit
    _set_program_deadline(adapter, deadline)
    report = SuiteReport(
        adapter_spec=adapter.spec,
        adapter_name=adapter.name,
        library_versions={},
        gradspec_version=gradspec.__version__,
        profile=profile,
        seed=seed,
        strict=strict,
        python=platform.python_version(),
        platform=platform.platform(),
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        select=select,
        complete=False,
        clause_members={clause.id: clause.members for clause in chosen},
    )
    pairs = plan(chosen)
    if grade is None:
        grade = measures_grades(
            profile, whole_registry=clauses is None and select is None, accuracy=accuracy
        )
    report.required_accuracy = accuracy
    with _interrupt.watching():
        try:
            for done, (clause, dtype) in enumerate(pairs, start=1):
                if deadline is not None and time.monotonic() >= deadline:
                    report.incomplete_reason = (
                        f"the time limit ran out after {done - 1} of {len(pairs)} clause runs"
                    )
                    break
                result = run_clause(
                    clause, adapter, dtype, profile=profile, seed=seed, strict=strict
                )
                report.results.append(result)
                report.seconds = time.perf_counter() - started
                if checkpoint is not None:
                    checkpoint(report)
                if progress is not None:
                    progress(result, done, len(pairs))
            else:
                if grade:
                    from ._grades import grade_adapter
                    from .checks._batch import bucket

                    report.accuracy = grade_adapter(
                        adapter, adapter.dtypes, length=bucket(PROFILES[profile])
                    )
                report.complete = True
        except KeyboardInterrupt:
            report.incomplete_reason = (
                f"interrupted (Ctrl-C) after {len(report.results)} of {len(pairs)} clause runs"
            )
            report.seconds = time.perf_counter() - started
            raise RunInterrupted(report) from None
    # Read after the run: the adapter's libraries are imported by its first calls at the latest.
    report.library_versions = {**_library_under_test(adapter), **adapter.library_versions()}
    report.seconds = time.perf_counter() - started
    return report


def _set_program_deadline(adapter: LoadedAdapter, deadline: float | None) -> None:
    # An adapter program (cmd: or --isolate) stops a call that runs past the run's time limit.
    from ._pipe import PipeAdapter

    if isinstance(adapter.obj, PipeAdapter):
        adapter.obj.deadline = deadline


def _library_under_test(adapter: LoadedAdapter) -> dict[str, str]:
    """The package the adapter comes from and its version, when it is an installed one."""
    import importlib.metadata
    import inspect
    import sys

    obj = adapter.obj
    module = obj.__name__ if inspect.ismodule(obj) else type(obj).__module__
    top = (module or "").split(".")[0]
    if not top or top.startswith("_gradspec_adapter_") or top == "builtins":
        return {}
    try:
        return {top: importlib.metadata.version(top)}
    except importlib.metadata.PackageNotFoundError:
        version = getattr(sys.modules.get(top), "__version__", None)
        return {top: str(version)} if version is not None else {}


def run_clause(
    clause: Clause,
    adapter: LoadedAdapter,
    dtype: str,
    *,
    profile: str = "default",
    seed: int = 0,
    strict: bool = False,
) -> ClauseResult:
    """Evaluate one clause in one dtype; never raises for anything the check does."""
    missing = adapter.missing(clause.members)
    if missing:
        names = ", ".join(missing)
        return _not_provided(
            clause,
            dtype,
            f"the adapter does not provide {names} (needed: {', '.join(clause.members)})",
        )
    if dtype not in adapter.dtypes:
        return _not_provided(
            clause, dtype, f"the adapter declares dtypes {', '.join(adapter.dtypes)}, not {dtype}"
        )
    ctx = CheckContext(
        adapter=adapter, dtype=dtype, profile=PROFILES[profile], seed=seed, strict=strict
    )
    tally = adapter.tally = CallTally()
    started = time.perf_counter()
    failure: Failure | None = None
    try:
        with _hypothesis_storage_elsewhere():
            clause.check(ctx)
    except NotProvided as reason:
        return _not_provided(clause, dtype, str(reason))
    except BaseException as error:  # the run must survive a broken check or a garbage result
        if isinstance(error, KeyboardInterrupt) and _interrupt.requested():
            raise
        failure = _failure_of(clause, adapter.spec, error, tally)
    seconds = time.perf_counter() - started
    # Failures collected member by member come first; a violation that ended the check last.
    failures = [*ctx.failures, *([failure] if failure is not None else [])]
    failure = failures[0] if failures else None

    flags = dict(ctx.flags)
    if failure is None and ctx.examples == 0 and tally.first_error is not None:
        # Every call raised, and the check (ROB-NO-MUTATION, say) left each error to the
        # member's own clauses: with nothing verified, the error is this clause's result.
        failure = _member_failure(clause, adapter.spec, tally.first_error)
    if failure is None and ctx.examples == 0 and not clause.members:
        # Clauses such as ROB-NAN declare no member of their own: they exercise whichever
        # members the adapter has. Having none of them is "not provided", never a pass.
        return _not_provided(
            clause, dtype, "the adapter provides none of the members this clause exercises"
        )
    if failure is None and ctx.examples == 0:
        failure = Failure(
            clause_id=clause.id,
            title=clause.title,
            summary="the check verified no example, so the clause cannot count as passed",
            hint="every example was discarded or skipped; this is a gap in the suite, "
            "please report it",
        )
    if failure is None and flags and strict:
        failure = Failure(
            clause_id=clause.id,
            title=clause.title,
            summary="acceptable under the spec, but strict mode requires the reference's "
            "convention",
            hint="; ".join(f"{name}: {detail}" for name, detail in flags.items()),
            kind="strict",
        )
    if failure is not None and not failures:
        failures = [failure]
    # Checks build failures without the registry (no import cycle): the runner names them.
    failures = [replace(f, title=f.title or clause.title, dtype=f.dtype or dtype) for f in failures]
    failure = failures[0] if failures else None
    if failure is not None:
        outcome = Outcome.FAIL
    elif flags:
        outcome = Outcome.ACCEPTABLE
    else:
        outcome = Outcome.PASS
    return ClauseResult(
        clause_id=clause.id,
        title=clause.title,
        dtype=dtype,
        outcome=outcome,
        examples=ctx.examples,
        worst_ulp=ctx.worst_ulp if ctx.examples else None,
        worst_abs=ctx.worst_abs if ctx.examples else None,
        worst_rel=ctx.worst_rel if ctx.examples else None,
        worst_tol=ctx.worst_tol if ctx.examples else None,
        flags=flags,
        failure=failure,
        seconds=seconds,
        calls=tally.calls,
        shapes=frozenset(tally.shapes),
        failures=tuple(failures),
        notes=dict(ctx.notes),
    )


def _failure_of(clause: Clause, spec: str, error: BaseException, tally: CallTally) -> Failure:
    """The failure for whatever escaped a check."""
    found = _find(error, (ClauseViolation, AdapterCallError))
    if isinstance(found, ClauseViolation):
        return found.failure
    if isinstance(found, AdapterCallError):
        return _member_failure(clause, spec, found, _example_note(error))
    if tally.first_error is not None:
        # Something else went wrong after a member raised (Hypothesis reports a failure it
        # could not replay as "flaky", for instance): the member's own error is the news.
        return _member_failure(
            clause, spec, tally.first_error, _example_note(error), intermittent=True
        )
    return _suite_failure(clause, error)


def _find(error: BaseException, kinds: tuple[type[BaseException], ...]) -> BaseException | None:
    """``error`` itself or the first exception of ``kinds`` inside it (groups, causes)."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kinds):
            return current
        pending.extend(getattr(current, "exceptions", None) or ())
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
    return None


def _not_provided(clause: Clause, dtype: str, reason: str) -> ClauseResult:
    return ClauseResult(
        clause_id=clause.id,
        title=clause.title,
        dtype=dtype,
        outcome=Outcome.NOT_PROVIDED,
        examples=0,
        reason=reason,
    )


class _Verbatim(str):
    """Text shown as is (no quotes) where a value is expected, e.g. a Hypothesis example."""

    def __repr__(self) -> str:
        return str(self)


_EXAMPLE = re.compile(r"example=(?P<value>.*?),?(\s*#[^\n]*)?\s*\)\s*$", re.DOTALL)


def _example_note(error: BaseException) -> str | None:
    # Hypothesis attaches the shrunk example to the exception as a note
    # ("Falsifying example: _property(\n    example=...,\n)"; newer releases say "Failing
    # test case:"); it is the best input we can show when the exception did not come with a
    # Failure of its own.
    for note in getattr(error, "__notes__", None) or []:
        if note.startswith(("Falsifying example", "Failing test case")):
            match = _EXAMPLE.search(note)
            text = match.group("value") if match else note.split(":", 1)[1]
            return _Verbatim(" ".join(text.split()))
    return None


@contextlib.contextmanager
def _hypothesis_storage_elsewhere() -> Iterator[None]:
    """Point Hypothesis's on-disk caches at a temporary folder while a check runs.

    Even with no example database, Hypothesis caches constants it mines from local source
    files under ``./.hypothesis``; the suite must write nothing into the user's folder.
    The previous setting is restored, so a user's own Hypothesis tests in the same pytest
    session keep their database where they had it.
    """
    try:
        from hypothesis import configuration

        set_home = configuration.set_hypothesis_home_dir
    except (ImportError, AttributeError):  # a Hypothesis without the hook: nothing to do
        yield
        return
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    with tempfile.TemporaryDirectory(prefix="gradspec-hypothesis-") as folder:
        set_home(folder)
        try:
            yield
        finally:
            set_home(previous)


def _member_failure(
    clause: Clause,
    spec: str,
    error: AdapterCallError,
    example: str | None = None,
    *,
    intermittent: bool = False,
) -> Failure:
    example = example or _example_note(error)
    original = error.original
    again = " (not on every call: the same input did not always fail)" if intermittent else ""
    return Failure(
        clause_id=clause.id,
        title=clause.title,
        summary=f"the adapter's {error.member} failed{again}: {error}",
        inputs={"example": example} if example else {},
        hint=(
            f"{error.member} must accept the inputs the contract describes and return an "
            "array; run the reproducer to see the full traceback from your code"
            if original is not None
            else f"{error.member} must return something numpy.asarray can read"
        ),
        reproducer=_generic_reproducer(spec, error.member, example),
        member=error.member,
        kind="raises" if original is not None else "form",
    )


def _suite_failure(clause: Clause, error: BaseException) -> Failure:
    example = _example_note(error)
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (raised at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return Failure(
        clause_id=clause.id,
        title=clause.title,
        summary=f"the suite could not evaluate this clause: {type(error).__name__}: "
        f"{safe_text(error)}",
        inputs={"example": example} if example else {},
        hint=(
            "either an adapter member returned something the check did not anticipate "
            "(a wrong shape, dtype or type), or this is a bug in gradspec; if your results "
            f"look right, please report it with this message{where}"
        ),
        kind="suite",
    )


def _generic_reproducer(spec: str, member: str, example: str | None) -> str:
    lines = [
        "from gradspec.conformance import load_adapter",
        "",
        f"adapter = load_adapter({spec!r})",
    ]
    if example:
        lines.append(f"# failing example found by the suite: {example}")
    lines.append(f"adapter.obj.{member}(...)  # call it with that example")
    return "\n".join(lines)
