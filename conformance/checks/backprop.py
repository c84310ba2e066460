"""Family ``backprop``: values and gradients on computation graphs, and graphs to reject.

Tolerance against the reference: ``4 (N + d + 2) eps M`` elementwise, where ``M`` is a
running error bound computed in absolute values (see ``_graphs.error_magnitudes``): every
product uses magnitudes, and each activation's derivative may carry the conditioning of its
textbook formula. A graph that amplifies rounding gets a proportionally larger tolerance, a
well-conditioned one a tight one. Examples where a relu, leaky_relu or hardtanh node receives
an argument at (or within rounding of) its kink are skipped: there every subgradient is valid.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .._adapter import AdapterCallError
from .._compare import call, fail, reproducer
from .._hypothesis import data_check, run_property
from .._model import CheckContext, Tolerance
from .._pipe import PipeError
from ..contract import GRAPH_OPS
from ._batch import (
    examples_calling,
    pool_sweep,
    pooled_graphs,
    structured_examples,
    swept_examples,
)
from ._calls import call_backprop, call_jacobian, graph_args
from ._common import judge_array
from ._graphs import (
    covering_inputs,
    error_magnitudes,
    evaluate,
    gradients,
    jacobian,
    near_kink,
)
from ._ops import probe_graph, require_ops, supported_ops, usable_ops

__all__ = [
    "REJECTS",
    "collapse_check",
    "fan_out_check",
    "graph_tolerances",
    "jacobian_check",
    "order_check",
    "reject_check",
    "value_check",
]


#: The multiples of eps the graph clauses allow (see each tolerance below).
GRAPH_FACTOR = 4.0
FAN_OUT_FACTOR = 16.0
COLLAPSE_FACTOR = 4.0


def graph_tolerance(multiple: float = 1.0) -> Tolerance:
    """The tolerance of the clauses that compare results on a graph (``graph_tolerances``)."""
    return Tolerance(
        rf"|r - \hat r| \le {multiple * GRAPH_FACTOR:g}\,(N + d + 2)\,\varepsilon\,M",
        "M a running error bound in absolute values (products of magnitudes, each activation "
        "derivative with its formula's conditioning), N the nodes, d the largest dimension",
    )


FAN_OUT_TOLERANCE = Tolerance(
    rf"|g - \hat g| \le {FAN_OUT_FACTOR:g}\,n\,\varepsilon\,(|\hat g| + 1)",
    "n the size of the reused value",
)
COLLAPSE_TOLERANCE = Tolerance(
    rf"|r - \hat r| \le {COLLAPSE_FACTOR:g}\,(\textstyle\sum_i n_i + k + 2)\,\varepsilon\,"
    r"\bar r",
    "n_i the layers' dimensions, k the layers, and r-bar the same expression in absolute values",
)


def graph_tolerances(
    ctx: CheckContext, graph: dict[str, Any], inputs: dict[str, np.ndarray]
) -> tuple[float, dict[str, np.ndarray]]:
    """Absolute tolerances of the output and of each gradient: ``C eps M``.

    ``M`` comes from `gradspec.conformance.checks._graphs.error_magnitudes` (a running
    error bound in absolute values) and ``C = 4 (N + d + 2)`` counts the roundings along a
    path (N nodes, d the largest dimension).
    """
    eps = float(np.finfo(ctx.dtype).eps)
    out_bound, grad_bounds = error_magnitudes(graph, inputs)
    dims = max((max(v.shape) if v.ndim else 1) for v in inputs.values())
    c = GRAPH_FACTOR * (len(graph["nodes"]) + dims + 2) * eps
    return c * out_bound, {k: c * v for k, v in grad_bounds.items()}


def value_check(clause_id: str) -> Callable[[CheckContext], None]:
    """backprop's output and gradients against the reference on random graphs."""

    def test(ctx: CheckContext, example: Any) -> None:
        graph, inputs = example.graph, example.inputs
        if near_kink(graph, inputs, np.float32):
            return
        out, grads = call_backprop(ctx, clause_id, graph, inputs)
        ref_out, ref_grads = gradients(graph, inputs)
        out_tol, grad_tols = graph_tolerances(ctx, graph, inputs)
        args = graph_args(graph, inputs)
        judge_array(
            ctx,
            clause_id,
            "the output",
            out.reshape(()),
            ref_out,
            out_tol,
            "backprop",
            args,
        )
        for name in inputs:
            judge_array(
                ctx,
                clause_id,
                f"gradients[{name!r}]",
                grads[name],
                ref_grads[name],
                grad_tols[name],
                "backprop",
                args,
                summary=f"the gradient with respect to {name!r} differs from the reference",
            )

    def check(ctx: CheckContext) -> None:
        # The search first, for a small counterexample; then every structure of the pool,
        # so an op the search drew no example of is still exercised.
        strategy = pooled_graphs(ctx, ops=usable_ops(ctx))
        run_property(
            ctx, strategy, lambda example: test(ctx, example), max_examples=swept_examples(ctx)
        )
        for example in pool_sweep(ctx, ops=usable_ops(ctx)):
            test(ctx, example)

    return check


