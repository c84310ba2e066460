"""The Gradescope bundle: its run_autograder, run locally on Gradescope's folder layout.

Gradescope unpacks the autograder zip into /autograder/source, copies run_autograder to
/autograder/run_autograder, puts the student's files in /autograder/submission and reads
/autograder/results/results.json. Here the same layout lives under a temporary root
(GRADSPEC_AUTOGRADER_ROOT), and GRADSPEC_PYTHON points at this interpreter, where gradspec
is installed, instead of the virtual environment setup.sh would make.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import gradspec

from ..conformance.helpers import clean_env
from ._class import SUBMISSIONS
from .conftest import gradspec_grade, validate_gradescope

ROOT = Path(__file__).resolve().parents[2]
MAX_POINTS = 15.0


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gradspec wheel built from this checkout, as a course would test a bundle locally."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            str(ROOT),
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("gradspec-*.whl")
    return path


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, rubric_file: Path, wheel: Path) -> Path:
    folder = tmp_path_factory.mktemp("bundle") / "autograder"
    done = gradspec_grade(
        "--gradescope-bundle",
        str(folder),
        "--rubric",
        str(rubric_file),
        "--profile",
        "quick",
        "--timeout",
        "60",
        "--package",
        str(wheel),
        cwd=folder.parent,
    )
    assert done.returncode == 0, done.stderr
    return folder


def test_the_bundle_holds_what_gradescope_needs(bundle, wheel, rubric_file):
    with zipfile.ZipFile(bundle / "autograder.zip") as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert names == {"setup.sh", "run_autograder", "rubric.toml", wheel.name}
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    setup = (bundle / "setup.sh").read_text()
    assert f"pip install ./{wheel.name}" in setup
    assert (bundle / "rubric.toml").read_text() == rubric_file.read_text()
    for script in ("setup.sh", "run_autograder"):
        syntax = subprocess.run(["bash", "-n", str(bundle / script)], capture_output=True)
        assert syntax.returncode == 0, syntax.stderr


def test_without_a_package_setup_pins_this_version(tmp_path):
    done = gradspec_grade("--gradescope-bundle", str(tmp_path / "b"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        f"pip install gradspec=={gradspec.__version__}\n" in (tmp_path / "b/setup.sh").read_text()
    )


def _autograde(bundle: Path, tmp_path: Path, submission: str) -> dict:
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle / "autograder.zip") as archive:
        archive.extractall(root / "source")
    shutil.copy(bundle / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    # Students upload files; Gradescope puts them at the top of the submission folder.
    (root / "submission" / "adapter.py").write_text(SUBMISSIONS[submission])
    env = {**clean_env(), "GRADSPEC_AUTOGRADER_ROOT": str(root), "GRADSPEC_PYTHON": sys.executable}
    done = subprocess.run(
        ["bash", str(root / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    validate_gradescope(results)
    return results


def test_run_autograder_scores_a_correct_submission_full(bundle, tmp_path):
    results = _autograde(bundle, tmp_path, "correct.py")
    assert results["score"] == MAX_POINTS
    assert all(test["status"] == "passed" for test in results["tests"])


def test_run_autograder_scores_a_buggy_submission_lower(bundle, tmp_path):
    results = _autograde(bundle, tmp_path, "relu_derivative_sign.py")
    assert results["score"] == MAX_POINTS - 2
    failed = [test["name"] for test in results["tests"] if test["status"] == "failed"]
    assert failed == ["ACT-RELU-DERIVATIVE-VALUE: ReLU derivative values"]
    assert "ACT-RELU-DERIVATIVE-VALUE" in results["output"]  # the feedback, shown to students
