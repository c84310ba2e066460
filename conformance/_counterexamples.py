"""Counterexamples become test vectors: a bug the suite found stays found, in any language.

When the suite fails a clause, its `gradspec.conformance._model.Failure` carries the
shrunk inputs. `failure_to_vector` turns them into a vector case (the same format as the
shipped vectors, flag ``counterexample``) whose expected result is computed exactly from the
inputs, and `write_counterexamples` writes one vector file per failure plus a Python
reproducer that runs that case against the adapter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._model import Clause, Failure
from ._vector_build import FORMAT, VERSION, build_case
from ._wire import PARAMETERS

__all__ = ["failure_to_vector", "write_counterexamples"]


def _member_for(clause: Clause, inputs: Mapping[str, Any]) -> str:
    """The clause's member whose parameters the failure's inputs fit."""
    keys = set(inputs)
    fitting = [m for m in clause.members if m in PARAMETERS and keys <= set(PARAMETERS[m])]
    required = [m for m in fitting if set(PARAMETERS[m]) - {"negative_slope", "wrt"} <= keys]
    if not required:
        raise ValueError(
            f"{clause.id}: the failure's inputs {sorted(keys)} fit none of the clause's "
            f"members {clause.members}"
        )
    return required[0]


def failure_to_vector(failure: Failure, clause: Clause) -> dict[str, Any]:
    """The failure's shrunk inputs as one vector case with the exact expected result.

    Raises
    ------
    ValueError
        When the failure carries no structured inputs (for example only the text of a
        Hypothesis example), so no case can be built from it.
    """
    inputs = {
        key: value
        for key, value in failure.inputs.items()
        if key in ("z", "W", "x", "b", "grad_z", "graph", "inputs", "wrt", "negative_slope")
    }
    if not inputs:
        raise ValueError(
            f"{clause.id}: the failure carries no inputs a vector can hold "
            f"({sorted(failure.inputs) or 'none'})"
        )
    member = _member_for(clause, inputs)
    args: dict[str, Any] = {}
    for key, value in inputs.items():
        if key == "inputs":
            args[key] = {k: np.ascontiguousarray(np.asarray(v)) for k, v in value.items()}
        elif key in ("graph", "wrt"):
            args[key] = value
        elif key == "negative_slope":
            args[key] = float(value)
        else:
            args[key] = np.array(value, copy=True)
    case = build_case(
        clause.id,
        member,
        args,
        name="counterexample",
        flags=["counterexample"],
        note=failure.summary,
    )
    return case


def write_counterexamples(report: Any, directory: str | Path) -> list[Path]:
    """Write each failure of ``report`` (a SuiteReport) as a vector file and a reproducer.

    For a failure of clause ``C`` in dtype ``d`` it writes ``C.d.counterexample.json`` (a
    vector file with one case) and ``C.d.counterexample.py`` (runs the case against the
    adapter the report was made with). Failures without structured inputs are skipped.

    Returns
    -------
    list of Path
        The files written.
    """
    from .clauses import get_clause

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for result in report.results:
        failure = result.failure
        if failure is None:
            continue
        try:
            case = failure_to_vector(failure, get_clause(result.clause_id))
        except (ValueError, KeyError, TypeError):
            continue
        case["reproduces"] = {
            "adapter": report.adapter_spec,
            "profile": report.profile,
            "seed": report.seed,
            "gradspec": report.gradspec_version,
        }
        stem = f"{result.clause_id}.{case['dtype']}.counterexample"
        document = {
            "format": FORMAT,
            "version": VERSION,
            "file": "counterexample",
            "description": failure.summary,
            "cases": [case],
        }
        vector = folder / f"{stem}.json"
        vector.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        script = folder / f"{stem}.py"
        script.write_text(_reproducer(vector.name, report.adapter_spec, failure), encoding="utf-8")
        written += [vector, script]
    return written


def _reproducer(vector_name: str, spec: str, failure: Failure) -> str:
    original = "\n".join(f"# {line}" for line in failure.reproducer.splitlines())
    return f'''"""Reproduce: {failure.clause_id}: {failure.summary}

Run with python from any folder; pass another adapter spec as the first argument to check
it instead (for example after the fix).
"""

import json
import sys
from pathlib import Path

from gradspec.conformance import load_adapter
from gradspec.conformance._vectors import check_case

spec = sys.argv[1] if len(sys.argv) > 1 else {spec!r}
document = json.loads((Path(__file__).parent / {vector_name!r}).read_text())
result = check_case(load_adapter(spec), document["cases"][0])
print(result.outcome.value, result.message)
sys.exit(0 if result.outcome.value in ("pass", "acceptable") else 1)

# The suite's own reproducer of the failure:
{original}
'''