def jacobian_check(clause_id: str) -> Callable[[CheckContext], None]:
    """jacobian against the reference on random graphs with outputs of any shape."""

    def drawn(ctx: CheckContext, data: Any) -> None:
        example = data.draw(pooled_graphs(ctx, ops=usable_ops(ctx), scalar_output=False))
        test(ctx, example, data.draw(st.sampled_from(sorted(example.inputs))))

    def test(ctx: CheckContext, example: Any, wrt: str) -> None:
        graph, inputs = example.graph, example.inputs
        if near_kink(graph, inputs, np.float32):
            return
        out_size = evaluate(graph, inputs)[graph["output"]].size
        J = call_jacobian(ctx, clause_id, graph, inputs, wrt, (out_size, inputs[wrt].size))
        ref = jacobian(graph, inputs, wrt)
        # Each row's bound is at most the bound for the sum of all output elements.
        bound = graph_tolerances(ctx, graph, inputs)[1][wrt].reshape(1, -1)
        judge_array(
            ctx,
            clause_id,
            "jacobian",
            J,
            ref,
            np.broadcast_to(bound, J.shape),
            "jacobian",
            graph_args(graph, inputs, wrt),
        )

    def check(ctx: CheckContext) -> None:
        # As BP-VALUE: the search, then every structure of the pool with respect to inputs
        # that together reach every node (`covering_inputs`), so every op is differentiated
        # through in every run.
        data_check(drawn, examples=swept_examples)(ctx)
        for example in pool_sweep(ctx, ops=usable_ops(ctx), scalar_output=False):
            for wrt in covering_inputs(example.graph):
                test(ctx, example, wrt)

    return check


def order_check(clause_id: str) -> Callable[[CheckContext], None]:
    """The same graph with its nodes listed in another order gives the same results."""

    def test(ctx: CheckContext, data: Any) -> None:
        example = data.draw(pooled_graphs(ctx, ops=usable_ops(ctx), shuffle=False))
        graph, inputs = example.graph, example.inputs
        out, grads = call_backprop(ctx, clause_id, graph, inputs)
        shuffled = dict(graph, nodes=list(reversed(graph["nodes"])))
        if data.draw(st.booleans()):
            shuffled["nodes"] = data.draw(st.permutations(graph["nodes"]))
        out2, grads2 = call_backprop(ctx, clause_id, shuffled, inputs)
        out_tol, grad_tols = graph_tolerances(ctx, graph, inputs)
        args = graph_args(shuffled, inputs)
        hint = (
            "sort the nodes topologically (each after the nodes it uses) before the "
            "forward pass; the graph may list them in any order"
        )
        judge_array(
            ctx,
            clause_id,
            "the output with the nodes reordered",
            out2.reshape(()),
            out.reshape(()),
            out_tol,
            "backprop",
            args,
            hint=hint,
        )
        for name in inputs:
            judge_array(
                ctx,
                clause_id,
                f"gradients[{name!r}] with the nodes reordered",
                grads2[name],
                grads[name],
                grad_tols[name],
                "backprop",
                args,
                hint=hint,
            )

    return data_check(test, examples=examples_calling(2))


# --- fan-out ---------------------------------------------------------------------------------


