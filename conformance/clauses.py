"""The clause registry: the one source of truth for the checks, the reports and the docs.

Every clause of the specification is one :class:`~gradspec.conformance._model.Clause` in
:data:`CLAUSES`, with its stable id, the statement in words and in LaTeX, the section of the
lecture notes it comes from, the adapter members it needs, its tolerance and its check.
"""

from __future__ import annotations

from collections.abc import Callable

from ._model import CheckContext, Clause
from .checks import values
from .checks._functions import spec

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

_NOTES = {
    "sigmoid": "Activation Function > sigmoid",
    "tanh": "Activation Function > tanh",
    "hardtanh": "Activation Function > hard tanh",
    "relu": "Activation Function > relu",
    "leaky_relu": "Activation Function > Leaky ReLU",
    "swish": "Activation Function > Leaky ReLU (swish)",
}

_CLAUSES: list[Clause] = []


def _add(
    id: str,
    title: str,
    family: str,
    section: str,
    statement: str,
    latex: str,
    notes: str,
    members: tuple[str, ...],
    tolerance: str,
    check: Callable[[CheckContext], None],
    *,
    per_dtype: bool = True,
) -> None:
    _CLAUSES.append(
        Clause(
            id=id,
            title=title,
            family=family,
            section=section,
            statement=statement,
            latex=latex,
            notes=notes,
            members=members,
            tolerance=tolerance,
            check=check,
            per_dtype=per_dtype,
        )
    )


# --- values ----------------------------------------------------------------------------------

_FUNCTION_LATEX = {
    "sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    "tanh": r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    "hardtanh": r"\operatorname{HardTanh}(z) = \begin{cases} -1 & z < -1 \\ z & -1 \le z \le 1"
    r" \\ 1 & z > 1 \end{cases}",
    "relu": r"\operatorname{ReLU}(z) = \max(z, 0)",
    "leaky_relu": r"\operatorname{LeakyReLU}_s(z) = \begin{cases} z & z > 0 \\ s z & z \le 0"
    r" \end{cases}",
    "swish": r"\operatorname{swish}(z) = z \, \sigma(z)",
}
_DERIVATIVE_LATEX = {
    "sigmoid": r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
    "tanh": r"\tanh'(z) = 1 - \tanh^2(z)",
    "hardtanh": r"\operatorname{HardTanh}'(z) = \begin{cases} 1 & |z| < 1 \\ 0 & |z| > 1"
    r" \end{cases}",
    "relu": r"\operatorname{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}",
    "leaky_relu": r"\operatorname{LeakyReLU}_s'(z) = \begin{cases} 1 & z > 0 \\ s & z < 0"
    r" \end{cases}",
    "swish": r"\operatorname{swish}'(z) = \sigma(z) + z\,\sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
}
_DISPLAY = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "hardtanh": "hard tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "swish": "swish",
}
_RANGE = "on the fixed edge inputs and on random arrays (0-d, empty, 1-D, 2-D) with |z| <= 20"

for _f in ("sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "swish"):
    _fid = _f.upper().replace("_", "-")
    _slope = (
        " for the default slope and for slopes 0, 0.01, 0.1, 0.2, 0.5, 1 and 3"
        if (_f == "leaky_relu")
        else ""
    )
    _add(
        f"ACT-{_fid}-VALUE",
        f"{_DISPLAY[_f]} values",
        "values",
        _f,
        f"{_f}(z) equals the exact value {_RANGE}{_slope}, within the tolerance.",
        _FUNCTION_LATEX[_f],
        _NOTES[_f],
        (_f,),
        spec(_f).tolerance_text(),
        values.value_check(_f, f"ACT-{_fid}-VALUE"),
    )
    _d = f"{_f}_derivative"
    _kinks = spec(_d).kinks
    _except = (
        f" (except exactly at the kink{'s' if len(_kinks) > 1 else ''} "
        f"{', '.join(f'{k:g}' for k in _kinks)}, see the kink clause)"
        if _kinks
        else ""
    )
    _add(
        f"ACT-{_fid}-DERIVATIVE-VALUE",
        f"{_DISPLAY[_f]} derivative values",
        "values",
        _f,
        f"{_d}(z) equals the exact derivative {_RANGE}{_slope}{_except}, within the tolerance.",
        _DERIVATIVE_LATEX[_f],
        _NOTES[_f],
        (_d,),
        spec(_d).tolerance_text(),
        values.value_check(_d, f"ACT-{_fid}-DERIVATIVE-VALUE"),
    )


#: Every clause, in report order.
CLAUSES: tuple[Clause, ...] = tuple(_CLAUSES)

_BY_ID: dict[str, Clause] = {clause.id: clause for clause in CLAUSES}


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
