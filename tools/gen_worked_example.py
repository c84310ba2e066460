"""Write the worked example "Backprop through one layer": every number computed, none typed.

One layer with a tanh activation and the notes' running loss s = u^T tanh(W x + b), with small
round inputs. The forward pass, the backward pass (delta = u * tanh'(z), then grad_W, grad_b,
grad_x) and their check are computed here and written as Markdown tables into
``docs/_generated/one_layer.md``, which ``docs/learn/one-layer.md`` includes. Three
independent confirmations are shown: the reference's gradient check on each parameter, the
reference's ``linear_backward`` and its graph engine ``backprop``.

The sums are plain Python loops over float64 numbers in a fixed order (no matrix product),
so the file is the same on every NumPy and BLAS build. ``tests/docs/test_generated_examples.py``
fails when the committed file differs from a fresh generation, and checks the numbers
independently.

Usage::

    python tools/gen_worked_example.py          # rewrite the fragment
    python tools/gen_worked_example.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import _fragments  # tools/_fragments.py, beside this script
import numpy as np

from gradspec import reference as ref

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "_generated" / "one_layer.md"

#: The example's inputs: 3 inputs, 2 units. Round numbers a reader can follow by hand.
W_VALUES = ((0.5, -1.0, 0.25), (-0.5, 0.75, 1.0))
X_VALUES = (1.0, 0.5, -2.0)
B_VALUES = (0.1, -0.2)
U_VALUES = (1.0, -2.0)

GRAPH = {
    "inputs": ["W", "x", "b", "u"],
    "nodes": [
        {"name": "z", "op": "linear", "args": ["W", "x", "b"]},
        {"name": "a", "op": "tanh", "args": ["z"]},
        {"name": "s", "op": "dot", "args": ["u", "a"]},
    ],
    "output": "s",
}


@dataclass(frozen=True)
class Layer:
    """Every intermediate value of the example, forward and backward."""

    W: np.ndarray
    x: np.ndarray
    b: np.ndarray
    u: np.ndarray
    z: np.ndarray
    a: np.ndarray
    s: float
    fprime: np.ndarray
    delta: np.ndarray
    grad_W: np.ndarray
    grad_b: np.ndarray
    grad_x: np.ndarray


def _z(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z_i = sum_k W_ik x_k + b_i, summed left to right (the same result on every build)."""
    m, n = W.shape
    return np.array([sum((W[i, k] * x[k] for k in range(n)), start=0.0) + b[i] for i in range(m)])


def loss(W: np.ndarray, x: np.ndarray, b: np.ndarray, u: np.ndarray) -> float:
    """s = u^T tanh(W x + b)."""
    a = ref.tanh(_z(W, x, b))
    return float(sum((u[i] * a[i] for i in range(len(u))), start=0.0))


def compute() -> Layer:
    """The forward and backward pass, written out as on the page."""
    W, x, b, u = (np.array(v, dtype=np.float64) for v in (W_VALUES, X_VALUES, B_VALUES, U_VALUES))
    m, n = W.shape
    z = _z(W, x, b)
    a = ref.tanh(z)
    s = float(sum((u[i] * a[i] for i in range(m)), start=0.0))
    fprime = ref.tanh_derivative(z)
    delta = u * fprime  # elementwise: the diagonal Jacobian of tanh times u
    grad_W = np.array([[delta[i] * x[k] for k in range(n)] for i in range(m)])  # delta x^T
    grad_b = delta.copy()
    grad_x = np.array([sum((W[i, k] * delta[i] for i in range(m)), start=0.0) for k in range(n)])
    return Layer(W, x, b, u, z, a, s, fprime, delta, grad_W, grad_b, grad_x)


def gradient_checks(layer: Layer) -> dict[str, ref.GradientCheck]:
    """The reference's gradient check of grad_W, grad_b and grad_x against s itself."""
    W, x, b, u = layer.W, layer.x, layer.b, layer.u
    # The classic slip: delta = u, the activation's derivative forgotten.
    forgot_fprime = np.array([[u[i] * x[k] for k in range(len(x))] for i in range(len(u))])
    return {
        "W": ref.check_gradient(lambda w: loss(w, x, b, u), lambda w: layer.grad_W, W),
        "b": ref.check_gradient(lambda v: loss(W, x, v, u), lambda v: layer.grad_b, b),
        "x": ref.check_gradient(lambda v: loss(W, v, b, u), lambda v: layer.grad_x, x),
        WRONG: ref.check_gradient(lambda w: loss(w, x, b, u), lambda w: forgot_fprime, W),
    }


# --- rendering ---------------------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{value:.6g}".replace("-", "−")


def _vector(name: str, values: np.ndarray) -> str:
    return f"\\({name}\\) | " + " | ".join(_num(v) for v in values)


