"""Building test-vector cases: exact expected results and the tolerance of each clause.

Shared by the generator (``tools/gen_vectors.py``, which chooses the inputs) and by
`gradspec.conformance._counterexamples` (which turns a failure found by the suite into a
case), so that a case means the same thing wherever it comes from.

Expected values are exact, rounded once to the case's dtype:

- elementwise members: `gradspec.reference.oracle` (mpmath, 160 bits or more);
- ``linear`` and ``linear_backward``: exact rational arithmetic (every float is a dyadic
  rational), then one rounding;
- ``backprop`` and ``jacobian``: the graph evaluated forward and backward in mpmath at 200
  bits with the textbook formulas (the graphs' inputs are moderate, where those formulas lose
  a few bits out of 200), then one rounding.

Tolerances are the suite's own, as data: each is computed from the objects the clauses'
checks apply (``conformance/checks``: the elementwise table's conditioning-based ULPs
``u + c min(cond(f, z), C)`` and absolute floors, the identities' terms, the layer's bound
factor, the robustness allowances), never restated as numbers here. Per element they are
ULPs and an absolute allowance, and for the kinks and the robustness edges the intervals of
results that the spec accepts.

Everything written to a file must come out bit for bit the same on every machine, so no
allowance depends on a float matrix product or a libm function's last bit: sums of products
are exact rationals, floors use the oracle's exact sigmoid, and a conditioning allowance
(computed in floats) is written in whole ULPs (see `allowed_whole_ulps`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from ._wire import encode_args, encode_array, encode_float, encode_result
from .contract import DERIVATIVES

__all__ = [
    "FLAGS",
    "FORMAT",
    "VERSION",
    "build_case",
    "case_id",
    "exact_elementwise",
    "exact_graph",
    "exact_linear",
]

FORMAT = "gradspec-vectors"
#: 2: ``tolerance.ulps`` may be an array (the conditioning-based ULPs of each element).
VERSION = 2

#: The edge-case flags a case may carry (the schema lists the same).
FLAGS: tuple[str, ...] = (
    "saturation",
    "overflow",
    "subnormal",
    "nan",
    "infinity",
    "kink",
    "negative-zero",
    "0-d",
    "empty",
    "fan-out",
    "shuffled-order",
    "bad-graph",
    "counterexample",
)

_PRECISION = 200


# --- ids ------------------------------------------------------------------------------------


def case_id(clause: str, dtype: str, name: str, member: str, args: Mapping[str, Any]) -> str:
    """``CLAUSE.dtype.name.hash``: the hash is of the member and its encoded inputs only.

    Expected values and tolerances may be revised without changing any id; the same inputs
    always give the same id, whatever order the cases are generated in.
    """
    canonical = json.dumps({"member": member, "args": args}, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10]
    return f"{clause}.{dtype}.{name}.{digest}"


# --- exact values -------------------------------------------------------------------------------


def _round(value: Any, dtype: str) -> float:
    """One exact value (mpf or Fraction) rounded once to ``dtype``."""
    from gradspec.reference._ulp import float_format, round_to_format

    if isinstance(value, Fraction):
        with mpmath.workprec(max(64, value.numerator.bit_length() + 64)):
            value = mpmath.mpf(value.numerator) / value.denominator
    value = mpmath.mpf(value)
    # Far below the smallest subnormal the value rounds to zero; round_to_format would build a
    # mask as wide as the exponent (gigabytes for e^-1e10), so answer here.
    if mpmath.isfinite(value) and value != 0 and mpmath.mag(value) < -1200:
        return -0.0 if value < 0 else 0.0
    return round_to_format(value, float_format(np.dtype(dtype)))


def exact_elementwise(member: str, z: np.ndarray, slope: float | None = None) -> np.ndarray:
    """The oracle's exact value of an elementwise member at ``z``, rounded once to z's dtype."""
    from gradspec.reference import oracle

    kwargs = {} if slope is None else {"negative_slope": slope}
    out = np.empty(z.shape, dtype=z.dtype)
    flat = out.reshape(-1)
    for i, value in enumerate(z.reshape(-1).tolist()):
        flat[i] = _round(oracle.exact_mpf(member, value, **kwargs), str(z.dtype))
    return out


def exact_linear(member: str, args: Mapping[str, np.ndarray]) -> Any:
    """``linear`` or ``linear_backward`` in exact rational arithmetic, rounded once."""
    dtype = str(args["W"].dtype)
    W = _fractions(args["W"])
    x = _fractions(args["x"])
    b = _fractions(args["b"])
    batch = x.ndim == 2
    X = x if batch else x[None, :]
    if member == "linear":
        Z = X @ W.T + b
        return _rounded(Z if batch else Z[0], dtype)
    G = _fractions(args["grad_z"])
    G = G if batch else G[None, :]
    grad_W = G.T @ X
    grad_x = G @ W
    grad_b = G.sum(axis=0)
    return (
        _rounded(grad_W, dtype),
        _rounded(grad_x if batch else grad_x[0], dtype),
        _rounded(grad_b, dtype),
    )


def _fractions(array: np.ndarray) -> np.ndarray:
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, value in enumerate(array.reshape(-1).tolist()):
        flat[i] = Fraction(value)
    return out


def _rounded(values: Any, dtype: str) -> np.ndarray:
    values = np.asarray(values, dtype=object)
    out = np.empty(values.shape, dtype=dtype)
    flat = out.reshape(-1)
    for i, value in enumerate(values.reshape(-1).tolist()):
        flat[i] = _round(value, dtype)
    return out


# --- graphs in mpmath ---------------------------------------------------------------------------


def _sig(z: mpmath.mpf) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-z))


def _mp_functions(slope: float) -> dict[str, tuple[Any, Any]]:
    s = mpmath.mpf(slope)
    return {
        "sigmoid": (_sig, lambda z: _sig(z) * (1 - _sig(z))),
        "tanh": (mpmath.tanh, lambda z: mpmath.sech(z) ** 2),
        "hardtanh": (
            lambda z: max(mpmath.mpf(-1), min(mpmath.mpf(1), z)),
            lambda z: mpmath.mpf(1) if abs(z) < 1 else mpmath.mpf(0),
        ),
        "relu": (lambda z: z if z > 0 else mpmath.mpf(0), lambda z: mpmath.mpf(z > 0)),
        "leaky_relu": (lambda z: z if z > 0 else s * z, lambda z: mpmath.mpf(1) if z > 0 else s),
        "swish": (lambda z: z * _sig(z), lambda z: _sig(z) + z * _sig(z) * (1 - _sig(z))),
    }


def _apply(f: Any, a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for index in np.ndindex(a.shape):
        out[index] = f(a[index])
    return out


def _order(graph: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    nodes = {n["name"]: n for n in graph["nodes"]}
    done: set[str] = set(graph["inputs"])
    order: list[Mapping[str, Any]] = []
    while len(order) < len(nodes):
        progressed = False
        for name, node in nodes.items():
            if name not in done and all(a in done for a in node["args"]):
                order.append(node)
                done.add(name)
                progressed = True
        if not progressed:
            raise ValueError("exact_graph: the graph has a cycle or a dangling argument")
    return order


def _obj(value: Any) -> np.ndarray:
    """An object array, 0-d for a scalar (arithmetic on 0-d object arrays gives bare mpf)."""
    if isinstance(value, np.ndarray):
        return value
    out = np.empty((), dtype=object)
    out[()] = value
    return out


def _forward_op(node: Mapping[str, Any], args: list[np.ndarray]) -> np.ndarray:
    return _obj(_forward_value(node, args))


def _forward_value(node: Mapping[str, Any], args: list[np.ndarray]) -> Any:
    op = node["op"]
    if op == "linear":
        W, x, b = args
        return W.dot(x) + b
    if op == "matmul":
        return args[0].dot(args[1])
    if op == "add":
        return args[0] + args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "dot":
        return args[0].dot(args[1])
    if op == "sum":
        return sum(args[0].reshape(-1).tolist(), mpmath.mpf(0))
    f, _ = _mp_functions(float(node.get("negative_slope", 0.01)))[op]
    return _apply(f, args[0])


def _vjp(node: Mapping[str, Any], g: np.ndarray, args: list[np.ndarray]) -> list[np.ndarray]:
    return [_obj(part) for part in _vjp_values(node, g, args)]


def _vjp_values(node: Mapping[str, Any], g: np.ndarray, args: list[np.ndarray]) -> list[Any]:
    op = node["op"]
    if op == "linear":
        W, x, _ = args
        return [np.outer(g, x), W.T.dot(g), g]
    if op == "matmul":
        A, B = args
        if B.ndim == 1:
            return [np.outer(g, B), A.T.dot(g)]
        return [g.dot(B.T), A.T.dot(g)]
    if op == "add":
        return [g, g]
    if op == "mul":
        return [g * args[1], g * args[0]]
    if op == "dot":
        return [args[1] * g.reshape(-1)[0], args[0] * g.reshape(-1)[0]]
    if op == "sum":
        return [np.full(args[0].shape, g.reshape(-1)[0], dtype=object)]
    _, d = _mp_functions(float(node.get("negative_slope", 0.01)))[op]
    return [g * _apply(d, args[0])]


def _gradients(
    graph: Mapping[str, Any], values: dict[str, np.ndarray], seed: np.ndarray
) -> dict[str, np.ndarray]:
    grads: dict[str, np.ndarray] = {graph["output"]: seed}
    for node in reversed(_order(graph)):
        g = grads.get(node["name"])
        if g is None:
            continue
        parts = _vjp(node, g, [values[a] for a in node["args"]])
        for arg, part in zip(node["args"], parts, strict=True):
            grads[arg] = _obj(grads[arg] + part) if arg in grads else part
    return grads


def exact_graph(
    member: str, graph: Mapping[str, Any], inputs: Mapping[str, np.ndarray], wrt: str | None = None
) -> Any:
    """``backprop`` (``(output, gradients)``) or ``jacobian`` of a valid graph, rounded once."""
    dtype = str(next(iter(inputs.values())).dtype)
    with mpmath.workprec(_PRECISION):
        values: dict[str, np.ndarray] = {
            k: _apply(mpmath.mpf, np.asarray(v).astype(np.float64)) for k, v in inputs.items()
        }
        for node in _order(graph):
            values[node["name"]] = _forward_op(node, [values[a] for a in node["args"]])
        output = values[graph["output"]]
        zero, one = mpmath.mpf(0), mpmath.mpf(1)
        if member == "backprop":
            grads = _gradients(graph, values, np.array(one, dtype=object))
            gradients = {
                name: _rounded(
                    grads.get(name, np.full(inputs[name].shape, zero, dtype=object)), dtype
                )
                for name in graph["inputs"]
            }
            return _rounded(output, dtype), gradients
        assert wrt is not None
        rows = []
        for r in range(output.size):
            seed = np.full(output.shape, zero, dtype=object)
            seed.reshape(-1)[r] = one
            g = _gradients(graph, values, seed).get(wrt)
            size = inputs[wrt].size
            rows.append(np.full(size, zero, dtype=object) if g is None else g.reshape(-1))
        return _rounded(np.array(rows, dtype=object).reshape(output.size, inputs[wrt].size), dtype)


# --- tolerances and accepted alternatives -------------------------------------------------


def _eps(dtype: str) -> float:
    return float(np.finfo(dtype).eps)


def _entry(member: str) -> Any:
    from .checks._functions import spec

    return spec(member)


def _atol_array(values: np.ndarray) -> dict[str, Any]:
    # Tolerances are float64 whatever the case's dtype: they are allowances, not results.
    return encode_array(np.asarray(values, dtype=np.float64))


#: Added before a conditioning allowance is rounded down to whole ULPs, so that a last-bit
#: difference of a libm between machines cannot move an allowance that is exactly a whole
#: number (the limits: u + 2 at tanh(0), u + 2000 at the cap) to the whole number below.
_WHOLE_SLACK = 1e-9


def allowed_whole_ulps(member: str, z: np.ndarray) -> int | dict[str, Any]:
    """The value clause's ULP allowance at each element of ``z``, as whole ULPs.

    ``spec(member).allowed_ulps`` (``u + c min(cond(f, z), C)``, the numbers of the clause's
    `Tolerance`) rounded down: the distance between the result and the rounded expected
    value is a whole number of ULPs, so the floor accepts exactly what the allowance does.
    A member without conditioning (piecewise linear) keeps one integer for the case.
    """
    entry = _entry(member)
    dtype = str(z.dtype)
    if entry.cond is None:
        return int(entry.ulps(dtype))
    whole = np.floor(entry.allowed_ulps(z.astype(np.float64), dtype) + _WHOLE_SLACK)
    return _atol_array(whole)


def _exact_floor_scale(member: str, z: np.ndarray) -> np.ndarray:
    """``scale(z)`` of a derivative's absolute floor, from the oracle's exact sigmoid.

    The floors are sigmoid(z), 1 and sigmoid(z) (1 + |z|) (``checks._functions``, which
    ``tests/portable`` compares with this); evaluated here from the exact sigmoid rounded
    once, so no machine's exp changes a committed allowance.
    """
    v = z.astype(np.float64)
    if member == "tanh_derivative":
        return np.ones(v.shape)
    with np.errstate(all="ignore"):
        sig = exact_elementwise("sigmoid", v)
        return sig * (1.0 + np.abs(v)) if member == "swish_derivative" else sig


def _value_tolerance(member: str, z: np.ndarray, expected: np.ndarray) -> tuple[dict, list]:
    dtype = str(z.dtype)
    entry = _entry(member)
    tolerance: dict[str, Any] = {"ulps": allowed_whole_ulps(member, z)}
    if entry.floor is not None:
        with np.errstate(all="ignore"):
            floor = entry.floor_factor(dtype) * _exact_floor_scale(member, z)
        tolerance["atol"] = _atol_array(np.nan_to_num(floor, nan=0.0))
    acceptable = []
    tiny = float(np.finfo(dtype).tiny)
    e = expected.astype(np.float64)
    subnormal = (e != 0) & (np.abs(e) < tiny)
    if subnormal.any():
        low = np.where(subnormal, e - tiny, e)
        high = np.where(subnormal, e + tiny, e)
        acceptable.append(_interval("subnormal-result-flushed", low, high))
    return tolerance, acceptable


def _interval(flag: str, low: Any, high: Any, *, nan: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "flag": flag,
        "low": _atol_array(np.asarray(low, dtype=np.float64)),
        "high": _atol_array(np.asarray(high, dtype=np.float64)),
    }
    if nan:
        entry["nan"] = True
    return entry


def _identity_tolerance(clause: str, member: str, z: np.ndarray) -> dict[str, Any]:
    """The identity's own allowance (`Identity.abs_tolerance` / `ulp_tolerance`)."""
    from .checks.identities import IDENTITIES

    dtype = str(z.dtype)
    identity = IDENTITIES[clause]
    if identity.atol is None:
        return {"ulps": int(identity.ulp_tolerance(dtype))}
    a, of, b = identity.atol
    allowance = (a * _entry(of).ulps(dtype) + b) * _eps(dtype)
    if identity.scale is None:
        return {"ulps": None, "atol": encode_float(allowance)}
    # The one scaled identity (sigma' = sigma (1 - sigma)) scales by sigmoid: exact here.
    assert identity.scale_latex == r"\,\sigma(z)", f"{clause}: scale has no exact form here"
    return {"ulps": None, "atol": _atol_array(allowance * _exact_floor_scale("sigmoid", z))}


