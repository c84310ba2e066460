"""What every docs generator in tools/ shares: write its fragments, or report the stale ones.

Each ``tools/gen_*.py`` that writes Markdown fragments for the docs builds a mapping from
path to fresh text and hands it to `main`: ``python tools/gen_x.py`` rewrites the files,
``python tools/gen_x.py --check`` exits 1 naming those that differ. Tests call `stale`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _same(a: str, b: str) -> bool:
    return a == b


def stale(fresh: Mapping[Path, str], *, same: Callable[[str, str], bool] = _same) -> list[str]:
    """The fragments (relative paths) whose committed text differs from ``fresh``."""
    return [
        str(path.relative_to(ROOT))
        for path, text in fresh.items()
        if not path.exists() or not same(path.read_text(), text)
    ]


def main(
    doc: str,
    fragments: Callable[[], Mapping[Path, str]],
    argv: Sequence[str] | None = None,
    *,
    same: Callable[[str, str], bool] = _same,
) -> int:
    """The command line of a generator whose module docstring is ``doc``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale fragments")
    args = parser.parse_args(argv)
    fresh = fragments()
    if args.check:
        for path in stale(fresh, same=same):
            print(f"stale: {path}; rerun the generator without --check")
        return 1 if stale(fresh, same=same) else 0
    for path, text in fresh.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"{len(fresh)} fragment(s) written: {', '.join(str(p.relative_to(ROOT)) for p in fresh)}")
    return 0
