"""What the checks know about each elementwise function, in one table.

For every contract member ``sigmoid`` ... ``swish_derivative``: its kinks, whether it takes
``negative_slope``, its tolerance and the *conditioning floor* of that tolerance, the fixed
edge inputs every value clause tries, and the wrong formulas a failure hint can recognise.

Tolerances (decided here, stated in the clauses):

- Functions: within ``ulps`` ULP of the exact value (8 in float64 for the exp-based ones:
  libm and XLA differ by up to ~6 ULP; 4 in float32). Piecewise-linear ones are exact
  (leaky_relu 1 ULP: the slope itself is rounded to the dtype before the product).
- Derivatives of sigmoid, tanh and swish: within ``ulps`` ULP, *or* within an absolute floor
  of ``4 eps scale(z)``. The floor is the conditioning of the textbook formulas every library
  uses: sigmoid' = s (1 - s) loses ``eps s`` absolutely in ``1 - s``; tanh' = 1 - t^2 loses
  ``eps``; swish' = s + z s (1 - s) loses ``eps s (1 + |z|)`` near its root at z = -1.278.
  A derivative wrong by 1e-4 relative (a sloppy finite difference) is far outside both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from .._formulas import DERIVATIVE_FORMULAS, FUNCTION_FORMULAS
from .._model import Tolerance
from ..contract import DERIVATIVES, FUNCTIONS, KINKS, SLOPED

__all__ = ["DERIVATIVES", "FUNCTIONS", "ElementwiseSpec", "edge_inputs", "spec", "wrong_formulas"]


def _sig(z: np.ndarray) -> np.ndarray:
    return special.expit(z)


def _one(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


@dataclass(frozen=True)
class ElementwiseSpec:
    """The checks' knowledge of one elementwise member."""

    name: str
    #: The function this is the derivative of (None for a function).
    of: str | None
    #: Points where the function is not differentiable (for derivatives: excluded inputs).
    kinks: tuple[float, ...]
    sloped: bool
    ulps32: float
    ulps64: float
    #: scale(z) of the absolute floor, in multiples of the dtype's eps (None: no floor).
    floor: Callable[[np.ndarray], np.ndarray] | None = None
    floor_text: str = ""
    floor_latex: str = ""
    #: Known wrong formulas, evaluated in float64 for hints: label -> f(z, slope).
    mistakes: dict[str, Callable[[np.ndarray, float], np.ndarray]] = field(default_factory=dict)
    #: The condition number cond(f, z) = |z f'(z) / f(z)| (None: piecewise linear, exact).
    cond: Callable[[np.ndarray], np.ndarray] | None = None

    def ulps(self, dtype: str) -> float:
        return self.ulps32 if dtype == "float32" else self.ulps64

    def allowed_ulps(self, z: np.ndarray, dtype: str) -> np.ndarray:
        """The ULP tolerance at each input: ``ulps + COND_MULTIPLE min(cond(f, z), COND_CAP)``.

        A forward-stable implementation computes f at an input perturbed by a few eps, which
        moves the result by cond(f, z) eps relatively: that much error is correct, not a
        defect (the accuracy grade reports it). The cap keeps the saturated far tails, where
        cond grows without bound, judged.
        """
        base = np.full(np.shape(z), self.ulps(dtype), dtype=np.float64)
        if self.cond is None:
            return base
        with np.errstate(all="ignore"):
            c = np.nan_to_num(self.cond(np.asarray(z, dtype=np.float64)), nan=0.0, posinf=0.0)
        return base + COND_MULTIPLE * np.minimum(np.abs(c), COND_CAP)

    def floor_factor(self, dtype: str) -> float:
        """The absolute floor is this factor times ``scale(z)``: ``(2 ulps + 2) eps``.

        The textbook formula of a derivative (s (1 - s), 1 - t^2, s + z s (1 - s)) inherits
        the absolute error of the function's value, up to twice its ULP tolerance, plus the
        formula's own roundings.
        """
        return (2.0 * self.ulps(dtype) + 2.0) * float(np.finfo(dtype).eps)

    def tolerance(self) -> Tolerance:
        r"""The value clause's tolerance, from this entry's numbers (those `allowed_ulps` and
        `floor_factor` apply)."""
        u32, u64 = self.ulps32, self.ulps64
        values = {"u": {"float32": u32, "float64": u64}}
        if self.cond is None:
            if u32 == u64 == 0:
                return Tolerance(r"a = f(z) \text{ exactly}", "", values)
            return Tolerance(
                r"|a - f(z)| \le u\,\mathrm{ulp}(f(z))", Tolerance.per_dtype("u", u32, u64), values
            )
        values["c"] = dict.fromkeys(("float32", "float64"), COND_MULTIPLE)
        values["C"] = dict.fromkeys(("float32", "float64"), COND_CAP)
        latex = (
            rf"|a - f(z)| \le \bigl(u + {COND_MULTIPLE:g} \min(\operatorname{{cond}}(f, z), "
            rf"{COND_CAP:g})\bigr)\,\mathrm{{ulp}}(f(z))"
        )
        where = (
            Tolerance.per_dtype("u", u32, u64)
            + r", \(\operatorname{cond}(f, z) = |z f'(z) / f(z)|\) (the error a forward-stable "
            "evaluation may make)"
        )
        if self.floor is not None:
            values["k"] = {d: self.floor_factor(d) / float(np.finfo(d).eps) for d in values["u"]}
            latex += rf" \;\text{{or}}\; |a - f(z)| \le (2u + 2)\,\varepsilon\,{self.floor_latex}"
            where += ", the alternative being the conditioning of the textbook formula"
        return Tolerance(
            latex, where + "; subnormal results flushed to zero are acceptable (flagged)", values
        )

    def tolerance_text(self) -> str:
        text = f"<= {self.ulps64:g} ULP (float64), <= {self.ulps32:g} ULP (float32)"
        if self.cond is not None:
            text += (
                f", plus {COND_MULTIPLE:g} min(cond(f, z), {COND_CAP:g}) ULP where "
                "cond(f, z) = |z f'(z) / f(z)| (the error a forward-stable evaluation may make)"
            )
        if self.floor is not None:
            text += (
                f", or an absolute error <= (2 ULP + 2) eps x {self.floor_text}"
                " (the conditioning of the derivative's textbook formula)"
            )
        return text + "; subnormal results flushed to zero are acceptable (flagged)"


