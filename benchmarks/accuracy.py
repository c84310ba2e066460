r"""Accuracy of every activation and derivative, in ULPs against the exact mpmath oracle.

For each function of :data:`gradspec.reference.oracle.FUNCTIONS`, both dtypes and every
implementation available (the reference, PyTorch and JAX through the shipped adapters, SciPy's
``expit`` forms, and the naive NumPy formulas of ``bench_activations.NAIVE``), it evaluates
the function on a fixed sample spanning the whole finite range of the dtype (:func:`sample`)
and reports the largest error and the 99.9th percentile, in ULPs of the dtype.

Usage (or through ``benchmarks/run_all.py``)::

    python benchmarks/accuracy.py [--points 1.0]

Notes
-----
**The yardstick.** Exact values come from :func:`gradspec.reference.oracle.exact_mpf`
(160 bits or more), computed once per sample point and function and kept as a scaled
double-double :math:`(h + l)\,2^{e}` with :math:`|h + l| \in [1/2, 1)`: 106 significant bits,
with no underflow however small the value. The error of a result :math:`a` is then
:math:`|a - v| / \mathrm{ulp}(v)`, computed with power-of-two scalings (exact) and one
subtraction of nearby numbers (exact by Sterbenz' lemma), so the figure has the oracle's
definition (:func:`gradspec.reference.oracle.ulp_error`: the ULP of the binade holding the
exact value, the smallest subnormal at zero) and is vectorized. ``swish_derivative`` is
measured on the scale of :math:`\max(|\mathrm{swish}'(z)|, \sigma(z))`, as the conformance
suite does, because its value crosses zero at :math:`z_0 \approx -1.2785` while its terms
stay the size of :math:`\sigma(z)`.

**Beyond** :math:`|z| = 2^{14}` the saturating functions (sigmoid, tanh, their derivatives and
``swish_derivative``) take their limits at :math:`\pm\infty` and ``swish`` takes :math:`z`
(or 0 for :math:`z < 0`): the distance to the exact value there is below
:math:`2^{-16000}` relative, far beneath any ULP, and the oracle's mpmath evaluation of
:math:`e^{-|z|}` exhausts memory for :math:`|z|` around :math:`10^{10}` and beyond.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath
import numpy as np

from gradspec import reference
from gradspec._accuracy import sample as accuracy_sample
from gradspec.reference import oracle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_activations import NAIVE

__all__ = [
    "FORMULAS",
    "IMPLEMENTATIONS",
    "KINKS",
    "PLOTTED",
    "Exact",
    "exact_values",
    "implementations",
    "measure_accuracy",
    "sample",
    "ulp_errors",
]

#: The smooth derivatives whose error is plotted against z.
PLOTTED = ("sigmoid_derivative", "tanh_derivative", "swish_derivative")
#: Order of the implementations in tables and plots.
IMPLEMENTATIONS = ("reference", "torch", "jax", "scipy", "numpy naive")
#: How each non-library contender computes each function (for the page).
FORMULAS = {
    "scipy": {
        "sigmoid": "expit(z)",
        "sigmoid_derivative": "expit(z) * expit(-z)",
        "swish": "z * expit(z)",
        "swish_derivative": "expit(z) * (1 + z * expit(-z))",
    },
    "numpy naive": {
        "sigmoid": "1 / (1 + exp(-z))",
        "sigmoid_derivative": "s * (1 - s), s = 1 / (1 + exp(-z))",
        "tanh": "np.tanh(z)",
        "tanh_derivative": "1 - tanh(z)**2",
        "hardtanh": "clip(z, -1, 1)",
        "hardtanh_derivative": "(-1 < z < 1)",
        "relu": "maximum(z, 0)",
        "relu_derivative": "(z > 0)",
        "leaky_relu": "where(z > 0, z, 0.01 z)",
        "leaky_relu_derivative": "where(z > 0, 1, 0.01)",
        "swish": "z * s",
        "swish_derivative": "s * (1 + z * (1 - s))",
    },
}

#: Beyond this magnitude the saturating functions are replaced by their limits (see Notes).
_SATURATED = 2.0**14
_SATURATING = frozenset(
    {"sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "swish_derivative"}
)
#: Functions measured on the scale of another one (see Notes).
_SCALE = {"swish_derivative": "sigmoid"}
#: Kinks, left out of the sample of a derivative: any value between the one-sided
#: derivatives is a valid subgradient there, so a difference is a convention, not an error.
KINKS = {
    "relu_derivative": (0.0,),
    "leaky_relu_derivative": (0.0,),
    "hardtanh_derivative": (-1.0, 1.0),
}


def sample(dtype: type[np.floating], *, density: float = 1.0) -> np.ndarray:
    """The fixed inputs for ``dtype``: `gradspec._accuracy.sample`, the package's one sampler.

    ``density`` multiplies its number of log-spaced points (1.0: 1200, about 7,000 inputs).

    Examples
    --------
    >>> z = sample(np.float32, density=0.1)
    >>> z.dtype, bool(np.all(np.isfinite(z))), bool(np.all(np.diff(z) > 0))
    (dtype('float32'), True, True)
    >>> float(z.max()) == float(np.finfo(np.float32).max)
    True
    """
    return accuracy_sample(dtype, max(2, int(1200 * density)))


class Exact:
    """Exact values of one function at a sample, as scaled double-doubles.

    ``value = (hi + lo) * 2**exponent`` with ``0.5 <= |hi + lo| < 1``, or 0 where ``zero``.
    """

    def __init__(self, hi: np.ndarray, lo: np.ndarray, exponent: np.ndarray, zero: np.ndarray):
        self.hi, self.lo, self.exponent, self.zero = hi, lo, exponent, zero


def _exact_mpf(name: str, z: float) -> mpmath.mpf:
    """The oracle's value, with the limits beyond :data:`_SATURATED` (see the module Notes)."""
    if abs(z) > _SATURATED:
        if name in _SATURATING:
            return oracle.exact_mpf(name, math.copysign(math.inf, z))
        if name == "swish":
            return mpmath.mpf(z) if z > 0 else mpmath.mpf(0)
    return oracle.exact_mpf(name, z)