def _fan_out_cases(a: np.ndarray, W: np.ndarray) -> list[tuple[str, dict, dict, dict]]:
    """(description, graph, inputs, expected gradients in float64) with reused nodes."""
    a64, W64 = a.astype(np.float64), W.astype(np.float64)
    t = np.tanh(a64)
    return [
        (
            "b = a + a, c = b + b, s = sum(c): ds/da = 4",
            {
                "inputs": ["a"],
                "nodes": [
                    {"name": "c", "op": "add", "args": ["b", "b"]},
                    {"name": "s", "op": "sum", "args": ["c"]},
                    {"name": "b", "op": "add", "args": ["a", "a"]},
                ],
                "output": "s",
            },
            {"a": a},
            {"a": np.full(a.shape, 4.0)},
        ),
        (
            "s = dot(a, a): ds/da = 2a",
            {
                "inputs": ["a"],
                "nodes": [{"name": "s", "op": "dot", "args": ["a", "a"]}],
                "output": "s",
            },
            {"a": a},
            {"a": 2 * a64},
        ),
        (
            "t = tanh(a), s = sum(t * t): ds/da = 2 t (1 - t^2)",
            {
                "inputs": ["a"],
                "nodes": [
                    {"name": "s", "op": "sum", "args": ["m"]},
                    {"name": "m", "op": "mul", "args": ["t", "t"]},
                    {"name": "t", "op": "tanh", "args": ["a"]},
                ],
                "output": "s",
            },
            {"a": a},
            {"a": 2 * t * (1 - t**2)},
        ),
        (
            "x feeds two matmuls: s = sum(W x) + sum(W x): ds/dx = 2 W^T 1, ds/dW = 2 outer(1, x)",
            {
                "inputs": ["W", "x"],
                "nodes": [
                    {"name": "p", "op": "matmul", "args": ["W", "x"]},
                    {"name": "q", "op": "matmul", "args": ["W", "x"]},
                    {"name": "r", "op": "add", "args": ["p", "q"]},
                    {"name": "s", "op": "sum", "args": ["r"]},
                ],
                "output": "s",
            },
            {"W": W, "x": a[: W.shape[1]]},
            {
                "W": 2 * np.outer(np.ones(W.shape[0]), a64[: W.shape[1]]),
                "x": 2 * W64.sum(axis=0),
            },
        ),
    ]


def fan_out_check(clause_id: str) -> Callable[[CheckContext], None]:
    """Gradients from every use of a value add up."""

    def test(ctx: CheckContext, data: Any) -> None:
        require_ops(ctx, ("add", "sum", "dot", "mul", "tanh", "matmul"))
        width = 32 if ctx.dtype == "float32" else 64
        elements = st.floats(-2, 2, width=width)
        # One size (3: several elements, each used twice): few distinct graphs.
        a = data.draw(hnp.arrays(ctx.dtype, 3, elements=elements))
        W = data.draw(hnp.arrays(ctx.dtype, (2, a.size), elements=elements))
        eps = float(np.finfo(ctx.dtype).eps)
        for description, graph, inputs, expected in _fan_out_cases(a, W):
            _, grads = call_backprop(ctx, clause_id, graph, inputs)
            args = graph_args(graph, inputs)
            for name, value in expected.items():
                tol = FAN_OUT_FACTOR * eps * (np.abs(value) + 1.0) * max(1, a.size)
                judge_array(
                    ctx,
                    clause_id,
                    f"gradients[{name!r}] for {description}",
                    grads[name],
                    value,
                    tol,
                    "backprop",
                    args,
                    summary=f"a reused value does not accumulate its gradients: {description}",
                    hint="accumulate with += over every use of a value (never "
                    "overwrite a gradient that another use already wrote)",
                )

    return data_check(test, examples=examples_calling(4))


# --- collapse of a linear stack -------------------------------------------------------------


#: The layer sizes of the stacks BP-COLLAPSE tries (x's size first): two and three layers,
#: sizes growing and shrinking, a layer of one unit; few, so few distinct graphs.
STACKS: tuple[tuple[int, ...], ...] = ((3, 1, 3), (2, 3, 1, 2), (1, 3, 2, 3))


