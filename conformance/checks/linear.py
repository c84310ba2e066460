"""Family ``linear``: the layer z = W x + b and its gradients, single examples and batches.

Expected values are computed in float64 from the inputs as given (exact to far below a
float32 result's rounding). Tolerances are the standard error bounds of a sum of n products,
doubled for the expected value's own rounding in float64: for z = W x + b,
``|err| <= 2 (n + 2) eps (|W| |x| + |b|)`` elementwise, and the same form for each gradient
with the length of its sum (m for grad_x, the batch size for grad_W and grad_b).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._compare import checked_call, fail, reproducer
from .._hypothesis import data_check
from .._model import CheckContext, Tolerance
from .._strategies import LAYER_BATCHES, LAYER_SIZES, layer_arrays, layer_shapes
from ._batch import examples_calling, structured_examples
from ._common import as_result, judge_array

__all__ = ["backward_check", "batch_check", "forward_check", "unpack_backward"]


#: The multiple of the standard error bound of a sum of n products, (n + 2) eps sum |products|,
#: that a result may differ by (2: the expected value is rounded too, in float64).
BOUND_FACTOR = 2.0


def tolerance(multiple: float = 1.0, *, length: str = "n") -> Tolerance:
    """The tolerance of a layer clause: ``multiple`` times the bound the checks apply."""
    return Tolerance(
        rf"|r_i - \hat r_i| \le {multiple * BOUND_FACTOR:g}\,({length} + 2)\,\varepsilon\,"
        r"\textstyle\sum |\text{products}|_i",
        f"{length} the length of each sum (n for the layer, the batch size for grad_W and "
        "grad_b, m for grad_x) and the sum of the absolute products (|W| |x| + |b| for "
        "the layer): the error bound of a sum of products",
    )


def _f64(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64)


def _draw(ctx: CheckContext, data: Any, batch: bool | None) -> tuple[dict[str, np.ndarray], Any]:
    shape = data.draw(layer_shapes(batch=batch, sizes=LAYER_SIZES, batch_sizes=LAYER_BATCHES))
    return data.draw(layer_arrays(dtype=ctx.dtype, shape=shape)), shape


def _forward_tolerance(ctx: CheckContext, W: np.ndarray, x: np.ndarray, b: np.ndarray) -> Any:
    eps = float(np.finfo(ctx.dtype).eps)
    n = W.shape[1]
    return BOUND_FACTOR * (n + 2) * eps * (np.abs(_f64(x)) @ np.abs(_f64(W)).T + np.abs(_f64(b)))


def forward_check(clause_id: str) -> Callable[[CheckContext], None]:
    """linear(W, x, b) = W x + b for one example."""

    def test(ctx: CheckContext, data: Any) -> None:
        arrays, shape = _draw(ctx, data, batch=False)
        W, x, b = arrays["W"], arrays["x"], arrays["b"]
        args = [("W", W), ("x", x), ("b", b)]
        z = as_result(
            ctx, clause_id, "linear", checked_call(ctx, clause_id, "linear", args), (shape.m,), args
        )
        expected = _f64(W) @ _f64(x) + _f64(b)
        judge_array(
            ctx,
            clause_id,
            "linear(W, x, b)",
            z,
            expected,
            _forward_tolerance(ctx, W, x, b),
            "linear",
            args,
            hint=_forward_hint(W, x, b, z),
        )

    return data_check(test, examples=structured_examples)


def _forward_hint(W: np.ndarray, x: np.ndarray, b: np.ndarray, z: np.ndarray) -> str | None:
    W64, x64, b64, z64 = _f64(W), _f64(x), _f64(b), _f64(z)
    candidates = {"W x (the bias b is missing)": W64 @ x64}
    if W.shape[0] == W.shape[1]:
        candidates["W^T x + b (W is transposed)"] = W64.T @ x64 + b64
    candidates["W x - b (the bias is subtracted)"] = W64 @ x64 - b64
    for label, value in candidates.items():
        if value.shape == z64.shape and np.allclose(z64, value, rtol=1e-5, atol=1e-6):
            return f"matches {label}"
    return None


def batch_check(clause_id: str) -> Callable[[CheckContext], None]:
    """For a batch x of shape (B, n), row i of linear(W, x, b) equals linear(W, x[i], b)."""

    def test(ctx: CheckContext, data: Any) -> None:
        arrays, shape = _draw(ctx, data, batch=True)
        W, x, b = arrays["W"], arrays["x"], arrays["b"]
        args = [("W", W), ("x", x), ("b", b)]
        z = as_result(
            ctx,
            clause_id,
            "linear",
            checked_call(ctx, clause_id, "linear", args),
            shape.z_shape,
            args,
        )
        rows = []
        for i in range(shape.batch):
            row_args = [("W", W), ("x", np.ascontiguousarray(x[i])), ("b", b)]
            row = checked_call(ctx, clause_id, "linear", row_args)
            rows.append(as_result(ctx, clause_id, "linear", row, (shape.m,), row_args))
        one_at_a_time = np.stack(rows)
        # Both sides carry the rounding of the same sum; twice the forward bound covers both.
        tol = 2 * _forward_tolerance(ctx, W, x, b)
        judge_array(
            ctx,
            clause_id,
            "a row of linear(W, batch, b)",
            z,
            one_at_a_time,
            tol,
            "linear",
            args,
            summary="a row of the batch result differs from the same example computed alone",
            hint="for a batch, z[i] = W x[i] + b: compute x @ W.T + b (not W @ x)",
        )
        judge_array(
            ctx,
            clause_id,
            "linear(W, batch, b)",
            z,
            _f64(x) @ _f64(W).T + _f64(b),
            _forward_tolerance(ctx, W, x, b),
            "linear",
            args,
        )

    return data_check(test, examples=examples_calling(3))


def unpack_backward(
    ctx: CheckContext, clause_id: str, result: Any, args: list[tuple[str, Any]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """linear_backward's (grad_W, grad_x, grad_b), or a clear violation."""
    if isinstance(result, tuple) and len(result) == 3:
        if all(isinstance(r, np.ndarray) for r in result):
            return result[0], result[1], result[2]
    raise fail(
        clause_id,
        "linear_backward must return a tuple of three arrays (grad_W, grad_x, grad_b); got "
        f"{type(result).__name__}"
        + (f" of length {len(result)}" if isinstance(result, tuple) else ""),
        inputs=dict(args),
        reproducer=reproducer(ctx.adapter.spec, "linear_backward", args),
        member="linear_backward",
        kind="form",
    )


