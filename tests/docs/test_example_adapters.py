"""The adapters the guide shows run and pass: the suite is run on each (real subprocesses).

The complete NumPy adapter runs a subset of every family with the quick profile, so the test
stays fast; the PyTorch example runs the clauses of the members it provides, the JAX example
is compared with the reference directly (JAX compiles every new shape); the
smallest adapter of the guide is cut out of the page itself and checked.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GUIDE = ROOT / "docs" / "adapters.md"

#: A few clauses of every family: values, identities, gradients, robustness, kinks, shapes,
#: the layer and the engine.
NUMPY_SUBSET = (
    "ACT-*-VALUE,ACT-TANH-IDENTITY,GRAD-SWISH-FD,GRAD-BACKPROP-FD,ROB-NO-MUTATION,ROB-DTYPE,"
    "ROB-NAN,ROB-INFINITY,KINK-*,SHAPE-JACOBIAN-ROW,LIN-BACKWARD,LIN-BATCH-BACKWARD,BP-VALUE,"
    "BP-FAN-OUT,BP-JACOBIAN,BP-REJECT-CYCLE,BP-REJECT-SHAPE"
)


def _check(spec: str, select: str, tmp_path: Path) -> dict:
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "gradspec", "check", "--adapter", spec, "--profile", "quick",
         "-q", "-k", select, "--report-json", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, f"{spec} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"
    return json.loads(report.read_text())


def test_the_numpy_adapter_has_all_16_members() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import numpy_adapter
    finally:
        sys.path.remove(str(EXAMPLES))
    from gradspec.conformance._wire import PARAMETERS

    members = set(PARAMETERS)
    assert len(members) == 16
    assert all(callable(getattr(numpy_adapter, m, None)) for m in members)


def test_the_numpy_adapter_passes(tmp_path: Path) -> None:
    report = _check(str(EXAMPLES / "numpy_adapter.py"), NUMPY_SUBSET, tmp_path)
    summary = report["summary"]
    assert summary["executed"] > 30 and summary["not_provided"] == 0
    assert summary["fail"] == 0 and summary["acceptable"] == 0


def test_the_torch_example_passes(tmp_path: Path) -> None:
    spec = f"{EXAMPLES / 'torch_example_adapter.py'}:TorchAdapter"
    report = _check(spec, "ACT-TANH-DERIVATIVE-VALUE,LIN-FORWARD,LIN-BACKWARD", tmp_path)
    summary = report["summary"]
    assert summary["pass"] > 0 and summary["fail"] == summary["not_provided"] == 0


def test_the_jax_example_agrees_with_the_reference() -> None:
    # Called directly, not through the suite: every new shape is a JAX compilation, and the
    # suite's hundreds of shapes would take this test from seconds to minutes.
    import numpy as np

    from gradspec import reference as ref
    from gradspec.conformance import load_adapter

    adapter = load_adapter(str(EXAMPLES / "jax_example_adapter.py"))
    rng = np.random.default_rng(0)
    W, x, b, g = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=3), None
    g = rng.normal(size=(5, 3))
    for got, want in zip(
        adapter.call("linear_backward", W, x, b, g), ref.linear_backward(W, x, b, g), strict=True
    ):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-12)
    # |z| <= 15: beyond it autograd's s (1 - s) loses the tails' digits (that is JAX's own
    # accuracy, measured on the performance page, not a fault of the example).
    z = np.linspace(-15, 15, 61)
    for member in ("sigmoid", "sigmoid_derivative"):
        np.testing.assert_allclose(adapter.call(member, z), getattr(ref, member)(z), rtol=1e-6)


def test_the_guides_first_adapter_runs(tmp_path: Path) -> None:
    first = re.search(r"```python\n(# my_adapter\.py\n.*?)```", GUIDE.read_text(), re.S)
    assert first, "the guide's first example (my_adapter.py) is missing"
    (tmp_path / "my_adapter.py").write_text(first.group(1))
    summary = _check(str(tmp_path / "my_adapter.py"), "ACT-RELU-*,KINK-RELU", tmp_path)["summary"]
    assert summary["pass"] > 0 and summary["fail"] == summary["not_provided"] == 0


@pytest.mark.parametrize("name", ["numpy_adapter.py", "torch_example_adapter.py",
                                  "jax_example_adapter.py", "ci/gradspec.yml"])  # fmt: skip
def test_the_guide_includes_the_example(name: str) -> None:
    pages = "\n".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    assert f'--8<-- "examples/{name}"' in pages
