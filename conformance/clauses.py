"""The clause registry: every clause of the specification, in report order.

Each family declares its clauses once, beside its check, at the bottom of its module in
``checks/`` (a ``CLAUSES`` tuple of `gradspec.conformance._model.Clause`, each with its stable
id, the statement in words and in LaTeX, the section of the lecture notes it comes from, the
adapter members it needs, its `Tolerance` and its check). This module only assembles them, and
names the spec's sections.
"""

from __future__ import annotations

from ._model import Clause
from .checks import (
    backprop,
    diagonal,
    gradients,
    identities,
    kinks,
    linear,
    robustness,
    shape,
    values,
)

__all__ = ["CLAUSES", "SECTIONS", "get_clause"]

#: Spec sections, by slug (the docs pages use these), in reading order.
SECTIONS: dict[str, str] = {
    "layer": "Neural network layer",
    "nonlinear": "Why networks are non-linear",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "hardtanh": "Hard tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "swish": "Swish",
    "vectorized": "Vectorized calculus",
    "shape": "Shape convention",
    "jacobians": "Useful Jacobians",
    "linear": "Gradients of the linear layer",
    "backprop": "Backpropagation on a computation graph",
    "gradcheck": "Checking gradients numerically",
    "robustness": "Robustness at the array boundary",
}

#: The families, in report order.
_FAMILIES = (values, identities, gradients, robustness, kinks, diagonal, shape, linear, backprop)

#: Every clause, in report order.
CLAUSES: tuple[Clause, ...] = tuple(clause for family in _FAMILIES for clause in family.CLAUSES)

_BY_ID: dict[str, Clause] = {clause.id: clause for clause in CLAUSES}
if len(_BY_ID) != len(CLAUSES):  # an id written twice would shadow a clause silently
    raise RuntimeError("two clauses share an id")


def get_clause(id: str) -> Clause:
    """The clause with this id.

    Raises
    ------
    KeyError
        With the list of known ids, if there is none.

    Examples
    --------
    >>> get_clause("ACT-TANH-VALUE").section
    'tanh'
    """
    try:
        return _BY_ID[id]
    except KeyError:
        raise KeyError(
            f"no clause has the id {id!r}; known ids: {', '.join(sorted(_BY_ID))}"
        ) from None