def exact_values(name: str, z: np.ndarray) -> Exact:
    """Evaluate function ``name`` exactly at every element of ``z`` (one mpmath call each)."""
    n = z.size
    hi, lo = np.zeros(n), np.zeros(n)
    exponent = np.zeros(n, dtype=np.int64)
    zero = np.zeros(n, dtype=bool)
    with mpmath.workprec(200):
        for i, value in enumerate(z.astype(np.float64).tolist()):
            v = _exact_mpf(name, value)
            if v == 0:
                zero[i] = True
                continue
            mantissa, e = mpmath.frexp(v)  # v = mantissa * 2**e, 0.5 <= |mantissa| < 1
            h = float(mantissa)
            hi[i], lo[i], exponent[i] = h, float(mantissa - h), int(e)
    return Exact(hi, lo, exponent, zero)


def _larger(a: Exact, b: Exact) -> Exact:
    """Elementwise the one of ``a`` and ``b`` larger in magnitude (for the error's scale)."""
    a_log = np.where(a.zero, -np.inf, a.exponent + np.log2(np.abs(a.hi) + 1e-300))
    b_log = np.where(b.zero, -np.inf, b.exponent + np.log2(np.abs(b.hi) + 1e-300))
    pick = b_log > a_log
    return Exact(
        np.where(pick, b.hi, a.hi),
        np.where(pick, b.lo, a.lo),
        np.where(pick, b.exponent, a.exponent),
        a.zero & b.zero,
    )


def ulp_errors(exact: Exact, actual: np.ndarray, *, scale: Exact | None = None) -> np.ndarray:
    """Return ``|actual - exact| / ulp(exact)`` elementwise, in ULPs of ``actual``'s dtype.

    Parameters
    ----------
    exact : Exact
        The exact values, from :func:`exact_values`.
    actual : ndarray, float32 or float64, the shape of the sample
        The results; their dtype sets the ULP.
    scale : Exact, optional
        Measure in ULPs of the larger in magnitude of ``exact`` and ``scale``.

    Returns
    -------
    ndarray of float64
        0 for a result equal to the exact value, at most 0.5 for a correctly rounded one,
        ``inf`` for NaN or an infinity (no exact value in the sample is infinite).

    Examples
    --------
    >>> z = np.array([0.5, 20.0])
    >>> exact = exact_values("tanh_derivative", z)
    >>> ulp_errors(exact, 1.0 - np.tanh(z) ** 2) > 1e15
    array([False,  True])
    """
    info = np.finfo(actual.dtype)
    precision = info.nmant + 1
    emin = info.minexp
    unit = exact if scale is None else _larger(exact, scale)
    # ulp(v) = 2**k with k = max(floor(log2|v|), emin) - p + 1; floor(log2|v|) = exponent - 1.
    binade = np.where(unit.zero, emin, np.maximum(unit.exponent - 1, emin))
    k = binade - precision + 1
    a = actual.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        shift = np.clip(exact.exponent - k, -4000, 4000)
        scaled_actual = np.ldexp(a, np.clip(-k, -4000, 4000).astype(np.int32))
        scaled_hi = np.where(exact.zero, 0.0, np.ldexp(exact.hi, shift.astype(np.int32)))
        scaled_lo = np.where(exact.zero, 0.0, np.ldexp(exact.lo, shift.astype(np.int32)))
        error = np.abs((scaled_actual - scaled_hi) - scaled_lo)
    return np.where(np.isfinite(a), error, np.inf)


def _scipy_table() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    from scipy.special import expit

    return {
        "sigmoid": expit,
        "sigmoid_derivative": lambda z: expit(z) * expit(-z),
        "swish": lambda z: z * expit(z),
        "swish_derivative": lambda z: expit(z) * (1 + z * expit(-z)),
    }


