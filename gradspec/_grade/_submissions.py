"""Which submissions to grade, where each one's adapter is, and what its source imports.

A submission is either

- a Python file: the file is the adapter (``alice.py``); or
- a folder (``alice/``), whose adapter is, in this order:

  1. the file named by ``adapter = "..."`` in a ``submission.toml`` at the folder's top
     (``adapter = "hw3.py"`` or ``adapter = "hw3.py:Engine"`` for a class or object in it);
  2. ``gradspec_adapter.py``;
  3. ``adapter.py``;
  4. the folder's only ``.py`` file, if it has exactly one at its top.

The submission's name (the row in ``grades.csv``, the folder of its feedback) is the file's
stem or the folder's name.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

__all__ = [
    "ENTRY_POINTS",
    "Submission",
    "SubmissionError",
    "find_submissions",
    "parse_shard",
    "scan_imports",
    "shard",
]

#: The entry points looked for in a folder, after ``submission.toml``.
ENTRY_POINTS: tuple[str, ...] = ("gradspec_adapter.py", "adapter.py")
#: Module prefixes a submission has no reason to import: the answers, and the suite itself.
FORBIDDEN_IMPORTS: tuple[str, ...] = ("gradspec",)


class SubmissionError(ValueError):
    """A path given to ``gradspec grade`` is not a submission, or two share a name."""


@dataclass(frozen=True)
class Submission:
    """One student's submission.

    Attributes
    ----------
    name : str
        Its name in the outputs.
    path : Path
        The file or folder, resolved.
    spec : str or None
        The adapter spec to load (an absolute ``file.py[:name]``), or None when the folder
        has no entry point.
    shown_spec : str or None
        The same spec relative to the submission's folder, for reproducers a student runs
        from there.
    problem : str or None
        Why the submission cannot be loaded, when ``spec`` is None.
    sources : tuple of Path
        The Python files of the submission, for the static import scan.
    """

    name: str
    path: Path
    spec: str | None
    shown_spec: str | None = None
    problem: str | None = None
    sources: tuple[Path, ...] = field(default=())


def find_submissions(paths: Sequence[str | Path]) -> list[Submission]:
    """The submissions named by ``paths``, sorted by name.

    Raises
    ------
    SubmissionError
        A path that does not exist, is neither a ``.py`` file nor a folder, or a name given
        twice.
    """
    found: dict[str, Submission] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise SubmissionError(f"the submission {str(raw)!r} does not exist.")
        path = path.resolve()
        if path.is_dir():
            submission = _folder_submission(path)
        elif path.suffix == ".py":
            submission = Submission(
                name=path.stem,
                path=path,
                spec=str(path),
                shown_spec=path.name,
                sources=(path,),
            )
        else:
            raise SubmissionError(
                f"the submission {str(raw)!r} is neither a Python file (.py) nor a folder."
            )
        if submission.name in found:
            raise SubmissionError(
                f"two submissions are named {submission.name!r} ({found[submission.name].path} "
                f"and {path}); names must be unique, since each names a row and a folder."
            )
        found[submission.name] = submission
    return [found[name] for name in sorted(found)]


def _folder_submission(folder: Path) -> Submission:
    sources = tuple(sorted(p for p in folder.rglob("*.py") if p.is_file()))
    manifest = folder / "submission.toml"
    if manifest.is_file():
        try:
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            return _unloadable(folder, sources, f"its submission.toml could not be read: {error}")
        entry = data.get("adapter")
        if not isinstance(entry, str) or not entry.strip():
            return _unloadable(
                folder,
                sources,
                'its submission.toml has no adapter = "file.py" (or "file.py:name") line.',
            )
        file_part, _, attribute = entry.strip().partition(":")
        target = (folder / file_part).resolve()
        if not target.is_relative_to(folder) or target.suffix != ".py":
            return _unloadable(
                folder,
                sources,
                f"its submission.toml names {entry!r}; the adapter must be a .py file inside "
                "the submission's folder.",
            )
        if not target.is_file():
            return _unloadable(
                folder, sources, f"its submission.toml names {file_part!r}, which does not exist."
            )
        suffix = f":{attribute}" if attribute else ""
        return Submission(
            name=folder.name,
            path=folder,
            spec=f"{target}{suffix}",
            shown_spec=f"{target.relative_to(folder)}{suffix}",
            sources=sources,
        )
    for candidate in ENTRY_POINTS:
        if (folder / candidate).is_file():
            target = folder / candidate
            break
    else:
        top = sorted(p for p in folder.glob("*.py") if p.is_file())
        if len(top) != 1:
            looked = ", ".join(("submission.toml", *ENTRY_POINTS))
            found = f"{len(top)} .py files at its top" if top else "no .py file at its top"
            return _unloadable(
                folder,
                sources,
                f"no adapter found: looked for {looked}, or a single .py file, and found {found}.",
            )
        target = top[0]
    return Submission(
        name=folder.name,
        path=folder,
        spec=str(target),
        shown_spec=target.name,
        sources=sources,
    )


def _unloadable(folder: Path, sources: tuple[Path, ...], problem: str) -> Submission:
    return Submission(name=folder.name, path=folder, spec=None, problem=problem, sources=sources)


_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; shards are numbered from 1.

    Raises
    ------
    SubmissionError
        Anything but ``I/N`` with 1 <= I <= N.
    """
    match = _SHARD.match(text)
    if match is None:
        raise SubmissionError(f"--shard {text!r}: expected I/N, for example 1/4.")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise SubmissionError(f"--shard {text!r}: I must be between 1 and N (got {index}/{count}).")
    return index, count


def shard(submissions: Sequence[Submission], index: int, count: int) -> list[Submission]:
    """The ``index``-th of ``count`` shards: every count-th submission by name, from index.

    Round-robin over the sorted names, so shards differ in size by at most one and the split
    is the same on every machine given the same submissions.
    """
    ordered = sorted(submissions, key=lambda s: s.name)
    return [s for position, s in enumerate(ordered) if position % count == index - 1]


def scan_imports(sources: Sequence[Path], root: Path) -> list[str]:
    """Static check: where the submission's source imports gradspec (a module or a name).

    Returns one line per import, ``"adapter.py:3: import gradspec.reference"``; also
    ``importlib.import_module("gradspec...")`` and ``__import__("gradspec...")`` calls with a
    literal name. A file that does not parse is skipped here (loading reports it).
    """
    found: list[str] = []
    for source in sources:
        try:
            tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        shown = source.relative_to(root) if source.is_relative_to(root) else source.name
        for node in ast.walk(tree):
            for module in _imported_modules(node):
                if _forbidden(module):
                    found.append(f"{shown}:{node.lineno}: {_describe(node, module)}")
    return found


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    if isinstance(node, ast.Call) and node.args:
        function = node.func
        name = (
            function.attr
            if isinstance(function, ast.Attribute)
            else function.id
            if isinstance(function, ast.Name)
            else ""
        )
        first = node.args[0]
        if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
            return [str(first.value)]
    return []


def _forbidden(module: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in FORBIDDEN_IMPORTS)


def _describe(node: ast.AST, module: str) -> str:
    if isinstance(node, ast.ImportFrom):
        names = ", ".join(alias.name for alias in node.names)
        return f"from {module} import {names}"
    if isinstance(node, ast.Import):
        return f"import {module}"
    return f"imports {module!r} dynamically"
