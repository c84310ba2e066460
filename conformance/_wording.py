"""Words that the clause declarations of several families share.

Each family declares its clauses at the bottom of its check module (``checks/*.py``); the
names readers see for the activations and the lecture-notes sections the clauses come from
are stated here once, so two families cannot spell them differently. This module imports
only the contract.
"""

from __future__ import annotations

from .contract import FUNCTIONS

__all__ = ["CONTRACT_NOTES", "DISPLAY", "NOTES", "clause_stem", "slope_words"]

#: How the docs and the clause titles name each activation.
DISPLAY: dict[str, str] = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "hardtanh": "hard tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "swish": "swish",
}

#: The section of the lecture notes that defines each activation.
NOTES: dict[str, str] = {
    "sigmoid": "Activation Function > sigmoid",
    "tanh": "Activation Function > tanh",
    "hardtanh": "Activation Function > hard tanh",
    "relu": "Activation Function > relu",
    "leaky_relu": "Activation Function > Leaky ReLU",
    "swish": "Activation Function > Leaky ReLU (swish)",
}

#: Where the clauses that the notes do not state come from.
CONTRACT_NOTES = "Not in the notes: the adapter contract, 'Arrays at the boundary'"

assert set(DISPLAY) == set(NOTES) == set(FUNCTIONS), "every activation needs its words"


def clause_stem(function: str) -> str:
    """An activation's part of a clause id: ``"leaky_relu"`` -> ``"LEAKY-RELU"``."""
    return function.upper().replace("_", "-")


def slope_words(slopes: tuple[float | None, ...]) -> str:
    """The explicit slopes a check tries, in words (None, the default slope, left out).

    >>> slope_words((None, 0.0, 0.01, 3.0))
    '0, 0.01 and 3'
    """
    words = [f"{s:g}" for s in slopes if s is not None]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