_DERIVATIVES = frozenset(DERIVATIVES)


def _robust(
    clause: str, member: str, z: np.ndarray, expected: np.ndarray, slope: float | None
) -> tuple[dict, list]:
    dtype = str(z.dtype)
    e = expected.astype(np.float64)
    derivative = member in _DERIVATIVES
    if clause == "ROB-LARGE-FINITE":
        from .checks.robustness import TAIL_FACTOR, TAIL_TINY

        tiny = float(np.finfo(dtype).tiny)
        tolerance = {
            "ulps": allowed_whole_ulps(member, z),
            "atol": _atol_array(TAIL_TINY * tiny * np.maximum(1.0, np.abs(z.astype(np.float64)))),
        }
        acceptable = []
        if derivative:
            acceptable.append(_interval("tail-flush-to-zero", np.minimum(e, 0), np.maximum(e, 0)))
            low, high = e / TAIL_FACTOR, TAIL_FACTOR * e
            acceptable.append(
                _interval("tail-inaccurate", np.minimum(low, high), np.maximum(low, high))
            )
        return tolerance, acceptable
    if clause == "ROB-INFINITY":
        acceptable = []
        if derivative or member == "swish":
            flag = "swish-neg-inf-nan" if member == "swish" else f"{member}-inf-nan"
            acceptable.append(_interval(flag, e, e, nan=True))
        return {"ulps": 0}, acceptable
    if clause == "ROB-NAN":
        acceptable = []
        if derivative:
            acceptable.append(
                _interval(f"{member}-nan", np.full(e.shape, -np.inf), np.full(e.shape, np.inf))
            )
        return {"ulps": allowed_whole_ulps(member, z)}, acceptable
    if clause == "ROB-SUBNORMAL":
        tolerance, acceptable = _value_tolerance(member, z, expected)
        at_zero = exact_elementwise(member, np.zeros(z.shape, dtype=dtype), slope)
        f0 = at_zero.astype(np.float64)
        acceptable.append(
            _interval("subnormal-input-as-zero", np.minimum(e, f0), np.maximum(e, f0))
        )
        return tolerance, acceptable
    # ROB-SHAPE: the values' tolerance, on arrays of unusual shapes.
    return _value_tolerance(member, z, expected)