#: Multiple of cond(f, z) (in ULPs) a correct implementation may add to the base tolerance.
COND_MULTIPLE = 2.0
#: The largest condition number the tolerance follows (beyond it the tails are judged as is).
COND_CAP = 1000.0


def _cond_sigmoid(z: np.ndarray) -> np.ndarray:
    return np.abs(z) * _sig(-z)


def _cond_tanh(z: np.ndarray) -> np.ndarray:
    # z tanh'(z) / tanh(z) = 2z / sinh(2z), 1 at 0.
    with np.errstate(all="ignore"):
        return np.where(z == 0, 1.0, np.abs(2 * z / np.sinh(2 * z)))


def _cond_swish(z: np.ndarray) -> np.ndarray:
    return np.abs(1.0 + z * _sig(-z))


def _cond_sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    return np.abs(z * (1.0 - 2.0 * _sig(z)))


def _cond_tanh_derivative(z: np.ndarray) -> np.ndarray:
    return np.abs(2.0 * z * np.tanh(z))


def _cond_swish_derivative(z: np.ndarray) -> np.ndarray:
    s, sm = _sig(z), _sig(-z)
    second = s * sm * (2.0 + z * (1.0 - 2.0 * s))
    with np.errstate(all="ignore"):
        return np.abs(z * second / (s + z * s * sm))


