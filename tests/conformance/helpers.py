"""Shared helpers for the tests of the runner, the reports, the CLI and the pytest plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from gradspec.conformance._model import CheckContext, Clause

PLUGIN_MODULE = "gradspec.conformance.pytest_plugin"


def make_clause(
    clause_id: str,
    check: Callable[[CheckContext], None],
    *,
    members: tuple[str, ...] = ("sigmoid",),
    per_dtype: bool = True,
    title: str | None = None,
) -> Clause:
    """A clause for tests of the runner, with only the fields the runner reads filled in."""
    return Clause(
        id=clause_id,
        title=title or f"test clause {clause_id.lower()}",
        family="values",
        section="test",
        statement="",
        latex="",
        notes="",
        members=members,
        tolerance="",
        check=check,
        per_dtype=per_dtype,
    )


def clean_env() -> dict[str, str]:
    """The environment for a subprocess, without a GRADSPEC_ADAPTER from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADSPEC_", "PYTEST_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(args: Sequence[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python *args`` in ``cwd`` and capture its output."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def gradspec(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m gradspec *args``."""
    return run(["-m", "gradspec", *args], cwd, **env)


def plugin_args() -> list[str]:
    """Load the plugin explicitly unless the installed distribution declares its entry point.

    ``-p no:benchmark`` keeps a globally installed pytest-benchmark from creating
    ``.benchmarks`` in the folder (it is not ours and not in our dependencies).
    """
    declared = any(ep.value == PLUGIN_MODULE for ep in entry_points(group="pytest11"))
    return ["-p", "no:benchmark", *([] if declared else ["-p", PLUGIN_MODULE])]


def pytest_suite(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m pytest --pyargs gradspec.conformance -p no:cacheprovider *args``."""
    return run(
        [
            "-m",
            "pytest",
            "--pyargs",
            "gradspec.conformance",
            "-p",
            "no:cacheprovider",
            *plugin_args(),
            *args,
        ],
        cwd,
        **env,
    )


def write_adapter(folder: Path, source: str, name: str = "my_adapter.py") -> Path:
    """Write an adapter module into ``folder`` and return its path."""
    path = folder / name
    path.write_text(source, encoding="utf-8")
    return path


def validate(instance: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Check ``instance`` against the JSON Schema keywords REPORT_SCHEMA uses; list problems.

    A small validator, so the test needs no jsonschema package: type, enum, const,
    required, properties, additionalProperties, items, minItems, minimum, oneOf.
    """
    problems: list[str] = []
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "boolean": bool,
        "null": type(None),
        "integer": int,
        "number": (int, float),
    }
    if "type" in schema:
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            isinstance(instance, types[name])
            and not (name in ("integer", "number") and isinstance(instance, bool))
            for name in wanted
        )
        if not ok:
            return [f"{where}: {instance!r} is not of type {wanted}"]
    if "enum" in schema and instance not in schema["enum"]:
        problems.append(f"{where}: {instance!r} not in {schema['enum']}")
    if "const" in schema and instance != schema["const"]:
        problems.append(f"{where}: {instance!r} != {schema['const']!r}")
    if "minimum" in schema and isinstance(instance, (int, float)) and instance < schema["minimum"]:
        problems.append(f"{where}: {instance!r} < {schema['minimum']}")
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not validate(instance, s, where)]
        if len(matching) != 1:
            problems.append(f"{where}: matches {len(matching)} of oneOf, expected 1")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                problems.append(f"{where}: missing required key {key!r}")
        properties = schema.get("properties", {})
        for key, value in instance.items():
            if key in properties:
                problems += validate(value, properties[key], f"{where}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += validate(value, schema["additionalProperties"], f"{where}.{key}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            problems.append(f"{where}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, item in enumerate(instance):
                problems += validate(item, schema["items"], f"{where}[{i}]")
    return problems