def collapse_check(clause_id: str) -> Callable[[CheckContext], None]:
    """A stack of linear layers computes the same as its collapse W = W_k ... W_1."""

    def test(ctx: CheckContext, data: Any) -> None:
        require_ops(ctx, ("linear", "dot"))
        width = 32 if ctx.dtype == "float32" else 64
        elements = st.floats(-2, 2, width=width)
        dims = list(data.draw(st.sampled_from(STACKS)))
        inputs: dict[str, np.ndarray] = {
            "x": data.draw(hnp.arrays(ctx.dtype, (dims[0],), elements=elements))
        }
        nodes = []
        previous = "x"
        for i, (n, m) in enumerate(itertools.pairwise(dims)):
            inputs[f"W{i}"] = data.draw(hnp.arrays(ctx.dtype, (m, n), elements=elements))
            inputs[f"b{i}"] = data.draw(hnp.arrays(ctx.dtype, (m,), elements=elements))
            nodes.append({"name": f"z{i}", "op": "linear", "args": [f"W{i}", previous, f"b{i}"]})
            previous = f"z{i}"
        inputs["u"] = data.draw(hnp.arrays(ctx.dtype, (dims[-1],), elements=elements))
        nodes.append({"name": "s", "op": "dot", "args": ["u", previous]})
        graph = {"inputs": list(inputs), "nodes": nodes, "output": "s"}
        out, grads = call_backprop(ctx, clause_id, graph, inputs)

        k = len(dims) - 1
        f = {key: v.astype(np.float64) for key, v in inputs.items()}
        Wc, bc = np.eye(dims[0]), np.zeros(dims[0])
        Ac, ac = np.eye(dims[0]), np.zeros(dims[0])  # the same with absolute values
        for i in range(k):
            Wc, bc = f[f"W{i}"] @ Wc, f[f"W{i}"] @ bc + f[f"b{i}"]
            Ac, ac = np.abs(f[f"W{i}"]) @ Ac, np.abs(f[f"W{i}"]) @ ac + np.abs(f[f"b{i}"])
        eps = float(np.finfo(ctx.dtype).eps)
        size = COLLAPSE_FACTOR * (sum(dims) + k + 2) * eps
        args = graph_args(graph, inputs)
        hint = (
            "a stack of linear layers is one linear layer W = W_k ... W_1, "
            "b = W_k (... (W_2 b_1 + b_2) ...) + b_k; depth without a non-linearity adds "
            "nothing"
        )
        u, au = f["u"], np.abs(f["u"])
        judge_array(
            ctx,
            clause_id,
            "the output of the stack",
            out.reshape(()),
            u @ (Wc @ f["x"] + bc),
            size * (au @ (Ac @ np.abs(f["x"]) + ac)),
            "backprop",
            args,
            hint=hint,
        )
        judge_array(
            ctx,
            clause_id,
            "gradients['x'] of the stack",
            grads["x"],
            Wc.T @ u,
            size * (Ac.T @ au),
            "backprop",
            args,
            hint=hint,
        )
        judge_array(
            ctx,
            clause_id,
            "gradients['u'] of the stack",
            grads["u"],
            Wc @ f["x"] + bc,
            size * (Ac @ np.abs(f["x"]) + ac),
            "backprop",
            args,
            hint=hint,
        )

    return data_check(test, examples=structured_examples)


# --- graphs that must be rejected ----------------------------------------------------------------


def _node(name: str, op: str, *args: str, **attributes: Any) -> dict[str, Any]:
    return {"name": name, "op": op, "args": list(args), **attributes}


def _graph(inputs: list[str], nodes: list[dict[str, Any]], output: str) -> dict[str, Any]:
    return {"inputs": inputs, "nodes": nodes, "output": output}