def _kink(clause: str, member: str, z: np.ndarray, slope: float | None) -> tuple[Any, dict, list]:
    dtype = str(z.dtype)
    s = 0.01 if slope is None else slope
    cast = np.dtype(dtype).type
    conventions, lows, highs = [], [], []
    for point in z.astype(np.float64).tolist():
        if member == "hardtanh_derivative":
            left, right, convention = (0.0, 1.0, 0.0) if point < 0 else (1.0, 0.0, 0.0)
        elif member == "leaky_relu_derivative":
            left, right, convention = s, 1.0, s
        else:
            left, right, convention = 0.0, 1.0, 0.0
        conventions.append(cast(convention))
        lows.append(float(cast(min(left, right))))
        highs.append(float(cast(max(left, right))))
    flag = "kink-" + member.replace("_derivative", "").replace("_", "-")
    expected = np.array(conventions, dtype=dtype).reshape(z.shape)
    return expected, {"ulps": 0}, [_interval(flag, lows, highs)]


def _graph_tolerance(dtype: str, expected: Any) -> dict[str, Any]:
    arrays = [expected] if isinstance(expected, np.ndarray) else []
    if isinstance(expected, tuple):
        arrays = [expected[0], *expected[1].values()] if isinstance(expected[1], dict) else []
        arrays = arrays or list(expected)
    scale = max([1.0] + [float(np.max(np.abs(a))) for a in arrays if a.size])
    eps = _eps(dtype)
    return {"ulps": None, "rtol": encode_float(64 * eps), "atol": encode_float(64 * eps * scale)}