def _matrix_rows(name: str, values: np.ndarray) -> list[str]:
    return [
        f"| \\({name}_{{{i + 1},:}}\\) | " + " | ".join(_num(v) for v in row) + " |"
        for i, row in enumerate(values)
    ]


#: The row of the check table for a gradient with the derivative of tanh left out.
WRONG = r"W, wrong: \(\delta = u\), \(\tanh'\) forgotten"
A_LABEL = r"a = \tanh(z)"
FPRIME_LABEL = r"\tanh'(z) = 1 - a^2"
DELTA_LABEL = r"\delta = u \odot \tanh'(z)"
GRAD_B_LABEL = r"\nabla_b s = \delta"
GRAD_X_LABEL = r"\nabla_x s"


def render() -> str:
    layer = compute()
    checks = gradient_checks(layer)
    lin_W, lin_x, lin_b = ref.linear_backward(layer.W, layer.x, layer.b, layer.delta)
    output, engine = ref.backprop(GRAPH, {"W": layer.W, "x": layer.x, "b": layer.b, "u": layer.u})
    m, n = layer.W.shape

    def agree(a: np.ndarray, b: np.ndarray) -> str:
        diff = float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
        return "identical" if diff == 0 else f"largest difference {diff:.1e}"

    out = [
        "<!-- Generated by tools/gen_worked_example.py; do not edit. -->",
        "",
        "## The numbers",
        "",
        "| | 1 | 2 | 3 |",
        "|---|---|---|---|",
        *_matrix_rows("W", layer.W),
        f"| {_vector('x', layer.x)} |",
        "",
        "| | 1 | 2 |",
        "|---|---|---|",
        f"| {_vector('b', layer.b)} |",
        f"| {_vector('u', layer.u)} |",
        "",
        "## Forward",
        "",
        "| | unit 1 | unit 2 |",
        "|---|---|---|",
        f"| {_vector('z = Wx + b', layer.z)} |",
        f"| {_vector(A_LABEL, layer.a)} |",
        "",
        f"and the output \\(s = u^\\top a = {_num(layer.s)}\\).",
        "",
        "## Backward",
        "",
        "| | unit 1 | unit 2 |",
        "|---|---|---|",
        f"| {_vector(FPRIME_LABEL, layer.fprime)} |",
        f"| {_vector(DELTA_LABEL, layer.delta)} |",
        f"| {_vector(GRAD_B_LABEL, layer.grad_b)} |",
        "",
        "\\(\\nabla_W s = \\delta\\, x^\\top\\), an outer product with the shape of \\(W\\):",
        "",
        "| | 1 | 2 | 3 |",
        "|---|---|---|---|",
        *_matrix_rows("(\\nabla_W s)", layer.grad_W),
        "",
        "\\(\\nabla_x s = W^\\top \\delta\\), with the shape of \\(x\\):",
        "",
        "| | 1 | 2 | 3 |",
        "|---|---|---|---|",
        f"| {_vector(GRAD_X_LABEL, layer.grad_x)} |",
        "",
        "## Checked",
        "",
        "The reference's gradient check (`gradspec.reference.check_gradient`, full mode) "
        "compares each gradient with central differences of \\(s\\) itself, and catches "
        "the classic slip of leaving out the activation's derivative:",
        "",
        "| gradient of | elements | result | relative error, worst element | step taken | "
        "evaluations of s |",
        "|---|---|---|---|---|---|",
    ]
    for name, check in checks.items():
        verdict = "pass" if check.ok else "**FAIL**"
        label = name if name == WRONG else f"\\({name}\\)"
        out.append(
            f"| {label} | {check.checked} | {verdict} | {check.rel_error:.0e} | "
            f"{check.step:.2e} | {check.evaluations} |"
        )
    out += [
        "",
        f"`gradspec.reference.linear_backward(W, x, b, delta)` gives the same three gradients "
        f"(\\(\\nabla_W\\): {agree(lin_W, layer.grad_W)}; \\(\\nabla_x\\): "
        f"{agree(lin_x, layer.grad_x)}; \\(\\nabla_b\\): {agree(lin_b, layer.grad_b)}), and "
        f"the graph engine `gradspec.reference.backprop` on the graph below returns "
        f"\\(s = {_num(float(output))}\\) and the same gradients (\\(\\nabla_W\\): "
        f"{agree(engine['W'], layer.grad_W)}; \\(\\nabla_x\\): {agree(engine['x'], layer.grad_x)}"
        f"; \\(\\nabla_b\\): {agree(engine['b'], layer.grad_b)}).",
        "",
    ]
    assert m == 2 and n == 3, "the tables above are laid out for a 2 x 3 layer"
    return "\n".join(out)


def fragments() -> dict[Path, str]:
    """The fragment's path and its freshly computed text."""
    return {OUT: render()}


def main(argv: Sequence[str] | None = None) -> int:
    return _fragments.main(__doc__, fragments, argv)


if __name__ == "__main__":
    sys.exit(main())
