"""The vocabulary shared by the checks, the runner and the reports.

A *clause* is one normative statement of the specification with a stable id. Its *check*
is a function that receives a `CheckContext` and either returns normally (the
adapter satisfies the clause on every example it was shown), records an *acceptable*
deviation with a named flag, or raises `ClauseViolation` carrying a
`Failure` that explains, for a student, what went wrong and how to reproduce it.

The runner (``_runner.py``) turns those into a `ClauseResult` per clause and dtype.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any


class Outcome(str, enum.Enum):
    """The four outcomes of a clause. Only PASS and ACCEPTABLE count as conforming."""

    PASS = "pass"
    ACCEPTABLE = "acceptable"
    FAIL = "fail"
    NOT_PROVIDED = "not provided"


@dataclass(frozen=True)
class Profile:
    """How hard the suite searches: the number of Hypothesis examples per clause and dtype.

    Shrinking (making a failing example small and readable) is bounded too, so that a wrong
    implementation is judged in about the time a correct one takes: after ``max_shrinks``
    successful shrinks or ``shrink_seconds`` of shrinking in one property, the smallest
    failing example found so far is reported.
    """

    name: str
    max_examples: int
    #: Size cap for generated arrays (elements) and graphs (nodes).
    max_array_size: int
    max_graph_nodes: int
    max_shrinks: int = 500  # Hypothesis's own limits, for a Profile built elsewhere
    shrink_seconds: float = 300.0
    #: Whether a whole run measures the accuracy grades. They judge nothing (a grade is not a
    #: verdict), cost the same fixed sample in every profile (a second or more on a library),
    #: and the quick profile is for a fast verdict, so it leaves them out; ``--accuracy``
    #: measures them in any profile.
    grades: bool = True


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        "quick",
        max_examples=10,
        max_array_size=16,
        max_graph_nodes=6,
        max_shrinks=20,
        shrink_seconds=0.25,
        grades=False,
    ),
    "default": Profile(
        "default",
        max_examples=60,
        max_array_size=64,
        max_graph_nodes=10,
        max_shrinks=50,
        shrink_seconds=0.5,
    ),
    "thorough": Profile(
        "thorough",
        max_examples=400,
        max_array_size=256,
        max_graph_nodes=16,
        max_shrinks=200,
        shrink_seconds=5.0,
    ),
}


@dataclass(frozen=True)
class Failure:
    """Everything a failure message shows, in one pattern.

    Attributes
    ----------
    clause_id, title : str
        The clause violated.
    summary : str
        One sentence: what was wrong (``"tanh_derivative(z) differs from the reference"``).
    inputs : dict[str, Any]
        The (shrunk) inputs of the failing example, by argument name.
    index : tuple[int, ...] or None
        The worst element's index in the result, where the result is an array.
    input_value : Any
        The input at that element (for elementwise functions), else None.
    expected, actual : Any
        Expected and actual values at the worst element (or whole small results).
    abs_error, rel_error, ulp_error : float or None
        Errors at the worst element; ULPs in the dtype of the result.
    hint : str or None
        A pattern that explains the error (sign flipped, transposed, scaled...), if any.
    reproducer : str
        Copy-paste Python code that reproduces the failure outside the suite.
    member : str or None
        The adapter member at fault (``"tanh_derivative"``, ``"backprop"``), when known.
    kind : str
        What is wrong, one of `KINDS` (``"value"``, ``"dtype"``...): with ``member``, the
        identity of the defect that findings are grouped by.
    tolerance : str or None
        The tolerance that was exceeded, stated for people (``"4 ULP + 2 cond(f, z)"``).
    dtype : str or None
        The dtype of the inputs of the failing example.
    """

    clause_id: str
    title: str
    summary: str
    inputs: dict[str, Any] = field(default_factory=dict)
    index: tuple[int, ...] | None = None
    input_value: Any = None
    expected: Any = None
    actual: Any = None
    abs_error: float | None = None
    rel_error: float | None = None
    ulp_error: float | None = None
    hint: str | None = None
    reproducer: str = ""
    member: str | None = None
    kind: str = "value"
    tolerance: str | None = None
    dtype: str | None = None
    #: What ``expected`` is, where it is not the exact value ("finite difference").
    expected_label: str = "expected"


#: What a failure can be wrong about; each kind is owned by one family of clauses.
KINDS: dict[str, str] = {
    "value": "wrong values",
    "dtype": "wrong result dtype",
    "shape": "wrong result shape",
    "form": "wrong result form (not the arrays the contract returns)",
    "raises": "raises on valid input",
    "nan": "NaN not propagated",
    "limit": "wrong limit at infinity",
    "mutation": "modifies its inputs",
    "kink": "derivative outside the subgradient interval at a kink",
    "gradient-keys": "wrong set of gradient entries",
    "accepts-invalid": "accepts an invalid graph",
    "unsupported-op": "a graph op is not supported",
    "strict": "a valid convention other than the reference's (strict mode)",
    "suite": "the suite could not evaluate the clause",
}


class NotProvided(Exception):
    """Raised by a check when nothing it needs is provided (for example every op it uses is
    outside the adapter's ``graph_ops``): the clause is *not provided*, with this reason."""


class ClauseViolation(AssertionError):
    """Raised by a check when the adapter violates its clause. Carries the `Failure`.

    It subclasses AssertionError so that Hypothesis treats it as a failing example and
    shrinks it.
    """

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.summary)
        self.failure = failure