def _linear_tolerance(member: str, args: Mapping[str, np.ndarray]) -> dict[str, Any]:
    # The magnitudes below are summed in exact rational arithmetic and rounded once: a float
    # matrix product would sum in an order that depends on the BLAS build, and the committed
    # vector files must come out identical on every machine.
    from .checks.linear import BOUND_FACTOR

    dtype = str(args["W"].dtype)
    eps = Fraction(_eps(dtype)) * Fraction(BOUND_FACTOR)
    W = np.abs(_fractions(args["W"]))
    x = np.abs(_fractions(args["x"]))
    b = np.abs(_fractions(args["b"]))
    if member == "linear":
        # The clause's bound: BOUND_FACTOR (n + 2) eps (|W| |x| + |b|), elementwise.
        bound = (W.shape[1] + 2) * eps * (x @ W.T + b)
        return {"ulps": None, "atol": _atol_array(_to_float(bound))}
    # The clause bounds each gradient by BOUND_FACTOR (length + 2) eps times its magnitudes;
    # a tuple result carries one allowance, the largest of the three.
    g = np.abs(_fractions(args["grad_z"]))
    terms = max(W.shape[0], 1 if x.ndim == 1 else x.shape[0]) + 2
    G, X = np.atleast_2d(g), np.atleast_2d(x)
    magnitudes = [G.T @ X, G @ W, G.sum(axis=0)]
    scale = max([Fraction(1)] + [m.max() for m in magnitudes if m.size])
    return {"ulps": None, "atol": encode_float(float(terms * eps * scale))}


