"""The elementwise members in float64 by textbook formulas, written apart from the reference.

The value clauses triage with these: an adapter's result within half its tolerance of the
formula's value (rounded to the dtype) passes; every other element is judged against the
exact oracle (`gradspec.reference.oracle`). So neither the reference's code nor these
formulas' own last-bit errors decide a verdict, and a broken reference (a halved sigmoid)
fails the suite like any other adapter. Checks also use them for hints (a wrong formula
matched) and for the conditioning of the tolerances.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

from .contract import DEFAULT_SLOPE, FUNCTIONS

__all__ = ["DERIVATIVE_FORMULAS", "FUNCTION_FORMULAS", "formula_values", "sigmoid64"]

Formula = Callable[[np.ndarray, float], np.ndarray]


def sigmoid64(z: np.ndarray) -> np.ndarray:
    """The logistic function in float64 (SciPy's ``expit``, within an ULP or two)."""
    return special.expit(z)


#: Each activation by its formula: ``f(z, slope)`` on float64 arrays.
FUNCTION_FORMULAS: dict[str, Formula] = {
    "sigmoid": lambda z, s: sigmoid64(z),
    "tanh": lambda z, s: np.tanh(z),
    "hardtanh": lambda z, s: np.clip(z, -1.0, 1.0),
    "relu": lambda z, s: np.maximum(z, 0.0),
    "leaky_relu": lambda z, s: np.where(z > 0, z, s * z),
    "swish": lambda z, s: z * sigmoid64(z),
}
#: Each activation's derivative, by the activation's name (kinks: the reference's values).
DERIVATIVE_FORMULAS: dict[str, Formula] = {
    "sigmoid": lambda z, s: sigmoid64(z) * sigmoid64(-z),
    "tanh": lambda z, s: 1.0 / np.cosh(z) ** 2,
    "hardtanh": lambda z, s: np.where(np.isnan(z), z, ((z > -1) & (z < 1)).astype(float)),
    "relu": lambda z, s: np.where(np.isnan(z), z, (z > 0).astype(float)),
    "leaky_relu": lambda z, s: np.where(np.isnan(z), z, np.where(z > 0, 1.0, s)),
    "swish": lambda z, s: sigmoid64(z) + z * sigmoid64(z) * sigmoid64(-z),
}
_BY_MEMBER: dict[str, Formula] = {
    **FUNCTION_FORMULAS,
    **{f"{f}_derivative": DERIVATIVE_FORMULAS[f] for f in FUNCTIONS},
}


def formula_values(name: str, z: np.ndarray, *, negative_slope: float | None = None) -> np.ndarray:
    """Member ``name`` at ``z`` by its formula in float64, rounded once to ``z``'s dtype."""
    slope = DEFAULT_SLOPE if negative_slope is None else negative_slope
    with np.errstate(all="ignore"):
        wide = _BY_MEMBER[name](np.asarray(z, dtype=np.float64), slope)
        return np.asarray(wide).astype(z.dtype)
