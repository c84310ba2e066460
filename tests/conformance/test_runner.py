"""The runner's outcome rules, on small clauses and adapters defined here."""

from __future__ import annotations

import types
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradspec.conformance import Outcome, load_adapter, run_suite
from gradspec.conformance._hypothesis import run_property
from gradspec.conformance._model import ClauseResult, ClauseViolation, Failure
from gradspec.conformance._runner import combine, exit_status, plan, select_clauses

from .helpers import make_clause


def sigmoid_matches(ctx):
    """A real little check: sigmoid against 1 / (1 + exp(-z)) on drawn floats."""

    def test(x):
        z = np.array([x], dtype=ctx.dtype)
        got = ctx.adapter.call("sigmoid", z)
        expected = 1.0 / (1.0 + np.exp(-z.astype(np.float64)))
        error = float(abs(got[0] - expected[0]))
        if error > 1e-6:
            raise ClauseViolation(
                Failure(ctx_id(ctx), "sigmoid", "sigmoid(z) differs", expected=expected[0])
            )
        ctx.record(abs_error=error)

    run_property(ctx, st.floats(-20, 20), test)


def ctx_id(ctx):
    return "T-SIGMOID"


def reference():
    return load_adapter("reference")


def adapter_of(**members):
    """An adapter from a namespace of members (the contract accepts any object)."""
    return load_adapter_object(types.SimpleNamespace(**members))


def load_adapter_object(obj):
    from gradspec.conformance._adapter import LoadedAdapter

    return LoadedAdapter(obj, "test-adapter")


def only(clause, adapter, **kwargs):
    return run_suite(adapter, clauses=[clause], profile="quick", **kwargs).results


def test_a_correct_adapter_passes_in_both_dtypes_with_examples_counted():
    results = only(make_clause("T-SIGMOID", sigmoid_matches), reference())
    assert [(r.dtype, r.outcome) for r in results] == [
        ("float32", Outcome.PASS),
        ("float64", Outcome.PASS),
    ]
    assert all(r.examples > 0 and r.worst_abs is not None for r in results)


def test_a_missing_member_is_not_provided_and_the_reason_names_it():
    clause = make_clause("T-NEEDS", sigmoid_matches, members=("sigmoid", "swish"))
    results = only(clause, adapter_of(sigmoid=np.tanh))
    assert {r.outcome for r in results} == {Outcome.NOT_PROVIDED}
    assert all("swish" in r.reason and r.examples == 0 for r in results)


def test_an_undeclared_dtype_is_not_provided_and_the_declared_one_runs():
    adapter = adapter_of(sigmoid=lambda z: 1 / (1 + np.exp(-z)), dtypes=("float64",))
    float32, float64 = only(make_clause("T-SIGMOID", sigmoid_matches), adapter)
    assert float32.outcome is Outcome.NOT_PROVIDED and "float32" in float32.reason
    assert float64.outcome is Outcome.PASS


def test_a_clause_that_is_not_per_dtype_runs_once_in_float64():
    clause = make_clause("T-ONCE", sigmoid_matches, per_dtype=False)
    assert [r.dtype for r in only(clause, reference())] == ["float64"]


def test_a_violation_fails_with_the_checks_own_failure():
    failure = Failure("T-BAD", "bad", "sigmoid(z) differs from the reference")

    def check(ctx):
        raise ClauseViolation(failure)

    results = only(make_clause("T-BAD", check), reference())
    for r in results:
        # The check's own failure, with the dtype of the row it failed in added.
        assert r.outcome is Outcome.FAIL and r.failure == replace(failure, dtype=r.dtype)
        assert r.failures == (r.failure,)


def test_a_member_that_raises_fails_and_the_failure_names_the_member():
    def broken(z):
        raise RuntimeError("not implemented yet")

    results = only(make_clause("T-SIGMOID", sigmoid_matches), adapter_of(sigmoid=broken))
    for result in results:
        assert result.outcome is Outcome.FAIL
        assert "sigmoid" in result.failure.summary
        assert "RuntimeError: not implemented yet" in result.failure.summary
        assert "load_adapter('test-adapter')" in result.failure.reproducer


def test_a_garbage_result_the_check_did_not_expect_fails_instead_of_crashing():
    results = only(make_clause("T-SIGMOID", sigmoid_matches), adapter_of(sigmoid=lambda z: {1}))
    assert all(r.outcome is Outcome.FAIL for r in results)
    assert all("could not evaluate" in r.failure.summary for r in results)


def test_any_other_exception_fails_saying_the_suite_could_not_evaluate():
    def check(ctx):
        run_property(ctx, st.integers(0, 3), lambda i: [][i])

    results = only(make_clause("T-BUG", check), reference())
    for result in results:
        assert result.outcome is Outcome.FAIL
        assert result.failure.summary.startswith("the suite could not evaluate this clause")
        assert "IndexError" in result.failure.summary
        # The shrunk example Hypothesis found is shown.
        assert result.failure.inputs == {"example": "0"}


def test_a_check_that_verified_no_example_fails():
    results = only(make_clause("T-EMPTY", lambda ctx: None), reference())
    assert all(r.outcome is Outcome.FAIL for r in results)
    assert all("no example" in r.failure.summary for r in results)


def flagging(ctx):
    ctx.record()
    ctx.flag("kink-relu-0", "relu'(0) = 0.5")


