"""Wrong graph engines: each breaks one step of `._engine.HandWrittenEngine`.

The steps are the ones micrograd-style engines get wrong: the order of evaluation, the sum
over the uses of a value, the attributes of a node, what the graph checks look at, and the
layout of the Jacobian.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._engine import HandWrittenEngine, Node

__all__ = [
    "BackpropBroadcastsShapes",
    "BackpropChecksOnlyReachableNodes",
    "BackpropDropsUnusedInputs",
    "BackpropDuplicateNameLastWins",
    "BackpropIgnoresNegativeSlope",
    "BackpropListedOrder",
    "BackpropOverwritesAtFanOut",
    "BackpropSumGradientNotBroadcast",
    "JacobianColumnsStacked",
    "JacobianSeedOfOnes",
]


class BackpropOverwritesAtFanOut(HandWrittenEngine):
    name = "backprop-overwrites-at-fan-out"
    bug = (
        "a value used by several nodes keeps only the last gradient sent back to it "
        "(grads[name] = g instead of +=)"
    )
    expected_clauses = ("BP-FAN-OUT", "BP-VALUE", "GRAD-BACKPROP-FD")
    expected_findings = (("backprop", "value"),)

    def _accumulate(self, grads: dict[str, np.ndarray], name: str, share: np.ndarray) -> None:
        grads[name] = share


class BackpropListedOrder(HandWrittenEngine):
    name = "backprop-listed-order"
    bug = (
        "nodes are evaluated in the order the graph lists them, with no topological sort, "
        "so a node listed before its arguments cannot be computed"
    )
    expected_clauses = ("BP-ORDER",)
    expected_findings = (("backprop", "raises"),)

    def _topological(self, nodes: list[Node]) -> list[Node]:
        return nodes


class BackpropIgnoresNegativeSlope(HandWrittenEngine):
    name = "backprop-ignores-negative-slope"
    bug = "the engine calls every activation as f(a), so leaky_relu nodes always use slope 0.01"
    # Not GRAD-BACKPROP-FD: the output and its gradients use the same wrong slope, so the
    # finite difference of the adapter's own output agrees with them.
    expected_clauses = ("BP-VALUE", "BP-JACOBIAN")
    # The jacobian member has the same defect; BP-JACOBIAN's sweep of the graph pool
    # differentiates through every leaky_relu with a slope in every run.
    expected_findings = (("backprop", "value"), ("jacobian", "value"))

    def _attributes(self, node: Node) -> dict[str, Any]:
        return {}


class BackpropChecksOnlyReachableNodes(HandWrittenEngine):
    name = "backprop-checks-only-reachable-nodes"
    bug = (
        "the engine walks back from the output and checks only the nodes it reaches, so a "
        "cycle, unknown op or dangling name elsewhere in the graph is silently accepted"
    )
    expected_clauses = ("BP-REJECT-CYCLE", "BP-REJECT-UNKNOWN-OP", "BP-REJECT-DANGLING")
    expected_findings = (("backprop", "accepts-invalid"),)

    def _plan(self, graph: dict[str, Any]) -> list[Node]:
        by_name = self._index(list(graph["nodes"]), list(graph["inputs"]))
        known = set(by_name) | set(graph["inputs"])
        if graph["output"] not in known:
            raise ValueError(f"graph: the output {graph['output']!r} is not a node or input.")
        needed: dict[str, Node] = {}
        stack = [graph["output"]]
        while stack:
            name = stack.pop()
            if name in by_name and name not in needed:
                needed[name] = by_name[name]
                self._check_node(needed[name], known)
                stack.extend(needed[name]["args"])
        return self._topological(list(needed.values()))


class BackpropDuplicateNameLastWins(HandWrittenEngine):
    name = "backprop-duplicate-name-last-wins"
    bug = (
        "nodes are read with {node['name']: node for node in nodes}, so of two nodes with "
        "one name the last silently wins"
    )
    expected_clauses = ("BP-REJECT-DUPLICATE",)
    expected_findings = (("backprop", "accepts-invalid"),)

    def _index(self, nodes: list[Node], input_names: list[str]) -> dict[str, Node]:
        return {node["name"]: node for node in nodes}


class BackpropBroadcastsShapes(HandWrittenEngine):
    name = "backprop-broadcasts-shapes"
    bug = (
        "add and mul let NumPy broadcast, so arguments of different shapes (such as (3,) and "
        "(1,), or (3,) and (3, 1)) are accepted instead of rejected"
    )
    expected_clauses = ("BP-REJECT-SHAPE",)
    expected_findings = (("backprop", "accepts-invalid"),)

    def _check_shapes(self, node: Node, args: list[np.ndarray]) -> None:
        if node["op"] not in ("add", "mul"):
            super()._check_shapes(node, args)


class BackpropDropsUnusedInputs(HandWrittenEngine):
    name = "backprop-drops-unused-inputs"
    bug = (
        "the gradients dict holds only the inputs the output depends on; an unused input "
        "gets no entry instead of zeros"
    )
    expected_clauses = ("SHAPE-BACKPROP-GRADIENTS",)
    expected_findings = (("backprop", "gradient-keys"),)

    def _input_gradients(
        self, graph: dict[str, Any], grads: dict[str, np.ndarray], values: dict[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        return {name: grads[name] for name in graph["inputs"] if name in grads}


class BackpropSumGradientNotBroadcast(HandWrittenEngine):
    name = "backprop-sum-gradient-not-broadcast"
    bug = (
        "the rule for sum(a) sends back g itself (a scalar) because d sum / d a_i = 1, "
        "forgetting to repeat it to a's shape"
    )
    expected_clauses = ("SHAPE-BACKPROP-GRADIENTS", "BP-VALUE", "GRAD-BACKPROP-FD")
    expected_findings = (("backprop", "shape"),)

    def _vjp(self, node: Node, args: list[np.ndarray], g: np.ndarray) -> tuple[Any, ...]:
        if node["op"] == "sum":
            return (g,)
        return super()._vjp(node, args, g)


class JacobianColumnsStacked(HandWrittenEngine):
    name = "jacobian-columns-stacked"
    bug = (
        "jacobian stacks each output element's gradient as a column, returning the "
        "transpose (input.size, output.size) of the Jacobian form"
    )
    expected_clauses = ("BP-JACOBIAN", "SHAPE-JACOBIAN", "SHAPE-JACOBIAN-ROW")
    expected_findings = (("jacobian", "shape"),)

    def _stack_rows(
        self, rows: list[np.ndarray], out_size: int, in_size: int, dtype: np.dtype[Any]
    ) -> np.ndarray:
        return np.stack(rows, axis=1) if rows else np.zeros((in_size, out_size), dtype=dtype)


class JacobianSeedOfOnes(HandWrittenEngine):
    name = "jacobian-seed-of-ones"
    bug = (
        "jacobian seeds every backward pass with ones instead of a one-hot vector, so every "
        "row is the gradient of sum(output): an activation's Jacobian gets off-diagonal entries"
    )
    expected_clauses = ("JAC-ACTIVATION-DIAGONAL", "BP-JACOBIAN")
    expected_findings = (("jacobian", "value"),)

    def _seed(self, output: np.ndarray, index: int) -> np.ndarray:
        return np.ones_like(output)
