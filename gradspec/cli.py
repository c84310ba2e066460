"""The ``gradspec`` console command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import gradspec


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gradspec")
    parser.add_argument("--version", action="version", version=f"gradspec {gradspec.__version__}")
    parser.parse_args(argv)
    return 0
