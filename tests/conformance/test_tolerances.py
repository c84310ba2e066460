"""The tolerance the docs print is the one the check applies.

Clause tolerances are `Tolerance` objects built from the numbers the checks read (the
elementwise table, the identities' terms, the graph and layer factors). These tests show the
docs render exactly those objects, and that changing a number changes both what the docs
print and what the check accepts: there is no second copy of a tolerance to drift.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

import gradspec.reference as reference
from gradspec.conformance import Outcome, run_suite
from gradspec.conformance._adapter import LoadedAdapter
from gradspec.conformance._model import EXACT, MUST_RAISE, Tolerance
from gradspec.conformance.buggy import ReferenceAdapter
from gradspec.conformance.checks import _functions, gradients, identities
from gradspec.conformance.checks._functions import COND_CAP, COND_MULTIPLE, spec
from gradspec.conformance.clauses import CLAUSES, get_clause
from gradspec.reference._numdiff import relative_step

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from gen_clause_docs import render_clause, render_tolerance

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_the_docs_print_each_clause_s_tolerance_object():
    # Every clause states its tolerance as an object, not as prose; exact properties and
    # rejections share the named objects of `_model`.
    assert all(isinstance(c.tolerance, Tolerance) for c in CLAUSES)
    for clause in CLAUSES:
        assert f"- **Tolerance:** {render_tolerance(clause.tolerance)}" in render_clause(clause)
        assert rf"\( {clause.tolerance.latex} \)" in render_clause(clause)
    exact = [c.id for c in CLAUSES if c.tolerance is EXACT]
    assert "ROB-DTYPE" in exact and "SHAPE-LINEAR-GRADIENTS" in exact
    assert all(get_clause(i).tolerance is MUST_RAISE for i in ("BP-REJECT-CYCLE",))


@pytest.mark.parametrize("name", ["sigmoid", "tanh_derivative", "swish_derivative"])
def test_a_value_clause_applies_the_numbers_its_tolerance_states(name):
    entry = spec(name)
    values = entry.tolerance().values
    z = np.linspace(-30, 30, 601)
    for dtype in ("float32", "float64"):
        with np.errstate(all="ignore"):
            cond = np.nan_to_num(np.abs(entry.cond(z)), nan=0.0, posinf=0.0)
        stated = values["u"][dtype] + values["c"][dtype] * np.minimum(cond, values["C"][dtype])
        assert np.array_equal(entry.allowed_ulps(z, dtype), stated)
    assert (values["c"]["float64"], values["C"]["float64"]) == (COND_MULTIPLE, COND_CAP)


class SigmoidTwoUlpHigh(ReferenceAdapter):
    """sigmoid two floats above the reference's: inside 4 ULP, outside 1 ULP near 0."""

    def sigmoid(self, z):
        s = reference.sigmoid(z)
        up = np.asarray(np.inf, dtype=s.dtype)
        return np.nextafter(np.nextafter(s, up), up)


def _sigmoid_value(adapter) -> Outcome:
    report = run_suite(
        LoadedAdapter(adapter, "two-ulp"), profile="quick", select="ACT-SIGMOID-VALUE"
    )
    return report.by_clause()[0].outcome


def test_changing_a_value_tolerance_changes_the_docs_and_the_verdict(monkeypatch):
    assert _sigmoid_value(SigmoidTwoUlpHigh()) is Outcome.PASS
    before = render_tolerance(spec("sigmoid").tolerance())
    tight = dataclasses.replace(spec("sigmoid"), ulps32=1.0, ulps64=1.0)
    monkeypatch.setitem(_functions._TABLE, "sigmoid", tight)
    after = render_tolerance(spec("sigmoid").tolerance())
    assert "u = 4 (float32), 8 (float64)" in before and "u = 1 (float32), 1 (float64)" in after
    assert _sigmoid_value(SigmoidTwoUlpHigh()) is Outcome.FAIL


