"""The shipped test vectors: valid, reproducible from the generator, right for the reference,
and able to tell buggy implementations from correct ones."""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from pathlib import Path

import pytest

from gradspec.conformance import load_adapter
from gradspec.conformance._model import Outcome
from gradspec.conformance._vector_schema import validate_file
from gradspec.conformance._vectors import load_vectors, run_vectors, vector_files

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_vectors", ROOT / "tools" / "gen_vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cases():
    return load_vectors()


@pytest.mark.parametrize("use_jsonschema", [False, True])
def test_files_follow_the_schema(use_jsonschema):
    if use_jsonschema:
        pytest.importorskip("jsonschema")
    for path in vector_files():
        document = json.loads(path.read_text(encoding="utf-8"))
        assert validate_file(document, use_jsonschema=use_jsonschema) == [], path.name


def test_the_validator_reports_where_a_file_breaks_the_schema():
    path = vector_files()[0]
    document = json.loads(path.read_text(encoding="utf-8"))
    document["cases"][0]["args"]["z"]["data"][0] = 0.5  # a number where a string belongs
    del document["cases"][1]["expect"]
    problems = validate_file(document, use_jsonschema=False)
    assert any("cases[0].args.z.data[0]" in p for p in problems)
    assert any("cases[1]: missing required key 'expect'" in p for p in problems)


def test_regenerating_reproduces_the_committed_files():
    generator = _generator()
    for name in generator.FILES:
        committed = (ROOT / "conformance" / "vectors" / f"{name}.json").read_text("utf-8")
        assert generator.render(name) == committed, f"{name}.json is stale"


def test_ids_are_unique_and_hash_the_inputs(cases):
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids))
    for case in cases:
        assert case["id"].startswith(f"{case['clause']}.{case['dtype']}.{case['name']}.")


def test_every_clause_id_is_one_the_project_uses(cases):
    from gradspec.conformance.buggy import CATALOG, NOT_BUGS
    from gradspec.conformance.clauses import CLAUSES

    known = {clause.id for clause in CLAUSES}
    for entry in CATALOG + NOT_BUGS:
        known |= set(getattr(entry, "expected_clauses", ()) or ())
        known |= set(getattr(entry, "checked_clauses", ()) or ())
    pattern = re.compile(r"^[A-Z]+(-[A-Z0-9]+)+$")
    unknown = sorted({c["clause"] for c in cases} - known)
    assert unknown == [] and all(pattern.match(c["clause"]) for c in cases)


def test_edge_flags_cover_the_brief(cases):
    flags = {flag for case in cases for flag in case["flags"]}
    assert flags >= {
        "saturation", "kink", "subnormal", "overflow", "nan", "fan-out", "shuffled-order",
        "bad-graph",
    }  # fmt: skip
    kinks = [c for c in cases if "kink" in c["flags"]]
    assert kinks and all(c["acceptable"] for c in kinks)


def test_the_reference_passes_every_vector(cases):
    report = run_vectors(load_adapter("reference"), cases=cases)
    failing = [r for r in report.results if r.outcome is not Outcome.PASS]
    assert failing == []


@pytest.mark.parametrize(
    "name",
    [
        "tanh-derivative-missing-square",
        "hardtanh-notes-typo",
        "leaky-relu-slope-hard-coded",
        "linear-grad-weights-transposed",
        "linear-batch-gradients-averaged",
        "backprop-overwrites-at-fan-out",
        "backprop-listed-order",
        "backprop-checks-only-reachable-nodes",
        "backprop-sum-gradient-not-broadcast",
        "jacobian-columns-stacked",
    ],
)
def test_vectors_catch_known_bugs(cases, name):
    from gradspec.conformance.buggy import find, load

    report = run_vectors(load(name), cases=cases)
    caught = {r.clause for r in report.results if r.outcome is Outcome.FAIL}
    assert caught & set(find(name).expected_clauses)