_CONDITIONING: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": _cond_sigmoid,
    "tanh": _cond_tanh,
    "swish": _cond_swish,
    "sigmoid_derivative": _cond_sigmoid_derivative,
    "tanh_derivative": _cond_tanh_derivative,
    "swish_derivative": _cond_swish_derivative,
}


def _sigmoid_floor(z: np.ndarray) -> np.ndarray:
    return _sig(z)


def _tanh_floor(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


def _swish_floor(z: np.ndarray) -> np.ndarray:
    return _sig(z) * (1.0 + np.abs(z))


def _hardtanh_notes_typo(z: np.ndarray, s: float) -> np.ndarray:
    return np.where(z < -1, -1.0, np.where(z > 1, 1.0, 0.0))


_DERIVATIVE_FORMULAS = DERIVATIVE_FORMULAS
_FUNCTION_FORMULAS = FUNCTION_FORMULAS


def _derivative_mistakes(of: str) -> dict[str, Callable[[np.ndarray, float], np.ndarray]]:
    mistakes = {
        f"{of}(z) itself instead of its derivative": _FUNCTION_FORMULAS[of],
    }
    for other, formula in _DERIVATIVE_FORMULAS.items():
        if other != of and not (of in ("relu", "leaky_relu") and other in ("relu", "leaky_relu")):
            mistakes[f"the derivative of {other} instead of {of}"] = formula
    return mistakes


_SPECIFIC: dict[str, dict[str, Callable[[np.ndarray, float], np.ndarray]]] = {
    "sigmoid": {
        "sigmoid(-z) (the sign of z is flipped)": lambda z, s: _sig(-z),
        "e^z / (1 + e^z) evaluated at 2z": lambda z, s: _sig(2 * z),
    },
    "tanh": {"2 sigmoid(z) - 1 (the argument should be 2z)": lambda z, s: 2 * _sig(z) - 1},
    "hardtanh": {
        "the notes' typo: 0 on the middle branch (the erratum says z)": _hardtanh_notes_typo,
    },
    "relu": {"min(z, 0) (the branches are swapped)": lambda z, s: np.minimum(z, 0.0)},
    "leaky_relu": {
        "the slope applied on the positive side": lambda z, s: np.where(z > 0, s * z, z),
        "the default slope 0.01 instead of negative_slope": lambda z, s: np.where(
            z > 0, z, 0.01 * z
        ),
    },
    "swish": {"sigmoid(z) (the factor z is missing)": lambda z, s: _sig(z)},
    "sigmoid_derivative": {
        "sigmoid(z) (1 + sigmoid(z)) (the sign inside is wrong)": lambda z, s: (
            _sig(z) * (1 + _sig(z))
        ),
        "1 - sigmoid(z) (the factor sigmoid(z) is missing)": lambda z, s: _sig(-z),
    },
    "tanh_derivative": {
        "1 - tanh(z) (the square is missing)": lambda z, s: 1 - np.tanh(z),
        "1 + tanh(z)^2 (the sign is wrong)": lambda z, s: 1 + np.tanh(z) ** 2,
        "tanh(z)^2 (the 1 - is missing)": lambda z, s: np.tanh(z) ** 2,
    },
    "hardtanh_derivative": {"1 everywhere": lambda z, s: np.ones_like(z)},
    "relu_derivative": {"1 everywhere": lambda z, s: np.ones_like(z)},
    "leaky_relu_derivative": {
        "the slope on the positive side": lambda z, s: np.where(z > 0, s, 1.0),
        "the default slope 0.01 instead of negative_slope": lambda z, s: np.where(z > 0, 1.0, 0.01),
    },
    "swish_derivative": {
        "sigmoid(z) (the product rule's second term z sigmoid'(z) is missing)": lambda z, s: _sig(
            z
        ),
        "z sigmoid'(z) (the product rule's first term sigmoid(z) is missing)": lambda z, s: (
            z * _sig(z) * _sig(-z)
        ),
    },
}


_FLOOR_TEXT = {"sigmoid": "sigmoid(z)", "tanh": "1", "swish": "sigmoid(z) (1 + |z|)"}
_FLOOR_LATEX = {"sigmoid": r"\sigma(z)", "tanh": "", "swish": r"\sigma(z)\,(1 + |z|)"}


def _make() -> dict[str, ElementwiseSpec]:
    table: dict[str, ElementwiseSpec] = {}
    smooth = {"sigmoid": _sigmoid_floor, "tanh": _tanh_floor, "swish": _swish_floor}
    for base in FUNCTIONS:
        sloped = base in SLOPED
        if base in smooth:
            f_ulps = (4.0, 8.0)
        else:
            f_ulps = (1.0, 1.0) if sloped else (0.0, 0.0)
        table[base] = ElementwiseSpec(
            name=base,
            of=None,
            kinks=(),
            sloped=sloped,
            ulps32=f_ulps[0],
            ulps64=f_ulps[1],
            mistakes=dict(_SPECIFIC.get(base, {})),
            cond=_CONDITIONING.get(base),
        )
        d_name = f"{base}_derivative"
        table[d_name] = ElementwiseSpec(
            name=d_name,
            of=base,
            kinks=KINKS.get(base, ()),
            sloped=sloped,
            ulps32=f_ulps[0],
            ulps64=f_ulps[1],
            floor=smooth.get(base),
            floor_text=_FLOOR_TEXT.get(base, ""),
            floor_latex=_FLOOR_LATEX.get(base, ""),
            mistakes={**_SPECIFIC.get(d_name, {}), **_derivative_mistakes(base)},
            cond=_CONDITIONING.get(d_name),
        )
    return table


#: Every elementwise member, functions then derivatives.
_TABLE = _make()


def spec(name: str) -> ElementwiseSpec:
    """The table entry of an elementwise member."""
    return _TABLE[name]


#: Inputs every value clause tries first, besides the random ones: small integers and halves
#: (where a branch or a formula is most often off), tiny values, the edge of the moderate
#: range, both neighbours of each kink, and swish's stationary point.
_EDGES = (
    0.0,
    -0.0,
    1e-8,
    -1e-8,
    0.25,
    -0.25,
    0.5,
    -0.5,
    0.75,
    -0.75,
    1.0,
    -1.0,
    1.5,
    -1.5,
    2.0,
    -2.0,
    3.0,
    -3.0,
    5.0,
    -5.0,
    10.0,
    -10.0,
    20.0,
    -20.0,
    -1.2784645427610738,
)


def edge_inputs(dtype: str, *, exclude: tuple[float, ...] = ()) -> np.ndarray:
    """The fixed edge inputs in ``dtype``, plus the neighbours of 0 and +-1, minus ``exclude``."""
    d = np.dtype(dtype)
    values = np.array(_EDGES, dtype=d)
    neighbours = []
    tiny = np.finfo(d).tiny
    # Around 0 the nearest inputs tried are the smallest normal numbers: subnormal inputs are
    # the robustness family's (some libraries read them as zero).
    neighbours += [tiny, -tiny]
    for point in (1.0, -1.0):
        p = d.type(point)
        neighbours += [np.nextafter(p, d.type(-np.inf)), np.nextafter(p, d.type(np.inf))]
    values = np.concatenate([values, np.array(neighbours, dtype=d)])
    keep = np.array([float(v) not in exclude for v in values])
    return np.ascontiguousarray(values[keep])


def wrong_formulas(name: str, z: np.ndarray, slope: float) -> dict[str, np.ndarray]:
    """The known wrong formulas of ``name`` evaluated at ``z`` (float64), for hints."""
    z64 = np.asarray(z, dtype=np.float64)
    out = {}
    with np.errstate(all="ignore"):
        for label, formula in spec(name).mistakes.items():
            out[label] = np.asarray(formula(z64, slope), dtype=np.float64)
    return out