#: The bad graphs of each reject clause: (what is wrong, graph, input shapes).
REJECTS: dict[str, list[tuple[str, dict[str, Any], dict[str, tuple[int, ...]]]]] = {
    "BP-REJECT-CYCLE": [
        (
            "p = x + q, q = tanh(p): a cycle",
            _graph(
                ["x"],
                [_node("p", "add", "x", "q"), _node("q", "tanh", "p"), _node("s", "sum", "q")],
                "s",
            ),
            {"x": (3,)},
        ),
        (
            "p = tanh(p): a node that uses itself",
            _graph(["x"], [_node("p", "tanh", "p"), _node("s", "dot", "x", "p")], "s"),
            {"x": (3,)},
        ),
        (
            "a cycle p -> q -> p in nodes the output does not use",
            _graph(
                ["x"],
                [
                    _node("p", "add", "x", "q"),
                    _node("q", "relu", "p"),
                    _node("s", "sum", "x"),
                ],
                "s",
            ),
            {"x": (3,)},
        ),
    ],
    "BP-REJECT-UNKNOWN-OP": [
        (
            "op 'softmax' is not a contract op",
            _graph(["x"], [_node("p", "softmax", "x"), _node("s", "sum", "p")], "s"),
            {"x": (3,)},
        ),
        (
            "op 'Sigmoid' (ops are case-sensitive)",
            _graph(["x"], [_node("p", "Sigmoid", "x"), _node("s", "sum", "p")], "s"),
            {"x": (3,)},
        ),
        (
            "op 'exp' in a node the output does not use",
            _graph(["x"], [_node("p", "exp", "x"), _node("s", "sum", "x")], "s"),
            {"x": (3,)},
        ),
    ],
    "BP-REJECT-DANGLING": [
        (
            "an argument names nothing ('y' is neither an input nor a node)",
            _graph(["x"], [_node("p", "add", "x", "y"), _node("s", "sum", "p")], "s"),
            {"x": (3,)},
        ),
        (
            "the output names nothing",
            _graph(["x"], [_node("s", "sum", "x")], "t"),
            {"x": (3,)},
        ),
        (
            "an argument names nothing, in a node the output does not use",
            _graph(["x"], [_node("p", "mul", "x", "y"), _node("s", "sum", "x")], "s"),
            {"x": (3,)},
        ),
        (
            "an input is listed but no array is given for it",
            _graph(["x", "y"], [_node("p", "mul", "x", "y"), _node("s", "sum", "p")], "s"),
            {"x": (3,)},
        ),
    ],
    "BP-REJECT-DUPLICATE": [
        (
            "two nodes named 'p'",
            _graph(
                ["x"],
                [_node("p", "tanh", "x"), _node("p", "relu", "x"), _node("s", "sum", "p")],
                "s",
            ),
            {"x": (3,)},
        ),
        (
            "a node named like an input",
            _graph(["x"], [_node("x", "tanh", "x"), _node("s", "sum", "x")], "s"),
            {"x": (3,)},
        ),
    ],
    "BP-REJECT-SHAPE": [
        (
            "linear with W (3, 4) and x (5,)",
            _graph(
                ["W", "x", "b"], [_node("z", "linear", "W", "x", "b"), _node("s", "sum", "z")], "s"
            ),
            {"W": (3, 4), "x": (5,), "b": (3,)},
        ),
        (
            "linear with b (4,) for W (3, 4)",
            _graph(
                ["W", "x", "b"], [_node("z", "linear", "W", "x", "b"), _node("s", "sum", "z")], "s"
            ),
            {"W": (3, 4), "x": (4,), "b": (4,)},
        ),
        (
            "add of shapes (3,) and (4,)",
            _graph(["x", "y"], [_node("p", "add", "x", "y"), _node("s", "sum", "p")], "s"),
            {"x": (3,), "y": (4,)},
        ),
        (
            "dot of shapes (3,) and (2,)",
            _graph(["x", "y"], [_node("s", "dot", "x", "y")], "s"),
            {"x": (3,), "y": (2,)},
        ),
        (
            "matmul of (2, 3) and (4,)",
            _graph(["A", "x"], [_node("p", "matmul", "A", "x"), _node("s", "sum", "p")], "s"),
            {"A": (2, 3), "x": (4,)},
        ),
        (
            "mul of shapes (3,) and (3, 1): elementwise ops do not broadcast",
            _graph(["x", "y"], [_node("p", "mul", "x", "y"), _node("s", "sum", "p")], "s"),
            {"x": (3,), "y": (3, 1)},
        ),
        (
            "the output is not a scalar (backprop needs a 0-d output)",
            _graph(["x"], [_node("p", "tanh", "x")], "p"),
            {"x": (3,)},
        ),
    ],
}