def test_an_identity_applies_the_terms_its_tolerance_states(monkeypatch):
    identity = identities.IDENTITIES["ACT-TANH-IDENTITY"]
    a, member, b = identity.atol
    z = np.linspace(-5, 5, 11)
    for dtype in ("float32", "float64"):
        eps = float(np.finfo(dtype).eps)
        expected = (a * identity.tolerance().values[f"u_{member}"][dtype] + b) * eps
        assert np.allclose(identity.abs_tolerance(z, dtype), expected, rtol=0, atol=0)
    assert rf"({a:g} u_{{{member}}} + {b:g})" in identity.tolerance().latex
    # Halve the terms: the rendered rule follows.
    halved = dataclasses.replace(identity, atol=(a / 2, member, b / 2))
    monkeypatch.setitem(identities.IDENTITIES, "ACT-TANH-IDENTITY", halved)
    assert rf"({a / 2:g} u_{{{member}}} + {b / 2:g})" in halved.tolerance().latex


# --- the finite-difference clauses ------------------------------------------------------------


class SigmoidDerivativeOffBy1e5(ReferenceAdapter):
    """sigmoid' 1e-5 relative too large: outside 1e-7 |D| + 1e3 eps max|f| / h."""

    def sigmoid_derivative(self, z):
        return reference.sigmoid_derivative(z) * (1 + 1e-5)


class GradBOffBy1e9(ReferenceAdapter):
    """grad_b 1e-9 relative too large: far outside the rounding bound of the layer's sums."""

    def linear_backward(self, W, x, b, grad_z):
        grad_W, grad_x, grad_b = reference.linear_backward(W, x, b, grad_z)
        return grad_W, grad_x, grad_b * (1 + 1e-9)


def _run(adapter, clause_id):
    report = run_suite(LoadedAdapter(adapter, "fd"), profile="quick", select=clause_id)
    return report.by_clause()[0]


def test_the_fd_clauses_state_the_numbers_their_checks_read():
    for clause_id in ("GRAD-SIGMOID-FD", "GRAD-BACKPROP-FD"):
        values = get_clause(clause_id).tolerance.values
        assert values["k"] == {"float64": gradients.ROUNDING}
        assert Tolerance.number(gradients.ROUNDING) in get_clause(clause_id).tolerance.latex
    assert get_clause("GRAD-SIGMOID-FD").tolerance.values["r"] == {"float64": gradients.RTOL}
    assert get_clause("GRAD-BACKPROP-FD").tolerance.values["r"] == {"float64": gradients.GRAPH_RTOL}
    linear = get_clause("GRAD-LINEAR-FD").tolerance
    assert linear.values["c"] == {"float64": gradients.LINEAR_ROUNDING}
    assert rf"\le {Tolerance.number(gradients.LINEAR_ROUNDING)}\," in linear.latex


def test_an_fd_failure_reports_the_bound_the_tolerance_states():
    result = _run(SigmoidDerivativeOffBy1e5(), "GRAD-SIGMOID-FD")
    assert result.outcome is Outcome.FAIL
    failure = result.failure
    values = get_clause("GRAD-SIGMOID-FD").tolerance.values
    r, k = values["r"]["float64"], values["k"]["float64"]
    z = np.array([float(failure.input_value)])
    h = float(relative_step(z, np.float64, extrapolate=True)[0])
    points = z[0] + np.array([-h, -h / 2, h / 2, h])
    scale = float(np.max(np.abs(reference.sigmoid(points))))
    bound = r * abs(failure.expected) + k * np.finfo(np.float64).eps * scale / h
    stated = float(failure.tolerance.split()[0])
    assert stated == pytest.approx(bound, rel=5e-3)
    assert f"({r:g} |D| + {k:g} eps max|f| / h)" in failure.tolerance


def test_changing_an_fd_number_changes_the_docs_and_the_verdict(monkeypatch):
    assert _run(SigmoidDerivativeOffBy1e5(), "GRAD-SIGMOID-FD").outcome is Outcome.FAIL
    assert _run(GradBOffBy1e9(), "GRAD-LINEAR-FD").outcome is Outcome.FAIL
    # A rounding allowance a million times larger: both errors are inside it, and the rules
    # the docs would print say so.
    monkeypatch.setattr(gradients, "ROUNDING", 1e9)
    monkeypatch.setattr(gradients, "LINEAR_ROUNDING", 4e8)
    assert r"10^{9}\,\varepsilon" in gradients.activation_fd_tolerance().latex
    assert r"\le 4e+08\," in gradients.linear_fd_tolerance().latex
    assert _run(SigmoidDerivativeOffBy1e5(), "GRAD-SIGMOID-FD").outcome is Outcome.PASS
    assert _run(GradBOffBy1e9(), "GRAD-LINEAR-FD").outcome is Outcome.PASS
