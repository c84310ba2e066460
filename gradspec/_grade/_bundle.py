"""``gradspec grade --gradescope-bundle DIR``: an autograder for Gradescope's own workers.

Gradescope's autograder specification: a zip with ``setup.sh`` (run once, as root, when the
autograder's image is built) and ``run_autograder`` (run for each submission, with the
autograder's files in ``/autograder/source``, the student's files in
``/autograder/submission``, and ``/autograder/results/results.json`` to write). The bundle
holds those two, the rubric, and (with ``--package``) the gradspec wheel or sdist to
install; without it, ``setup.sh`` installs exactly this gradspec's version from PyPI.

``run_autograder`` reads two environment variables, for testing it outside Gradescope:
``GRADSPEC_AUTOGRADER_ROOT`` (default ``/autograder``) and ``GRADSPEC_PYTHON`` (default the
virtual environment ``setup.sh`` makes).
"""

from __future__ import annotations

import shlex
import shutil
import stat
import zipfile
from pathlib import Path

import gradspec

from ._rubric import Rubric

__all__ = ["BUNDLE_FILES", "write_bundle"]

#: The files of a bundle, besides an optional package file.
BUNDLE_FILES = ("setup.sh", "run_autograder", "rubric.toml")
#: Where setup.sh creates the virtual environment gradspec is installed into.
VENV = "/opt/gradspec-venv"

_SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image.
# Written by gradspec {version} (gradspec grade --gradescope-bundle).
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -c "import ensurepip" > /dev/null 2>&1; then
    apt-get install -y python3-venv
fi
python3 -m venv {venv}
{venv}/bin/python -m pip install --upgrade pip
{venv}/bin/python -m pip install {requirement}
{venv}/bin/python -m gradspec --version
"""

_RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: it grades /autograder/submission and writes
# /autograder/results/results.json. Written by gradspec {version}.
set -euo pipefail
ROOT="${{GRADSPEC_AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{GRADSPEC_PYTHON:-{venv}/bin/python}}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ROOT/results"
"$PYTHON" -m gradspec grade "$ROOT/submission" --out "$WORK/out" \\
    --rubric "$ROOT/source/rubric.toml" --jobs 1 {options}
cp "$WORK/out/submissions/submission/results.json" "$ROOT/results/results.json"
# Shown to staff only (Gradescope keeps run_autograder's output as its stdout log).
cat "$WORK/out/grades.csv"
"""


def write_bundle(
    folder: Path,
    *,
    rubric: Rubric,
    profile: str,
    seed: int,
    timeout: float,
    package: Path | None = None,
) -> Path:
    """Write the bundle's files into ``folder`` and ``folder/autograder.zip``; return the zip.

    Parameters
    ----------
    package : Path, optional
        A gradspec wheel or sdist (for example built from a checkout with
        ``python -m pip wheel --no-deps . -w dist``) that setup.sh installs instead of
        ``gradspec=={version}`` from PyPI.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if package is not None:
        if not package.is_file() or not package.name.startswith("gradspec-"):
            raise ValueError(
                f"--package {str(package)!r}: expected a gradspec wheel or sdist file "
                "(gradspec-VERSION-....whl or gradspec-VERSION.tar.gz)."
            )
        shutil.copyfile(package, folder / package.name)
        requirement = shlex.quote(f"./{package.name}")
    else:
        requirement = shlex.quote(f"gradspec=={gradspec.__version__}")
    options = " ".join(
        shlex.quote(part)
        for part in ("--profile", profile, "--seed", str(seed), "--timeout", f"{timeout:g}")
    )
    texts = {
        "setup.sh": _SETUP.format(version=gradspec.__version__, venv=VENV, requirement=requirement),
        "run_autograder": _RUN.format(version=gradspec.__version__, venv=VENV, options=options),
        "rubric.toml": rubric.text,
    }
    for name, text in texts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        if name != "rubric.toml":
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    archive = folder / "autograder.zip"
    members = [*BUNDLE_FILES, *([package.name] if package is not None else [])]
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = ((folder / name).stat().st_mode & 0o777) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, (folder / name).read_bytes())
    return archive
