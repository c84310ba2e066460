"""The package installs (regular and editable) and imports under its own names only."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import setuptools
import tomllib

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "gradspec": "gradspec",
    "reference": "gradspec.reference",
    "conformance": "gradspec.conformance",
}

IMPORT_CHECK = """
import importlib.util, sys
import gradspec, gradspec.reference, gradspec.conformance
from gradspec.reference import sigmoid
assert float(sigmoid(0.0)) == 0.5
for bare in ("reference", "conformance"):
    assert importlib.util.find_spec(bare) is None, f"bare top-level module {bare!r} installed"
print(gradspec.__version__, gradspec.reference.__file__)
"""


def declared_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["setuptools"]["packages"]


def test_every_package_folder_is_declared():
    """Automatic discovery cannot follow the folder mapping, so each folder must be listed."""
    expected = set()
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            expected.add(".".join((package, *relative)))
    assert expected == set(declared_packages())


@pytest.mark.slow
@pytest.mark.parametrize("editable", [False, True], ids=["regular", "editable"])
def test_installs_into_a_fresh_environment(tmp_path, editable):
    # System site-packages provide numpy and friends, so the test needs no network; the
    # package itself is built from this tree with the running interpreter's setuptools (a
    # venv's own pip would bring an old bundled setuptools), by this pip aimed at the venv.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    python = env_dir / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    install += ["--no-deps", "--no-build-isolation"]
    install += ["-e", str(ROOT)] if editable else [str(ROOT)]
    # `pip --python` runs the build inside the new venv, whose system site-packages may hold
    # an older setuptools than pyproject.toml needs (the base interpreter's, not ours): put
    # the running interpreter's setuptools first on the build's path.
    build_env = {**os.environ, "PYTHONPATH": str(Path(setuptools.__file__).parents[1])}
    subprocess.run(install, check=True, cwd=tmp_path, capture_output=True, env=build_env)
    result = subprocess.run(
        [str(python), "-c", IMPORT_CHECK], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    location = result.stdout.split()[1]
    if editable:
        assert location.startswith(str(ROOT)), location
    else:
        assert "site-packages" in location, location
        site = Path(location).parents[2]  # site-packages/gradspec/reference/__init__.py
        for package in ("gradspec", "gradspec/reference", "gradspec/conformance"):
            assert (site / package / "py.typed").exists(), f"{package} is not marked typed"
    console = subprocess.run(
        [str(env_dir / "bin" / "gradspec"), "--version"], capture_output=True, text=True
    )
    assert console.returncode == 0 and "gradspec" in console.stdout, console
