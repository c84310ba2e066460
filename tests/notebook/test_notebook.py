"""``gradspec.check`` in a real Jupyter kernel (nbclient starts an ipykernel of this Python)."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

CELLS = [
    "import numpy as np\nimport gradspec",
    """\
class Mine:
    name = "my notebook adapter"

    def relu(self, z):
        return np.maximum(z, 0)

    def relu_derivative(self, z):
        return np.sign(z)  # wrong for negative z: -1 instead of 0
""",
    'report = gradspec.check(Mine, select="ACT-RELU-VALUE,ACT-RELU-DERIVATIVE-VALUE")\nreport',
    "print(report.ok, len(report.findings), sorted(report.to_json()['summary']))",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    workdir = tmp_path_factory.mktemp("notebook")
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return notebook


def test_the_report_displays_as_html_with_its_finding_first(executed):
    (result,) = [o for o in executed.cells[2].outputs if o.output_type == "execute_result"]
    page = result.data["text/html"]
    assert page.startswith('<div class="gradspec-report"')
    assert "does not conform" in page
    # The finding, then the clause table.
    assert (
        page.index("Findings (1)")
        < page.index("ACT-RELU-DERIVATIVE-VALUE")
        < page.index("Clauses (2)")
    )
    assert "my notebook adapter" in page
    # The plain-text form is the report's text, not a dataclass repr.
    assert "2 clauses: 1 pass, 0 acceptable, 1 fail" in result.data["text/plain"]
    assert "SuiteReport(" not in result.data["text/plain"]


def test_ok_findings_and_json_are_available(executed):
    (stream,) = [o for o in executed.cells[3].outputs if o.output_type == "stream"]
    assert stream.text.startswith("False 1 ")
    assert "exit_status" in stream.text
