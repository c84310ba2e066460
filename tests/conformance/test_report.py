"""The failure text, the table, the JSON report and its schema, and the JUnit XML."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import numpy as np

from gradspec.conformance import Outcome, load_adapter, run_suite
from gradspec.conformance._format import format_failure, format_summary, format_table
from gradspec.conformance._model import ClauseViolation, Failure
from gradspec.conformance._report import REPORT_SCHEMA, report_to_json, write_json, write_junit

from .helpers import make_clause, validate

FAILURE = Failure(
    clause_id="ACT-TANH-DERIVATIVE-VALUE",
    title="tanh'(z) matches the reference",
    summary="tanh_derivative(z) differs from the reference",
    inputs={"z": np.array([0.0, 0.5, np.nan, np.inf])},
    index=(1,),
    input_value=np.float64(0.5),
    expected=np.float64(0.7864477329659274),
    actual=np.float64(0.4621171572600098),
    abs_error=0.32,
    rel_error=0.41,
    ulp_error=1.8e15,
    hint="the result looks like tanh(z), not its derivative",
    reproducer="import numpy as np\nprint(np.tanh(0.5))",
)


def test_the_failure_text_follows_the_one_pattern():
    lines = format_failure(FAILURE, "float64").splitlines()
    assert lines == [
        "FAIL ACT-TANH-DERIVATIVE-VALUE  tanh'(z) matches the reference  [float64]",
        "  tanh_derivative(z) differs from the reference",
        "  worst element: index (1,), input z = 0.5",
        "  expected 0.7864477329659274, got 0.4621171572600098",
        "  error: abs 3.2e-01, rel 4.1e-01, 1.8e+15 ULP",
        "  hint: the result looks like tanh(z), not its derivative",
        "  reproduce:",
        "    import numpy as np",
        "    print(np.tanh(0.5))",
    ]


def test_a_bare_failure_shows_only_its_first_two_lines():
    text = format_failure(Failure("X-ID", "a title", "something was wrong"))
    assert text.splitlines() == ["FAIL X-ID  a title", "  something was wrong"]


def passing(ctx):
    ctx.record(ulp_error=1.5, abs_error=1e-16)


def failing(ctx):
    ctx.record()
    raise ClauseViolation(FAILURE)


def flagging(ctx):
    ctx.record()
    ctx.flag("ftz", "subnormal results flushed to zero")


def a_report():
    clauses = [
        make_clause("T-PASS", passing),
        make_clause("T-FAIL", failing, per_dtype=False),
        make_clause("T-FLAG", flagging),
        make_clause("T-MISSING", passing, members=("not_a_member",)),
    ]
    return run_suite(load_adapter("reference"), clauses=clauses, profile="quick", seed=3)


def test_the_table_has_one_row_per_clause_and_the_summary_counts_them():
    report = a_report()
    table = format_table(report.by_clause())
    rows = {line.split()[0]: line for line in table.splitlines()[2:] if line.startswith("T-")}
    assert list(rows) == ["T-PASS", "T-FAIL", "T-FLAG", "T-MISSING"]
    assert "1.5 ULP" in rows["T-PASS"] and " 2 " in rows["T-PASS"]
    assert "FAIL" in rows["T-FAIL"] and "acceptable" in rows["T-FLAG"]
    assert "not provided" in rows["T-MISSING"]
    assert "T-MISSING: the adapter does not provide not_a_member" in table
    assert "T-FLAG: ftz (subnormal results flushed to zero)" in table
    summary = format_summary(report.counts(), examples=report.examples, seconds=1.0)
    assert summary == "4 clauses: 1 pass, 1 acceptable, 1 fail, 1 not provided; 5 examples in 1.0 s"


def test_the_json_report_matches_its_schema_and_keeps_every_dtype(tmp_path):
    report = a_report()
    write_json(report, tmp_path / "sub" / "report.json")
    data = json.loads((tmp_path / "sub" / "report.json").read_text(encoding="utf-8"))
    assert validate(data, REPORT_SCHEMA) == []
    assert (data["adapter"]["spec"], data["profile"], data["seed"]) == ("reference", "quick", 3)
    clauses = {c["id"]: c for c in data["clauses"]}
    assert [d["dtype"] for d in clauses["T-PASS"]["dtypes"]] == ["float32", "float64"]
    assert clauses["T-FLAG"]["flags"] == {"ftz": "subnormal results flushed to zero"}
    failure = clauses["T-FAIL"]["dtypes"][0]["failure"]
    # Every field of the failure, arrays as lists, NaN and inf as strings.
    assert failure["inputs"] == {"z": [0.0, 0.5, "nan", "inf"]}
    assert failure["index"] == [1] and failure["ulp_error"] == 1.8e15
    assert failure["text"] == format_failure(FAILURE, "float64")
    assert data["summary"] == {
        "pass": 1,
        "acceptable": 1,
        "fail": 1,
        "not_provided": 1,
        "examples": 5,  # 2 (T-PASS) + 1 (T-FAIL) + 2 (T-FLAG)
        "executed": 5,
        "exit_status": 1,
        "calls": 0,  # these test checks record examples without calling the adapter
        "shapes": 0,
        "defects": 1,  # the one failure, of tanh_derivative
    }
    assert data["complete"] is True and data["incomplete_reason"] is None
    (finding,) = data["findings"]
    assert (finding["member"], finding["clauses"]) == ("tanh_derivative", [FAILURE.clause_id])
    assert finding["evidence"]["expected"] == FAILURE.expected
    assert finding["reproducer"] == FAILURE.reproducer


def test_the_schema_check_rejects_broken_reports():
    data = report_to_json(a_report())
    data["clauses"][0]["outcome"] = "passed"
    del data["seed"]
    problems = validate(data, REPORT_SCHEMA)
    assert any("passed" in p for p in problems)
    assert any("seed" in p for p in problems)


def test_the_junit_report_has_one_case_per_clause_and_dtype(tmp_path):
    report = a_report()
    write_junit(report, tmp_path / "junit.xml")
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [f"{r.clause_id}[{r.dtype}]" for r in report.results]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("7", "1", "2")
    assert cases["T-FAIL[float64]"].find("failure").text == format_failure(FAILURE, "float64")
    assert "not_a_member" in cases["T-MISSING[float32]"].find("skipped").get("message")
    # The common JUnit schema allows <properties> on the suite only: flags go to system-out.
    assert cases["T-FLAG[float32]"].find("properties") is None
    flags = cases["T-FLAG[float32]"].find("system-out").text
    assert flags == "acceptable: ftz (subnormal results flushed to zero)"
    assert cases["T-PASS[float64]"].find("*") is None  # a plain pass has no children


def test_reports_are_written_atomically_with_ordinary_permissions(tmp_path):
    report = a_report()
    (tmp_path / "report.json").write_text("old", encoding="utf-8")
    write_json(report, tmp_path / "report.json")
    write_junit(report, tmp_path / "junit.xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junit.xml", "report.json"]
    umask = os.umask(0)
    os.umask(umask)
    for name in ("junit.xml", "report.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask
    assert json.loads((tmp_path / "report.json").read_text())["schema_version"] == 1


def test_outcome_values_are_the_words_reports_use():
    assert [o.value for o in Outcome] == ["pass", "acceptable", "fail", "not provided"]


JUNIT_XSD = os.path.join(os.path.dirname(__file__), "junit.xsd")


def test_the_junit_report_validates_against_the_common_junit_schema(tmp_path):
    import xmlschema

    schema = xmlschema.XMLSchema(JUNIT_XSD)
    write_junit(a_report(), tmp_path / "junit.xml")
    schema.validate(tmp_path / "junit.xml")  # raises with the offending element
    # The schema is not a rubber stamp: a <properties> inside a testcase is refused.
    tree = ET.parse(tmp_path / "junit.xml")
    case = tree.getroot().find("testsuite/testcase")
    ET.SubElement(ET.SubElement(case, "properties"), "property", name="n", value="v")
    assert not schema.is_valid(tree)


def test_any_exception_text_gives_well_formed_junit(tmp_path):
    import xmlschema

    message = "\x1b[1;31mboom\x1b[0m \x00\x07\x1b]0;title\x07 ]]> <x> & \ud800 \ufffe end"

    def raising(ctx):
        ctx.adapter.call("sigmoid", np.zeros(2))

    def sigmoid(z):
        raise RuntimeError(message)

    report = run_suite({"sigmoid": sigmoid}, clauses=[make_clause("T-RAISE", raising)])
    write_junit(report, tmp_path / "junit.xml")
    xmlschema.XMLSchema(JUNIT_XSD).validate(tmp_path / "junit.xml")
    text = ET.parse(tmp_path / "junit.xml").getroot().find(".//failure").get("message")
    assert "boom" in text and "end" in text and "\x1b" not in text and "\x00" not in text
