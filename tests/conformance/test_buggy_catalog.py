"""The catalog of buggy adapters: the suite rejects every bug, and only because of the bug.

For each entry the suite runs (default profile, fixed seed) on the clauses the entry names,
through the same loader and runner a user's adapter goes through; at least one must fail.
The unbroken adapter the entry was made from runs on the same clauses and must not fail, so
the rejection comes from the one overridden member. Valid conventions (``NOT_BUGS``) must not
be rejected at all. ``benchmarks/kill_rate.py`` runs the *whole* suite on every entry.
"""

from __future__ import annotations

import functools
import inspect
import re

import pytest
from hypothesis import Phase, settings

from gradspec.conformance import CLAUSES, Outcome, buggy, load_adapter, run_suite
from gradspec.conformance._model import KINDS
from gradspec.conformance.buggy import CATALOG, KNOWN_MISSED, NOT_BUGS, find, load, spec, unbroken
from gradspec.conformance.contract import MEMBERS

PROFILE = "default"
SEED = 0
REGISTERED = {clause.id for clause in CLAUSES}
UNBROKEN = (buggy.ReferenceAdapter, buggy.HandWrittenEngine)


@pytest.fixture(autouse=True, scope="module")
def _no_shrinking():
    """Run the suite's properties without Hypothesis's shrink phase while this module runs.

    Shrinking only minimises a counterexample already found, so it cannot change an outcome:
    a clause that fails still fails, with a larger example. It is most of the time of a
    failing clause (minutes for ROB-NO-MUTATION, whose examples call every member), and this
    module only asks *whether* a clause fails. ``benchmarks/kill_rate.py`` runs with it.
    """
    settings.register_profile("gradspec-catalog-restore", parent=settings.default)
    settings.register_profile(
        "gradspec-catalog",
        parent=settings.default,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    )
    settings.load_profile("gradspec-catalog")
    yield
    settings.load_profile("gradspec-catalog-restore")


@functools.cache
def report_of(adapter: type, clause_ids: tuple[str, ...]):
    """The suite's report on ``clause_ids`` for ``adapter``, run as a user would."""
    return run_suite(
        load_adapter(spec(adapter)), profile=PROFILE, seed=SEED, select=",".join(clause_ids)
    )


def outcomes(adapter: type, clause_ids: tuple[str, ...]) -> dict[str, Outcome]:
    """The combined outcome of each of ``clause_ids`` for ``adapter``."""
    report = report_of(adapter, clause_ids)
    # A selection term is also a substring match (SHAPE-JACOBIAN selects SHAPE-JACOBIAN-ROW):
    # keep only the clauses asked for.
    return {row.clause_id: row.outcome for row in report.by_clause() if row.clause_id in clause_ids}


@functools.cache
def first_rejection(entry: type) -> str | None:
    """The first of the entry's expected clauses that fails it, or None if none does.

    The clauses run one at a time and stop at the first failure, which keeps the file fast.
    """
    for clause_id in registered(entry.expected_clauses):
        if outcomes(entry, (clause_id,)).get(clause_id) is Outcome.FAIL:
            return clause_id
    return None