def reject_check(clause_id: str) -> Callable[[CheckContext], None]:
    """Each bad graph of `REJECTS` makes backprop raise."""

    def check(ctx: CheckContext) -> None:
        rng = np.random.default_rng(ctx.seed)
        for description, graph, shapes in REJECTS[clause_id]:
            inputs = {k: rng.uniform(0.1, 1.0, s).astype(ctx.dtype) for k, s in shapes.items()}
            args = graph_args(graph, inputs)
            try:
                result = call(ctx, "backprop", graph, inputs)
            except AdapterCallError as error:
                if error.unreadable:
                    # Returning garbage is not raising: the graph was not rejected.
                    raise fail(
                        clause_id,
                        f"backprop returned something NumPy cannot read for a bad graph "
                        f"({description}) instead of raising: {error}",
                        inputs=dict(args),
                        hint="raise an exception naming the problem; a result of any kind "
                        "means the bad graph was accepted",
                        reproducer=reproducer(ctx.adapter.spec, "backprop", args),
                        member="backprop",
                        kind="accepts-invalid",
                    ) from None
                if isinstance(error.original, PipeError):
                    # A program that crashed, hung or answered garbage did not reject the
                    # graph: it broke the protocol, which must not read as conformance.
                    raise fail(
                        clause_id,
                        f"backprop did not answer for a bad graph ({description}): {error}",
                        inputs=dict(args),
                        hint="answer a bad graph with an error reply, not a crash or a hang",
                        reproducer=reproducer(ctx.adapter.spec, "backprop", args),
                        member="backprop",
                        kind="form",
                    ) from None
                ctx.record()
                continue
            raise fail(
                clause_id,
                f"backprop accepted a bad graph ({description}) instead of raising",
                inputs=dict(args),
                actual=repr(result)[:200],
                hint="check the whole graph before computing anything: names, ops, a "
                "topological order (no cycle) and every argument's shape; raise an exception "
                "naming the problem",
                reproducer=reproducer(ctx.adapter.spec, "backprop", args),
                member="backprop",
                kind="accepts-invalid",
            )

    return check


# --- the ops an engine supports ------------------------------------------------------------


def ops_check(clause_id: str) -> Callable[[CheckContext], None]:
    """backprop evaluates every op it is expected to support (BP-OPS): the graph pool's
    structures, and one tiny graph per op where one of those raises (`supported_ops`).

    Expected: the ops the adapter declares in ``graph_ops``, else every op of the contract.
    This clause alone owns "an op is unsupported"; the other graph clauses leave such an op
    out of their graphs (see `gradspec.conformance.checks._ops`).
    """

    def check(ctx: CheckContext) -> None:
        support = supported_ops(ctx)
        expected = support.declared if support.declared is not None else GRAPH_OPS
        if support.declared is not None:
            left_out = [op for op in GRAPH_OPS if op not in support.declared]
            if left_out:
                ctx.note(
                    "graph-ops",
                    f"declares graph_ops without {', '.join(left_out)}: not provided",
                )
        for op in expected:
            with ctx.judging("backprop"):
                if op in support.failed:
                    graph, inputs = probe_graph(op, ctx.dtype)
                    args = graph_args(graph, inputs)
                    raise fail(
                        clause_id,
                        f"op {op} unsupported: backprop raised on the graph "
                        f"s = sum({op}(...)) ({support.failed[op]})",
                        inputs=dict(args),
                        hint=f"implement the op {op!r}; an engine that does not mean to can "
                        f"declare graph_ops = (...) without {op!r} (adapter contract 1.1), "
                        "and its graph clauses then skip it",
                        reproducer=reproducer(ctx.adapter.spec, "backprop", args),
                        member="backprop",
                        kind="unsupported-op",
                    )
                ctx.record()

    return check


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import MUST_RAISE, MUST_RETURN, Clause  # noqa: E402

_BP_NOTES = "Actual Backprop"

#: Each rejection clause's (what is rejected, when), in report order.
_REJECT_WORDS = {
    "BP-REJECT-CYCLE": ("a graph with a cycle", "it has a cycle (a node that depends on itself)"),
    "BP-REJECT-UNKNOWN-OP": ("an unknown op", "a node uses an op that is not in the contract"),
    "BP-REJECT-DANGLING": (
        "a dangling name",
        "an argument or the output names neither an input nor a node, or an input has no array",
    ),
    "BP-REJECT-DUPLICATE": ("a duplicate name", "two nodes, or a node and an input, share a name"),
    "BP-REJECT-SHAPE": (
        "arguments of the wrong shape",
        "an op's arguments have shapes that do not fit (elementwise ops do not broadcast), or "
        "the output is not a scalar",
    ),
}

