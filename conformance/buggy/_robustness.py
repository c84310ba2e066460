"""Right formulas, wrong behaviour at the boundary: mutation, dtype, shape, NaN.

Each class is the reference adapter with one member that computes the right values but
breaks one promise of the contract about how it treats its input or shapes its result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradspec import reference as ref

from ._base import ReferenceAdapter

__all__ = [
    "ReluMutatesInput",
    "ReluSwallowsNan",
    "SigmoidColumnVector",
    "SigmoidFloat64Result",
    "TanhInPlace",
]


class ReluMutatesInput(ReferenceAdapter):
    name = "relu-mutates-input"
    bug = "relu zeroes the negative entries of its input in place (z[z < 0] = 0; return z)"
    expected_clauses = ("ROB-NO-MUTATION",)
    expected_findings = (("relu", "mutation"),)

    def relu(self, z: Any) -> Any:
        z[z < 0] = 0
        return z


class TanhInPlace(ReferenceAdapter):
    name = "tanh-in-place"
    bug = "tanh saves memory with np.tanh(z, out=z), overwriting the caller's array"
    expected_clauses = ("ROB-NO-MUTATION",)
    expected_findings = (("tanh", "mutation"),)

    def tanh(self, z: Any) -> Any:
        return np.tanh(z, out=z)


class SigmoidFloat64Result(ReferenceAdapter):
    name = "sigmoid-float64-result"
    bug = (
        "sigmoid converts its input with np.asarray(z, dtype=float), so float32 in gives "
        "float64 out"
    )
    expected_clauses = ("ROB-DTYPE",)
    expected_findings = (("sigmoid", "dtype"),)

    def sigmoid(self, z: Any) -> Any:
        return ref.sigmoid(np.asarray(z, dtype=float))


class SigmoidColumnVector(ReferenceAdapter):
    name = "sigmoid-column-vector"
    bug = "sigmoid reshapes its input to a column, returning shape (n, 1) instead of z's shape"
    expected_clauses = ("ROB-SHAPE",)
    expected_findings = (("sigmoid", "shape"),)

    def sigmoid(self, z: Any) -> Any:
        return ref.sigmoid(z).reshape(-1, 1)


class ReluSwallowsNan(ReferenceAdapter):
    name = "relu-swallows-nan"
    bug = "relu written as np.where(z > 0, z, 0), which turns NaN into 0 (NaN > 0 is False)"
    expected_clauses = ("ROB-NAN",)
    expected_findings = (("relu", "nan"),)

    def relu(self, z: Any) -> Any:
        return np.where(z > 0, z, 0.0)
