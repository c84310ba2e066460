"""Family ``shape``: the shape convention for gradients, and Jacobian form for jacobian.

Gradients (linear_backward, backprop) have exactly the shape of their parameter; jacobian
returns (output.size, input.size); for a scalar output the Jacobian's single row, reshaped to
the input's shape, is backprop's gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .._compare import checked_call, fail, reproducer
from .._hypothesis import data_check, run_property
from .._model import CheckContext
from .._strategies import LAYER_BATCHES, LAYER_SIZES, layer_arrays, layer_shapes
from ._batch import examples_calling, pooled_graphs, structured_examples
from ._calls import call_backprop, call_jacobian, graph_args
from ._common import judge_array
from ._graphs import evaluate
from ._ops import require_ops, usable_ops
from .backprop import graph_tolerances
from .linear import unpack_backward

__all__ = [
    "backprop_shapes_check",
    "dot_transpose_check",
    "jacobian_row_check",
    "jacobian_shape_check",
    "linear_shapes_check",
]


def _shape_failure(
    ctx: CheckContext,
    clause_id: str,
    member: str,
    label: str,
    got: tuple[int, ...],
    want: tuple[int, ...],
    args: list[tuple[str, Any]],
    hint: str,
) -> Exception:
    if len(got) == 2 and got == want[::-1] and got != want:
        hint = f"transposed: {label} has the transposed shape. " + hint
    return fail(
        clause_id,
        f"{label} has shape {got}; the shape convention requires {want}",
        inputs=dict(args),
        expected=str(want),
        actual=str(got),
        hint=hint,
        reproducer=reproducer(ctx.adapter.spec, member, args, show="shape"),
        member=member,
        kind="shape",
    )


def linear_shapes_check(clause_id: str) -> Callable[[CheckContext], None]:
    """grad_W, grad_x, grad_b have the shapes of W, x, b (single examples and batches)."""

    def test(ctx: CheckContext, data: Any) -> None:
        shape = data.draw(layer_shapes(sizes=LAYER_SIZES, batch_sizes=LAYER_BATCHES))
        arrays = data.draw(layer_arrays(dtype=ctx.dtype, shape=shape))
        args = [(k, arrays[k]) for k in ("W", "x", "b", "grad_z")]
        grads = unpack_backward(
            ctx, clause_id, checked_call(ctx, clause_id, "linear_backward", args), args
        )
        hints = {
            "grad_W": "grad_W = outer(grad_z, x) has the shape (m, n) of W",
            "grad_x": "grad_x = grad_z @ W has the shape of x",
            "grad_b": "grad_b has the shape (m,) of b: sum grad_z over the batch (axis 0)",
        }
        for (label, hint), grad, param in zip(hints.items(), grads, "Wxb", strict=True):
            want = arrays[param].shape
            if grad.shape != want:
                raise _shape_failure(
                    ctx, clause_id, "linear_backward", label, grad.shape, want, args, hint
                )
        ctx.record()

    return data_check(test, examples=structured_examples)


def backprop_shapes_check(clause_id: str) -> Callable[[CheckContext], None]:
    """backprop returns one gradient per input, each of exactly the input's shape."""

    def test(ctx: CheckContext, example: Any) -> None:
        graph, inputs = example.graph, example.inputs
        _, grads = call_backprop(ctx, clause_id, graph, inputs, owns_keys=True)
        args = graph_args(graph, inputs)
        for name, value in inputs.items():
            if grads[name].shape != value.shape:
                raise _shape_failure(
                    ctx,
                    clause_id,
                    "backprop",
                    f"gradients[{name!r}]",
                    grads[name].shape,
                    value.shape,
                    args,
                    "each gradient has exactly its input's shape (not a row vector, not flattened)",
                )
        ctx.record()

    def check(ctx: CheckContext) -> None:
        strategy = pooled_graphs(ctx, ops=usable_ops(ctx))
        run_property(
            ctx, strategy, lambda example: test(ctx, example), max_examples=structured_examples(ctx)
        )

    return check


