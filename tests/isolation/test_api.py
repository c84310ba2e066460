"""In process: what load_adapter and run_suite take, call counting, Ctrl-C, time limits."""

from __future__ import annotations

import os
import signal
import sys
import types

import numpy as np
import pytest

from gradspec import reference
from gradspec.conformance import load_adapter, run_suite
from gradspec.conformance._adapter import AdapterCallError, AdapterLoadError, LoadedAdapter
from gradspec.conformance._model import Outcome
from gradspec.conformance._report import report_to_json
from gradspec.conformance._runner import RunInterrupted, combine, exit_status

from ..conformance.helpers import make_clause, write_adapter

SIGMOID_ONLY = "ACT-SIGMOID-VALUE"


class Mine:
    def sigmoid(self, z):
        return reference.sigmoid(z)


@pytest.mark.parametrize(
    "obj",
    [
        reference,
        Mine,
        Mine(),
        {"sigmoid": reference.sigmoid, "name": "a dict"},
        types.SimpleNamespace(sigmoid=reference.sigmoid),
    ],
    ids=["module", "class", "instance", "mapping", "namespace"],
)
def test_run_suite_takes_what_a_notebook_holds(obj):
    report = run_suite(obj, profile="quick", select=SIGMOID_ONLY)
    assert [r.outcome for r in report.results] == [Outcome.PASS, Outcome.PASS]
    assert report.calls > 0 and exit_status(report) == 0


def test_load_adapter_describes_objects_and_passes_a_loaded_adapter_through():
    loaded = load_adapter(Mine)
    assert loaded.spec.endswith(":Mine") and load_adapter(loaded) is loaded
    assert load_adapter(Mine()).spec == "<object of class Mine>"
    assert load_adapter({"sigmoid": reference.sigmoid, "name": "a dict"}).name == "a dict"
    with pytest.raises(AdapterLoadError, match="'not_a_member' that are not members"):
        load_adapter({"not_a_member": print})
    with pytest.raises(AdapterLoadError, match="provides none of the contract's members"):
        load_adapter({"name": "settings only"})
    with pytest.raises(AdapterLoadError, match="its keys are member names"):
        load_adapter({1: reference.sigmoid})


def test_a_class_whose_constructor_raises_is_a_load_error():
    class Broken:
        def __init__(self):
            raise SystemExit(3)

        sigmoid = staticmethod(reference.sigmoid)

    with pytest.raises(AdapterLoadError, match="raised SystemExit"):
        load_adapter(Broken)


def test_loading_a_file_leaves_sys_path_as_it_was(tmp_path):
    (tmp_path / "helper_sibling.py").write_text(
        "from gradspec.reference import sigmoid\n", encoding="utf-8"
    )
    write_adapter(tmp_path, "from helper_sibling import sigmoid\n")
    before = list(sys.path)
    loaded = load_adapter(str(tmp_path / "my_adapter.py"))
    assert loaded.has("sigmoid")  # the sibling was importable while the file ran
    assert sys.path == before


@pytest.mark.parametrize(
    "raised",
    [SystemExit(0), GeneratorExit(), KeyboardInterrupt(), type("Custom", (BaseException,), {})()],
    ids=["SystemExit", "GeneratorExit", "KeyboardInterrupt", "custom"],
)
def test_whatever_a_member_raises_is_an_adapter_call_error(raised):
    def sigmoid(z):
        raise raised

    with pytest.raises(AdapterCallError, match=f"sigmoid raised {type(raised).__name__}"):
        load_adapter({"sigmoid": sigmoid}).call("sigmoid", np.zeros(1))


def test_a_module_getattr_that_raises_means_not_provided():
    module = types.ModuleType("lazy")
    module.sigmoid = reference.sigmoid

    def __getattr__(name):
        raise ImportError(f"{name} could not be imported lazily")

    module.__getattr__ = __getattr__
    loaded = load_adapter(module)
    assert loaded.has("sigmoid") and not loaded.has("tanh")
    assert loaded.dtypes == ("float32", "float64")  # nothing declared


