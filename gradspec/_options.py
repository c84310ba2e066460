"""Command-line options that `gradspec check` and `gradspec grade` share, declared once."""

from __future__ import annotations

import argparse

from gradspec.conformance._model import PROFILES

__all__ = ["add_search_options"]


def add_search_options(parser: argparse.ArgumentParser) -> None:
    """``--profile`` (the profiles of `PROFILES`) and ``--seed``: how hard and where to search."""
    parser.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="default",
        help="how many examples each clause draws (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every property (default: 0)")
