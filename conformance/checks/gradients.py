"""Family ``gradients``: derivatives against finite differences of the adapter's own functions.

The differences are the reference's one rule, `gradspec.reference._numdiff.central_difference`
with Richardson extrapolation: ``D = (4 D(h/2) - D(h)) / 3`` with
``D(h) = (f(z + h) - f(z - h)) / (2h)``, the step actually taken, and
``h = eps^(1/5) max(1, |z|)`` (about 7e-4 in float64). The truncation error is then
O(h^4 f^(5)) and the rounding error about ``eps |f| / h``: together near 1e-12 relative, so a
derivative wrong by 1e-4 relative (a sloppy derivative) is far outside the tolerance
``RTOL |D| + ROUNDING eps max|f| / h`` (1e-7 and 1e3; the clauses' `Tolerance` objects, built
at the bottom of this module, state these numbers). Inputs stay at least 10 steps away from
the kinks; graphs are checked along a random direction, and an example whose segment makes a
kinked node's argument reach or cross its kink is skipped (it is not counted).
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
    call_padded,
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
#: Relative tolerance of backprop's directional derivative (a sum over the graph's inputs).
GRAPH_RTOL = 1e-6
#: The rounding allowance of an extrapolated difference, in units of eps max|f| / h.
ROUNDING = 1e3
#: The rounding allowance of the layer's difference (exact but for rounding), in units of
#: (n + 2) eps sum |g| (|W| |x| + |b|), the error bound of its sums of products.
LINEAR_ROUNDING = 4.0


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
        actual = call_padded(ctx, clause_id, derivative, z.reshape(-1), slope)
        actual = actual.reshape(z.shape).astype(np.float64)
        eps = float(np.finfo(z.dtype).eps)
        scale = np.maximum.reduce([np.abs(v) for v in difference.samples.values()])
        tol = RTOL * np.abs(fd) + ROUNDING * eps * scale / h + 1e-300
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
            tolerance=f"{float(tol[i]):.3g} absolute ({RTOL:g} |D| + {ROUNDING:g} eps max|f| / h)",
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
    tol = LINEAR_ROUNDING * n * eps * magnitude + 1e-300
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
        tolerance=f"{tol:.3g} absolute ({LINEAR_ROUNDING:g} (n + 2) eps sum |g| (|W| |x| + |b|))",
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
        tol = GRAPH_RTOL * spread + ROUNDING * eps * scale / h + 1e-300
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
            tolerance=f"{tol:.3g} absolute ({GRAPH_RTOL:g} sum_k |<grad_k, d_k>| + "
            f"{ROUNDING:g} eps max|s| / h)",
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


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import Clause, Tolerance  # noqa: E402
from .._wording import DISPLAY, clause_stem  # noqa: E402
from ..contract import FUNCTIONS  # noqa: E402

_GRADCHECK_NOTES = "Check Gradient"


def activation_fd_tolerance() -> Tolerance:
    """GRAD-<f>-FD's rule, from the numbers `activation_fd_check` applies (float64)."""
    n = Tolerance.number
    return Tolerance(
        rf"|f'(z) - D| \le {n(RTOL)}\,|D| + {n(ROUNDING)}\,\varepsilon \max|f| / h",
        "D the Richardson-extrapolated central difference with h = eps^(1/5) max(1, |z|)",
        {"r": {"float64": RTOL}, "k": {"float64": ROUNDING}},
    )


def linear_fd_tolerance() -> Tolerance:
    """GRAD-LINEAR-FD's rule, from the number `linear_fd_check` applies (float64)."""
    return Tolerance(
        rf"|\langle \nabla, D \rangle - \Delta| \le {Tolerance.number(LINEAR_ROUNDING)}\,"
        r"(n + 2)\,\varepsilon \textstyle\sum |g|\,(|W| |x| + |b|)",
        "Delta the central difference (s is linear: the difference is exact up to rounding)",
        {"c": {"float64": LINEAR_ROUNDING}},
    )


def backprop_fd_tolerance() -> Tolerance:
    """GRAD-BACKPROP-FD's rule, from the numbers `backprop_fd_check` applies (float64)."""
    n = Tolerance.number
    return Tolerance(
        rf"|\textstyle\sum_k \langle \nabla_k, d_k \rangle - D| \le {n(GRAPH_RTOL)} \sum_k "
        rf"|\langle \nabla_k, d_k \rangle| + {n(ROUNDING)}\,\varepsilon \max|s| / h",
        "D the Richardson-extrapolated central difference, h = eps^(1/5)",
        {"r": {"float64": GRAPH_RTOL}, "k": {"float64": ROUNDING}},
    )


def _activation_fd_clause(function: str) -> Clause:
    clause_id = f"GRAD-{clause_stem(function)}-FD"
    return Clause(
        id=clause_id,
        title=f"{DISPLAY[function]} derivative vs finite differences",
        family="gradients",
        section="gradcheck",
        statement=f"{function}_derivative(z) matches the central finite difference of the "
        f"adapter's own {function}, for |z| <= 10 at least 10 steps away from any kink "
        "(float64).",
        latex=r"f'(z) \approx \frac{f(z + h) - f(z - h)}{2h}",
        notes=_GRADCHECK_NOTES,
        members=(function, f"{function}_derivative"),
        tolerance=activation_fd_tolerance(),
        check=activation_fd_check(function, clause_id),
        per_dtype=False,
    )


#: The family's clauses, in report order: each activation's, the layer's, backprop's.
CLAUSES: tuple[Clause, ...] = (
    *(_activation_fd_clause(f) for f in FUNCTIONS),
    Clause(
        id="GRAD-LINEAR-FD",
        title="layer gradients vs finite differences",
        family="gradients",
        section="gradcheck",
        statement="linear_backward(W, x, b, g) matches the finite differences of "
        "s = sum(g * linear(W, x, b)) along random directions in W, x and b, for single "
        "examples and batches (float64).",
        latex=r"\langle \nabla_W s, D \rangle = \frac{s(W + hD) - s(W - hD)}{2h}, \quad "
        r"s = \textstyle\sum_i g_i z_i",
        notes=_GRADCHECK_NOTES,
        members=("linear", "linear_backward"),
        tolerance=linear_fd_tolerance(),
        check=linear_fd_check("GRAD-LINEAR-FD"),
        per_dtype=False,
    ),
    Clause(
        id="GRAD-BACKPROP-FD",
        title="backprop gradients vs finite differences",
        family="gradients",
        section="gradcheck",
        statement="backprop's gradients match the finite difference of its own output along a "
        "random direction, on random graphs over every op; segments that reach a kink are "
        "skipped (float64).",
        latex=r"\sum_k \langle \nabla_{x_k} s, d_k \rangle \approx "
        r"\frac{s(x + h d) - s(x - h d)}{2h}",
        notes=_GRADCHECK_NOTES,
        members=("backprop",),
        tolerance=backprop_fd_tolerance(),
        check=backprop_fd_check("GRAD-BACKPROP-FD"),
        per_dtype=False,
    ),
)