#: The family's clauses, in report order.
CLAUSES: tuple[Clause, ...] = (
    Clause(
        id="BP-VALUE",
        title="backprop's output and gradients",
        family="backprop",
        section="backprop",
        statement="backprop(graph, inputs) returns the output and the gradient of every input, "
        "judged against an independent float64 evaluation of the graph (forward, then reverse mode "
        "with each op's own derivative formula), on random graphs over every op the engine "
        "supports, with fan-out, nodes in random order.",
        latex=r"\bar{v} = \sum_{w \in \operatorname{users}(v)} \bar{w}\,"
        r"\frac{\partial w}{\partial v}",
        notes=_BP_NOTES,
        members=("backprop",),
        tolerance=graph_tolerance(),
        check=value_check("BP-VALUE"),
    ),
    Clause(
        id="BP-ORDER",
        title="node order does not matter",
        family="backprop",
        section="backprop",
        statement="The same graph with its nodes listed in another order (reversed or shuffled) "
        "gives the same output and gradients: the implementation sorts the nodes topologically "
        "itself.",
        latex=r"\text{forward in a topological order, backward in reverse}",
        notes=_BP_NOTES,
        members=("backprop",),
        tolerance=graph_tolerance(),
        check=order_check("BP-ORDER"),
    ),
    Clause(
        id="BP-FAN-OUT",
        title="gradients of reused values add up",
        family="backprop",
        section="backprop",
        statement="A value used several times receives the sum of the gradients of its uses: b = a "
        "+ a, c = b + b gives dc/da = 4; dot(a, a) gives 2a; sum(tanh(a)^2) gives 2 tanh(a) "
        "tanh'(a); an input used by two matmuls gets both contributions.",
        latex=r"c = (a + a) + (a + a) \implies \frac{\partial \sum c}{\partial a} = 4",
        notes=_BP_NOTES,
        members=("backprop",),
        tolerance=FAN_OUT_TOLERANCE,
        check=fan_out_check("BP-FAN-OUT"),
    ),
    Clause(
        id="BP-COLLAPSE",
        title="a linear stack collapses to one layer",
        family="backprop",
        section="nonlinear",
        statement="A stack of 2 to 4 linear layers without activations, read out by a dot product, "
        "has the output and gradients of the single layer W = W_k ... W_1, b = W_k(...(W_2 b_1 + "
        "b_2)...) + b_k: without non-linearity, depth adds no representational power.",
        latex=r"W_2 (W_1 x + b_1) + b_2 = (W_2 W_1) x + (W_2 b_1 + b_2)",
        notes="Why are NNs Non-Linear?",
        members=("backprop",),
        tolerance=COLLAPSE_TOLERANCE,
        check=collapse_check("BP-COLLAPSE"),
    ),
    Clause(
        id="BP-JACOBIAN",
        title="jacobian's values",
        family="backprop",
        section="jacobians",
        statement="jacobian(graph, inputs, wrt) equals the Jacobian of an independent float64 "
        "evaluation (one reverse pass per output element) on random graphs whose output may have "
        "any shape.",
        latex=r"J_{ij} = \frac{\partial f_i}{\partial x_j}",
        notes="Vectorized Calculus",
        members=("jacobian",),
        tolerance=graph_tolerance(),
        check=jacobian_check("BP-JACOBIAN"),
    ),
    Clause(
        id="BP-OPS",
        title="every op is supported",
        family="backprop",
        section="backprop",
        statement="backprop evaluates a graph of each op the adapter declares in graph_ops (every "
        "op of the contract when it declares none): the graph pool's structures, which hold "
        "them all, and where one raises, one small graph per op. The other graph clauses draw "
        "their graphs from the ops that work, so an unsupported op fails this clause only; ops "
        "left out of graph_ops are not provided.",
        latex=r"\forall\, \mathrm{op} \in \mathtt{graph\_ops}:\ "
        r"\operatorname{backprop}\bigl(s = \textstyle\sum \mathrm{op}(a)\bigr) \text{ returns}",
        notes=_BP_NOTES,
        members=("backprop",),
        tolerance=MUST_RETURN,
        check=ops_check("BP-OPS"),
    ),
    *(
        Clause(
            id=clause_id,
            title=f"reject {what}",
            family="backprop",
            section="backprop",
            statement=f"backprop raises an exception (any Exception) before returning a result "
            f"when {why}.",
            latex=r"\text{invalid graph} \implies \text{exception}",
            notes=_BP_NOTES,
            members=("backprop",),
            tolerance=MUST_RAISE,
            check=reject_check(clause_id),
        )
        for clause_id, (what, why) in _REJECT_WORDS.items()
    ),
)
