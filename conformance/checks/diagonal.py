"""Family ``diagonal``: the Jacobian of an elementwise activation is diagonal.

For h = f(a) with a of shape (n,), jacobian returns an (n, n) array whose off-diagonal entries
are exactly 0 (h_i does not depend on a_j for i != j) and whose diagonal is f'(a), judged with
the tolerance of the derivative's value clause. Inputs avoid the kinks exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .._compare import fail, reproducer
from .._hypothesis import data_check
from .._model import CheckContext, NotProvided
from ..contract import ACTIVATION_OPS
from ._batch import structured_examples
from ._calls import call_jacobian, graph_args
from ._common import judge_elementwise
from ._functions import spec
from ._ops import usable_ops

__all__ = ["diagonal_check"]

_SLOPES = (None, 0.2)
#: The activation's input size: one size, so one graph per op and dtype.
SIZE = 4


def diagonal_check(clause_id: str) -> Callable[[CheckContext], None]:
    """The check of JAC-ACTIVATION-DIAGONAL, over every activation op."""

    def test(ctx: CheckContext, data: Any) -> None:
        ops = [op for op in ACTIVATION_OPS if op in usable_ops(ctx)]
        if not ops:
            raise NotProvided("the engine supports none of the activation ops")
        op = data.draw(st.sampled_from(ops))
        derivative = f"{op}_derivative"
        kinks = spec(derivative).kinks
        width = 32 if ctx.dtype == "float32" else 64
        tiny = float(np.finfo(ctx.dtype).tiny)
        # Subnormal inputs are ROB-SUBNORMAL's (some libraries read them as zero).
        elements = (
            st.floats(-20, 20, width=width)
            .map(lambda v: v if abs(v) >= tiny else 0.0)
            .filter(lambda v: v not in kinks)
        )
        z = data.draw(hnp.arrays(ctx.dtype, SIZE, elements=elements))
        slope = data.draw(st.sampled_from(_SLOPES)) if op == "leaky_relu" else None
        node: dict[str, Any] = {"name": "h", "op": op, "args": ["a"]}
        if slope is not None:
            node["negative_slope"] = slope
        graph = {"inputs": ["a"], "nodes": [node], "output": "h"}
        inputs = {"a": z}
        n = z.size
        J = call_jacobian(ctx, clause_id, graph, inputs, "a", (n, n))
        off = J[~np.eye(n, dtype=bool)]
        if (off != 0).any():
            i, j = np.argwhere((J != 0) & ~np.eye(n, dtype=bool))[0]
            raise fail(
                clause_id,
                f"the Jacobian of {op} has a nonzero off-diagonal entry J[{i}, {j}]",
                inputs=dict(graph_args(graph, inputs, "a")),
                index=(int(i), int(j)),
                expected=0.0,
                actual=float(J[i, j]),
                hint="an elementwise activation's h_i depends on a_i only: "
                "J = diag(f'(a)), all off-diagonal entries exactly 0",
                reproducer=reproducer(ctx.adapter.spec, "jacobian", graph_args(graph, inputs, "a")),
                member="jacobian",
                tolerance="exact: 0",
            )
        judge_elementwise(
            ctx,
            clause_id,
            derivative,
            z,
            np.ascontiguousarray(np.diagonal(J)).astype(ctx.dtype),
            slope,
            summary=f"the diagonal of the Jacobian of {op} differs from {op}'(a)",
            blame="jacobian",
            repro=reproducer(ctx.adapter.spec, "jacobian", graph_args(graph, inputs, "a")),
        )

    return data_check(test, examples=structured_examples)


# --- the clauses of this family ----------------------------------------------------------------
# Declared here, beside their check, and assembled in order by ``conformance/clauses.py``.
# (Their imports stay with them, so the checks above read without the declarations' vocabulary.)

from .._model import Clause, Tolerance  # noqa: E402

#: JAC-ACTIVATION-DIAGONAL's rule: off the diagonal exactly 0 (the check compares with 0),
#: on it the derivative's own value tolerance (the check judges it as the derivative's values).
DIAGONAL_TOLERANCE = Tolerance(
    r"J_{ij} = 0 \;(i \ne j), \quad J_{ii} \text{ within the tolerance of } f'(a_i)",
    "the tolerance of f's derivative value clause (ACT-<F>-DERIVATIVE-VALUE), at a_i",
)

#: The family's clauses, in report order.
CLAUSES: tuple[Clause, ...] = (
    Clause(
        id="JAC-ACTIVATION-DIAGONAL",
        title="activation Jacobians are diagonal",
        family="diagonal",
        section="jacobians",
        statement="For h = f(a) with f an elementwise activation and a a vector of n elements, "
        "jacobian returns an (n, n) array whose off-diagonal entries are exactly 0 and whose "
        "diagonal is f'(a), for every activation op (|a| <= 20, not at a kink).",
        latex=r"\frac{\partial h}{\partial a} = \operatorname{diag}\bigl(f'(a)\bigr)",
        notes="Vectorized Calculus > Useful Jacobians!",
        members=("jacobian",),
        tolerance=DIAGONAL_TOLERANCE,
        check=diagonal_check("JAC-ACTIVATION-DIAGONAL"),
    ),
)
