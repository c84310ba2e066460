"""Calling backprop and jacobian with a clear violation for results of the wrong form."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._compare import checked_call, fail, quiet, reproducer
from .._model import CheckContext

__all__ = ["call_backprop", "call_jacobian", "graph_args", "reference_backprop"]


def graph_args(graph: dict[str, Any], inputs: dict[str, np.ndarray], *rest: Any) -> list:
    """The named arguments of backprop / jacobian, for reproducers."""
    args: list[tuple[str, Any]] = [("graph", graph), ("inputs", inputs)]
    if rest:
        args.append(("wrt", rest[0]))
    return args


def call_backprop(
    ctx: CheckContext, clause_id: str, graph: dict[str, Any], inputs: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """backprop's (output, gradients): a one-element output and a gradient for every input."""
    args = graph_args(graph, inputs)
    result = checked_call(ctx, clause_id, "backprop", args)
    summary = None
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
    else:
        missing = [k for k in inputs if k not in result[1]]
        if missing:
            summary = f"backprop's gradients have no entry for the inputs {missing}"
    if summary is not None:
        raise fail(
            clause_id,
            summary,
            inputs=dict(args),
            hint="every input gets a gradient, even one that does not affect the output (zeros)",
            reproducer=reproducer(ctx.adapter.spec, "backprop", args),
        )
    return result[0], result[1]


def call_jacobian(
    ctx: CheckContext,
    clause_id: str,
    graph: dict[str, Any],
    inputs: dict[str, np.ndarray],
    wrt: str,
    shape: tuple[int, int],
) -> np.ndarray:
    """jacobian's 2-D array, refused with a clear message unless it has ``shape``."""
    args = graph_args(graph, inputs, wrt)
    result = checked_call(ctx, clause_id, "jacobian", args)
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
            reproducer=reproducer(ctx.adapter.spec, "jacobian", args),
        )
    return result


def reference_backprop(
    graph: dict[str, Any], inputs: dict[str, np.ndarray], dtype: Any
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The reference's backprop with the inputs converted to ``dtype``."""
    from gradspec import reference

    with quiet():
        return reference.backprop(graph, {k: v.astype(dtype) for k, v in inputs.items()})


def reference_jacobian(
    graph: dict[str, Any], inputs: dict[str, np.ndarray], wrt: str, dtype: Any
) -> np.ndarray:
    """The reference's jacobian with the inputs converted to ``dtype``."""
    from gradspec import reference

    with quiet():
        return reference.jacobian(graph, {k: v.astype(dtype) for k, v in inputs.items()}, wrt)
