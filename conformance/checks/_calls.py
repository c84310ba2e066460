"""Calling backprop and jacobian with a clear violation for results of the wrong form."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._compare import checked_call, fail, reproducer
from .._model import CheckContext

__all__ = ["call_backprop", "call_jacobian", "graph_args"]


def graph_args(graph: dict[str, Any], inputs: dict[str, np.ndarray], *rest: Any) -> list:
    """The named arguments of backprop / jacobian, for reproducers."""
    args: list[tuple[str, Any]] = [("graph", graph), ("inputs", inputs)]
    if rest:
        args.append(("wrt", rest[0]))
    return args


def call_backprop(
    ctx: CheckContext,
    clause_id: str,
    graph: dict[str, Any],
    inputs: dict[str, np.ndarray],
    *,
    owns_keys: bool = False,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """backprop's (output, gradients): a one-element output and a gradient for every input.

    Gradient entries for names that are not inputs are SHAPE-BACKPROP-GRADIENTS' defect
    (``owns_keys``): elsewhere they are noted and ignored. A gradient that is None, or a
    gradient missing for an input, leaves nothing to judge: a violation everywhere.
    """
    args = graph_args(graph, inputs)
    result = checked_call(ctx, clause_id, "backprop", args)
    summary = None
    kind = "form"
    if not (
        isinstance(result, tuple)
        and len(result) == 2
        and isinstance(result[0], np.ndarray)
        and isinstance(result[1], dict)
    ):
        summary = (
            "backprop must return (output, gradients): the scalar output and a dict from every "
            f"input name to its gradient; got {type(result).__name__}"
        )
    elif result[0].size != 1:
        summary = f"backprop's output must be a scalar; got shape {result[0].shape}"
        kind = "shape"
    else:
        missing = [k for k in inputs if k not in result[1]]
        extra = [k for k in result[1] if k not in inputs]
        empty = [k for k in inputs if k in result[1] and _is_none(result[1][k])]
        if missing:
            summary = f"backprop's gradients have no entry for the inputs {missing}"
            kind = "gradient-keys"
        elif empty:
            summary = f"backprop's gradients for the inputs {empty} are None, not arrays"
        elif extra and owns_keys:
            summary = (
                f"backprop's gradients have entries {extra} that name no input; the gradients "
                "are exactly one per input"
            )
            kind = "gradient-keys"
        elif extra:
            ctx.note("backprop-extra-gradients", f"gradients for non-inputs {extra} ignored")
    if summary is not None:
        raise fail(
            clause_id,
            summary,
            inputs=dict(args),
            hint="every input gets a gradient, even one that does not affect the output "
            "(zeros), and nothing else does",
            reproducer=reproducer(ctx.adapter.spec, "backprop", args),
            member="backprop",
            kind=kind,
        )
    return result[0], {k: result[1][k] for k in inputs}


def _is_none(value: Any) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.dtype == object
        and value.ndim == 0
        and (value.item() is None)
    )


def call_jacobian(
    ctx: CheckContext,
    clause_id: str,
    graph: dict[str, Any],
    inputs: dict[str, np.ndarray],
    wrt: str,
    shape: tuple[int, int],
    *,
    owns_shape: bool = False,
) -> np.ndarray:
    """jacobian's 2-D array of ``shape``.

    The Jacobian form is SHAPE-JACOBIAN's (``owns_shape``); elsewhere a result with the right
    number of elements is noted and reshaped in C order, so its values are still judged.
    """
    args = graph_args(graph, inputs, wrt)
    result = checked_call(ctx, clause_id, "jacobian", args)
    if (
        not owns_shape
        and isinstance(result, np.ndarray)
        and result.shape != shape
        and result.size == shape[0] * shape[1]
    ):
        ctx.note(
            "jacobian-shape",
            f"jacobian returned shape {result.shape} for {shape}; judged after reshaping "
            "(the Jacobian form is SHAPE-JACOBIAN's)",
        )
        result = result.reshape(shape)
    if not isinstance(result, np.ndarray) or result.shape != shape:
        got = result.shape if isinstance(result, np.ndarray) else type(result).__name__
        hint = "Jacobian form: one row per element of the flattened output, one column per "
        hint += "element of the flattened input"
        if isinstance(result, np.ndarray) and result.size == shape[0] * shape[1]:
            hint += f"; reshape the result to {shape}"
        raise fail(
            clause_id,
            f"jacobian returned {got}; expected a 2-D array of shape {shape} "
            "(output.size, inputs[wrt].size)",
            inputs=dict(args),
            hint=hint,
            reproducer=reproducer(ctx.adapter.spec, "jacobian", args, show="shape"),
            member="jacobian",
            kind="shape",
        )
    return result