def test_calls_and_distinct_shapes_are_counted_per_clause_and_dtype():
    def three_calls(ctx):
        for shape in ((2,), (2,), (3, 1)):
            ctx.adapter.call("sigmoid", np.zeros(shape, dtype=ctx.dtype))
        ctx.record()

    report = run_suite(
        {"sigmoid": reference.sigmoid}, clauses=[make_clause("T-COUNT", three_calls)]
    )
    assert [(r.dtype, r.calls, len(r.shapes)) for r in report.results] == [
        ("float32", 3, 2),
        ("float64", 3, 2),
    ]
    # Per run: the float32 and float64 shapes are different keys.
    assert report.calls == 6 and report.shapes == 4
    row = combine(report.results)
    assert row.calls == 6 and len(row.shapes) == 4
    data = report_to_json(report)
    assert data["summary"]["calls"] == 6 and data["summary"]["shapes"] == 4
    assert [d["calls"] for d in data["clauses"][0]["dtypes"]] == [3, 3]


def test_a_real_ctrl_c_stops_the_run_with_the_rows_done_so_far():
    def first(ctx):
        ctx.record()

    def interrupted(ctx):
        os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends on Ctrl-C

    clauses = [make_clause("T-FIRST", first), make_clause("T-STOP", interrupted)]
    with pytest.raises(RunInterrupted) as stop:
        run_suite({"sigmoid": reference.sigmoid}, clauses=clauses)
    report = stop.value.report
    assert [r.clause_id for r in report.results] == ["T-FIRST", "T-FIRST"]
    assert report.complete is False and "interrupted (Ctrl-C)" in report.incomplete_reason
    assert exit_status(report) == 1
    assert isinstance(stop.value, KeyboardInterrupt)  # code that does not know it stops too


def test_a_keyboard_interrupt_raised_by_a_member_is_only_that_members_failure():
    def sigmoid(z):
        raise KeyboardInterrupt

    def calls(ctx):
        ctx.adapter.call("sigmoid", np.zeros(1))

    report = run_suite({"sigmoid": sigmoid}, clauses=[make_clause("T-KI", calls)])
    assert report.complete and [r.outcome for r in report.results] == [Outcome.FAIL] * 2
    assert "sigmoid raised KeyboardInterrupt" in report.results[0].failure.summary


def test_the_time_limit_stops_the_run_between_clauses():
    def slow(ctx):
        import time

        time.sleep(0.2)
        ctx.record()

    clauses = [make_clause(f"T-{i}", slow) for i in range(5)]
    report = run_suite({"sigmoid": reference.sigmoid}, clauses=clauses, time_limit=0.3)
    assert not report.complete and "the time limit ran out after" in report.incomplete_reason
    assert 1 <= len(report.results) < 10 and exit_status(report) == 1


def test_isolated_adapters_see_in_place_changes_of_their_inputs():
    from gradspec.conformance._isolate import load_isolated

    adapter = load_isolated("gradspec.conformance.buggy:ReluMutatesInput")
    try:
        z = np.array([-1.0, 2.0])
        adapter.call("relu", z)
        assert z.tolist() == [0.0, 2.0]  # the child's change, written back
        report = run_suite(adapter, profile="quick", select="ROB-NO-MUTATION")
    finally:
        adapter.obj.close()
    in_process = run_suite(
        "gradspec.conformance.buggy:ReluMutatesInput", profile="quick", select="ROB-NO-MUTATION"
    )
    assert Outcome.FAIL in {r.outcome for r in report.results}
    assert [r.outcome for r in report.results] == [r.outcome for r in in_process.results]
    assert isinstance(adapter, LoadedAdapter)


def test_garbage_and_crashes_are_told_apart_from_a_member_raising():
    class Unreadable:
        def __array__(self, *args, **kwargs):
            raise TypeError("not an array")

    def garbage(z):
        return Unreadable()

    def rejects(z):
        raise ValueError("bad input")

    for member, raised in ((garbage, False), (rejects, True)):
        with pytest.raises(AdapterCallError) as caught:
            load_adapter({"sigmoid": member}).call("sigmoid", np.zeros(1))
        assert caught.value.raised is raised


def test_isolated_garbage_is_not_a_rejection_either(tmp_path):
    from gradspec.conformance._isolate import load_isolated

    write_adapter(
        tmp_path,
        "class Unreadable:\n    def __array__(self, *a, **k):\n        raise TypeError('no')\n\n"
        "def sigmoid(z):\n    return Unreadable()\n\n"
        "def tanh(z):\n    raise ValueError('bad input')\n",
    )
    adapter = load_isolated(str(tmp_path / "my_adapter.py"))
    try:
        for member, raised in (("sigmoid", False), ("tanh", True)):
            with pytest.raises(AdapterCallError) as caught:
                adapter.call(member, np.zeros(1))
            assert caught.value.raised is raised, caught.value
    finally:
        adapter.obj.close()