def jacobian_shape_check(clause_id: str) -> Callable[[CheckContext], None]:
    """jacobian(graph, inputs, wrt) has shape (output.size, inputs[wrt].size)."""

    def test(ctx: CheckContext, data: Any) -> None:
        example = data.draw(pooled_graphs(ctx, ops=usable_ops(ctx), scalar_output=False))
        graph, inputs = example.graph, example.inputs
        wrt = data.draw(st.sampled_from(sorted(inputs)))
        out_size = evaluate(graph, inputs)[graph["output"]].size
        call_jacobian(
            ctx, clause_id, graph, inputs, wrt, (out_size, inputs[wrt].size), owns_shape=True
        )
        ctx.record()

    return data_check(test, examples=structured_examples)


def jacobian_row_check(clause_id: str) -> Callable[[CheckContext], None]:
    """For a scalar output, the (1, n) Jacobian reshaped to the input's shape is the gradient."""

    def test(ctx: CheckContext, data: Any) -> None:
        example = data.draw(pooled_graphs(ctx, ops=usable_ops(ctx)))
        graph, inputs = example.graph, example.inputs
        wrt = data.draw(st.sampled_from(sorted(inputs)))
        _, grads = call_backprop(ctx, clause_id, graph, inputs)
        row = call_jacobian(ctx, clause_id, graph, inputs, wrt, (1, inputs[wrt].size))
        g = grads[wrt].astype(np.float64)
        # Both come from the same adapter; twice the bound against the reference covers both.
        tol = 2 * graph_tolerances(ctx, graph, inputs)[1][wrt]
        judge_array(
            ctx,
            clause_id,
            f"jacobian(..., {wrt!r}) reshaped to {inputs[wrt].shape}",
            row.reshape(inputs[wrt].shape),
            g,
            tol,
            "jacobian",
            graph_args(graph, inputs, wrt),
            summary="the Jacobian row and backprop's gradient disagree",
            hint="the row of a scalar output's Jacobian, reshaped in C order, is the "
            "shape-convention gradient",
        )

    return data_check(test, examples=examples_calling(2))


def dot_transpose_check(clause_id: str) -> Callable[[CheckContext], None]:
    """d(u^T h)/du is h in the shape convention (and h^T as a Jacobian row, if provided)."""

    def test(ctx: CheckContext, data: Any) -> None:
        require_ops(ctx, ("dot",))
        width = 32 if ctx.dtype == "float32" else 64
        n = 3  # one size: a transposition shows for any n > 1, and few graphs
        elements = st.floats(-4, 4, width=width)
        u = data.draw(hnp.arrays(ctx.dtype, (n,), elements=elements))
        h = data.draw(hnp.arrays(ctx.dtype, (n,), elements=elements))
        graph = {
            "inputs": ["u", "h"],
            "nodes": [{"name": "s", "op": "dot", "args": ["u", "h"]}],
            "output": "s",
        }
        inputs = {"u": u, "h": h}
        _, grads = call_backprop(ctx, clause_id, graph, inputs)
        args = graph_args(graph, inputs)
        for name, other in (("u", h), ("h", u)):
            if grads[name].shape != (n,):
                raise _shape_failure(
                    ctx,
                    clause_id,
                    "backprop",
                    f"gradients[{name!r}]",
                    grads[name].shape,
                    (n,),
                    args,
                    "d(u^T h)/du = h: a vector of u's shape, not a row (1, n)",
                )
            judge_array(
                ctx,
                clause_id,
                f"gradients[{name!r}]",
                grads[name],
                other,
                np.zeros(n),
                "backprop",
                args,
                summary=f"d(u^T h)/d{name} must be exactly {'h' if name == 'u' else 'u'}",
            )
        if ctx.adapter.has("jacobian"):
            row = call_jacobian(ctx, clause_id, graph, inputs, "u", (1, n))
            judge_array(
                ctx,
                clause_id,
                "jacobian(..., 'u')",
                row,
                h.reshape(1, n),
                np.zeros((1, n)),
                "jacobian",
                graph_args(graph, inputs, "u"),
                summary="the Jacobian of u^T h with respect to u must be the row h^T",
            )

    return data_check(test, examples=examples_calling(2))


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import EXACT, Clause  # noqa: E402
from .backprop import graph_tolerance  # noqa: E402