def implementations() -> dict[str, dict[str, Callable[[np.ndarray], np.ndarray]]]:
    """Each contender's function per name; a name absent from a table is not offered there."""
    table: dict[str, dict[str, Callable]] = {
        "reference": {name: getattr(reference, name) for name in oracle.FUNCTIONS}
    }
    try:
        from gradspec.conformance.adapters import torch_adapter

        table["torch"] = {name: getattr(torch_adapter, name) for name in oracle.FUNCTIONS}
    except ImportError:
        pass
    try:
        from gradspec.conformance.adapters import jax_adapter

        table["jax"] = {name: getattr(jax_adapter, name) for name in oracle.FUNCTIONS}
    except ImportError:
        pass
    table["scipy"] = _scipy_table()
    table["numpy naive"] = dict(NAIVE)
    return table


def _binned_worst(z: np.ndarray, errors: np.ndarray) -> list[list[float]]:
    """The worst error in each bin of z: the plot data.

    Bins are even in ``sign(z) (2 + log10(|z| + 0.01))``: 240 over ``|z| <= 1000``, where the
    functions change, and 7 a side beyond, where they have saturated.
    """
    coordinate = np.sign(z) * (np.log10(np.abs(z) + 0.01) + 2.0)  # symlog, threshold 0.01
    top = max(float(np.abs(coordinate).max()), 5.0 + 1e-9)
    edges = np.unique(
        np.concatenate([np.linspace(-top, -5, 8), np.linspace(-5, 5, 241), np.linspace(5, top, 8)])
    )
    bins = edges.size - 1
    which = np.clip(np.searchsorted(edges, coordinate, side="right") - 1, 0, bins - 1)
    points = []
    for b in np.unique(which):
        members = np.flatnonzero(which == b)
        worst = members[np.argmax(errors[members])]
        points.append([float(z[worst]), _finite_or_str(errors[worst])])
    return points


def _finite_or_str(x: float) -> float | str:
    """JSON has no infinity: an infinite error is written as the string ``"inf"``."""
    return float(x) if math.isfinite(x) else "inf"


def _summary(z: np.ndarray, errors: np.ndarray) -> dict[str, Any]:
    worst = int(np.argmax(errors))
    return {
        "max": _finite_or_str(float(errors[worst])),
        "p999": _finite_or_str(float(np.quantile(errors, 0.999, method="higher"))),
        "worst_z": float(z[worst]),
        "over_1ulp": int(np.count_nonzero(errors > 1.0)),
    }


def measure_accuracy(*, density: float = 1.0, log: Callable[[str], None] = print) -> dict:
    """Measure every function, dtype and contender; return the JSON-ready section.

    Returns
    -------
    dict
        ``{"points": {dtype: n}, "formulas": ..., "results": {function: {dtype:
        {contender: summary}}}, "curves": {derivative: {dtype: {contender: [[z, err],
        ...]}}}, "oracle_seconds": s}``, where a summary holds ``max``, ``p999`` (99.9th
        percentile), ``worst_z`` and ``over_1ulp`` (the count of errors above 1 ULP).
    """
    contenders = implementations()
    samples = {dt: sample(dt, density=density) for dt in (np.float32, np.float64)}
    results: dict[str, dict] = {}
    curves: dict[str, dict] = {}
    oracle_seconds = 0.0
    for name in oracle.FUNCTIONS:
        results[name] = {}
        for dtype, z in samples.items():
            dname = np.dtype(dtype).name
            z = z[~np.isin(z, KINKS.get(name, ()))]
            started = time.perf_counter()
            exact = exact_values(name, z)
            scale = exact_values(_SCALE[name], z) if name in _SCALE else None
            oracle_seconds += time.perf_counter() - started
            row = {}
            for who in IMPLEMENTATIONS:
                function = contenders.get(who, {}).get(name)
                if function is None:
                    continue
                with np.errstate(all="ignore"):
                    actual = np.asarray(function(z.copy()))
                if actual.dtype != z.dtype:
                    actual = actual.astype(z.dtype)  # a dtype change is an error of its own
                errors = ulp_errors(exact, actual, scale=scale)
                row[who] = _summary(z, errors)
                if name in PLOTTED:
                    curves.setdefault(name, {}).setdefault(dname, {})[who] = _binned_worst(
                        z.astype(np.float64), errors
                    )
            results[name][dname] = row
            ref = row["reference"]
            log(f"  {name:22s} {dname:8s} reference max {ref['max']} ulp, p99.9 {ref['p999']}")
    return {
        "points": {np.dtype(dt).name: int(z.size) for dt, z in samples.items()},
        "formulas": FORMULAS,
        "implementations": [who for who in IMPLEMENTATIONS if who in contenders],
        "saturation_threshold": _SATURATED,
        "kinks_left_out": {name: list(points) for name, points in KINKS.items()},
        "results": results,
        "curves": curves,
        "oracle_seconds": round(oracle_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--density", type=float, default=1.0, help="sample density factor")
    args = parser.parse_args()
    section = measure_accuracy(density=args.density)
    print(f"sample points: {section['points']}, oracle {section['oracle_seconds']} s")
    for name, by_dtype in section["results"].items():
        for dtype, row in by_dtype.items():
            cells = "  ".join(f"{who} {s['max']}/{s['p999']}" for who, s in row.items())
            print(f"{name:22s} {dtype:8s} {cells}")


if __name__ == "__main__":
    main()
