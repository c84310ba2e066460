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
from gradspec.conformance._model import Tolerance
from gradspec.conformance.buggy import ReferenceAdapter
from gradspec.conformance.checks import _functions, identities
from gradspec.conformance.checks._functions import COND_CAP, COND_MULTIPLE, spec
from gradspec.conformance.clauses import CLAUSES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from gen_clause_docs import render_clause, render_tolerance

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_the_docs_print_each_clause_s_tolerance_object():
    numeric = [c for c in CLAUSES if isinstance(c.tolerance, Tolerance)]
    # Every clause with a numeric tolerance states it as an object, not as prose.
    assert {c.family for c in numeric} >= {"values", "identities", "linear", "backprop"}
    for clause in CLAUSES:
        assert f"- **Tolerance:** {render_tolerance(clause.tolerance)}" in render_clause(clause)
        if not isinstance(clause.tolerance, Tolerance):
            # Words only for exact properties, rejections, intervals, and pointers to the
            # value clauses' tolerance objects.
            words = ("exact", "must raise", "interval", "value tolerance")
            assert any(w in clause.tolerance for w in words), (clause.id, clause.tolerance)


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