def registered(clause_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The ids the registry has (an unregistered id fails the well-formedness test instead)."""
    return tuple(c for c in clause_ids if c in REGISTERED)


def _entry_params() -> list[object]:
    params = []
    for entry in CATALOG:
        marks = []
        if entry.name in KNOWN_MISSED:
            reason = f"known miss: {KNOWN_MISSED[entry.name]}"
            # strict: once the suite catches it, the entry must leave KNOWN_MISSED.
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(entry, id=entry.name, marks=marks))
    return params


# --- the catalog is well formed --------------------------------------------------------------


def test_catalog_is_large_enough_and_names_are_unique_slugs():
    names = [entry.name for entry in CATALOG + NOT_BUGS]
    assert len(CATALOG) >= 24
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name), name


@pytest.mark.parametrize("entry", CATALOG, ids=lambda entry: entry.name)
def test_entry_describes_its_bug_and_names_registered_clauses(entry):
    assert isinstance(entry.bug, str) and len(entry.bug) > 20
    assert isinstance(entry.expected_clauses, tuple) and entry.expected_clauses
    assert entry.expected_findings and all(
        member in MEMBERS and kind in KINDS for member, kind in entry.expected_findings
    ), entry.expected_findings
    unknown = [c for c in entry.expected_clauses if c not in REGISTERED]
    assert not unknown, f"{entry.name} names clauses the registry does not have: {unknown}"


@pytest.mark.parametrize("entry", NOT_BUGS, ids=lambda entry: entry.name)
def test_not_bug_says_why_it_is_valid_and_names_registered_clauses(entry):
    assert isinstance(entry.note, str) and len(entry.note) > 20
    assert not hasattr(entry, "expected_clauses")
    unknown = [c for c in entry.checked_clauses if c not in REGISTERED]
    assert entry.checked_clauses and not unknown, f"{entry.name}: unregistered {unknown}"


@pytest.mark.parametrize("entry", CATALOG + NOT_BUGS, ids=lambda entry: entry.name)
def test_entry_overrides_exactly_one_member_of_a_correct_adapter(entry):
    assert unbroken(entry) in UNBROKEN
    own_methods = [n for n, value in vars(entry).items() if inspect.isfunction(value)]
    assert len(own_methods) == 1, f"{entry.name} overrides {own_methods}"


def test_known_misses_and_not_bugs_are_catalog_names():
    catalog_names = {entry.name for entry in CATALOG}
    assert set(KNOWN_MISSED) <= catalog_names
    assert not catalog_names & {entry.name for entry in NOT_BUGS}


def test_module_docstring_tables_list_the_catalog_and_the_not_bugs_in_order():
    catalog_part, not_bugs_part = buggy.__doc__.split("Not bugs\n--------")
    row = re.compile(r"^\| `([a-z0-9-]+)` \|", flags=re.MULTILINE)
    assert row.findall(catalog_part) == [entry.name for entry in CATALOG]
    assert row.findall(not_bugs_part) == [entry.name for entry in NOT_BUGS]


def test_every_entry_loads_through_its_adapter_spec():
    for entry in CATALOG + NOT_BUGS:
        loaded = load(entry.name)
        assert isinstance(loaded.obj, entry)
        assert loaded.name == entry.name


def test_find_names_the_catalog_for_an_unknown_entry():
    with pytest.raises(KeyError, match="tanh-naive-exp"):
        find("no-such-bug")


# --- the suite catches every bug, and only the bug -------------------------------------------


@pytest.mark.parametrize("entry", _entry_params())
def test_suite_rejects_the_entry_on_an_expected_clause(entry):
    caught_by = first_rejection(entry)
    assert caught_by is not None, (
        f"{entry.name} ({entry.bug}) passed every clause expected to reject it: "
        f"{outcomes(entry, registered(entry.expected_clauses))}"
    )


@pytest.mark.parametrize("entry", _entry_params())
def test_the_rejection_is_one_of_the_entry_s_expected_findings(entry):
    # The clause that rejected the entry (run alone) reports only findings the entry lists:
    # the defect itself, named by member and kind. benchmarks/kill_rate.py checks the whole
    # suite's findings against the full list.
    clause_id = first_rejection(entry)
    assert clause_id is not None
    found = {
        # Alone, a value clause cannot see that a transposed result is the shape defect the
        # whole suite reports (the findings merge them only when the shape clause ran too).
        (f.member, "shape" if (f.hint or "").startswith("transposed") else f.kind)
        for f in report_of(entry, (clause_id,)).findings
    }
    assert found and found <= set(entry.expected_findings), (
        f"{entry.name}: {clause_id} reports {found}, the entry lists {entry.expected_findings}"
    )


@pytest.mark.parametrize("entry", _entry_params())
def test_the_entry_s_clauses_together_report_exactly_its_expected_findings(entry):
    # Every clause the entry names, in one run as a user runs them: the findings are the
    # entry's list, no more (one defect is one finding, however many clauses it breaks) and
    # no less (each listed finding is really reported).
    clause_ids = registered(entry.expected_clauses)
    found = {(f.member, f.kind) for f in report_of(entry, clause_ids).findings}
    assert found == set(entry.expected_findings), (
        f"{entry.name}: {', '.join(clause_ids)} report {sorted(found)}, the entry lists "
        f"{sorted(entry.expected_findings)}"
    )


@pytest.mark.parametrize("entry", CATALOG, ids=lambda entry: entry.name)
def test_unbroken_adapter_passes_the_entry_s_clauses(entry):
    base = unbroken(entry)
    # One run per unbroken adapter over every clause any of its entries names.
    everything = {c for e in CATALOG if unbroken(e) is base for c in e.expected_clauses}
    results = outcomes(base, registered(tuple(sorted(everything))))
    for clause_id in registered(entry.expected_clauses):
        assert results[clause_id] in (Outcome.PASS, Outcome.ACCEPTABLE), (
            f"the unbroken {base.__name__} does not pass {clause_id}: {results[clause_id]}, "
            f"so {entry.name} failing it would prove nothing"
        )


@pytest.mark.parametrize("entry", NOT_BUGS, ids=lambda entry: entry.name)
def test_valid_conventions_are_accepted_not_rejected(entry):
    results = outcomes(entry, registered(entry.checked_clauses))
    assert results, f"none of {entry.checked_clauses} is registered yet"
    for clause_id, outcome in results.items():
        assert outcome in (Outcome.PASS, Outcome.ACCEPTABLE), f"{entry.name}: {clause_id}"
        if clause_id.startswith("KINK-"):
            # A kink convention other than the reference's is reported as such, with a flag.
            assert outcome is Outcome.ACCEPTABLE, f"{entry.name}: {clause_id} is {outcome}"


def test_kill_rate_is_total_apart_from_known_misses(capsys):
    missed = [entry.name for entry in CATALOG if first_rejection(entry) is None]
    caught = len(CATALOG) - len(missed)
    with capsys.disabled():
        print(
            f"\nbuggy catalog kill rate ({PROFILE} profile, seed {SEED}, expected clauses): "
            f"{caught}/{len(CATALOG)} = {caught / len(CATALOG):.0%}"
        )
        for name in missed:
            print(f"  missed: {name}: {KNOWN_MISSED.get(name, 'NOT in KNOWN_MISSED')}")
    assert set(missed) == set(KNOWN_MISSED)
