"""The docs' worked examples are real: regenerated, checked independently, and runnable.

- the sample failure (``tools/gen_failure_example.py``): the committed output is what the
  command prints today (run times aside);
- the one-layer example (``tools/gen_worked_example.py``): the committed numbers are a fresh
  computation, and they are checked here by a different route (the graph engine and central
  differences written out in the test);
- every Python block of the learning pages runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tools"))
import _fragments  # noqa: E402  (a script folder, not a package)
import gen_failure_example  # noqa: E402
import gen_worked_example  # noqa: E402

from gradspec import reference as ref  # noqa: E402


def test_the_sample_failure_is_what_the_suite_prints() -> None:
    fresh = gen_failure_example.generate()
    stale = _fragments.stale(fresh, same=gen_failure_example.same_output)
    assert stale == [], f"run python tools/gen_failure_example.py; stale: {stale}"


def test_the_sample_failure_shows_a_failure_and_its_fix() -> None:
    fragments = {p.name: p.read_text() for p in (DOCS / "_generated" / "failure").glob("*.md")}
    short = fragments["short.md"]
    assert "1 defect in 1 member" in short and f"breaks: {gen_failure_example.CLAUSE}" in short
    assert "$ echo $?\n1\n" in fragments["check.md"]
    # The reproducer fails on the bug and passes on the reference.
    assert fragments["reproducer.md"].count("$ echo $?\n1\n") == 1
    assert fragments["reproducer.md"].count("$ echo $?\n0\n") == 1


def test_the_worked_example_is_current() -> None:
    stale = _fragments.stale(gen_worked_example.fragments())
    assert stale == [], "run python tools/gen_worked_example.py"


def test_the_worked_example_numbers_hold_by_another_route() -> None:
    layer = gen_worked_example.compute()
    inputs = {"W": layer.W, "x": layer.x, "b": layer.b, "u": layer.u}
    output, grads = ref.backprop(gen_worked_example.GRAPH, inputs)
    assert float(output) == pytest.approx(layer.s, rel=1e-15)
    # Central differences of s written out here, element by element, h = 1e-6.
    for name in ("W", "x", "b"):
        numeric = np.zeros_like(inputs[name])
        for index in np.ndindex(numeric.shape):
            plus, minus = (dict(inputs, **{name: inputs[name].copy()}) for _ in range(2))
            plus[name][index] += 1e-6
            minus[name][index] -= 1e-6
            s_plus = gen_worked_example.loss(plus["W"], plus["x"], plus["b"], plus["u"])
            s_minus = gen_worked_example.loss(minus["W"], minus["x"], minus["b"], minus["u"])
            numeric[index] = (s_plus - s_minus) / 2e-6
        analytic = {"W": layer.grad_W, "x": layer.grad_x, "b": layer.grad_b}[name]
        np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(grads[name], analytic, rtol=1e-14)


def test_the_worked_example_check_catches_the_slip() -> None:
    checks = gen_worked_example.gradient_checks(gen_worked_example.compute())
    assert all(checks[name].ok for name in ("W", "b", "x"))
    assert not checks[gen_worked_example.WRONG].ok
    text = gen_worked_example.OUT.read_text()
    assert text.count("| pass |") == 3 and text.count("**FAIL**") == 1


LEARNING_PAGES = ["learn/one-layer.md", "learn/gradcheck-recipe.md", "running.md"]


@pytest.mark.parametrize("page", LEARNING_PAGES)
def test_the_python_on_the_page_runs(page: str, tmp_path: Path) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", (DOCS / page).read_text(), flags=re.M | re.S)
    assert blocks, f"{page} has no Python block"
    script = tmp_path / "page.py"
    script.write_text("\n".join(blocks))
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{page}:\n{proc.stderr}"
