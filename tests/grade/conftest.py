"""Fixtures of the grading tests: the class of `_class.py`, graded once by the real command."""

from __future__ import annotations

import csv
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from ..conformance.helpers import run
from ._class import RUBRIC, write_class

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
#: Long enough for a correct submission on a busy 2-core machine, short enough for the hang.
TIMEOUT = "15"


@dataclass
class Graded:
    """One ``gradspec grade`` run over the class."""

    out: Path
    submissions: Path
    process: subprocess.CompletedProcess[str]

    def rows(self) -> dict[str, dict[str, str]]:
        with (self.out / "grades.csv").open(newline="") as stream:
            return {row["submission"]: row for row in csv.DictReader(stream)}

    def feedback(self, name: str) -> str:
        return (self.out / "submissions" / name / "feedback.md").read_text()

    def results(self, name: str) -> dict:
        return json.loads((self.out / "submissions" / name / "results.json").read_text())


def validate_gradescope(results: dict) -> None:
    """Raise if ``results`` is not a valid Gradescope results.json."""
    jsonschema.validate(results, SCHEMA)


@pytest.fixture(scope="session")
def rubric_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    path.write_text(RUBRIC)
    return path


def gradspec_grade(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m gradspec grade *args`` in ``cwd`` and capture its output."""
    return run(["-m", "gradspec", "grade", *args], cwd=cwd)


def grade(folder: Path, out: Path, rubric: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``gradspec grade`` on every entry of ``folder`` (quick profile, short timeout)."""
    entries = sorted(str(p) for p in folder.iterdir())
    args = [*entries, "--out", str(out), "--rubric", str(rubric)]
    args += ["--profile", "quick", "--timeout", TIMEOUT, *extra]
    return gradspec_grade(*args, cwd=folder.parent)


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory, rubric_file: Path) -> Graded:
    root = tmp_path_factory.mktemp("class")
    write_class(root / "hw")
    out = root / "out"
    process = grade(root / "hw", out, rubric_file, "--jobs", "2")
    return Graded(out=out, submissions=root / "hw", process=process)