def test_flags_without_a_failure_are_acceptable():
    results = only(make_clause("T-KINK", flagging), reference())
    assert all(r.outcome is Outcome.ACCEPTABLE for r in results)
    assert all(r.flags == {"kink-relu-0": "relu'(0) = 0.5"} for r in results)


def test_under_strict_flags_fail_and_the_failure_says_why():
    results = only(make_clause("T-KINK", flagging), reference(), strict=True)
    assert all(r.outcome is Outcome.FAIL for r in results)
    assert all("strict mode" in r.failure.summary for r in results)
    assert all("kink-relu-0" in r.failure.hint for r in results)


def test_progress_is_called_once_per_clause_and_dtype_in_order():
    seen = []
    clauses = [
        make_clause("T-A", flagging),
        make_clause("T-B", flagging, per_dtype=False),
    ]
    run_suite(
        reference(),
        clauses=clauses,
        profile="quick",
        progress=lambda result, done, total: seen.append((result.clause_id, done, total)),
    )
    assert seen == [("T-A", 1, 3), ("T-A", 2, 3), ("T-B", 3, 3)]


def test_the_report_records_the_run():
    report = run_suite(reference(), clauses=[make_clause("T-A", flagging)], profile="quick", seed=7)
    assert (report.adapter_spec, report.profile, report.seed, report.strict) == (
        "reference",
        "quick",
        7,
        False,
    )
    assert report.adapter_name == "gradspec reference"
    assert "numpy" in report.library_versions
    assert report.seconds >= 0 and report.started


def test_an_unknown_profile_is_rejected_with_the_choices():
    with pytest.raises(ValueError, match="quick, default, thorough"):
        run_suite(reference(), clauses=[], profile="fast")


def row(outcome, examples=1, dtype="float64", ulp=None):
    return ClauseResult("T", "t", dtype, outcome, examples, worst_ulp=ulp)


@given(st.lists(st.sampled_from(list(Outcome)), min_size=1, max_size=4))
def test_combining_dtypes_keeps_the_worst_outcome_and_adds_examples(outcomes):
    rows = [row(outcome, examples=i) for i, outcome in enumerate(outcomes)]
    combined = combine(rows)
    if Outcome.FAIL in outcomes:
        assert combined.outcome is Outcome.FAIL
    elif Outcome.ACCEPTABLE in outcomes:
        assert combined.outcome is Outcome.ACCEPTABLE
    elif Outcome.PASS in outcomes:
        assert combined.outcome is Outcome.PASS
    else:
        assert combined.outcome is Outcome.NOT_PROVIDED
    assert combined.examples == sum(range(len(outcomes)))


def test_combining_keeps_the_worst_error():
    combined = combine([row(Outcome.PASS, ulp=0.5), row(Outcome.PASS, ulp=2.0), row(Outcome.PASS)])
    assert combined.worst_ulp == 2.0


def test_selection_by_substring_glob_and_list():
    clauses = [
        make_clause("ACT-SIGMOID-VALUE", flagging, title="sigmoid matches"),
        make_clause("ACT-TANH-VALUE", flagging, title="tanh matches"),
        make_clause("LIN-SHAPE", flagging, title="linear keeps shapes"),
    ]
    ids = lambda pattern: [c.id for c in select_clauses(clauses, pattern)]  # noqa: E731
    assert ids(None) == ids("") == [c.id for c in clauses]
    assert ids("tanh") == ["ACT-TANH-VALUE"]
    assert ids("act-*-value") == ["ACT-SIGMOID-VALUE", "ACT-TANH-VALUE"]
    assert ids("shapes, SIGMOID") == ["ACT-SIGMOID-VALUE", "LIN-SHAPE"]
    assert ids("nothing-like-this") == []


def test_plan_lists_each_clause_per_dtype():
    clauses = [make_clause("T-A", flagging), make_clause("T-B", flagging, per_dtype=False)]
    assert [(c.id, d) for c, d in plan(clauses)] == [
        ("T-A", "float32"),
        ("T-A", "float64"),
        ("T-B", "float64"),
    ]


def test_exit_status_is_zero_only_when_something_ran_and_nothing_failed():
    def status(*outcomes):
        report = run_suite(reference(), clauses=[], profile="quick")
        report.results = [row(outcome) for outcome in outcomes]
        return exit_status(report)

    assert status(Outcome.PASS, Outcome.ACCEPTABLE, Outcome.NOT_PROVIDED) == 0
    assert status(Outcome.PASS, Outcome.FAIL) == 1
    assert status(Outcome.NOT_PROVIDED, Outcome.NOT_PROVIDED) == 1
    assert status() == 1


def test_a_clause_without_members_is_not_provided_when_nothing_it_exercises_exists():
    """ROB-NAN exercises the activations; an adapter with only a layer cannot pass it."""
    from types import SimpleNamespace

    from gradspec.conformance import run_suite
    from gradspec.conformance._adapter import LoadedAdapter
    from gradspec.reference import linear

    adapter = LoadedAdapter(SimpleNamespace(linear=linear), "layer-only")
    report = run_suite(adapter, profile="quick", select="ROB-NAN,LIN-FORWARD")
    outcomes = {(r.clause_id, r.outcome.value) for r in report.results}
    assert outcomes == {("ROB-NAN", "not provided"), ("LIN-FORWARD", "pass")}
