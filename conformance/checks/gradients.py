"""Family ``gradients``: derivatives against finite differences of the adapter's own functions.

The differences are the reference's one rule, `gradspec.reference._numdiff.central_difference`
with Richardson extrapolation: ``D = (4 D(h/2) - D(h)) / 3`` with
``D(h) = (f(z + h) - f(z - h)) / (2h)``, the step actually taken, and
``h = eps^(1/5) max(1, |z|)`` (about 7e-4 in float64). The truncation error is then
O(h^4 f^(5)) and the rounding error about ``eps |f| / h``: together near 1e-12 relative, so a
derivative wrong by 1e-4 relative (a sloppy derivative) is far outside the tolerance
``1e-7 |f'| + 1e3 eps max|f| / h``. Inputs stay at least 10 steps away from the kinks; graphs
are checked along a random direction, and an example whose segment makes a kinked node's
argument reach or cross its kink is skipped (it is not counted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradspec.reference._numdiff import central_difference, relative_step

from .._compare import checked_call, fail, reproducer, worst_index
from .._hypothesis import data_check, run_property
from .._model import CheckContext
from .._strategies import LAYER_BATCHES, LAYER_SIZES, layer_arrays, layer_shapes
from ._batch import (
    bucket,
    examples_calling,
    padded,
    pooled_graphs,
    random_fill,
    run_batched,
    stencil_difference,
)
from ._common import as_result, call_elementwise
from ._functions import spec
from ._graphs import hits_kink
from ._ops import usable_ops

__all__ = ["activation_fd_check", "backprop_fd_check", "linear_fd_check"]

#: Relative tolerance of a derivative against the extrapolated difference.
RTOL = 1e-7


def activation_fd_check(function: str, clause_id: str) -> Callable[[CheckContext], None]:
    """``function_derivative`` against differences of ``function``, elementwise."""
    derivative = f"{function}_derivative"
    kinks = spec(derivative).kinks
    sloped = spec(function).sloped

    def verify(ctx: CheckContext, z: np.ndarray, slope: float | None) -> None:
        h = relative_step(z, z.dtype, extrapolate=True)
        if kinks:
            distance = np.min([np.abs(z - k) for k in kinks], axis=0)
            z = np.where(distance < 10 * h, z + np.where(z >= 0, 20, -20) * h, z).astype(z.dtype)
            h = relative_step(z, z.dtype, extrapolate=True)
        difference = stencil_difference(
            lambda points: call_elementwise(ctx, clause_id, function, points, slope), z
        )
        fd = difference.value
        # At the bucket's length, as every other call of the derivative.
        flat = z.reshape(-1)
        actual = call_elementwise(ctx, clause_id, derivative, padded(flat, ctx.profile), slope)
        actual = actual[: flat.size].reshape(z.shape).astype(np.float64)
        eps = float(np.finfo(z.dtype).eps)
        scale = np.maximum.reduce([np.abs(v) for v in difference.samples.values()])
        tol = RTOL * np.abs(fd) + 1e3 * eps * scale / h + 1e-300
        with np.errstate(all="ignore"):
            err = np.abs(actual - fd)
            score = np.where(err == 0, 0.0, err / tol)
        score = np.where(np.isnan(score), np.inf, score)
        if not (score > 1).any():
            ctx.record(
                abs_error=float(err.max()) if err.size else 0.0,
                rel_error=float(np.max(err / np.maximum(np.abs(fd), 1e-300))) if err.size else 0,
            )
            return
        i = worst_index(score)
        kwargs = {} if slope is None else {"negative_slope": slope}
        raise fail(
            clause_id,
            f"{derivative}(z) disagrees with the finite difference of {function}",
            inputs={"z": z, **kwargs},
            index=i,
            input_value=z[i],
            expected=float(fd[i]),
            actual=float(actual[i]),
            abs_error=float(err[i]),
            rel_error=float(err[i] / abs(fd[i])) if fd[i] != 0 else None,
            hint=f"the finite difference is the central difference of {function} with one "
            f"Richardson step (h = {float(h[i]):.3g}); a derivative wrong by about 1e-4 "
            "relative often is itself a finite difference",
            member=f"{derivative}+{function}",
            tolerance=f"{float(tol[i]):.3g} absolute (1e-7 |D| + 1e3 eps max|f| / h)",
            expected_label="finite difference",
            reproducer=reproducer(
                ctx.adapter.spec,
                derivative,
                [("z", z[i].reshape(1))],
                kwargs,
                expected=np.array([fd[i]]),
            ),
        )

    def check(ctx: CheckContext) -> None:
        width = 32 if ctx.dtype == "float32" else 64
        slopes: tuple[float | None, ...] = (None, 0.1, 0.5) if sloped else (None,)
        edges = np.array([0.3, -0.3, 0.7, -0.7, 1.5, -1.5, 2.5, -2.5, 5.0, -5.0], ctx.dtype)
        # The fixed grid first, in a call of its own per slope (a quarter of the bucket: the
        # difference calls the function on four such arrays).
        for slope in slopes:
            verify(ctx, padded(edges, ctx.profile, length=bucket(ctx.profile) // 4), slope)
        arrays = hnp.arrays(
            ctx.dtype,
            st.integers(1, ctx.profile.max_array_size),
            elements=st.floats(-10, 10, width=width),
        )

        def test(z: np.ndarray, slope: float | None) -> None:
            verify(ctx, z, slope)

        fill = random_fill("moderate", 10.0)
        run_batched(ctx, arrays, st.sampled_from(slopes), test, test, fill=fill, share=4)

    return check


# --- the linear layer ---------------------------------------------------------------------------


def linear_fd_check(clause_id: str) -> Callable[[CheckContext], None]:
    """linear_backward against directional differences of s = sum(grad_z * linear(W, x, b))."""

    def check(ctx: CheckContext) -> None:
        def test(data: Any) -> None:
            shape = data.draw(layer_shapes(sizes=LAYER_SIZES, batch_sizes=LAYER_BATCHES))
            arrays = data.draw(layer_arrays(dtype=ctx.dtype, shape=shape))
            W, x, b, g = arrays["W"], arrays["x"], arrays["b"], arrays["grad_z"]
            args = [("W", W), ("x", x), ("b", b), ("grad_z", g)]
            grads = checked_call(ctx, clause_id, "linear_backward", args)
            if not isinstance(grads, tuple) or len(grads) != 3:
                raise fail(
                    clause_id,
                    "linear_backward must return three arrays (grad_W, grad_x, grad_b)",
                    inputs=dict(args),
                    reproducer=reproducer(ctx.adapter.spec, "linear_backward", args),
                    member="linear_backward",
                    kind="form",
                )
            params = {"W": W, "x": x, "b": b}
            rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
            for (name, value), grad in zip(params.items(), grads, strict=True):
                grad = as_result(ctx, clause_id, "linear_backward", grad, value.shape, args)
                direction = rng.standard_normal(value.shape).astype(ctx.dtype)
                _directional(ctx, clause_id, params, g, name, direction, grad, args)
            ctx.record()

        run_property(ctx, st.data(), test, max_examples=examples_calling(7)(ctx))

    return check


def _s(ctx: CheckContext, clause_id: str, params: dict[str, np.ndarray], g: np.ndarray) -> float:
    z = checked_call(ctx, clause_id, "linear", [(k, v) for k, v in params.items()])
    z = as_result(ctx, clause_id, "linear", z, g.shape, list(params.items()))
    return float(np.sum(g.astype(np.float64) * z.astype(np.float64)))


def _directional(
    ctx: CheckContext,
    clause_id: str,
    params: dict[str, np.ndarray],
    g: np.ndarray,
    name: str,
    direction: np.ndarray,
    grad: np.ndarray,
    args: list[tuple[str, Any]],
) -> None:
    # s is linear in each parameter, so a central difference with h = 1 is exact up to
    # rounding; the rounding bound is n eps sum |g| (|W| |x| + |b|) at the shifted points.
    def along(value: np.ndarray) -> float:
        return _s(ctx, clause_id, dict(params, **{name: value}), g)

    difference = central_difference(
        along, params[name], direction=direction, step=1.0, estimate_error=False
    )
    fd = float(difference.value)
    predicted = float(np.sum(grad.astype(np.float64) * difference.step))
    W, x, b = (
        np.abs(params[k].astype(np.float64)) + (2 * np.abs(direction) if k == name else 0.0)
        for k in "Wxb"
    )
    G = np.abs(g.astype(np.float64))
    magnitude = float(np.sum(G * (x @ W.T + b)))
    eps = float(np.finfo(ctx.dtype).eps)
    n = params["W"].shape[1] + 2
    tol = 4 * n * eps * magnitude + 1e-300
    err = abs(fd - predicted)
    if err <= tol:
        return
    raise fail(
        clause_id,
        f"grad_{name} from linear_backward disagrees with the finite difference of "
        f"sum(grad_z * linear(W, x, b)) along a random direction",
        inputs=dict(args),
        expected=fd,
        actual=predicted,
        abs_error=err,
        rel_error=err / abs(fd) if fd else None,
        hint=f"the directional derivative <grad_{name}, d> should equal the difference "
        f"quotient; check grad_{name}'s formula (grad_W = outer(grad_z, x) summed over the "
        "batch, grad_x = grad_z @ W, grad_b = grad_z summed over the batch)",
        reproducer=reproducer(ctx.adapter.spec, "linear_backward", args),
        member="linear_backward+linear",
        tolerance=f"{tol:.3g} absolute (4 (n + 2) eps sum |g| (|W| |x| + |b|))",
        expected_label="finite difference",
    )


# --- graphs ---------------------------------------------------------------------------------


def backprop_fd_check(clause_id: str) -> Callable[[CheckContext], None]:
    """backprop's gradients against a directional difference of its own output."""

    def output(ctx: CheckContext, graph: dict, inputs: dict, args: list) -> float:
        result = checked_call(ctx, clause_id, "backprop", [("graph", graph), ("inputs", inputs)])
        value = _unpack(ctx, clause_id, result, args)[0]
        return float(np.asarray(value, dtype=np.float64).reshape(-1)[0])

    def test(ctx: CheckContext, data: Any) -> None:
        example = data.draw(pooled_graphs(ctx, ops=usable_ops(ctx)))
        graph, inputs = example.graph, example.inputs
        args = [("graph", graph), ("inputs", inputs)]
        out, grads = _unpack(ctx, clause_id, checked_call(ctx, clause_id, "backprop", args), args)
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
        direction = {k: rng.standard_normal(v.shape) for k, v in inputs.items()}
        eps = float(np.finfo(ctx.dtype).eps)
        h = relative_step(0.0, ctx.dtype, extrapolate=True)

        def shifted(t: float) -> dict[str, np.ndarray]:
            return {k: (v + t * direction[k]).astype(ctx.dtype) for k, v in inputs.items()}

        segment = [shifted(-h), shifted(-h / 2), inputs, shifted(h / 2), shifted(h)]
        if hits_kink(graph, segment):
            return  # the difference would straddle a kink: not a verifiable example
        names = list(inputs)
        flat = np.concatenate([np.ravel(inputs[k]) for k in names])
        ends = np.cumsum([inputs[k].size for k in names])[:-1]

        def along(point: np.ndarray) -> float:
            parts = np.split(point, ends)
            point_inputs = {
                k: p.reshape(inputs[k].shape) for k, p in zip(names, parts, strict=True)
            }
            return output(ctx, graph, point_inputs, args)

        line = np.concatenate([np.ravel(direction[k]) for k in names])
        difference = central_difference(along, flat, direction=line, extrapolate=True)
        fd = float(difference.value)
        terms = [np.asarray(grads[k], np.float64) * direction[k] for k in inputs]
        predicted = float(sum(np.sum(t) for t in terms))
        spread = float(sum(np.sum(np.abs(t)) for t in terms))
        scale = max(abs(float(v)) for v in (*difference.samples.values(), out))
        tol = 1e-6 * spread + 1e3 * eps * scale / h + 1e-300
        err = abs(fd - predicted)
        if err <= tol:
            ctx.record(abs_error=err, rel_error=err / spread if spread else 0.0)
            return
        raise fail(
            clause_id,
            "backprop's gradients disagree with the finite difference of its output along a "
            "random direction",
            inputs={"graph": graph, "inputs": inputs},
            expected=fd,
            actual=predicted,
            abs_error=err,
            rel_error=err / abs(fd) if fd else None,
            hint="the directional derivative sum_k <gradients[k], d_k> should equal the "
            "difference quotient; check each op's backward rule and that fan-out adds up",
            reproducer=reproducer(ctx.adapter.spec, "backprop", args),
            member="backprop",
            tolerance=f"{tol:.3g} absolute (1e-6 sum_k |<grad_k, d_k>| + 1e3 eps max|s| / h)",
            expected_label="finite difference",
        )

    return data_check(test, examples=examples_calling(6))


def _unpack(
    ctx: CheckContext, clause_id: str, result: Any, args: list[tuple[str, Any]]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """backprop's (output, gradients), or a clear violation if it returned something else."""
    if (
        isinstance(result, tuple)
        and len(result) == 2
        and isinstance(result[0], np.ndarray)
        and isinstance(result[1], dict)
        and result[0].size == 1
    ):
        inputs = dict(args)["inputs"]
        missing = [k for k in inputs if k not in result[1]]
        if not missing:
            return result[0], result[1]
        summary = f"backprop's gradients miss the inputs {missing}"
    else:
        summary = (
            "backprop must return (output, gradients): a scalar and a dict from every input "
            "name to its gradient"
        )
    raise fail(
        clause_id,
        summary,
        inputs=dict(args),
        reproducer=reproducer(ctx.adapter.spec, "backprop", args),
        member="backprop",
        kind="form" if "must return" in summary else "gradient-keys",
    )