def _to_float(values: np.ndarray) -> np.ndarray:
    return np.array([float(v) for v in values.reshape(-1).tolist()]).reshape(values.shape)


# --- one case -----------------------------------------------------------------------------------


def build_case(
    clause: str,
    member: str,
    args: Mapping[str, Any],
    *,
    name: str,
    flags: Sequence[str] = (),
    note: str = "",
) -> dict[str, Any]:
    """One vector case: inputs, exact expected result, tolerance and accepted alternatives.

    Parameters
    ----------
    clause : str
        The clause id the case belongs to; it decides the tolerance.
    member : str
        The contract member called.
    args : mapping
        Its arguments by parameter name (ndarrays, the graph dict, ``wrt``, ``negative_slope``).
    name : str
        A short label of the inputs' group (``edges``, ``fan-out``...), part of the id.
    flags : sequence of str
        Edge cases the inputs hit, from `FLAGS`.
    note : str
        One sentence for people reading the file.
    """
    unknown = [f for f in flags if f not in FLAGS]
    if unknown:
        raise ValueError(f"unknown flag {unknown[0]!r}; expected one of {FLAGS}")
    encoded_args = encode_args(member, args)
    if "graph" in args:
        dtype = str(next(iter(args["inputs"].values())).dtype)
    else:
        dtype = str(np.asarray(args.get("z", args.get("W"))).dtype)
    case: dict[str, Any] = {
        "id": case_id(clause, dtype, name, member, encoded_args),
        "clause": clause,
        "member": member,
        "dtype": dtype,
        "name": name,
        "args": encoded_args,
    }
    acceptable: list[dict[str, Any]] = []
    if clause.startswith("BP-REJECT"):
        case["expect"] = {"error": True}
        tolerance = None
    elif member in ("backprop", "jacobian"):
        expected = exact_graph(member, args["graph"], args["inputs"], args.get("wrt"))
        case["expect"] = {"result": encode_result(member, expected)}
        tolerance = _graph_tolerance(dtype, expected)
    elif member in ("linear", "linear_backward"):
        expected = exact_linear(member, args)
        case["expect"] = {"result": encode_result(member, expected)}
        tolerance = _linear_tolerance(member, args)
    else:
        z = np.asarray(args["z"])
        slope = args.get("negative_slope")
        if clause.startswith("KINK-"):
            expected, tolerance, acceptable = _kink(clause, member, z, slope)
        else:
            expected = exact_elementwise(member, z, slope)
            if clause.startswith("ROB-"):
                tolerance, acceptable = _robust(clause, member, z, expected, slope)
            elif clause.endswith("-VALUE"):
                tolerance, acceptable = _value_tolerance(member, z, expected)
            else:
                tolerance = _identity_tolerance(clause, member, z)
        case["expect"] = {"result": encode_result(member, expected)}
    if tolerance is not None:
        case["tolerance"] = {k: v for k, v in tolerance.items() if v is not None}
        if isinstance(case["tolerance"].get("ulps"), (float, np.floating)):
            case["tolerance"]["ulps"] = int(case["tolerance"]["ulps"])
    if acceptable:
        case["acceptable"] = acceptable
    case["flags"] = sorted(set(flags))
    if note:
        case["note"] = note
    return case
