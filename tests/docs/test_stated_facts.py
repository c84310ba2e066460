"""What the docs state about step rules, profiles and figures is what the code does.

The figures are generated into ``docs/_generated/`` by tools that read the code's objects or
measure the code (``gen_step_rules.py``, ``gen_stated_figures.py``, ``gen_cli_docs.py``);
these tests regenerate them and compare, and check the formulas the hand-written prose
states against what was measured.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tools"))
import _fragments  # noqa: E402  (a script folder, not a package)
import gen_grade_tables  # noqa: E402
import gen_stated_figures  # noqa: E402
import gen_step_rules  # noqa: E402

from gradspec.conformance._model import PROFILES  # noqa: E402
from gradspec.conformance.clauses import CLAUSES  # noqa: E402

GRADCHECK = (DOCS / "spec" / "gradcheck.md").read_text()


@pytest.fixture(scope="module")
def observed() -> gen_step_rules.Observed:
    return gen_step_rules.observe_clause()


GENERATORS = [gen_step_rules, gen_stated_figures, gen_grade_tables]


@pytest.mark.parametrize("module", GENERATORS, ids=lambda m: m.__name__)
def test_generated_figures_are_current(module) -> None:
    stale = _fragments.stale(module.fragments())
    assert stale == [], f"run python tools/{module.__name__}.py; stale: {stale}"


def test_every_generated_figure_is_shown() -> None:
    included = "\n".join(p.read_text() for p in DOCS.rglob("*.md"))
    for module in GENERATORS:
        for path in module.fragments():
            assert f'--8<-- "{path.relative_to(ROOT).as_posix()}"' in included, path


def test_the_textbook_derivatives_pass_with_a_lower_grade_than_the_reference() -> None:
    # What the sigmoid and tanh pages say in words, read off the generated tables.
    for page in gen_grade_tables.PAGES:
        rows = [r for r in (DOCS / "_generated/grades" / f"{page}.md").read_text().splitlines()]
        reference = next(r for r in rows if r.startswith("| reference"))
        textbook = next(r for r in rows if r.startswith("| textbook"))
        assert "tails lost" in textbook and "tails lost" not in reference, page
        assert "DERIVATIVE-VALUE: pass;" in textbook, page


def test_the_reference_check_takes_the_stated_step() -> None:
    # The page states h = eps^(1/3) max(1, |x|) for check_gradient: at x = 1, eps^(1/3).
    assert r"\varepsilon^{1/3} \max(1, \lvert x\rvert)" in GRADCHECK
    step = gen_step_rules.reference_step("float64")
    assert step == pytest.approx(np.finfo(np.float64).eps ** (1 / 3), rel=1e-6)
    # At x = 1e3 the step scales with |x| (the step actually taken differs by rounding only).
    x = np.array([1e3])
    result = gen_step_rules.ref.check_gradient(lambda v: float(np.sum(np.sin(v))), np.cos, x)
    assert result.step == pytest.approx(1e3 * np.finfo(np.float64).eps ** (1 / 3), rel=1e-6)


def test_the_grad_clauses_take_the_stated_step(observed) -> None:
    # The page states a Richardson step (G5) with h = eps^(1/5) max(1, |z|), in float64 only.
    assert r"h = \varepsilon^{1/5}" in GRADCHECK
    assert r"\frac{4\,D(h/2) - D(h)}{3}" in GRADCHECK
    h = np.finfo(np.float64).eps ** (1 / 5)
    assert observed.step == pytest.approx(h, rel=1e-6)
    # z ± h/2 and z ± h: the extrapolated difference needs no f(z).
    expected = sorted(gen_step_rules.PROBE + t * h for t in (-1, -0.5, 0.5, 1))
    assert np.allclose(observed.points, expected, rtol=0, atol=1e-15)
    assert observed.dtypes == ("float64",)


def test_the_page_says_which_dtypes_the_grad_clauses_run_in() -> None:
    grad = [c for c in CLAUSES if c.id.startswith("GRAD-")]
    assert grad, "no GRAD clause in the registry"
    if all(not c.per_dtype for c in grad):
        assert "GRAD clauses run in float64 only" in GRADCHECK
    else:
        assert "float64 only" not in GRADCHECK, "the page says float64 only; the clauses run both"


def test_the_profiles_the_docs_name_exist_with_their_counts() -> None:
    table = (DOCS / "_generated" / "profiles.md").read_text()
    for name, profile in PROFILES.items():
        assert re.search(rf"\| `{name}` \| {profile.max_examples} \|", table), name
    running = (DOCS / "running.md").read_text()
    named = set(re.findall(r"`(quick|default|thorough|\w+)` (?:profile)", running))
    assert named <= set(PROFILES)
    for text in (p.read_text() for p in DOCS.rglob("*.md") if "_generated" not in p.parts):
        for name in re.findall(r"--profile[ =](\w+)", text):
            if name.isupper():  # a metavariable, as in an option table: --profile P
                continue
            assert name in PROFILES, f"--profile {name} is not a profile"


def test_no_page_calls_strict_a_profile() -> None:
    for page in DOCS.rglob("*.md"):
        text = page.read_text().lower()
        assert "strict profile" not in text, f"{page}: --strict is a flag, not a profile"
