"""``gradspec compare``: formats, errors, and what a row says about a misbehaving adapter."""

from __future__ import annotations

import json
import subprocess
import sys

from gradspec.cli import main

#: An adapter whose relu' is wrong in a way compare must show: NaN in, 1 out, and float64
#: out for float32 in; its relu raises.
ODD_ADAPTER = """
import numpy as np

name = "odd"

def relu_derivative(z):
    return np.where(np.isnan(z), 1.0, (z > 0).astype(np.float64))

def relu(z):
    raise RuntimeError("not today")
"""


def test_json_output_through_the_real_command():
    done = subprocess.run(
        [sys.executable, "-m", "gradspec", "compare", "reference", "--member", "relu_derivative",
         "--format", "json"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["implementations"] == {"reference": "gradspec reference"}
    topics = {row["topic"] for row in document["rows"]}
    assert {"special", "kink", "dtype", "ulp"} <= topics
    assert all(row["member"] == "relu_derivative" for row in document["rows"])


def test_rows_show_where_an_adapter_differs(tmp_path, capsys):
    path = tmp_path / "odd.py"
    path.write_text(ODD_ADAPTER)
    members = ["--member", "relu_derivative", "--member", "relu"]
    assert main(["compare", "reference", str(path), *members, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]

    def cell(topic, dtype, case, spec=str(path)):
        (row,) = [
            r
            for r in rows
            if (r["topic"], r["dtype"], r["case"]) == (topic, dtype, case)
            and r["member"] == "relu_derivative"
        ]
        return row["results"][spec], row["differs"]

    assert cell("special", "float64", "z = nan") == ("1.0", True)
    assert cell("special", "float64", "z = nan", "reference")[0] == "nan"
    assert cell("dtype", "float32", "z = [0.5, -2.0]") == ("float64", True)
    relu_rows = [r for r in rows if r["member"] == "relu" and r["topic"] == "special"]
    assert relu_rows and all(r["results"][str(path)] == "error: RuntimeError" for r in relu_rows)


def test_text_and_markdown_have_one_table_per_member(capsys):
    assert main(["compare", "reference", "--member", "hardtanh_derivative"]) == 0
    text = capsys.readouterr().out
    assert "\nhardtanh_derivative\n-------------------\n" in text
    assert main(["compare", "reference", "--member", "hardtanh_derivative", "--format",
                 "markdown"]) == 0  # fmt: skip
    markdown = capsys.readouterr().out
    assert markdown.startswith("# gradspec compare reference\n")
    assert "## hardtanh_derivative\n\n| topic | dtype | input | exact | reference |" in markdown


def test_an_unknown_member_or_adapter_is_a_usage_error(capsys):
    assert main(["compare", "reference", "--member", "softmax"]) == 2
    assert "not an elementwise member" in capsys.readouterr().err
    assert main(["compare", "no_such_module_here"]) == 2
    assert "no_such_module_here" in capsys.readouterr().err
