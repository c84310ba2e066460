"""Which graph ops an engine supports: its declaration (``graph_ops``), else a probe.

Contract 1.1 lets an adapter declare ``graph_ops``, the ops its engine implements; the graph
clauses then draw graphs over those ops only and the others are *not provided*. An engine
that declares nothing is probed once per dtype: first on every structure of the graph pool
(`pool_sweep`), which together hold every op. An engine that evaluates them all supports
every op (and a library that compiles per graph has then compiled the structures the graph
clauses draw). Only when one raises is each op tried on a tiny valid graph of its own
(``s = sum(op(inputs))``), and an op whose graph makes the engine raise is *unsupported*.
The graph clauses avoid it, so they go on judging the engine on the ops it has (instead of
failing every graph that happens to contain it, and shrinking each one), while BP-OPS, the
clause that owns the property "supports every op", fails once for it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._adapter import AdapterCallError
from .._compare import call
from .._model import CheckContext, NotProvided
from ..contract import GRAPH_OPS, OP_ARITY
from ._batch import pool_sweep

__all__ = [
    "OpSupport",
    "probe_graph",
    "require_ops",
    "supported_ops",
    "usable_ops",
]

#: Argument shapes of each op's probe graph (kept away from every kink: values 0.3 .. 0.6).
_PROBE_SHAPES: dict[str, tuple[tuple[int, ...], ...]] = {
    "linear": ((2, 3), (3,), (2,)),
    "matmul": ((2, 3), (3,)),
    "dot": ((3,), (3,)),
}


@dataclass(frozen=True)
class OpSupport:
    """The ops of one engine in one dtype.

    Attributes
    ----------
    declared : tuple of str or None
        The adapter's ``graph_ops``, or None when it declares none (every op is expected).
    usable : tuple of str
        The ops the graph clauses draw from: declared, and not failed by the probe.
    failed : dict of str to str
        Ops expected (declared or, without a declaration, every op) that the engine raised
        on, with what it raised.
    """

    declared: tuple[str, ...] | None
    usable: tuple[str, ...]
    failed: dict[str, str]


def probe_graph(op: str, dtype: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The probe of ``op``: the graph ``s = sum(op(a0, a1, ...))`` and its inputs."""
    shapes = _PROBE_SHAPES.get(op, ((3,),) * OP_ARITY[op])
    names = [f"a{i}" for i in range(len(shapes))]
    inputs = {
        name: np.linspace(0.3, 0.6, int(np.prod(shape))).reshape(shape).astype(dtype)
        for name, shape in zip(names, shapes, strict=True)
    }
    nodes = [{"name": "p", "op": op, "args": names}]
    if op in ("dot", "sum"):
        nodes[0]["name"] = "s"
    else:
        nodes.append({"name": "s", "op": "sum", "args": ["p"]})
    return {"inputs": names, "nodes": nodes, "output": "s"}, inputs


def _raises(ctx: CheckContext, member: str, graph: dict[str, Any], inputs: dict) -> str | None:
    """What ``member`` raised on the graph (as text), None if it returned."""
    args = (graph, inputs) if member == "backprop" else (graph, inputs, next(iter(inputs)))
    try:
        call(ctx, member, *args)
    except AdapterCallError as error:
        return str(error)
    return None


_CACHE: weakref.WeakKeyDictionary[Any, dict[str, OpSupport]] = weakref.WeakKeyDictionary()


def supported_ops(ctx: CheckContext) -> OpSupport:
    """The engine's `OpSupport` in the dtype under test (probed once per adapter and dtype)."""
    per_dtype = _CACHE.setdefault(ctx.adapter, {})
    if ctx.dtype in per_dtype:
        return per_dtype[ctx.dtype]
    declared = getattr(ctx.adapter, "graph_ops", None)
    expected = tuple(op for op in GRAPH_OPS if declared is None or op in declared)
    member = next((m for m in ("backprop", "jacobian") if ctx.adapter.has(m)), None)
    failed: dict[str, str] = {}
    if member is not None:
        # The graph pool holds every op: an engine that evaluates each of its structures
        # supports them all (and a library that compiles keeps them for the graph clauses).
        pool = pool_sweep(ctx, ops=expected, scalar_output=member == "backprop")
        if any(_raises(ctx, member, e.graph, e.inputs) is not None for e in pool):
            for op in expected:
                error = _raises(ctx, member, *probe_graph(op, ctx.dtype))
                if error is not None:
                    failed[op] = error
    support = OpSupport(
        declared=declared,
        usable=tuple(op for op in expected if op not in failed),
        failed=failed,
    )
    per_dtype[ctx.dtype] = support
    return support


def require_ops(ctx: CheckContext, ops: tuple[str, ...]) -> None:
    """Raise `NotProvided` unless the engine supports every op of ``ops`` (a fixed graph's)."""
    support = supported_ops(ctx)
    missing = [op for op in ops if op not in support.usable]
    if missing:
        why = (
            "outside its declared graph_ops"
            if support.declared is not None and any(op not in support.declared for op in missing)
            else "unsupported (see BP-OPS)"
        )
        raise NotProvided(f"the graphs of this clause use the ops {', '.join(missing)}, {why}")


def usable_ops(ctx: CheckContext) -> tuple[str, ...]:
    """The ops to draw graphs from; `NotProvided` when the engine supports none of them."""
    usable = supported_ops(ctx).usable
    if not usable:
        raise NotProvided("the engine supports none of the contract's graph ops")
    return usable