@dataclass
class CheckContext:
    """What a check receives: the adapter, the dtype under test and the run's settings.

    A check records each example it verified with `record` (the examples count and the
    worst error in the report come from these), and an accepted deviation with `flag`.
    """

    adapter: Any  # conformance._adapter.LoadedAdapter (kept loose to avoid an import cycle)
    dtype: str  # "float32" or "float64"
    profile: Profile
    seed: int
    strict: bool
    examples: int = 0
    worst_ulp: float | None = None
    worst_abs: float | None = None
    worst_rel: float | None = None
    #: The worst error as a fraction of its tolerance (1 is the limit).
    worst_tol: float | None = None
    flags: dict[str, str] = field(default_factory=dict)
    #: Defects seen and looked through (a dtype, a shape) that another clause owns.
    notes: dict[str, str] = field(default_factory=dict)
    #: Failures collected so far, one per member, by checks that judge several members.
    failures: list[Failure] = field(default_factory=list)

    def record(
        self,
        *,
        ulp_error: float | None = None,
        abs_error: float | None = None,
        rel_error: float | None = None,
        tol_fraction: float | None = None,
    ) -> None:
        """Count one verified example and keep the worst errors seen (None: not measured)."""
        self.examples += 1

        def worse(old: float | None, new: float | None) -> float | None:
            return old if new is None else float(new) if old is None else max(old, float(new))

        self.worst_ulp = worse(self.worst_ulp, ulp_error)
        self.worst_abs = worse(self.worst_abs, abs_error)
        self.worst_rel = worse(self.worst_rel, rel_error)
        self.worst_tol = worse(self.worst_tol, tol_fraction)

    def flag(self, name: str, detail: str) -> None:
        """Record an acceptable deviation, e.g. ``flag("kink-relu-0", "relu'(0) = 0.5")``."""
        self.flags.setdefault(name, detail)

    def note(self, name: str, detail: str) -> None:
        """Record a defect this clause does not own and looked through (it does not fail).

        ``note("relu_derivative-dtype", "returns float64 for float32 input; cast to judge")``.
        """
        self.notes.setdefault(name, detail)

    @contextmanager
    def judging(self, member: str) -> Iterator[None]:
        """Judge one member; a violation is collected, so the next member is judged too.

        Checks that judge several members wrap each member's part in this, so one bad member
        never hides another; the runner fails the clause with every failure collected.
        """
        try:
            yield
        except ClauseViolation as violation:
            failure = violation.failure
            if failure.member is None:
                failure = replace(failure, member=member)
            self.failures.append(failure)


