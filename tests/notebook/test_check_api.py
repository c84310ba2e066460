"""``gradspec.check`` on each kind of object a notebook holds, and the report's displays."""

from __future__ import annotations

import importlib.util
import json
import sys
import types

import numpy as np
import pytest

import gradspec
from gradspec.conformance import AdapterLoadError, SuiteReport, load_adapter

SELECT = "ACT-RELU-VALUE"


def relu(z):
    return np.maximum(z, 0)


class ClassAdapter:
    relu = staticmethod(relu)


@pytest.mark.parametrize(
    "adapter",
    [
        "reference",
        sys.modules[__name__],
        ClassAdapter,
        ClassAdapter(),
        {"relu": relu},
        types.SimpleNamespace(relu=relu),
        load_adapter("reference"),
    ],
    ids=["spec", "module", "class", "instance", "mapping", "namespace", "loaded"],
)
def test_anything_a_notebook_holds_is_checked(adapter):
    report = gradspec.check(adapter, select=SELECT)
    assert isinstance(report, SuiteReport)
    assert report.ok and report.findings == []
    assert report.executed == 2 and report.profile == "quick"


def test_a_class_records_an_import_path_that_loads_again():
    report = gradspec.check(ClassAdapter, select=SELECT)
    assert report.adapter_spec == f"{__name__}:ClassAdapter"
    assert load_adapter(report.adapter_spec).has("relu")


@pytest.mark.parametrize(
    ("adapter", "message"),
    [
        ({"relux": relu}, "'relux' that are not members"),
        ({"relu": 3}, "must be functions"),
        (None, "No adapter given"),
        (object(), "provides none of the contract's members"),
        (type("NeedsArgs", (), {"__init__": lambda self, x: None, "relu": relu}), "no arguments"),
    ],
)
def test_what_cannot_be_an_adapter_is_one_clear_error(adapter, message):
    with pytest.raises(AdapterLoadError) as error:
        gradspec.check(adapter)
    assert message in str(error.value)


def test_isolate_runs_in_a_child_or_says_it_cannot():
    if importlib.util.find_spec("gradspec.conformance._isolate") is None:
        with pytest.raises(ValueError, match="cannot run an adapter in a child process"):
            gradspec.check("reference", select=SELECT, isolate=True)
        return
    assert gradspec.check("reference", select=SELECT, isolate=True).ok
    with pytest.raises(ValueError, match="can import by name"):
        gradspec.check({"relu": relu}, select=SELECT, isolate=True)


def _hostile(z):
    raise ValueError('<script>alert("x")</script> & <b>bold</b>')


def test_the_html_escapes_what_the_adapter_says():
    report = gradspec.check(
        {"relu": _hostile, "name": "<img src=x onerror=alert(1)>"}, select=SELECT
    )
    assert not report.ok and len(report.findings) == 1
    page = report._repr_html_()
    assert "<script>" not in page and "<img" not in page and "<b>bold" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    assert page.index("Findings (1)") < page.index("Clauses (1)")


def test_the_html_shows_accuracy_grades_when_the_report_has_them():
    from gradspec.conformance._html import report_html

    data = gradspec.check("reference", select=SELECT).to_json()
    data["accuracy"] = [
        {
            "member": "relu",
            "dtype": "float64",
            "worst_ulp": 0.0,
            "worst_input": "-0.0",
            "grade": "A<",
        },
    ]
    page = report_html(data)
    assert "<h4>Accuracy</h4>" in page and "A&lt;" in page
    assert "<h4>Accuracy</h4>" not in report_html(
        gradspec.check("reference", select=SELECT).to_json()
    )


def test_text_and_json_forms():
    report = gradspec.check("reference", select=SELECT)
    text = str(report)
    assert "ACT-RELU-VALUE" in text and "1 clauses: 1 pass" in text
    data = report.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["summary"]["exit_status"] == 0
