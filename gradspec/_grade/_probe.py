"""The load probe, run in a child process: can the submission load, and what did loading do?

``python -m gradspec._grade._probe SPEC`` loads the suite first, takes a snapshot of the
namespaces of gradspec's modules, of NumPy and of ``math``, loads the adapter while
recording the imports its loading makes, and prints one JSON line::

    {"loaded": true, "error": null, "members": [...],
     "imported_reference": false, "gradspec_modules": [...],
     "namespace_refs": ["sigmoid -> gradspec.reference._activations"],
     "tampered": ["gradspec.conformance._runner.run_clause replaced"]}

It is a runtime complement to the static import scan: it sees imports the source spells
indirectly, and bindings of the suite that the submission replaced while being imported
(an in-process ``gradspec check`` would report what the patched suite says). Members that
patch the suite only when called are not seen here; ``--isolate`` makes those harmless.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import inspect
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["main", "probe"]

#: The suite's entry points, loaded before the adapter so that their namespaces (and,
#: through their imports, every module of the suite) are in the snapshot.
#: Names, not imports: the probe watches the CLI, it does not depend on it.
SUITE_MODULES = (
    "gradspec.cli",
    "gradspec.conformance._report",
    "gradspec.conformance._runner",
    "gradspec.conformance.clauses",
)
#: Third-party namespaces the suite's verdicts depend on, watched like gradspec's own.
WATCHED = ("numpy", "math")


def _watched(name: str) -> bool:
    return name == "gradspec" or name.startswith("gradspec.") or name in WATCHED


def _snapshot() -> dict[str, dict[str, Any]]:
    shots: dict[str, dict[str, Any]] = {}
    for name, module in list(sys.modules.items()):
        if not _watched(name) or not isinstance(module, types.ModuleType):
            continue
        shots[name] = dict(vars(module))
        for attribute, value in vars(module).items():
            if inspect.isclass(value) and getattr(value, "__module__", None) == name:
                shots[f"{name}.{attribute}"] = dict(vars(value))
    return shots


def _changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    changed = []
    for owner, old in before.items():
        new = after.get(owner)
        if new is None:
            continue
        for key in sorted(set(old) | set(new)):
            if key in ("__warningregistry__",):
                continue
            if key not in new:
                changed.append(f"{owner}.{key} deleted")
            elif key not in old:
                if owner.startswith("gradspec") and not inspect.ismodule(new[key]):
                    changed.append(f"{owner}.{key} added")
            elif new[key] is not old[key]:
                changed.append(f"{owner}.{key} replaced")
    return changed


def _foreign_bindings(submission_modules: set[str]) -> list[str]:
    """Bindings in gradspec's modules whose value was defined by the submission's code."""
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("gradspec") or not isinstance(module, types.ModuleType):
            continue
        for attribute, value in vars(module).items():
            origin = getattr(value, "__module__", None)
            if isinstance(origin, str) and origin in submission_modules:
                found.append(f"{name}.{attribute} is defined by the submission ({origin})")
    return found


def _namespace_refs(obj: Any) -> list[str]:
    """Names in the adapter's module that hold gradspec modules or functions."""
    module = obj if inspect.ismodule(obj) else sys.modules.get(type(obj).__module__)
    holders = [module] if module is not None else []
    refs = []
    for holder in holders:
        for attribute, value in vars(holder).items():
            origin = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", "")
            if isinstance(origin, str) and (origin == "gradspec" or origin.startswith("gradspec.")):
                refs.append(f"{attribute} -> {origin}")
    return sorted(refs)


@contextlib.contextmanager
def _recording_imports(names: list[str]) -> Iterator[None]:
    """Record the absolute module names imported while the block runs, ``from`` names too.

    ``from gradspec import reference`` is recorded as ``gradspec.reference``; both the
    ``import`` statement and `importlib.import_module` are seen.
    """
    statement, function = builtins.__import__, importlib.import_module

    def recording_statement(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            names.append(name)
            names.extend(f"{name}.{item}" for item in fromlist or () if isinstance(item, str))
        return statement(name, globals, locals, fromlist, level)

    def recording_function(name: str, package: str | None = None) -> types.ModuleType:
        if not name.startswith("."):
            names.append(name)
        return function(name, package)

    builtins.__import__, importlib.import_module = recording_statement, recording_function
    try:
        yield
    finally:
        builtins.__import__, importlib.import_module = statement, function


def probe(spec: str) -> dict[str, Any]:
    """Load ``spec`` after the suite and report what loading did (see the module docstring)."""
    for name in SUITE_MODULES:
        importlib.import_module(name)
    from gradspec.conformance._adapter import MEMBERS, AdapterLoadError, load_adapter

    before_modules = set(sys.modules)
    before = _snapshot()
    result: dict[str, Any] = {
        "loaded": False,
        "error": None,
        "members": [],
        "imported_reference": False,
        "gradspec_modules": [],
        "namespace_refs": [],
        "tampered": [],
    }
    imports: list[str] = []
    try:
        with _recording_imports(imports):
            adapter = load_adapter(spec)
    except AdapterLoadError as error:
        result["error"] = str(error)
        adapter = None
    except Exception as error:  # anything else escaping the loader is still a load failure
        result["error"] = f"loading raised {type(error).__name__}: {error}"
        adapter = None
    new_modules = set(sys.modules) - before_modules
    # The suite has imported the reference already, so sys.modules cannot tell: what the
    # loading code asked for can.
    result["imported_reference"] = any(
        name == "gradspec.reference" or name.startswith("gradspec.reference.") for name in imports
    )
    result["gradspec_modules"] = sorted(m for m in new_modules if m.startswith("gradspec"))
    submission_modules = {
        name
        for name in new_modules
        if not _watched(name) and _is_file_of_submission(sys.modules.get(name), spec)
    }
    tampered = _changes(before, _snapshot())
    seen = {entry.rsplit(" ", 1)[0] for entry in tampered}
    tampered += [
        entry
        for entry in _foreign_bindings(submission_modules)
        if entry.split(" ", 1)[0] not in seen
    ]
    result["tampered"] = sorted(tampered)
    if adapter is not None:
        result["loaded"] = True
        result["members"] = [m for m in MEMBERS if adapter.has(m)]
        result["namespace_refs"] = _namespace_refs(adapter.obj)
    return result


def _is_file_of_submission(module: Any, spec: str) -> bool:
    """A module loaded from the submission's folder (not from site-packages)."""
    location = getattr(module, "__file__", None)
    if not location:
        return False
    file_part = spec if spec.endswith(".py") else spec.rpartition(":")[0]
    return Path(location).resolve().is_relative_to(Path(file_part).resolve().parent)


def main(argv: list[str] | None = None) -> int:
    """Print the probe's JSON line for ``argv[0]``; exit status 0."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m gradspec._grade._probe SPEC", file=sys.stderr)
        return 2
    # The marker lets the parent find the line even if the submission prints while loading.
    line = json.dumps(probe(args[0]))
    sys.stdout.write(f"\n{MARKER}{line}\n")
    sys.stdout.flush()
    return 0


#: Prefix of the probe's result line on stdout.
MARKER = "GRADSPEC-PROBE "

if __name__ == "__main__":
    raise SystemExit(main())