@pytest.mark.parametrize(
    "name",
    [
        "relu-derivative-one-at-zero",
        "hardtanh-derivative-one-at-kinks",
        "leaky-relu-derivative-one-at-zero",
    ],
)
def test_other_valid_kink_conventions_are_acceptable(cases, name):
    from gradspec.conformance.buggy import load

    report = run_vectors(load(name), cases=cases)
    outcomes = {r.outcome for r in report.results}
    assert Outcome.FAIL not in outcomes and Outcome.ACCEPTABLE in outcomes


def test_the_vectors_subcommand(capsys):
    from gradspec import _vectors_cli

    parser = argparse.ArgumentParser()
    _vectors_cli.add_parser(parser.add_subparsers(dest="command"))
    status = _vectors_cli.run(
        parser.parse_args(["vectors", "--adapter", "reference", "-k", "LIN-"])
    )
    out = capsys.readouterr().out
    assert status == 0 and "LIN-BATCH-BACKWARD" in out and "ACT-" not in out
    buggy = "gradspec.conformance.buggy:LinearGradWeightsTransposed"
    status = _vectors_cli.run(parser.parse_args(["vectors", "--adapter", buggy, "-k", "LIN-"]))
    assert status == 1 and "LIN-BACKWARD" in capsys.readouterr().out


# --- the tolerances are the clauses' own ------------------------------------------------------


def _decoded(value, shape):
    import numpy as np

    from gradspec.conformance._wire import decode_array

    if isinstance(value, dict):
        return decode_array(value, where="tolerance").astype(np.float64)
    return np.full(shape, float(value))


def test_value_cases_carry_the_clauses_conditioning_ulps(cases):
    import numpy as np

    from gradspec.conformance._wire import decode_array
    from gradspec.conformance.checks._functions import spec

    checked = 0
    for case in cases:
        if not case["clause"].endswith("-VALUE") or "z" not in case["args"]:
            continue
        z = decode_array(case["args"]["z"], where="z")
        entry = spec(case["member"])
        ulps = _decoded(case["tolerance"]["ulps"], z.shape)
        stated = entry.allowed_ulps(z.astype(np.float64), case["dtype"])
        # Whole ULPs: the floor of what the clause allows, never more, never a whole ULP less.
        assert np.all(ulps <= stated + 1e-9) and np.all(ulps > stated - 1), case["id"]
        if entry.cond is not None:
            checked += 1
            assert isinstance(case["tolerance"]["ulps"], dict), case["id"]
    assert checked >= 12  # both dtypes of the six smooth members at least


def test_a_vector_tolerance_follows_the_clause_s_numbers(monkeypatch):
    import numpy as np

    from gradspec.conformance._vector_build import build_case
    from gradspec.conformance.checks import _functions

    z = np.array([-15.0, -2.0, 0.5], dtype=np.float32)

    def ulps():
        case = build_case("ACT-SIGMOID-VALUE", "sigmoid", {"z": z}, name="t")
        return _decoded(case["tolerance"]["ulps"], z.shape)

    def by_definition(c):
        # u + c cond(f, z), cond = |z f'(z) / f(z)| from the oracle's exact values.
        from gradspec.reference import oracle

        zs = z.astype(np.float64)
        cond = np.abs(zs * oracle.exact("sigmoid_derivative", zs) / oracle.exact("sigmoid", zs))
        return np.floor(4.0 + c * cond).tolist()

    assert ulps().tolist() == by_definition(2.0)
    # sigmoid's conditioning at -15 is about 15: 4 + 2 * 15 ULP, so a forward-stable float32
    # sigmoid 7 ULP off there (1 / (1 + exp2(-z log2 e))) is correct.
    assert ulps()[0] > 30
    monkeypatch.setattr(_functions, "COND_MULTIPLE", 4.0)
    assert ulps().tolist() == by_definition(4.0)


def test_the_exact_floors_are_the_table_s_floors():
    import numpy as np

    from gradspec.conformance._vector_build import _exact_floor_scale
    from gradspec.conformance.checks._functions import spec

    z = np.array([-30.0, -5.0, -1.25, 0.0, 0.75, 4.0, 19.5])
    for member in ("sigmoid_derivative", "tanh_derivative", "swish_derivative"):
        table = spec(member).floor(z)
        assert np.allclose(_exact_floor_scale(member, z), table, rtol=1e-15, atol=0), member
