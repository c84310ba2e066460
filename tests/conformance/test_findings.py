"""One defect, one finding: each clause owns one property and the others look through it.

Each adapter here is correct but for one defect; the whole suite runs on it (quick profile,
fixed seed) and must report exactly one finding and fail only the clause that owns it. Also:
an engine that lacks an op, with and without declaring ``graph_ops``; robustness clauses that
judge every member; the textbook derivatives, correct and graded below "within 4 ULP"; and a
broken reference, which the suite must catch like any other implementation.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import gradspec.reference as reference
from gradspec.conformance import Outcome, run_suite
from gradspec.conformance._adapter import LoadedAdapter, load_adapter
from gradspec.conformance._format import format_accuracy_table
from gradspec.conformance._grades import GRADE_OPTIONS, GRADES, grade_errors
from gradspec.conformance._report import report_to_json
from gradspec.conformance.buggy import HandWrittenEngine, ReferenceAdapter
from gradspec.conformance.buggy._not_bugs import (
    SigmoidDerivativeNaiveTail,
    TanhDerivativeNaiveTail,
)
from gradspec.conformance.contract import GRAPH_OPS

from .test_checks import run

PROFILE = "quick"


def _float64_result(member: str) -> type:
    """A correct adapter whose ``member`` returns float64 whatever the input dtype."""

    def wrong(self, z, *args, **kwargs):
        return np.asarray(getattr(reference, member)(z, *args, **kwargs), dtype=np.float64)

    return type(f"Float64{member.title().replace('_', '')}", (ReferenceAdapter,), {member: wrong})


class EngineWithoutHardtanh(HandWrittenEngine):
    """A correct engine for every op but hardtanh, which it refuses."""

    def _evaluate(self, node, args):
        if node["op"] == "hardtanh":
            raise NotImplementedError("this engine has no hardtanh")
        return super()._evaluate(node, args)


class EngineDeclaringItsOps(EngineWithoutHardtanh):
    """The same engine, declaring the ops it has (contract 1.1)."""

    graph_ops = tuple(op for op in GRAPH_OPS if op != "hardtanh")


@functools.cache
def report_of(adapter: type, profile: str = PROFILE):
    return run_suite(LoadedAdapter(adapter(), adapter.__name__), profile=profile, seed=0)


def failing(report) -> list[str]:
    return [row.clause_id for row in report.by_clause() if row.outcome is Outcome.FAIL]


@pytest.mark.parametrize("member", ["relu_derivative", "hardtanh", "leaky_relu"])
def test_a_dtype_defect_is_one_finding_of_the_dtype_clause_only(member):
    report = report_of(_float64_result(member))
    assert failing(report) == ["ROB-DTYPE"]
    (finding,) = report.findings
    assert (finding.member, finding.kind, finding.clauses) == (member, "dtype", ("ROB-DTYPE",))
    assert finding.dtypes == ("float32",)
    assert "float64" in finding.summary and "float32" in finding.summary
    # The reproducer prints the dtypes: from the values alone nothing would look wrong.
    assert "result dtype" in finding.reproducer
    # The value clauses saw the dtype, noted it, and judged the values (and they pass).
    noted = [row for row in report.results if f"{member}-dtype" in row.notes]
    assert noted and all(row.outcome is Outcome.PASS for row in noted)


class SigmoidRefusingZeroD(ReferenceAdapter):
    """A correct sigmoid that raises for 0-d input only."""

    def sigmoid(self, z):
        if np.ndim(z) == 0:
            raise ValueError("expected an array with at least one dimension")
        return reference.sigmoid(z)


def test_a_member_raising_on_one_kind_of_input_only_fails_only_rob_shape():
    report = report_of(SigmoidRefusingZeroD)
    assert failing(report) == ["ROB-SHAPE"]
    (finding,) = report.findings
    assert (finding.member, finding.kind) == ("sigmoid", "raises")
    # The value clauses call sigmoid on batches (1-D, see checks/_batch.py) and judge its
    # values: they run, and pass.
    value = [row for row in report.results if row.clause_id == "ACT-SIGMOID-VALUE"]
    assert value and all(row.outcome is Outcome.PASS and row.examples > 0 for row in value)


def test_a_result_of_another_shape_fails_only_rob_shape_and_is_judged_reshaped():
    from gradspec.conformance.buggy import find

    report = report_of(find("sigmoid-column-vector"))
    assert failing(report) == ["ROB-SHAPE"]
    (finding,) = report.findings
    assert (finding.member, finding.kind) == ("sigmoid", "shape")


def test_an_engine_without_an_op_is_one_finding_and_its_other_graphs_are_judged():
    report = report_of(EngineWithoutHardtanh)
    assert failing(report) == ["BP-OPS"]
    (finding,) = report.findings
    assert finding.member == "backprop" and finding.kind == "unsupported-op"
    assert finding.summary.startswith("op hardtanh unsupported")
    value = next(r for r in report.by_clause() if r.clause_id == "BP-VALUE")
    assert value.outcome is Outcome.PASS and value.examples > 0


def test_an_engine_declaring_its_ops_has_no_finding_and_its_graph_clauses_pass():
    report = report_of(EngineDeclaringItsOps)
    assert report.findings == [] and failing(report) == []
    rows = {r.clause_id: r for r in report.by_clause()}
    for clause_id in ("BP-VALUE", "BP-ORDER", "BP-JACOBIAN", "GRAD-BACKPROP-FD", "BP-OPS"):
        assert rows[clause_id].outcome is Outcome.PASS, clause_id
        assert rows[clause_id].examples > 0
    assert "graph-ops" in rows["BP-OPS"].notes


def test_graph_ops_naming_an_unknown_op_is_a_load_error():
    class Bad(ReferenceAdapter):
        graph_ops = ("add", "softmax")

    from gradspec.conformance import AdapterLoadError

    with pytest.raises(AdapterLoadError, match="softmax"):
        LoadedAdapter(Bad(), "bad")


def test_robustness_clauses_judge_every_member_one_bad_member_hides_no_other():
    class TwoBadMembers(ReferenceAdapter):
        def relu(self, z):
            return np.where(z > 0, z, 0).astype(z.dtype)  # NaN becomes 0

        def sigmoid(self, z):
            out = reference.sigmoid(z)
            return np.where(np.isnan(z), 0.5, out).astype(z.dtype)

    ctx, _ = run("ROB-NAN", TwoBadMembers(), "float64")
    assert sorted(f.member for f in ctx.failures) == ["relu", "sigmoid"]
    assert all(f.kind == "nan" for f in ctx.failures)


@pytest.mark.parametrize(
    ("adapter", "member"),
    [
        (TanhDerivativeNaiveTail, "tanh_derivative"),
        (SigmoidDerivativeNaiveTail, "sigmoid_derivative"),
    ],
)
def test_textbook_derivatives_pass_and_are_graded_below_within_4_ulp(adapter, member):
    clause = f"ACT-{member.removesuffix('_derivative').upper()}-DERIVATIVE-VALUE"
    report = run_suite(
        LoadedAdapter(adapter(), adapter.__name__), profile=PROFILE, select=clause, grade=True
    )
    assert [row.outcome for row in report.by_clause()] == [Outcome.PASS]
    grades = {g.dtype: g for g in report.accuracy if g.member == member}
    assert set(grades) == {"float32", "float64"}
    for grade in grades.values():
        assert grade.level > GRADES.index("within 4 ULP"), grade
        assert grade.grade.startswith("tails lost beyond |z| = ")
    # The grade is what the reader sees: in the CLI's accuracy table and in the JSON report.
    table = format_accuracy_table(report.accuracy)
    row = next(line for line in table.splitlines() if line.lstrip().startswith(member))
    assert row.count("tails lost beyond |z| = ") == 2, table
    shown = {g["dtype"]: g for g in report_to_json(report)["accuracy"] if g["member"] == member}
    assert {d: g["grade"] for d, g in shown.items()} == {d: g.grade for d, g in grades.items()}
    assert all(g["worst_ulp"] > 4 for g in shown.values())
    # The reference's own derivative is graded within 4 ULP in both dtypes.
    ours = run_suite(load_adapter("reference"), profile=PROFILE, select=clause, grade=True)
    assert all(g.level <= 2 for g in ours.accuracy if g.member == member)


@pytest.mark.parametrize(
    ("section", "entry"),
    [("tanh", "tanh-derivative-naive-tail"), ("sigmoid", "sigmoid-derivative-naive-tail")],
)
def test_the_docs_show_the_textbook_derivative_s_grade(section, entry):
    # The spec page's clause list (generated by tools/gen_clause_docs.py, kept fresh by
    # tests/docs/test_traceability.py) states the grade the run reports.
    from pathlib import Path

    fragment = Path(__file__).resolve().parents[2] / "docs/_generated/clauses" / f"{section}.md"
    lines = [line for line in fragment.read_text().splitlines() if f"`{entry}`" in line]
    assert len(lines) == 1 and lines[0].startswith("- **Accuracy**")
    shown = lines[0].split(f"`{entry}` (passes this clause): ")[1]
    assert shown.count("tails lost beyond |z| = ") == 2, shown


def test_an_accuracy_requirement_fails_the_run_when_a_grade_is_below_it():
    report = run_suite(
        LoadedAdapter(TanhDerivativeNaiveTail(), "naive"),
        profile=PROFILE,
        select="ACT-TANH-DERIVATIVE-VALUE",
        accuracy="within-4-ulp",
    )
    below = report.below_accuracy()
    assert {g.member for g in below} == {"tanh_derivative"}
    from gradspec.conformance._runner import exit_status

    assert exit_status(report) == 1
    with pytest.raises(ValueError, match="within-4-ulp"):
        run_suite(load_adapter("reference"), select="ACT-TANH-VALUE", accuracy="good")


def test_grade_names_follow_the_worst_error_and_where_it_occurs():
    z = np.array([0.5, 2.0, 30.0])
    assert grade_errors(z, np.array([0.2, 0.4, 0.5])) == (0, "correctly rounded")
    assert grade_errors(z, np.array([0.2, 0.9, 3.0])) == (2, "within 4 ULP")
    assert grade_errors(z, np.array([0.2, 5e3, 1e9])) == (4, "tails lost beyond |z| = 2")
    assert grade_errors(z, np.array([2e3, 0.0, 0.0]))[1] == "wrong"
    assert list(GRADE_OPTIONS)[:2] == ["correctly-rounded", "faithful"]


# --- the suite's expected values are not the reference's -------------------------------------


def test_a_halved_reference_sigmoid_fails_its_value_clause(monkeypatch):
    original = reference.sigmoid
    monkeypatch.setattr(reference, "sigmoid", lambda z: original(z) / 2)
    report = run_suite(load_adapter("reference"), profile=PROFILE, select="ACT-SIGMOID-VALUE")
    assert [row.outcome for row in report.by_clause()] == [Outcome.FAIL]
    assert report.findings[0].hint and "constant factor" in report.findings[0].hint


def test_a_reference_backprop_with_doubled_gradients_fails_bp_value(monkeypatch):
    original = reference.backprop

    def doubled(graph, inputs):
        out, grads = original(graph, inputs)
        return out, {k: 2 * v for k, v in grads.items()}

    monkeypatch.setattr(reference, "backprop", doubled)
    report = run_suite(load_adapter("reference"), profile=PROFILE, select="BP-VALUE")
    assert [row.outcome for row in report.by_clause()] == [Outcome.FAIL]
    (finding,) = report.findings
    assert finding.member == "backprop" and finding.kind == "value"


def test_a_reference_jacobian_off_by_a_factor_fails_bp_jacobian(monkeypatch):
    original = reference.jacobian
    monkeypatch.setattr(reference, "jacobian", lambda g, i, w: 1.5 * original(g, i, w))
    report = run_suite(load_adapter("reference"), profile=PROFILE, select="BP-JACOBIAN")
    assert [row.outcome for row in report.by_clause()] == [Outcome.FAIL]