def backward_check(clause_id: str, *, batch: bool) -> Callable[[CheckContext], None]:
    """linear_backward = (sum_i outer(g_i, x_i), g @ W, sum_i g_i), one example or a batch."""

    def test(ctx: CheckContext, data: Any) -> None:
        arrays, shape = _draw(ctx, data, batch=batch)
        W, x, b, g = arrays["W"], arrays["x"], arrays["b"], arrays["grad_z"]
        args = [("W", W), ("x", x), ("b", b), ("grad_z", g)]
        grads = unpack_backward(
            ctx, clause_id, checked_call(ctx, clause_id, "linear_backward", args), args
        )
        eps = float(np.finfo(ctx.dtype).eps)
        G, X, A = np.abs(_f64(g)), np.abs(_f64(x)), np.abs(_f64(W))
        k = 1 if shape.batch is None else shape.batch
        if shape.batch is None:
            expected = (np.outer(_f64(g), _f64(x)), _f64(g) @ _f64(W), _f64(g))
            magnitudes = (np.outer(G, X), G @ A, G)
        else:
            expected = (_f64(g).T @ _f64(x), _f64(g) @ _f64(W), _f64(g).sum(axis=0))
            magnitudes = (G.T @ X, G @ A, G.sum(axis=0))
        lengths = (k, shape.m, k)
        labels = ("grad_W", "grad_x", "grad_b")
        hints = (
            "grad_W = outer(grad_z, x)"
            + (", summed over the batch" if shape.batch else "")
            + " (shape of W, not its transpose)",
            "grad_x = W^T grad_z, computed as grad_z @ W (shape of x)",
            "grad_b = grad_z" + (" summed over the batch (axis 0)" if shape.batch else ""),
        )
        for label, grad, exp, mag, length, hint in zip(
            labels, grads, expected, magnitudes, lengths, hints, strict=True
        ):
            tol = BOUND_FACTOR * (length + 2) * eps * mag
            judge_array(ctx, clause_id, label, grad, exp, tol, "linear_backward", args, hint=hint)

    return data_check(test, examples=structured_examples)


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import Clause  # noqa: E402

#: The family's clauses, in report order.
CLAUSES: tuple[Clause, ...] = (
    Clause(
        id="LIN-FORWARD",
        title="the layer z = W x + b",
        family="linear",
        section="layer",
        statement="linear(W, x, b) = W x + b for one example x of shape (n,), W of shape (m, n), b "
        "of shape (m,).",
        latex=r"z = W x + b",
        notes="Neural Network Layer",
        members=("linear",),
        tolerance=tolerance(),
        check=forward_check("LIN-FORWARD"),
    ),
    Clause(
        id="LIN-BATCH",
        title="the layer on a batch",
        family="linear",
        section="layer",
        statement="For a batch x of shape (B, n), linear(W, x, b) has shape (B, m) and row i "
        "equals linear(W, x[i], b) = W x_i + b.",
        latex=r"Z_{i,:} = W x_i + b",
        notes="Neural Network Layer",
        members=("linear",),
        tolerance=tolerance(2),
        check=batch_check("LIN-BATCH"),
    ),
    Clause(
        id="LIN-BACKWARD",
        title="layer gradients",
        family="linear",
        section="linear",
        statement="For one example, linear_backward(W, x, b, g) = (outer(g, x), W^T g, g): the "
        "gradients of s = g^T z with respect to W, x and b.",
        latex=r"\frac{\partial s}{\partial W} = g x^\top,\quad \frac{\partial s}{\partial x} = "
        r"W^\top g,\quad \frac{\partial s}{\partial b} = g",
        notes="Vectorized Calculus > Shape Convention",
        members=("linear_backward",),
        tolerance=tolerance(length="k"),
        check=backward_check("LIN-BACKWARD", batch=False),
    ),
    Clause(
        id="LIN-BATCH-BACKWARD",
        title="layer gradients on a batch",
        family="linear",
        section="linear",
        statement="For a batch, grad_W = sum_i outer(g_i, x_i) and grad_b = sum_i g_i (summed over "
        "the batch: the parameters are shared), grad_x[i] = W^T g_i (one row per example).",
        latex=r"\frac{\partial s}{\partial W} = \sum_i g_i x_i^\top = G^\top X,\quad "
        r"\frac{\partial s}{\partial b} = \sum_i g_i,\quad \frac{\partial s}{\partial X} = G W",
        notes="Vectorized Calculus > Shape Convention",
        members=("linear_backward",),
        tolerance=tolerance(length="k"),
        check=backward_check("LIN-BATCH-BACKWARD", batch=True),
    ),
)
