"""The committed benchmark results, the page generated from them, and the accuracy yardstick.

No timing here: these tests check that ``benchmarks/results/latest.json`` has the structure
the page generator reads, that the generator runs on it, that the committed page is exactly
what the generator makes of the committed JSON, and that the benchmark's vectorized ULP
measure agrees with the oracle's own.
"""

from __future__ import annotations

import copy
import doctest
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from gradspec.reference import oracle

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
PAGE = ROOT / "docs" / "performance.md"
ASSETS = ROOT / "docs" / "assets" / "performance"


def _load(name: str, path: Path):
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    return _load("gen_performance_page", ROOT / "tools" / "gen_performance_page.py")


@pytest.fixture(scope="module")
def accuracy():
    return _load("benchmark_accuracy", ROOT / "benchmarks" / "accuracy.py")


@pytest.fixture(scope="module")
def doc():
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_committed_results_have_the_structure_the_page_reads(generator, doc):
    generator.check_structure(doc)


def test_accuracy_covers_every_function_dtype_and_the_reference(doc):
    results = doc["accuracy"]["results"]
    assert sorted(results) == sorted(oracle.FUNCTIONS)
    for name, by_dtype in results.items():
        assert sorted(by_dtype) == ["float32", "float64"], name
        for dtype, row in by_dtype.items():
            assert "reference" in row, (name, dtype)
            for who, summary in row.items():
                top, p999 = summary["max"], summary["p999"]
                # The maximum bounds the percentile ("inf" is JSON's stand-in for infinity).
                assert top == "inf" or (p999 != "inf" and top >= p999 >= 0), (name, dtype, who)


def test_throughput_covers_every_function_in_both_dtypes(doc):
    pairs = {(row["function"], row["dtype"]) for row in doc["throughput"]["rows"]}
    assert pairs == {(f, d) for f in oracle.FUNCTIONS for d in ("float32", "float64")}
    for row in doc["throughput"]["rows"]:
        assert row["ref_over_naive"] == pytest.approx(row["reference_ms"] / row["naive_ms"])


def test_every_section_names_its_machine_versions_and_command(doc):
    assert doc["command"].startswith("python benchmarks/run_all.py")
    for library in ("numpy", "scipy", "torch", "jax"):
        assert doc["versions"][library]
    assert doc["machine"]["thread_settings"]["OPENBLAS_NUM_THREADS"] == "1"


def test_generator_runs_on_the_committed_results(generator, tmp_path):
    page, assets = tmp_path / "performance.md", tmp_path / "assets"
    generator.generate(RESULTS, page, assets, prefix="assets")
    text = page.read_text(encoding="utf-8")
    linked = [
        line.split("](assets/")[1].rstrip(")") for line in text.splitlines() if "](assets/" in line
    ]
    assert linked, "the page shows no figure"
    for name in linked:
        assert (assets / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_committed_page_is_what_the_generator_makes_of_the_committed_json(generator, doc):
    images = {f"accuracy_{name}": f"accuracy_{name}.png" for name in doc["accuracy"]["curves"]}
    images |= {key: f"{key}.png" for key in ("throughput", "backprop", "suite")}
    assert PAGE.read_text(encoding="utf-8") == generator.render_page(doc, images)
    for name in images.values():
        assert (ASSETS / name).is_file(), f"figure {name} is not committed"


@pytest.mark.parametrize("section", ["accuracy", "suite"])
def test_a_missing_section_is_named(generator, doc, section):
    broken = copy.deepcopy(doc)
    del broken[section]
    with pytest.raises(ValueError, match=f"section '{section}' is missing"):
        generator.check_structure(broken)


def test_a_missing_key_is_named(generator, doc):
    broken = copy.deepcopy(doc)
    del broken["throughput"]["rows"]
    with pytest.raises(ValueError, match="throughput lacks rows"):
        generator.check_structure(broken)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid_derivative", "tanh", "swish_derivative", "relu"])
def test_vectorized_ulp_errors_agree_with_the_oracle(accuracy, name, dtype):
    # A thin slice of the benchmark's own sample (the oracle is slow), through the reference
    # and a naive formula, so both small and huge errors are compared.
    z = accuracy.sample(dtype, density=0.02)
    z = z[np.abs(z) < 1e4]  # the oracle's own range; the benchmark substitutes limits beyond
    scale = "sigmoid" if name == "swish_derivative" else None
    exact = accuracy.exact_values(name, z)
    unit = accuracy.exact_values(scale, z) if scale else None
    with np.errstate(all="ignore"):
        for actual in (accuracy.implementations()["reference"][name](z), accuracy.NAIVE[name](z)):
            actual = np.asarray(actual).astype(dtype)
            ours = accuracy.ulp_errors(exact, actual, scale=unit)
            theirs = oracle.ulp_error(name, z, actual, scale=scale)
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def test_sample_spans_the_finite_range_with_both_signs(accuracy):
    for dtype in (np.float32, np.float64):
        z = accuracy.sample(dtype, density=0.05)
        info = np.finfo(dtype)
        assert z.dtype == dtype and np.all(np.isfinite(z)) and np.all(np.diff(z) > 0)
        assert z[0] == -info.max and z[-1] == info.max
        assert info.smallest_subnormal in z and -info.smallest_subnormal in z and 0 in z


def test_docstring_examples_of_the_benchmark_helpers_run(accuracy):
    common = _load("benchmark_common", ROOT / "benchmarks" / "_common.py")
    for module in (accuracy, common):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
