"""Family ``identities``: relations between the adapter's own functions.

Each identity is checked on the adapter's results alone (no reference), with a tolerance
derived from the value tolerances of the functions involved and the conditioning of the
identity: for example tanh(z) = 2 sigma(2z) - 1 doubles sigma's absolute error and then
cancels, so it holds to a few eps absolutely, not relatively.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .._compare import fail, find_hint, quiet, reproducer, ulp_distance, worst_index
from .._model import CheckContext, Tolerance
from .._strategies import float_arrays
from ._batch import bucket, concatenated, padded, random_fill, run_batched
from ._common import call_elementwise
from ._functions import edge_inputs, spec

__all__ = ["IDENTITIES", "Identity", "identity_check"]

Values = dict[str, np.ndarray]


@dataclass(frozen=True)
class Identity:
    r"""``lhs(values) == rhs(values)`` where ``values`` holds the members' results.

    ``calls`` lists (key, member, argument) with argument ``"z"``, ``"-z"`` or ``"2z"``.

    The tolerance is data, so the docs render the rule the check applies: with ``atol`` =
    (a, member, b), the sides may differ by :math:`(a u_{member} + b)\,\varepsilon\,
    \mathrm{scale}(z)` absolutely (u the member's ULP tolerance, scale 1 unless ``scale``);
    otherwise by :math:`\sum_i a_i u_{m_i} + b` ULPs (``ulp_terms`` ((a_i, m_i), ...),
    ``ulp_const`` b).
    """

    calls: tuple[tuple[str, str, str], ...]
    lhs: Callable[[np.ndarray, Values], np.ndarray]
    rhs: Callable[[np.ndarray, Values], np.ndarray]
    lhs_text: str
    rhs_text: str
    lhs_latex: str = ""
    rhs_latex: str = ""
    atol: tuple[float, str, float] | None = None
    scale: Callable[[np.ndarray], np.ndarray] | None = None
    scale_latex: str = ""
    ulp_terms: tuple[tuple[float, str], ...] = ()
    ulp_const: float = 0.0
    magnitude: str = "moderate"
    slopes: tuple[float | None, ...] = (None,)

    def abs_tolerance(self, z: np.ndarray, dtype: str) -> np.ndarray:
        """The allowed absolute difference at each element (``atol`` identities)."""
        assert self.atol is not None
        a, member, b = self.atol
        eps = float(np.finfo(dtype).eps)
        scale = self.scale(z) if self.scale is not None else np.ones(z.shape)
        return (a * spec(member).ulps(dtype) + b) * eps * scale

    def ulp_tolerance(self, dtype: str) -> float:
        """The allowed difference in ULPs (identities without ``atol``)."""
        return sum(a * spec(m).ulps(dtype) for a, m in self.ulp_terms) + self.ulp_const

    def tolerance(self) -> Tolerance:
        """The clause's tolerance, rendered from the same numbers."""
        lhs, rhs = self.lhs_latex or self.lhs_text, self.rhs_latex or self.rhs_text
        us = {m for _, m in self.ulp_terms} | ({self.atol[1]} if self.atol else set())
        where = "; ".join(
            Tolerance.per_dtype(f"u_{{{m}}}", spec(m).ulps32, spec(m).ulps64) for m in sorted(us)
        )
        values = {
            f"u_{m}": {"float32": spec(m).ulps32, "float64": spec(m).ulps64} for m in sorted(us)
        }
        if self.atol is not None:
            a, m, b = self.atol
            coefficient = "" if a == 1 else f"{a:g} "
            term = f"({coefficient}u_{{{m}}} + {b:g})" if a else f"{b:g}"
            latex = rf"|{lhs} - {rhs}| \le {term}\,\varepsilon{self.scale_latex}"
            return Tolerance(latex, where.replace("u_{", r"\(u_{").replace("} =", r"}\) ="), values)
        terms = [f"{a:g} u_{{{m}}}" if a != 1 else f"u_{{{m}}}" for a, m in self.ulp_terms]
        if self.ulp_const or not terms:
            terms.append(f"{self.ulp_const:g}")
        bound = " + ".join(terms)
        if bound == "0":
            return Tolerance(rf"{lhs} = {rhs} \text{{ exactly}}")
        latex = rf"|{lhs} - {rhs}| \le ({bound})\,\mathrm{{ulp}}"
        return Tolerance(latex, where.replace("u_{", r"\(u_{").replace("} =", r"}\) ="), values)


def _sig64(z: np.ndarray) -> np.ndarray:
    from scipy import special

    return special.expit(z.astype(np.float64))


def _f64(v: np.ndarray) -> np.ndarray:
    return v.astype(np.float64)


IDENTITIES: dict[str, Identity] = {
    "ACT-TANH-IDENTITY": Identity(
        calls=(("t", "tanh", "z"), ("s2", "sigmoid", "2z")),
        lhs=lambda z, v: _f64(v["t"]),
        rhs=lambda z, v: 2.0 * _f64(v["s2"]) - 1.0,
        lhs_text="tanh(z)",
        rhs_text="2 sigmoid(2z) - 1",
        lhs_latex=r"\tanh z",
        rhs_latex=r"(2\sigma(2z) - 1)",
        # |error| <= tanh's u ULP (< u/2 eps) + twice sigmoid's (< u eps) + rounding.
        atol=(3.0, "tanh", 2.0),
    ),
    "ACT-SIGMOID-SYMMETRY": Identity(
        calls=(("s", "sigmoid", "z"), ("sm", "sigmoid", "-z")),
        lhs=lambda z, v: _f64(v["sm"]),
        rhs=lambda z, v: 1.0 - _f64(v["s"]),
        lhs_text="sigmoid(-z)",
        rhs_text="1 - sigmoid(z)",
        lhs_latex=r"\sigma(-z)",
        rhs_latex=r"(1 - \sigma(z))",
        atol=(1.0, "sigmoid", 1.0),
    ),
    "ACT-TANH-ODD": Identity(
        calls=(("t", "tanh", "z"), ("tm", "tanh", "-z")),
        lhs=lambda z, v: v["tm"],
        rhs=lambda z, v: -v["t"],
        lhs_text="tanh(-z)",
        rhs_text="-tanh(z)",
        lhs_latex=r"\tanh(-z)",
        rhs_latex=r"(-\tanh z)",
        ulp_terms=((2.0, "tanh"),),
        magnitude="all",
    ),
    "ACT-SWISH-DEFINITION": Identity(
        calls=(("w", "swish", "z"), ("s", "sigmoid", "z")),
        lhs=lambda z, v: v["w"],
        rhs=lambda z, v: (_f64(z) * _f64(v["s"])).astype(z.dtype),
        lhs_text="swish(z)",
        rhs_text="z sigmoid(z)",
        lhs_latex=r"\operatorname{swish}(z)",
        rhs_latex=r"z\,\sigma(z)",
        ulp_terms=((1.0, "swish"), (1.0, "sigmoid")),
        ulp_const=1.0,
    ),
    "ACT-HARDTANH-CLIP": Identity(
        calls=(("h", "hardtanh", "z"),),
        lhs=lambda z, v: v["h"],
        rhs=lambda z, v: np.clip(z, -1.0, 1.0).astype(z.dtype),
        lhs_text="hardtanh(z)",
        rhs_text="clip(z, -1, 1)",
        lhs_latex=r"\operatorname{HardTanh}(z)",
        rhs_latex=r"\operatorname{clip}(z, -1, 1)",
        magnitude="all",
    ),
    "ACT-RELU-DEFINITION": Identity(
        calls=(("r", "relu", "z"),),
        lhs=lambda z, v: v["r"],
        rhs=lambda z, v: np.maximum(z, 0).astype(z.dtype),
        lhs_text="relu(z)",
        rhs_text="max(z, 0)",
        lhs_latex=r"\operatorname{ReLU}(z)",
        rhs_latex=r"\max(z, 0)",
        magnitude="all",
    ),
    "ACT-LEAKY-RELU-DEFINITION": Identity(
        calls=(("l", "leaky_relu", "z"),),
        lhs=lambda z, v: v["l"],
        rhs=lambda z, v: np.where(z > 0, _f64(z), _f64(z) * v["slope"]).astype(z.dtype),
        lhs_text="leaky_relu(z, s)",
        rhs_text="z if z > 0 else s z",
        lhs_latex=r"\operatorname{LeakyReLU}_s(z)",
        rhs_latex=r"(z \text{ if } z > 0 \text{ else } s z)",
        # The slope is rounded to the dtype before the product: one rounding more.
        ulp_const=1.0,
        magnitude="all",
        slopes=(None, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0),
    ),
    "ACT-SIGMOID-DERIVATIVE-IDENTITY": Identity(
        calls=(("d", "sigmoid_derivative", "z"), ("s", "sigmoid", "z")),
        lhs=lambda z, v: _f64(v["d"]),
        rhs=lambda z, v: _f64(v["s"]) * (1.0 - _f64(v["s"])),
        lhs_text="sigmoid'(z)",
        rhs_text="sigmoid(z) (1 - sigmoid(z))",
        lhs_latex=r"\sigma'(z)",
        rhs_latex=r"\sigma(z)(1 - \sigma(z))",
        # Both sides carry about (2 u + 2) eps sigmoid(z) absolutely (see the values).
        atol=(4.0, "sigmoid", 4.0),
        scale=_sig64,
        scale_latex=r"\,\sigma(z)",
    ),
    "ACT-TANH-DERIVATIVE-IDENTITY": Identity(
        calls=(("d", "tanh_derivative", "z"), ("t", "tanh", "z")),
        lhs=lambda z, v: _f64(v["d"]),
        rhs=lambda z, v: 1.0 - _f64(v["t"]) ** 2,
        lhs_text="tanh'(z)",
        rhs_text="1 - tanh(z)^2",
        lhs_latex=r"\tanh'(z)",
        rhs_latex=r"(1 - \tanh^2 z)",
        atol=(4.0, "tanh", 4.0),
    ),
}


def members_of(clause_id: str) -> tuple[str, ...]:
    """The adapter members an identity calls, in order, without repeats."""
    return tuple(dict.fromkeys(member for _, member, _ in IDENTITIES[clause_id].calls))


#: How each argument of an identity's calls is written in a reproducer (``z`` is defined there).
_ARGUMENT_CODE = {"z": "z", "-z": "-z", "2z": "2 * z"}


def _slope_code(kwargs: dict[str, float]) -> str:
    return "".join(f", {k}={v!r}" for k, v in kwargs.items())


def _argument(z: np.ndarray, how: str) -> np.ndarray:
    if how == "-z":
        return np.array(-z, order="C")
    if how == "2z":
        return np.array(z * z.dtype.type(2), order="C")
    return z


def _evaluate(
    ctx: CheckContext, clause_id: str, identity: Identity, z: np.ndarray, slope: float | None
) -> Values:
    """The identity's member results at ``z``: one call per member, its arguments
    (``z``, ``-z``, ``2z``) concatenated into one 1-D array and split again."""
    results: Values = {}
    for member in dict.fromkeys(m for _, m, _ in identity.calls):
        calls = [(key, how) for key, m, how in identity.calls if m == member]
        flat = concatenated([_argument(z, how) for _, how in calls], z.dtype)
        values = call_elementwise(ctx, clause_id, member, flat, slope)
        for i, (key, _) in enumerate(calls):
            results[key] = values[i * z.size : (i + 1) * z.size].reshape(z.shape)
    return results


def identity_check(clause_id: str) -> Callable[[CheckContext], None]:
    """The check of an identity clause of `IDENTITIES`."""
    identity = IDENTITIES[clause_id]

    def verify(ctx: CheckContext, z: np.ndarray, slope: float | None) -> None:
        results = _evaluate(ctx, clause_id, identity, z, slope)
        results["slope"] = np.asarray(0.01 if slope is None else slope, dtype=np.float64)
        with quiet():
            lhs = np.asarray(identity.lhs(z, results))
            rhs = np.asarray(identity.rhs(z, results))
        with np.errstate(all="ignore"):
            diff = np.abs(lhs.astype(np.float64) - rhs.astype(np.float64))
            diff = np.where(lhs == rhs, 0.0, diff)
        if identity.atol is not None:
            tol = identity.abs_tolerance(z, ctx.dtype)
            with np.errstate(all="ignore"):
                score = np.where(diff == 0, 0.0, diff / tol)
            ulps = None
        else:
            ulps = ulp_distance(lhs.astype(z.dtype), rhs.astype(z.dtype))
            allowed = identity.ulp_tolerance(ctx.dtype)
            # Results below the normal range may be flushed to zero (XLA does): one tiny.
            tiny = float(np.finfo(ctx.dtype).tiny)
            score = np.where(ulps <= allowed, 0.0, np.where(diff <= tiny, 0.0, np.inf))
        score = np.where(np.isnan(score), np.inf, score)
        if not (score > 1).any():
            ctx.record(
                ulp_error=float(ulps.max()) if ulps is not None and ulps.size else None,
                abs_error=float(diff.max()) if diff.size else 0.0,
                tol_fraction=float(score.max()) if score.size else 0.0,
            )
            return
        index = worst_index(score)
        members = list(dict.fromkeys(m for _, m, _ in identity.calls))
        member = members[0]
        kwargs = {} if slope is None else {"negative_slope": slope}
        if identity.atol is not None:
            stated = f"{float(np.broadcast_to(tol, z.shape)[index]):.3g} absolute at this input"
        else:
            stated = f"{identity.ulp_tolerance(ctx.dtype):g} ULP"
        raise fail(
            clause_id,
            f"{identity.lhs_text} != {identity.rhs_text} beyond the tolerance",
            inputs={"z": z, **kwargs},
            index=index,
            input_value=z[index],
            expected=float(rhs[index]),
            actual=float(lhs[index]),
            abs_error=float(diff[index]),
            ulp_error=None if ulps is None else float(ulps[index]),
            hint=find_hint(lhs, rhs, inputs=z, bad=score > 1, dtype=ctx.dtype),
            reproducer=reproducer(
                ctx.adapter.spec,
                member,
                [("z", z[index].reshape(1))],
                kwargs,
                note=f"compare {identity.lhs_text} with {identity.rhs_text}, both from the "
                "adapter's own functions",
                extra=[
                    f"{key} = adapter.call({m!r}, {_ARGUMENT_CODE[how]}{_slope_code(kwargs)})"
                    for key, m, how in identity.calls
                ]
                + [f"print({key!r}, {key})" for key, _, _ in identity.calls],
            ),
            member="+".join(members),
            tolerance=stated,
        )

    def check(ctx: CheckContext) -> None:
        # One member is called on up to two arguments at once (z and -z): half a bucket each.
        share = max(Counter(m for _, m, _ in identity.calls).values())
        grid = edge_inputs(ctx.dtype)
        # The fixed grid first, in a call of its own per slope (the same way every run).
        edges = padded(grid, ctx.profile, length=bucket(ctx.profile) // share)
        for slope in identity.slopes:
            verify(ctx, edges, slope)
        arrays = float_arrays(
            dtype=ctx.dtype, max_size=ctx.profile.max_array_size, magnitude=identity.magnitude
        )

        def test(z: np.ndarray, slope: float | None) -> None:
            verify(ctx, z, slope)

        fill = random_fill(identity.magnitude, 20.0)
        run_batched(
            ctx,
            arrays,
            st.sampled_from(identity.slopes),
            test,
            test,
            fill=fill,
            share=share,
        )

    return check


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import Clause  # noqa: E402
from .._wording import NOTES, slope_words  # noqa: E402
from ..contract import DEFAULT_SLOPE  # noqa: E402

#: Each identity clause's (title, section, statement, LaTeX), in report order.
_IDENTITY_WORDS = {
    "ACT-TANH-IDENTITY": (
        "tanh is a rescaled sigmoid",
        "tanh",
        "tanh(z) = 2 sigmoid(2z) - 1 for the adapter's own tanh and sigmoid, |z| <= 20, within an "
        "absolute tolerance (the identity doubles sigmoid's error and then cancels).",
        r"\tanh(z) = 2\sigma(2z) - 1",
    ),
    "ACT-SIGMOID-SYMMETRY": (
        "sigmoid symmetry",
        "sigmoid",
        "sigmoid(-z) = 1 - sigmoid(z) for the adapter's own sigmoid, |z| <= 20.",
        r"\sigma(-z) = 1 - \sigma(z)",
    ),
    "ACT-TANH-ODD": (
        "tanh is odd",
        "tanh",
        "tanh(-z) = -tanh(z) for every finite z.",
        r"\tanh(-z) = -\tanh(z)",
    ),
    "ACT-SWISH-DEFINITION": (
        "swish is z sigmoid(z)",
        "swish",
        "swish(z) = z sigmoid(z) for the adapter's own swish and sigmoid, |z| <= 20.",
        r"\operatorname{swish}(z) = z\,\sigma(z)",
    ),
    "ACT-HARDTANH-CLIP": (
        "hard tanh is a clip (erratum)",
        "hardtanh",
        "hardtanh(z) = clip(z, -1, 1) exactly for every finite z: the middle branch is z, not "
        "the 0 printed in the notes (an erratum of the notes).",
        r"\operatorname{HardTanh}(z) = \min(\max(z, -1), 1)",
    ),
    "ACT-RELU-DEFINITION": (
        "ReLU is max(z, 0)",
        "relu",
        "relu(z) = max(z, 0) exactly for every finite z.",
        r"\operatorname{ReLU}(z) = \max(z, 0)",
    ),
    "ACT-LEAKY-RELU-DEFINITION": (
        "leaky ReLU's two branches",
        "leaky_relu",
        "leaky_relu(z, s) = z for z > 0 and s z otherwise, for every finite z, for the default "
        f"slope ({DEFAULT_SLOPE:g}) and slopes "
        f"{slope_words(IDENTITIES['ACT-LEAKY-RELU-DEFINITION'].slopes)}.",
        r"\operatorname{LeakyReLU}_s(z) = \begin{cases} z & z > 0 \\ s z & z \le 0 "
        r"\end{cases}",
    ),
    "ACT-SIGMOID-DERIVATIVE-IDENTITY": (
        "sigmoid' = sigmoid (1 - sigmoid)",
        "sigmoid",
        "sigmoid_derivative(z) = sigmoid(z) (1 - sigmoid(z)) for the adapter's own functions, "
        "|z| <= 20, within an absolute tolerance proportional to sigmoid(z) (where the "
        "formula is well-conditioned).",
        r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
    ),
    "ACT-TANH-DERIVATIVE-IDENTITY": (
        "tanh' = 1 - tanh^2",
        "tanh",
        "tanh_derivative(z) = 1 - tanh(z)^2 for the adapter's own functions, |z| <= 20, within "
        "an absolute tolerance of a few eps (where the formula is well-conditioned).",
        r"\tanh'(z) = 1 - \tanh^2(z)",
    ),
}

#: The family's clauses, in report order.
CLAUSES: tuple[Clause, ...] = tuple(
    Clause(
        id=clause_id,
        title=title,
        family="identities",
        section=section,
        statement=statement,
        latex=latex,
        notes=NOTES[section],
        members=members_of(clause_id),
        tolerance=IDENTITIES[clause_id].tolerance(),
        check=identity_check(clause_id),
    )
    for clause_id, (title, section, statement, latex) in _IDENTITY_WORDS.items()
)
