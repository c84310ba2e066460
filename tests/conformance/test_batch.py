"""Batched elementwise checks: many examples per call, few shapes, one small counterexample."""

from __future__ import annotations

import numpy as np
import pytest

import gradspec.reference as reference
from gradspec.conformance._model import PROFILES
from gradspec.conformance.buggy import ReferenceAdapter
from gradspec.conformance.checks._batch import (
    batch_examples,
    bucket,
    padded,
    stencil_difference,
)
from gradspec.reference._numdiff import central_difference

from .test_checks import run, wrap

QUICK = PROFILES["quick"]


def test_padding_repeats_the_batch_up_to_a_multiple_of_the_bucket():
    values = np.arange(5, dtype=np.float32)
    out = padded(values, QUICK)
    assert out.shape == (bucket(QUICK),) and out.dtype == np.float32
    assert np.array_equal(out[:5], values) and set(out.tolist()) == set(values.tolist())
    longer = padded(np.ones(bucket(QUICK) + 1), QUICK)
    assert longer.shape == (2 * bucket(QUICK),)
    assert np.array_equal(padded(np.zeros(0), QUICK), np.full(bucket(QUICK), 0.5))


def test_the_stencil_in_one_call_gives_the_references_difference():
    z = np.linspace(-3, 3, 7)
    calls = []

    def f(points):
        calls.append(points.shape)
        return reference.tanh(points)

    batched = stencil_difference(f, z)
    direct = central_difference(reference.tanh, z, extrapolate=True)
    assert calls == [(4 * z.size,)]
    assert np.array_equal(batched.value, direct.value)


class CountingSigmoid(ReferenceAdapter):
    """The reference, counting the calls of sigmoid and the shapes it sees."""

    def __init__(self):
        self.shapes = []

    def sigmoid(self, z):
        self.shapes.append(np.shape(z))
        return reference.sigmoid(z)


def test_a_value_clause_makes_few_calls_of_one_shape():
    adapter = CountingSigmoid()
    ctx, failure = run("ACT-SIGMOID-VALUE", wrap(adapter), profile="default")
    assert failure is None
    # One call per batch (the grid starts every batch); more examples judged than calls made.
    assert len(adapter.shapes) == batch_examples(PROFILES["default"])
    assert set(adapter.shapes) == {(bucket(PROFILES["default"]),)}
    assert ctx.examples > 2 * len(adapter.shapes)


class SigmoidWrongAtThree(ReferenceAdapter):
    """sigmoid wrong (by 1e-3) for inputs above 3 only."""

    def sigmoid(self, z):
        out = np.asarray(reference.sigmoid(z))
        return np.where(np.asarray(z) > 3, out + out.dtype.type(1e-3), out)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_failing_batch_is_shrunk_to_one_small_input(dtype):
    _, failure = run("ACT-SIGMOID-VALUE", SigmoidWrongAtThree(), dtype)
    assert failure is not None and failure.member == "sigmoid"
    assert float(failure.input_value) > 3
    # The counterexample is the grid's failure (fixed inputs) or one shrunk array, never a
    # padded batch; the reproducer evaluates the worst input alone.
    assert np.asarray(failure.inputs["z"]).size <= bucket(QUICK)
    assert "sigmoid" in failure.reproducer


class SigmoidWrongInRandomOnly(ReferenceAdapter):
    """sigmoid wrong for 4 < z < 17 away from the grid's points (found by the batches only)."""

    def sigmoid(self, z):
        out = np.asarray(reference.sigmoid(z))
        arr = np.asarray(z)
        bad = (arr > 4.1) & (arr < 17) & (np.abs(arr - np.round(arr)) > 0.05)
        return np.where(bad, out * out.dtype.type(0.5), out)


def test_a_failure_found_by_a_batch_is_reported_as_one_drawn_array():
    _, failure = run("ACT-SIGMOID-VALUE", SigmoidWrongInRandomOnly(), profile="default")
    assert failure is not None
    z = np.asarray(failure.inputs["z"])
    # Shrunk to a single drawn array (not the padded batch): small, and one element of it bad.
    assert z.size < bucket(PROFILES["default"]) and z.size <= 4
    assert 4.1 < float(failure.input_value) < 17


class SigmoidWrongForLongInputs(ReferenceAdapter):
    """sigmoid right element by element, wrong when called on more than 100 elements."""

    def sigmoid(self, z):
        out = np.asarray(reference.sigmoid(z))
        return out * out.dtype.type(0.5) if out.size > 100 else out


def test_a_batch_that_fails_only_as_a_batch_is_still_a_failure():
    _, failure = run("ACT-SIGMOID-VALUE", SigmoidWrongForLongInputs())
    assert failure is not None and failure.member == "sigmoid"
