"""Generate the portable test vectors in conformance/vectors/ from the reference and the oracle.

Usage::

    python tools/gen_vectors.py           # (re)write the vector files
    python tools/gen_vectors.py --check   # exit 1 if the committed files differ from a fresh run

The inputs are fixed here (hand-picked edges and values from a seeded 64-bit LCG, the same on
every platform and NumPy version); expected values and tolerances come from
`gradspec.conformance._vector_build.build_case`. Ids hash the member and its inputs, so
regenerating gives the same ids. Each file holds one case per line, so a diff shows which
cases changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from gradspec.conformance._vector_build import FORMAT, VERSION, build_case
from gradspec.conformance.checks._functions import edge_inputs
from gradspec.conformance.contract import DTYPES, FUNCTIONS, KINKS

FOLDER = Path(__file__).resolve().parent.parent / "conformance" / "vectors"

Case = dict[str, Any]


# --- deterministic inputs -----------------------------------------------------------------------


def uniform(label: str, count: int, low: float, high: float) -> list[float]:
    """``count`` values in [low, high) from a 64-bit LCG seeded by ``label`` (any platform)."""
    state = int(hashlib.sha256(label.encode()).hexdigest()[:16], 16)
    out = []
    for _ in range(count):
        state = (6364136223846793005 * state + 1442695040888963407) % (1 << 64)
        out.append(low + (high - low) * ((state >> 11) / float(1 << 53)))
    return out


def array(values: Any, dtype: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    a = np.array(values, dtype=np.float64).astype(dtype)
    return np.ascontiguousarray(a if shape is None else a.reshape(shape))


def flags_of(z: np.ndarray) -> list[str]:
    """The edge cases an elementwise input array reaches."""
    d = z.dtype
    v = z.astype(np.float64).reshape(-1)
    finite = v[np.isfinite(v)]
    flags = []
    if z.ndim == 0:
        flags.append("0-d")
    if z.size == 0:
        flags.append("empty")
    if np.isnan(v).any():
        flags.append("nan")
    if np.isinf(v).any():
        flags.append("infinity")
    if ((finite == 0) & np.signbit(finite)).any():
        flags.append("negative-zero")
    if ((finite != 0) & (np.abs(finite) < np.finfo(d).tiny)).any():
        flags.append("subnormal")
    if (np.abs(finite) >= 20).any():
        flags.append("saturation")
    if (np.abs(finite) > math.log(float(np.finfo(d).max))).any():
        flags.append("overflow")
    return flags


def slope_label(slope: float | None) -> str:
    return "default-slope" if slope is None else "slope-" + repr(slope).replace(".", "p")


def elementwise(clause: str, member: str, z: np.ndarray, name: str, slope=None, **kw) -> Case:
    args: dict[str, Any] = {"z": z}
    if slope is not None:
        args["negative_slope"] = slope
    extra = list(kw.pop("flags", ()))
    return build_case(clause, member, args, name=name, flags=flags_of(z) + extra, **kw)


def clause_of(member: str) -> str:
    base = member.replace("_derivative", "").upper().replace("_", "-")
    return f"ACT-{base}-DERIVATIVE-VALUE" if member.endswith("_derivative") else f"ACT-{base}-VALUE"


def members() -> Iterator[tuple[str, str]]:
    for f in FUNCTIONS:
        yield f, f
        yield f, f"{f}_derivative"


# --- the files ----------------------------------------------------------------------------------


def activations() -> list[Case]:
    cases = []
    for base, member in members():
        kinks = KINKS.get(base, ()) if member.endswith("_derivative") else ()
        slopes = (None, 0.0, 0.1, 3.0) if base == "leaky_relu" else (None,)
        for dtype in DTYPES:
            moderate = [v for v in uniform(f"{member}-moderate", 24, -20, 20)]
            groups = {
                "edges": edge_inputs(dtype, exclude=kinks),
                "moderate": array(moderate, dtype, (4, 6)),
            }
            for label, z in groups.items():
                for slope in slopes:
                    name = label if slope is None else f"{label}-{slope_label(slope)}"
                    cases.append(elementwise(clause_of(member), member, z, name, slope))
    return cases


_IDENTITIES: dict[str, tuple[str, ...]] = {
    "ACT-TANH-IDENTITY": ("tanh", "sigmoid"),
    "ACT-SIGMOID-SYMMETRY": ("sigmoid",),
    "ACT-TANH-ODD": ("tanh",),
    "ACT-SWISH-DEFINITION": ("swish", "sigmoid"),
    "ACT-HARDTANH-CLIP": ("hardtanh",),
    "ACT-RELU-DEFINITION": ("relu",),
    "ACT-LEAKY-RELU-DEFINITION": ("leaky_relu",),
    "ACT-SIGMOID-DERIVATIVE-IDENTITY": ("sigmoid_derivative", "sigmoid"),
    "ACT-TANH-DERIVATIVE-IDENTITY": ("tanh_derivative", "tanh"),
}


def identities() -> list[Case]:
    """Each identity's members at paired inputs (z and -z, z and 2z), as exact values."""
    cases = []
    for clause, involved in _IDENTITIES.items():
        for dtype in DTYPES:
            z = uniform(f"{clause}-points", 8, -10, 10)
            if clause == "ACT-HARDTANH-CLIP":
                z += [-1.5, -1.0, -0.75, -0.5, -0.0, 0.0, 0.25, 0.5, 0.999, 1.0, 3.0]
            paired = array(z + [-v for v in z], dtype)
            for member in involved:
                points = paired
                if clause == "ACT-TANH-IDENTITY" and member == "sigmoid":
                    points = array([2 * v for v in paired.astype(np.float64)], dtype)
                slopes: tuple[float | None, ...] = (None,)
                if member == "leaky_relu":
                    slopes = (None, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
                for slope in slopes:
                    name = member.replace("_", "-")
                    if slope is not None:
                        name += "-" + slope_label(slope)
                    cases.append(elementwise(clause, member, points, name, slope))
    return cases


def _large(dtype: str) -> list[float]:
    top = float(np.finfo(dtype).max)
    values = [20.5, 25.0, 36.5, 40.0, 50.0, 88.0, 89.0, 100.0, 700.0, 710.0, 746.0, 1e4, 1e30]
    values += [top / 2, top]
    values = [v for v in values if v <= top]
    return values + [-v for v in values]


def robustness() -> list[Case]:
    cases = []
    for _, member in members():
        for dtype in DTYPES:
            d = np.dtype(dtype)
            tiny = float(np.finfo(d).tiny)
            smallest = float(np.finfo(d).smallest_subnormal)
            groups = {
                ("ROB-LARGE-FINITE", "large"): array(_large(dtype), dtype),
                ("ROB-INFINITY", "infinities"): array([np.inf, -np.inf], dtype),
                ("ROB-NAN", "nan"): array([1.0, np.nan, -2.0], dtype),
                ("ROB-SUBNORMAL", "subnormal"): array(
                    [smallest, -smallest, tiny / 2, -tiny / 2, tiny / 3], dtype
                ),
                ("ROB-SHAPE", "zero-d"): array(0.75, dtype, ()),
                ("ROB-SHAPE", "empty"): array([], dtype, (0, 3)),
                ("ROB-SHAPE", "three-d"): array(
                    uniform(f"{member}-3d", 6, -4, 4), dtype, (2, 1, 3)
                ),
            }
            for (clause, name), z in groups.items():
                if member.endswith("_derivative") and clause == "ROB-SHAPE":
                    z = np.where(z == 0, d.type(0.5), z).astype(dtype)
                cases.append(elementwise(clause, member, z, name))
    return cases


def kinks() -> list[Case]:
    cases = []
    for dtype in DTYPES:
        cases.append(elementwise("KINK-RELU", "relu_derivative", array([0.0, -0.0], dtype), "zero"))
        cases.append(
            elementwise("KINK-HARDTANH", "hardtanh_derivative", array([1.0, -1.0], dtype), "ones")
        )
        for slope in (None, 0.0, 0.01, 0.2, 1.0, 3.0):
            cases.append(
                elementwise(
                    "KINK-LEAKY-RELU",
                    "leaky_relu_derivative",
                    array([0.0, -0.0], dtype),
                    f"zero-{slope_label(slope)}",
                    slope,
                )
            )
    for case in cases:
        case["flags"] = sorted(set(case["flags"]) | {"kink"})
    return cases


def linear() -> list[Case]:
    cases = []
    for dtype in DTYPES:
        for m, n in ((3, 4), (1, 5), (4, 1), (2, 2)):
            for batch in (None, 3):
                label = f"m{m}-n{n}" + ("" if batch is None else f"-batch{batch}")
                W = array(uniform(f"W-{label}", m * n, -2, 2), dtype, (m, n))
                b = array(uniform(f"b-{label}", m, -1, 1), dtype, (m,))
                x_shape = (n,) if batch is None else (batch, n)
                z_shape = (m,) if batch is None else (batch, m)
                x = array(uniform(f"x-{label}", math.prod(x_shape), -3, 3), dtype, x_shape)
                g = array(uniform(f"g-{label}", math.prod(z_shape), -1, 1), dtype, z_shape)
                forward = "LIN-FORWARD" if batch is None else "LIN-BATCH"
                backward = "LIN-BACKWARD" if batch is None else "LIN-BATCH-BACKWARD"
                cases.append(build_case(forward, "linear", {"W": W, "x": x, "b": b}, name=label))
                cases.append(
                    build_case(
                        backward,
                        "linear_backward",
                        {"W": W, "x": x, "b": b, "grad_z": g},
                        name=label,
                    )
                )
    return cases


def _node(name: str, op: str, *args: str, **attributes: Any) -> dict[str, Any]:
    return {"name": name, "op": op, "args": list(args), **attributes}


_MLP = {
    "inputs": ["W", "x", "b", "u"],
    "nodes": [
        _node("z", "linear", "W", "x", "b"),
        _node("a", "leaky_relu", "z", negative_slope=0.1),
        _node("s", "dot", "u", "a"),
    ],
    "output": "s",
}
_SHUFFLED = {**_MLP, "nodes": [_MLP["nodes"][2], _MLP["nodes"][0], _MLP["nodes"][1]]}
_FAN_OUT = {
    "inputs": ["x"],
    "nodes": [
        _node("b", "add", "x", "x"),
        _node("c", "mul", "b", "b"),
        _node("t", "tanh", "b"),
        _node("e", "add", "c", "t"),
        _node("s", "sum", "e"),
    ],
    "output": "s",
}
_TWO_LAYERS = {
    "inputs": ["W1", "x", "b1", "W2", "b2", "u"],
    "nodes": [
        _node("s", "dot", "u", "a2"),
        _node("a2", "swish", "z2"),
        _node("z2", "linear", "W2", "h", "b2"),
        _node("h", "sigmoid", "z1"),
        _node("z1", "linear", "W1", "x", "b1"),
    ],
    "output": "s",
}
_MATMUL = {
    "inputs": ["A", "B", "v"],
    "nodes": [
        _node("C", "matmul", "A", "B"),
        _node("T", "hardtanh", "C"),
        _node("s", "sum", "T"),
    ],
    "output": "s",
}
_SUM_OF_INPUT = {
    "inputs": ["X", "y"],
    "nodes": [_node("a", "sum", "X"), _node("b", "dot", "y", "y"), _node("s", "mul", "a", "b")],
    "output": "s",
}
_MATRIX_OUT = {
    "inputs": ["A", "B"],
    "nodes": [_node("C", "matmul", "A", "B"), _node("T", "tanh", "C")],
    "output": "T",
}
_ACTIVATION = {"inputs": ["z"], "nodes": [_node("a", "swish", "z")], "output": "a"}
_LAYER = {
    "inputs": ["W", "x", "b"],
    "nodes": [_node("z", "linear", "W", "x", "b"), _node("a", "relu", "z")],
    "output": "a",
}


def _inputs(label: str, shapes: dict[str, tuple[int, ...]], dtype: str) -> dict[str, np.ndarray]:
    return {
        name: array(uniform(f"{label}-{name}", math.prod(shape), -1.5, 1.5), dtype, shape)
        for name, shape in shapes.items()
    }


def _near_kink(graph: dict[str, Any], inputs: dict[str, np.ndarray]) -> bool:
    from gradspec.conformance.checks._graphs import near_kink

    return near_kink(graph, inputs, np.float32)


def graphs() -> list[Case]:
    cases = []
    mlp = {"W": (3, 4), "x": (4,), "b": (3,), "u": (3,)}
    two = {"W1": (4, 3), "x": (3,), "b1": (4,), "W2": (2, 4), "b2": (2,), "u": (2,)}
    plans: list[tuple[str, str, str, dict, dict, str | None, list[str]]] = [
        ("BP-VALUE", "backprop", "mlp", _MLP, mlp, None, []),
        ("BP-ORDER", "backprop", "mlp-shuffled", _SHUFFLED, mlp, None, ["shuffled-order"]),
        ("BP-FAN-OUT", "backprop", "fan-out", _FAN_OUT, {"x": (3,)}, None, ["fan-out"]),
        ("BP-VALUE", "backprop", "two-layers", _TWO_LAYERS, two, None, ["shuffled-order"]),
        (
            "SHAPE-BACKPROP-GRADIENTS",
            "backprop",
            "matmul-unused-input",
            _MATMUL,
            {"A": (2, 3), "B": (3, 2), "v": (4,)},
            None,
            [],
        ),
        (
            "SHAPE-BACKPROP-GRADIENTS",
            "backprop",
            "sum-of-matrix-input",
            _SUM_OF_INPUT,
            {"X": (2, 3), "y": (2,)},
            None,
            [],
        ),
        ("SHAPE-JACOBIAN-ROW", "jacobian", "mlp-wrt-w", _MLP, mlp, "W", []),
        (
            "SHAPE-JACOBIAN",
            "jacobian",
            "matrix-output-wrt-a",
            _MATRIX_OUT,
            {"A": (2, 3), "B": (3, 2)},
            "A",
            [],
        ),
        ("JAC-ACTIVATION-DIAGONAL", "jacobian", "swish", _ACTIVATION, {"z": (5,)}, "z", []),
        (
            "BP-JACOBIAN",
            "jacobian",
            "layer-wrt-w",
            _LAYER,
            {"W": (3, 2), "x": (2,), "b": (3,)},
            "W",
            [],
        ),
        ("BP-JACOBIAN", "jacobian", "two-layers-wrt-x", _TWO_LAYERS, two, "x", ["shuffled-order"]),
    ]
    for clause, member, label, graph, shapes, wrt, flags in plans:
        for dtype in DTYPES:
            inputs = _inputs(label, shapes, dtype)
            if _near_kink(graph, inputs):
                raise AssertionError(f"graph {label}: a kinked node sits near its kink")
            args: dict[str, Any] = {"graph": graph, "inputs": inputs}
            if wrt is not None:
                args["wrt"] = wrt
            cases.append(build_case(clause, member, args, name=label, flags=flags))
    cases += bad_graphs()
    return cases


def bad_graphs() -> list[Case]:
    """Graphs the contract says must be rejected; one case each, float64."""
    x3 = {"x": (3,)}
    plans: list[tuple[str, str, dict[str, Any], dict]] = [
        (
            "BP-REJECT-CYCLE",
            "cycle",
            {
                "inputs": ["x"],
                "nodes": [
                    _node("a", "add", "x", "c"),
                    _node("c", "tanh", "a"),
                    _node("s", "sum", "c"),
                ],
                "output": "s",
            },
            x3,
        ),
        (
            "BP-REJECT-CYCLE",
            "cycle-off-path",
            {
                "inputs": ["x"],
                "nodes": [
                    _node("s", "sum", "x"),
                    _node("p", "relu", "q"),
                    _node("q", "relu", "p"),
                ],
                "output": "s",
            },
            x3,
        ),
        (
            "BP-REJECT-UNKNOWN-OP",
            "unknown-op",
            {
                "inputs": ["x"],
                "nodes": [_node("a", "softplus", "x"), _node("s", "sum", "a")],
                "output": "s",
            },
            x3,
        ),
        (
            "BP-REJECT-DANGLING",
            "dangling",
            {
                "inputs": ["x"],
                "nodes": [_node("a", "add", "x", "y"), _node("s", "sum", "a")],
                "output": "s",
            },
            x3,
        ),
        (
            "BP-REJECT-DUPLICATE",
            "duplicate",
            {
                "inputs": ["x"],
                "nodes": [_node("a", "tanh", "x"), _node("a", "relu", "x"), _node("s", "sum", "a")],
                "output": "s",
            },
            x3,
        ),
        (
            "BP-REJECT-DUPLICATE",
            "node-named-like-input",
            {
                "inputs": ["x"],
                "nodes": [_node("x", "tanh", "x"), _node("s", "sum", "x")],
                "output": "s",
            },
            x3,
        ),
        (
            "BP-REJECT-SHAPE",
            "add-broadcast",
            {
                "inputs": ["x", "y"],
                "nodes": [_node("a", "add", "x", "y"), _node("s", "sum", "a")],
                "output": "s",
            },
            {"x": (3,), "y": (1,)},
        ),
        (
            "BP-REJECT-SHAPE",
            "linear-transposed-w",
            {
                "inputs": ["W", "x", "b"],
                "nodes": [_node("z", "linear", "W", "x", "b"), _node("s", "sum", "z")],
                "output": "s",
            },
            {"W": (4, 3), "x": (4,), "b": (4,)},
        ),
    ]
    cases = []
    for clause, label, graph, shapes in plans:
        inputs = _inputs(label, shapes, "float64")
        cases.append(
            build_case(
                clause,
                "backprop",
                {"graph": graph, "inputs": inputs},
                name=label,
                flags=["bad-graph"],
            )
        )
    return cases


FILES: dict[str, tuple[str, Callable[[], list[Case]]]] = {
    "activations": ("Each activation and derivative against its exact value.", activations),
    "identities": ("The identities' members at paired inputs, as exact values.", identities),
    "robustness": ("Huge, infinite, NaN and subnormal inputs; unusual shapes.", robustness),
    "kinks": ("Derivatives exactly at the kinks: any value between the one-sided ones.", kinks),
    "linear": ("The linear layer, forward and backward, single and batched.", linear),
    "graphs": ("backprop and jacobian on fixed graphs, and graphs that must be rejected.", graphs),
}


def render(name: str) -> str:
    """A vector file's text: a header, then one case per line."""
    description, make = FILES[name]
    cases = make()
    ids = [case["id"] for case in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise AssertionError(f"{name}: duplicate case ids {sorted(duplicates)[:3]}")
    header = json.dumps(
        {"format": FORMAT, "version": VERSION, "file": name, "description": description}
    )[:-1]
    body = ",\n".join(json.dumps(case, separators=(",", ":")) for case in cases)
    return f'{header}, "cases": [\n{body}\n]}}\n'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--folder", type=Path, default=FOLDER)
    args = parser.parse_args(argv)
    stale = []
    for name in FILES:
        path = args.folder / f"{name}.json"
        text = render(name)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path}: {text.count(chr(10)) - 2} cases")
    if stale:
        print(f"stale vector files: {', '.join(stale)}; run python tools/gen_vectors.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
