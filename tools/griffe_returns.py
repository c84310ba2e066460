"""A griffe extension for the API page: types written with prose or ``code`` in docstrings.

Several docstrings of the package give an unnamed result on one line, ``ndarray, the shape
and dtype of ``z````. NumPy style has no such form, so griffe takes the whole line for the
type and the API page prints it as code, backticks and all. This extension rewrites such a
line, before the docstring is parsed, into the standard two-line form (the type, then the
description indented below it), so the page shows a type and a sentence; and it drops the
double backticks inside a ``name : type`` line's type, which the page already shows as
code. It changes only
what the docs render, never the code. Loaded by ``mkdocs.yml`` (mkdocstrings ``extensions``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["ReturnsTypeThenDescription"]

#: A Returns section's first line "type, description" (no " : ", so it is not "name : type").
_ENTRY = re.compile(r"^(?P<type>[A-Za-z_][\w.\[\]]*), (?P<text>[^:]+)$")
_HEADER = re.compile(r"^(Returns|Yields)\n-{3,}$", re.M)


def rewrite(docstring: str) -> str:
    """``docstring`` with each ``type, description`` Returns line split into two lines."""
    lines = docstring.split("\n")
    out: list[str] = []
    in_returns = False
    for i, line in enumerate(lines):
        underlined = i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1]) is not None
        if underlined:  # a section header: are we entering Returns (or Yields)?
            in_returns = line in ("Returns", "Yields")
        elif in_returns and not line.startswith(" ") and (match := _ENTRY.match(line)):
            text = match["text"].strip()
            out += [match["type"], f"    {text[:1].upper()}{text[1:]}."]
            continue
        elif not line.startswith(" ") and " : " in line:
            # "name : type" with ``code`` in the type: the page shows the type as code
            # already, so the inner backticks would be printed literally.
            name, _, kind = line.partition(" : ")
            line = f"{name} : {kind.replace('``', '')}"
        out.append(line)
    return "\n".join(out)


class ReturnsTypeThenDescription(griffe.Extension):
    """Rewrite ``type, description`` Returns lines of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and _HEADER.search(obj.docstring.value):
            obj.docstring.value = rewrite(obj.docstring.value)