_SHAPE_NOTES = "Vectorized Calculus > Shape Convention"

#: The family's clauses, in report order.
CLAUSES: tuple[Clause, ...] = (
    Clause(
        id="SHAPE-LINEAR-GRADIENTS",
        title="layer gradients have the parameters' shapes",
        family="shape",
        section="shape",
        statement="linear_backward returns grad_W of shape (m, n), grad_x of the shape of x and "
        "grad_b of shape (m,), for single examples and batches.",
        latex=r"\operatorname{shape}\Bigl(\frac{\partial s}{\partial W}\Bigr) = "
        r"\operatorname{shape}(W)",
        notes=_SHAPE_NOTES,
        members=("linear_backward",),
        tolerance=EXACT,
        check=linear_shapes_check("SHAPE-LINEAR-GRADIENTS"),
    ),
    Clause(
        id="SHAPE-BACKPROP-GRADIENTS",
        title="backprop gradients have the inputs' shapes",
        family="shape",
        section="shape",
        statement="backprop returns a scalar output and one gradient per input, each of exactly "
        "the input's shape, on random graphs over every op.",
        latex=r"\operatorname{shape}\Bigl(\frac{\partial s}{\partial x_k}\Bigr) = "
        r"\operatorname{shape}(x_k)",
        notes=_SHAPE_NOTES,
        members=("backprop",),
        tolerance=EXACT,
        check=backprop_shapes_check("SHAPE-BACKPROP-GRADIENTS"),
    ),
    Clause(
        id="SHAPE-JACOBIAN",
        title="Jacobian form",
        family="shape",
        section="jacobians",
        statement="jacobian(graph, inputs, wrt) has shape (output.size, inputs[wrt].size), for "
        "outputs of any shape.",
        latex=r"\frac{\partial \mathbf{f}}{\partial \mathbf{x}} \in "
        r"\mathbb{R}^{\operatorname{size}(\mathbf{f}) \times \operatorname{size}(\mathbf{x})}",
        notes="Vectorized Calculus",
        members=("jacobian",),
        tolerance=EXACT,
        check=jacobian_shape_check("SHAPE-JACOBIAN"),
    ),
    Clause(
        id="SHAPE-JACOBIAN-ROW",
        title="Jacobian row = gradient",
        family="shape",
        section="shape",
        statement="For a scalar output, the (1, n) Jacobian reshaped to the input's shape equals "
        "backprop's gradient (Jacobian form and shape convention agree).",
        latex=r"\nabla_{x} s = \operatorname{reshape}\Bigl(\frac{\partial s}{\partial x}, "
        r"\operatorname{shape}(x)\Bigr)",
        notes=_SHAPE_NOTES,
        members=("backprop", "jacobian"),
        tolerance=graph_tolerance(2),
        check=jacobian_row_check("SHAPE-JACOBIAN-ROW"),
    ),
    Clause(
        id="SHAPE-DOT-TRANSPOSE",
        title="the gradient of u^T h is h",
        family="shape",
        section="vectorized",
        statement="For s = u^T h, backprop's gradient with respect to u is exactly h, of shape "
        "(n,) (the shape convention), and with respect to h exactly u; if jacobian is provided, "
        "its row with respect to u is h^T, of shape (1, n).",
        latex=r"\frac{\partial}{\partial u}\bigl(u^\top h\bigr) = h^\top \text{ (Jacobian form)}, "
        r"\quad h \text{ (shape convention)}",
        notes="Vectorized Calculus > Transposes",
        members=("backprop",),
        tolerance=EXACT,
        check=dot_transpose_check("SHAPE-DOT-TRANSPOSE"),
    ),
)