@dataclass(frozen=True)
class Tolerance:
    r"""A clause's tolerance: the rule the docs render as math, with the numbers the check uses.

    The check reads its numbers from the same object (or from the table that built it), so
    the docs cannot state a tolerance the check does not apply.

    Attributes
    ----------
    latex : str
        The rule, LaTeX without delimiters (``|a - f(z)| \le u\,\mathrm{ulp}(f(z))``).
    where : str
        The symbols in words, with their values (``"u = 4 (float32), 8 (float64)"``).
    values : dict of str to dict of str to float
        Each symbol's value per dtype (``{"u": {"float32": 4.0, "float64": 8.0}}``).

    Examples
    --------
    >>> t = Tolerance(r"|a - b| \le u", "u = 1", {"u": {"float32": 1.0, "float64": 1.0}})
    >>> str(t)
    '|a - b| \\le u, where u = 1'
    """

    latex: str
    where: str = ""
    values: dict[str, dict[str, float]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.latex}, where {self.where}" if self.where else self.latex

    def markdown(self) -> str:
        r"""The docs' form: ``\( latex \)`` then the words."""
        return rf"\( {self.latex} \)" + (f", where {self.where}" if self.where else "")

    @staticmethod
    def number(value: float) -> str:
        """A number as the LaTeX of a rule prints it: powers of ten as ``10^{k}``.

        >>> Tolerance.number(1e-7), Tolerance.number(1000.0), Tolerance.number(4.0)
        ('10^{-7}', '10^{3}', '4')
        """
        if value > 0:
            exponent = round(math.log10(value))
            if abs(exponent) >= 3 and value == 10.0**exponent:
                return f"10^{{{exponent}}}"
        return f"{value:g}"

    @staticmethod
    def per_dtype(symbol: str, f32: float, f64: float) -> str:
        """``"u = 4 (float32), 8 (float64)"``: a symbol's values in words."""
        return f"{symbol} = {f32:g} (float32), {f64:g} (float64)"


#: The tolerance of a clause whose property allows no rounding (a dtype, a shape, a limit).
EXACT = Tolerance("0", "the property is checked exactly, with no rounding allowance")
#: The tolerance of a clause that requires an exception.
MUST_RAISE = Tolerance(
    r"\text{exception}", "any Exception, raised before a result is returned, passes"
)
#: The tolerance of a clause that requires a result.
MUST_RETURN = Tolerance(r"\text{result}", "any result returned without an exception passes")


@dataclass(frozen=True)
class Clause:
    """One normative statement of the specification.

    Attributes
    ----------
    id : str
        Stable identifier, upper case with hyphens (``ACT-TANH-IDENTITY``). Never reused.
    title : str
        Short title shown in tables.
    family : str
        One of ``values, identities, gradients, diagonal, shape, linear, backprop,
        robustness, kinks``.
    section : str
        Slug of the spec section that states it (``sigmoid``, ``shape``, ``backprop``...);
        the docs anchor is the id itself.
    statement : str
        The normative sentence, in words.
    latex : str
        The statement's math, LaTeX without delimiters.
    notes : str
        Where in the lecture notes it comes from (section title).
    members : tuple of str
        Adapter members the check needs; a missing one makes the clause not provided.
    tolerance : Tolerance
        The tolerance, built from the numbers the check applies (`EXACT`, `MUST_RAISE` or
        `MUST_RETURN` where the property allows no rounding).
    check : callable
        ``check(ctx: CheckContext) -> None``.
    per_dtype : bool
        Whether the clause runs once per dtype (most do) or once in float64.
    """

    id: str
    title: str
    family: str
    section: str
    statement: str
    latex: str
    notes: str
    members: tuple[str, ...]
    tolerance: Tolerance
    check: Callable[[CheckContext], None]
    per_dtype: bool = True


@dataclass(frozen=True)
class ClauseResult:
    """The outcome of one clause for one dtype (or the combined row in a report)."""

    clause_id: str
    title: str
    dtype: str | None
    outcome: Outcome
    examples: int
    worst_ulp: float | None = None
    worst_abs: float | None = None
    worst_rel: float | None = None
    flags: dict[str, str] = field(default_factory=dict)
    failure: Failure | None = None
    #: The worst error as a fraction of its tolerance, where the check measures one.
    worst_tol: float | None = None
    #: Why the clause was not provided (missing members, undeclared dtype).
    reason: str | None = None
    seconds: float = 0.0
    #: Adapter calls made by the check.
    calls: int = 0
    #: Distinct (member, dtype, argument shapes) keys among those calls (see CallTally).
    shapes: frozenset[tuple[Any, ...]] = frozenset()
    #: Every failure, one per member at fault (``failure`` is the first of them).
    failures: tuple[Failure, ...] = ()
    #: Defects looked through, owned by other clauses (see `CheckContext.note`).
    notes: dict[str, str] = field(default_factory=dict)
