"""Tests every shipped library adapter must pass, written once and run per adapter.

Each adapter's test module subclasses :class:`AdapterContractTests` and sets ``adapter``.
Expected values come from ``gradspec.reference`` (activations, layer), from derivations by
hand written out in each test (graphs), or from central differences in float64.

Tolerances, measured against the reference on 200,001 points of [-20, 20] (see FINDINGS.md):

* activation values: at most 3.5 eps relative error in either library, so ``8 eps``
  relative;
* derivatives: the libraries form them as s (1 - s), 1 - t^2 and s + z s (1 - s), whose
  rounding error is *absolute*, a few eps of the largest term (1, or |z| for swish'), while
  the result itself can be tiny (sigmoid'(20) ~ 2e-9): the relative error reaches 1e15 eps in
  the tails. So derivatives get ``8 eps`` relative plus ``8 eps max(1, |z|)`` absolute
  (measured worst: 3.5 eps max(1, |z|)). The tails are the suite's business, not the adapter's.
* layer results: the textbook bound for a sum of k products, ``(k + 2) eps`` times the sum of
  the products' magnitudes, plus ``(k + 2) tiny`` for underflow (XLA flushes subnormals).
"""

from __future__ import annotations

import itertools
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradspec.reference as reference
from gradspec.conformance.adapters._graph import evaluate
from gradspec.reference import _backprop as reference_graphs
from gradspec.reference._graph import check_graph

ACTIVATIONS = ("sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "swish")
ELEMENTWISE = ACTIVATIONS + tuple(f"{a}_derivative" for a in ACTIVATIONS)
DTYPES = (np.float32, np.float64)

#: Where each activation has a kink: its derivative there is only checked by test_kinks.
KINKS = {"relu": (0.0,), "leaky_relu": (0.0,), "hardtanh": (-1.0, 1.0)}

#: The same Hypothesis test methods run once per adapter subclass. Hypothesis warns that a
#: method called from several classes could replay examples across them from its database;
#: the test profile has no database and every run is derandomized, so the warning is moot.
SHARED_TEST = [*settings.default.suppress_health_check, HealthCheck.differing_executors]


def moderate_arrays(dtype: type, *, avoid: tuple[float, ...] = ()) -> st.SearchStrategy:
    """Arrays of 0 to 2 dims (sides 0 to 4) with finite elements in [-20, 20].

    Subnormal elements are left out: XLA on CPU flushes them to zero (FINDINGS.md), which
    the suite judges; here it would only hide whether the adapter converts correctly.
    """
    width = 32 if dtype == np.float32 else 64
    elements = st.floats(-20, 20, width=width, allow_subnormal=False)
    if avoid:
        elements = elements.filter(lambda v: v not in avoid)
    return hnp.arrays(
        dtype, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4), elements=elements
    )


def assert_close(actual: Any, expected: np.ndarray, *, rtol: float, atol: Any = 0.0) -> None:
    """Same shape and dtype as ``expected``, and |actual - expected| <= rtol |expected| + atol."""
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"shape {actual.shape}, expected {expected.shape}"
    assert actual.dtype == expected.dtype, f"dtype {actual.dtype}, expected {expected.dtype}"
    error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bound = rtol * np.abs(expected.astype(np.float64)) + atol
    worst = np.unravel_index(np.argmax(error - bound), error.shape) if error.size else ()
    assert np.all(error <= bound), (
        f"at {worst}: got {actual[worst]!r}, expected {expected[worst]!r}, "
        f"error {error[worst]:.3g} > bound {bound if np.ndim(bound) == 0 else bound[worst]:.3g}"
    )


def contract_example(negative_slope: float = 0.1) -> dict[str, Any]:
    """The contract's example graph, s = u . leaky_relu(W x + b), nodes out of order."""
    return {
        "inputs": ["W", "x", "b", "u"],
        "nodes": [
            {"name": "s", "op": "dot", "args": ["u", "a"]},
            {"name": "z", "op": "linear", "args": ["W", "x", "b"]},
            {"name": "a", "op": "leaky_relu", "args": ["z"], "negative_slope": negative_slope},
        ],
        "output": "s",
    }


def every_op_graph() -> dict[str, Any]:
    """A graph using every op, with fan-out, ending in a scalar."""
    nodes = [
        ("h", "matmul", ["A", "v"]),
        ("z", "linear", ["W", "h", "b"]),
        ("p", "tanh", ["z"]),
        ("q", "sigmoid", ["h"]),
        ("r", "mul", ["p", "q"]),
        ("c", "hardtanh", ["h"]),
        ("t", "add", ["r", "c"]),
        ("t1", "relu", ["t"]),
        ("t2", "swish", ["t"]),
        ("t3", "leaky_relu", ["t"]),
        ("m", "matmul", ["M", "t1"]),
        ("d", "dot", ["t2", "t3"]),
        ("sm", "sum", ["m"]),
        ("AB", "matmul", ["A", "B"]),
        ("sab", "sum", ["AB"]),
        ("s1", "add", ["d", "sm"]),
        ("s", "add", ["s1", "sab"]),
    ]
    return {
        "inputs": ["A", "v", "W", "b", "M", "B"],
        "nodes": [{"name": n, "op": o, "args": a} for n, o, a in nodes],
        "output": "s",
    }


def every_op_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    shapes = {"A": (3, 4), "v": (4,), "W": (3, 3), "b": (3,), "M": (2, 3), "B": (4, 2)}
    return {name: rng.standard_normal(shape) for name, shape in shapes.items()}


def central_differences(f, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """d f / d inputs[name], one element at a time, in float64.

    Step h = eps^(1/3) max(1, |x|) (balances truncation h^2 f''' / 6 against rounding
    eps |f| / h), and the step actually taken, (x + h) - x, is the one divided by.
    """
    gradients = {}
    for name, array in inputs.items():
        gradient = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            x = array[index]
            h = np.finfo(np.float64).eps ** (1 / 3) * max(1.0, abs(x))
            plus, minus = dict(inputs), dict(inputs)
            plus[name], minus[name] = array.copy(), array.copy()
            plus[name][index], minus[name][index] = x + h, x - h
            taken = plus[name][index] - minus[name][index]
            gradient[index] = (f(plus) - f(minus)) / taken
        gradients[name] = gradient
    return gradients


def _node(name: str, op: str, *args: str) -> dict[str, Any]:
    return {"name": name, "op": op, "args": list(args)}


_X3 = {"x": np.ones(3)}

#: Graphs the contract says must be rejected: (nodes, inputs, a word the message must contain).
#: Every one outputs "s" and has an input "x". The broadcasting cases matter: torch.add and
#: jnp.add would accept them, so the adapter itself must check shapes.
BAD_GRAPHS: dict[str, tuple[list[dict[str, Any]], dict[str, np.ndarray], str]] = {
    "cycle": (
        [_node("p", "add", "x", "q"), _node("q", "tanh", "p"), _node("s", "sum", "q")],
        _X3,
        "cycle",
    ),
    "self-loop": ([_node("p", "tanh", "p"), _node("s", "sum", "p")], _X3, "cycle"),
    "unknown op": ([_node("p", "softmax", "x"), _node("s", "sum", "p")], _X3, "unknown op"),
    "dangling": (
        [_node("p", "tanh", "y"), _node("s", "sum", "p")],
        _X3,
        "neither a graph input nor a node",
    ),
    "duplicate node": (
        [_node("p", "tanh", "x"), _node("p", "relu", "x"), _node("s", "sum", "p")],
        _X3,
        "two nodes are named",
    ),
    "node named as input": (
        [_node("x", "tanh", "x"), _node("s", "sum", "x")],
        _X3,
        "name of a graph input",
    ),
    "wrong arity": ([_node("p", "add", "x"), _node("s", "sum", "p")], _X3, "expected 2 args"),
    "add mismatch": (
        [_node("p", "add", "x", "y"), _node("s", "sum", "p")],
        {"x": np.ones(3), "y": np.ones(2)},
        "shape",
    ),
    "add broadcast": (
        [_node("p", "add", "x", "y"), _node("s", "sum", "p")],
        {"x": np.ones(3), "y": np.ones(1)},
        "shape",
    ),
    "mul broadcast": (
        [_node("p", "mul", "x", "y"), _node("s", "sum", "p")],
        {"x": np.ones(3), "y": np.ones(())},
        "shape",
    ),
    "dot of matrices": ([_node("s", "dot", "x", "x")], {"x": np.ones((2, 2))}, "shape"),
    "dot mismatch": ([_node("s", "dot", "x", "y")], {"x": np.ones(3), "y": np.ones(2)}, "shape"),
    "matmul mismatch": (
        [_node("p", "matmul", "A", "x"), _node("s", "sum", "p")],
        {"A": np.ones((2, 2)), "x": np.ones(3)},
        "shape",
    ),
    "linear bias": (
        [_node("p", "linear", "W", "x", "b"), _node("s", "sum", "p")],
        {"W": np.ones((2, 3)), "x": np.ones(3), "b": np.ones(3)},
        "shape",
    ),
    "linear batch": (
        [_node("p", "linear", "W", "x", "b"), _node("s", "sum", "p")],
        {"W": np.ones((2, 3)), "x": np.ones((4, 3)), "b": np.ones(2)},
        "shape",
    ),
    "mixed dtypes": (
        [_node("p", "add", "x", "y"), _node("s", "sum", "p")],
        {"x": np.ones(3), "y": np.ones(3, np.float32)},
        "dtype",
    ),
    "negative slope": (
        [{**_node("p", "leaky_relu", "x"), "negative_slope": -1.0}, _node("s", "sum", "p")],
        _X3,
        "negative_slope",
    ),
}


#: A NumPy op per graph op, from the reference, to see the values feeding each kink.
_NUMPY_OPS = {
    "linear": reference.linear,
    "matmul": np.matmul,
    "add": np.add,
    "mul": np.multiply,
    "dot": np.dot,
    "sum": np.sum,
    **{name: getattr(reference, name) for name in ACTIVATIONS},
}


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A random DAG over vectors of one length n, ending in a sum or a dot, nodes shuffled.

    Each node applies a random op to earlier values (so values fan out); linear and matmul
    bring fresh weight inputs. Values come from a seeded NumPy generator (normal, so no
    input lands on a kink).
    """
    n = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    inputs = {"v": rng.standard_normal(n)}
    vectors, nodes = ["v"], []
    unary = ["tanh", "sigmoid", "hardtanh", "relu", "leaky_relu", "swish"]
    for i in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from([*unary, "add", "mul", "linear", "matmul"]))
        node: dict[str, Any] = {"name": f"n{i}", "op": op}
        a = draw(st.sampled_from(vectors))
        if op in ("add", "mul"):
            node["args"] = [a, draw(st.sampled_from(vectors))]
        elif op == "linear":
            inputs[f"W{i}"], inputs[f"b{i}"] = rng.standard_normal((n, n)), rng.standard_normal(n)
            node["args"] = [f"W{i}", a, f"b{i}"]
        elif op == "matmul":
            inputs[f"A{i}"] = rng.standard_normal((n, n))
            node["args"] = [f"A{i}", a]
        else:
            node["args"] = [a]
            if op == "leaky_relu":
                node["negative_slope"] = draw(st.sampled_from([0.01, 0.2]))
        nodes.append(node)
        vectors.append(node["name"])
    if draw(st.booleans()):
        nodes.append({"name": "s", "op": "sum", "args": [vectors[-1]]})
    else:
        inputs["u"] = rng.standard_normal(n)
        nodes.append({"name": "s", "op": "dot", "args": ["u", vectors[-1]]})
    graph = {"inputs": list(inputs), "nodes": draw(st.permutations(nodes)), "output": "s"}
    return graph, inputs


def hits_a_kink(graph: dict[str, Any], inputs: dict[str, np.ndarray]) -> bool:
    """Whether some relu, leaky_relu or hardtanh node gets an argument exactly at its kink.

    relu(...) = 0 fed into another kinked op is common; there the libraries may pick another
    (valid) derivative than the reference, which is the suite's business, not this test's.
    """
    plan = check_graph(graph, inputs, func="test")
    values = evaluate(plan, plan.arrays, _NUMPY_OPS)
    for node in plan.order:
        if node.op_name in KINKS and np.isin(values[node.args[0]], KINKS[node.op_name]).any():
            return True
    return False


class AdapterContractTests:
    """The contract's members, checked on one adapter (set ``adapter`` in a subclass)."""

    adapter: ClassVar[ModuleType]

    #: Tests that fail because of a defect of the library itself, not of the adapter, by
    #: test id (``"test_x[param-float32]"``), with the reason. They are marked strict xfail:
    #: if the library is fixed, the test passes and the xfail fails, so the list stays true.
    #: Each defect is reproduced without gradspec by ``benchmarks/scoreboard_repro.py``.
    library_defects: ClassVar[dict[str, str]] = {}

    @pytest.fixture(autouse=True)
    def _mark_library_defects(self, request: pytest.FixtureRequest) -> None:
        reason = self.library_defects.get(request.node.name)
        if reason is not None:
            request.applymarker(pytest.mark.xfail(reason=reason, strict=True))

    # -- activations ---------------------------------------------------------------------

    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("member", ELEMENTWISE)
    @settings(max_examples=25, suppress_health_check=SHARED_TEST)
    @given(data=st.data())
    def test_elementwise_matches_reference(self, member, dtype, data):
        activation = member.removesuffix("_derivative")
        derivative = member != activation
        z = data.draw(moderate_arrays(dtype, avoid=KINKS.get(activation, ()) if derivative else ()))
        kwargs = {}
        if activation == "leaky_relu":
            kwargs["negative_slope"] = data.draw(st.sampled_from([0.01, 0.0, 0.2, 1.0, 3.0]))
        before = z.copy()
        actual = getattr(self.adapter, member)(z, **kwargs)
        expected = getattr(reference, member)(z, **kwargs)
        np.testing.assert_array_equal(z, before, err_msg=f"{member} modified its input")
        eps = np.finfo(dtype).eps
        atol = 8 * eps * np.maximum(1.0, np.abs(z.astype(np.float64))) if derivative else 0.0
        assert_close(actual, expected, rtol=8 * eps, atol=atol)

    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("activation", sorted(KINKS))
    def test_kinks_give_a_value_between_the_one_sided_derivatives(self, activation, dtype):
        slopes = {"relu": (0.0, 1.0), "leaky_relu": (0.3, 1.0)}
        for kink in KINKS[activation]:
            z = np.array([kink, kink], dtype=dtype)
            if activation == "hardtanh":
                result = self.adapter.hardtanh_derivative(z)
                low, high = 0.0, 1.0
            elif activation == "leaky_relu":
                result = self.adapter.leaky_relu_derivative(z, negative_slope=0.3)
                low, high = slopes[activation]
            else:
                result = self.adapter.relu_derivative(z)
                low, high = slopes[activation]
            result = np.asarray(result)
            assert result.dtype == dtype
            assert np.all((low <= result) & (result <= high)), f"{activation}'({kink}) = {result}"

    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("activation", ACTIVATIONS)
    def test_nan_passes_through_activations(self, activation, dtype):
        z = np.array([np.nan, 1.0, np.nan], dtype=dtype)
        result = np.asarray(getattr(self.adapter, activation)(z))
        assert result.dtype == dtype
        assert np.isnan(result[0]) and np.isnan(result[2]) and not np.isnan(result[1])

    def test_declares_both_dtypes_and_a_name(self):
        assert tuple(self.adapter.dtypes) == ("float32", "float64")
        assert isinstance(self.adapter.name, str) and self.adapter.name

    # -- linear layer --------------------------------------------------------------------

    @pytest.mark.parametrize("dtype", DTYPES)
    @settings(max_examples=40, suppress_health_check=SHARED_TEST)
    @given(data=st.data())
    def test_linear_and_backward_match_reference(self, dtype, data):
        m, n = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
        batch = data.draw(st.sampled_from([None, 0, 1, 3]))
        x_shape = (n,) if batch is None else (batch, n)
        z_shape = (m,) if batch is None else (batch, m)
        elements = st.floats(-10, 10, width=32 if dtype == np.float32 else 64)
        W, x, b, g = (
            data.draw(hnp.arrays(dtype, shape, elements=elements))
            for shape in ((m, n), x_shape, (m,), z_shape)
        )
        before = [a.copy() for a in (W, x, b, g)]
        eps = np.finfo(dtype).eps
        rows = 1 if batch is None else batch

        z = self.adapter.linear(W, x, b)
        # Underflow adds up to `tiny` (the smallest normal) per operation: XLA on CPU flushes
        # subnormal inputs and results to zero.
        tiny = np.finfo(dtype).tiny
        bound_z = (n + 2) * (eps * (np.abs(x) @ np.abs(W).T + np.abs(b)) + tiny)
        assert_close(z, reference.linear(W, x, b), rtol=0.0, atol=bound_z)

        grad_W, grad_x, grad_b = self.adapter.linear_backward(W, x, b, g)
        want_W, want_x, want_b = reference.linear_backward(W, x, b, g)
        g2, x2 = np.atleast_2d(np.abs(g)), np.atleast_2d(np.abs(x))
        k_batch, k_rows = rows + 2, m + 2
        assert_close(grad_W, want_W, rtol=0.0, atol=k_batch * (eps * (g2.T @ x2) + tiny))
        assert_close(grad_x, want_x, rtol=0.0, atol=k_rows * (eps * (np.abs(g) @ np.abs(W)) + tiny))
        assert_close(grad_b, want_b, rtol=0.0, atol=k_batch * (eps * g2.sum(axis=0) + tiny))
        for array, copy in zip((W, x, b, g), before, strict=True):
            np.testing.assert_array_equal(array, copy, err_msg="an input was modified")

    # -- graphs: hand-derived values -----------------------------------------------------

    def test_contract_example_graph(self):
        rng = np.random.default_rng(1)
        W, x, b, u = (
            rng.standard_normal((3, 2)),
            rng.standard_normal(2),
            rng.standard_normal(3),
            rng.standard_normal(3),
        )
        inputs = {"W": W, "x": x, "b": b, "u": u}
        copies = {k: v.copy() for k, v in inputs.items()}
        # By hand: z = W x + b, a = leaky(z), s = u . a; ds/da = u, da/dz = 1 or 0.1,
        # ds/dz = u da/dz, then the layer: dW = outer(ds/dz, x), dx = W^T ds/dz, db = ds/dz.
        z = W @ x + b
        a = np.where(z > 0, z, 0.1 * z)
        grad_z = u * np.where(z > 0, 1.0, 0.1)
        expected = {"W": np.outer(grad_z, x), "x": W.T @ grad_z, "b": grad_z, "u": a}

        output, gradients = self.adapter.backprop(contract_example(), inputs)
        assert_close(output, np.asarray(u @ a), rtol=1e-13)
        assert set(gradients) == set(inputs)
        for name, want in expected.items():
            assert_close(gradients[name], want, rtol=1e-13, atol=1e-15)
        for name in inputs:
            np.testing.assert_array_equal(inputs[name], copies[name], err_msg=f"{name} modified")

    def test_shuffled_node_order_gives_the_same_result(self):
        rng = np.random.default_rng(2)
        inputs = {
            "W": rng.standard_normal((4, 3)),
            "x": rng.standard_normal(3),
            "b": rng.standard_normal(4),
            "u": rng.standard_normal(4),
        }
        graph = contract_example()
        first_output, first_gradients = self.adapter.backprop(graph, inputs)
        for order in itertools.permutations(graph["nodes"]):
            output, gradients = self.adapter.backprop({**graph, "nodes": list(order)}, inputs)
            np.testing.assert_array_equal(output, first_output)
            for name in inputs:
                np.testing.assert_array_equal(gradients[name], first_gradients[name])

    def test_fan_out_accumulates(self):
        # b = a + a, c = b + b, s = sum(c) = 4 sum(a): every use adds, so ds/da = 4.
        graph = {
            "inputs": ["a"],
            "nodes": [
                {"name": "c", "op": "add", "args": ["b", "b"]},
                {"name": "s", "op": "sum", "args": ["c"]},
                {"name": "b", "op": "add", "args": ["a", "a"]},
            ],
            "output": "s",
        }
        a = np.array([0.5, -2.0, 3.0])
        output, gradients = self.adapter.backprop(graph, {"a": a})
        assert_close(output, np.asarray(4 * a.sum()), rtol=0.0)
        assert_close(gradients["a"], np.full(3, 4.0), rtol=0.0)
        jac = self.adapter.jacobian({**graph, "output": "c"}, {"a": a}, "a")
        assert_close(jac, 4 * np.eye(3), rtol=0.0)

    def test_linear_node_jacobians(self):
        # z = W x + b: dz_i/dW_jk = [i = j] x_k, so J_W = kron(I_m, x^T); J_x = W; J_b = I.
        graph = {
            "inputs": ["W", "x", "b"],
            "nodes": [{"name": "z", "op": "linear", "args": ["W", "x", "b"]}],
            "output": "z",
        }
        rng = np.random.default_rng(3)
        inputs = {
            "W": rng.standard_normal((2, 3)),
            "x": rng.standard_normal(3),
            "b": rng.standard_normal(2),
        }
        expected = {"W": np.kron(np.eye(2), inputs["x"][None, :]), "x": inputs["W"], "b": np.eye(2)}
        for wrt, want in expected.items():
            assert_close(self.adapter.jacobian(graph, inputs, wrt), want, rtol=0.0)

    @pytest.mark.parametrize("activation", ACTIVATIONS)
    def test_activation_jacobian_is_the_diagonal_of_the_derivative(self, activation):
        graph = {
            "inputs": ["v"],
            "nodes": [{"name": "y", "op": activation, "args": ["v"]}],
            "output": "y",
        }
        v = np.array([-2.5, -0.5, 0.25, 0.75, 3.0])
        jac = np.asarray(self.adapter.jacobian(graph, {"v": v}, "v"))
        assert jac.shape == (5, 5)
        off_diagonal = jac[~np.eye(5, dtype=bool)]
        np.testing.assert_array_equal(off_diagonal, 0.0)
        derivative = getattr(self.adapter, f"{activation}_derivative")(v)
        # The member and the Jacobian may be computed by different code paths (JAX: jitted
        # vs eager), so they agree to rounding, not bitwise.
        eps = np.finfo(np.float64).eps
        assert_close(np.diag(jac).copy(), np.asarray(derivative), rtol=8 * eps, atol=8 * eps)

    # -- graphs: every op, against finite differences ------------------------------------

    def test_every_op_graph_matches_finite_differences(self):
        graph = every_op_graph()
        inputs = every_op_inputs(np.random.default_rng(4))
        output, gradients = self.adapter.backprop(graph, inputs)

        def f(values):
            return float(self.adapter.backprop(graph, values)[0])

        assert float(output) == f(inputs)
        numeric = central_differences(f, inputs)
        for name, want in numeric.items():
            assert_close(gradients[name], want, rtol=1e-6, atol=1e-8)
            # A scalar output's Jacobian row, reshaped, is the shape-convention gradient.
            row = np.asarray(self.adapter.jacobian(graph, inputs, name))
            assert row.shape == (1, inputs[name].size)
            assert_close(
                row.reshape(inputs[name].shape), np.asarray(gradients[name]), rtol=1e-14, atol=1e-15
            )

    @settings(max_examples=20, suppress_health_check=SHARED_TEST)
    @given(problem=random_graphs())
    def test_random_graphs_match_the_reference_engine(self, problem):
        graph, inputs = problem
        assume(not hits_a_kink(graph, inputs))
        output, gradients = self.adapter.backprop(graph, inputs)
        want_output, want_gradients = reference_graphs.backprop(graph, inputs)

        def close(actual, expected):
            # Sums in another order: relative to the largest entry, not to each entry.
            scale = 1.0 + np.max(np.abs(expected), initial=0.0)
            assert_close(actual, expected, rtol=1e-12, atol=1e-12 * scale)

        close(output, want_output)
        for name in inputs:
            close(gradients[name], want_gradients[name])
        last = next(n["args"][-1] for n in graph["nodes"] if n["name"] == "s")
        vector_graph = {**graph, "output": last}
        close(
            self.adapter.jacobian(vector_graph, inputs, "v"),
            reference_graphs.jacobian(vector_graph, inputs, "v"),
        )

    @pytest.mark.parametrize("dtype", DTYPES)
    def test_graph_results_keep_the_dtype(self, dtype):
        rng = np.random.default_rng(5)
        inputs = {k: v.astype(dtype) for k, v in every_op_inputs(rng).items()}
        output, gradients = self.adapter.backprop(every_op_graph(), inputs)
        assert np.asarray(output).dtype == dtype and np.asarray(output).shape == ()
        for name, array in inputs.items():
            assert np.asarray(gradients[name]).dtype == dtype
            assert np.asarray(gradients[name]).shape == array.shape
        jac = np.asarray(self.adapter.jacobian({**every_op_graph(), "output": "t"}, inputs, "A"))
        assert jac.dtype == dtype and jac.shape == (3, 12)

    def test_scalar_and_empty_inputs(self):
        # s = c * c for a 0-d c: ds/dc = 2c. sum(tanh(e)) of an empty e: 0, gradient empty.
        graph = {
            "inputs": ["c", "e"],
            "nodes": [
                {"name": "cc", "op": "mul", "args": ["c", "c"]},
                {"name": "te", "op": "tanh", "args": ["e"]},
                {"name": "se", "op": "sum", "args": ["te"]},
                {"name": "s", "op": "add", "args": ["cc", "se"]},
            ],
            "output": "s",
        }
        inputs = {"c": np.array(1.5), "e": np.zeros(0)}
        output, gradients = self.adapter.backprop(graph, inputs)
        assert_close(output, np.asarray(2.25), rtol=0.0)
        assert_close(gradients["c"], np.asarray(3.0), rtol=0.0)
        assert_close(gradients["e"], np.zeros(0), rtol=0.0)
        assert_close(self.adapter.jacobian(graph, inputs, "c"), np.array([[3.0]]), rtol=0.0)
        assert_close(self.adapter.jacobian(graph, inputs, "e"), np.zeros((1, 0)), rtol=0.0)
        assert_close(
            self.adapter.jacobian({**graph, "output": "te"}, inputs, "e"),
            np.zeros((0, 0)),
            rtol=0.0,
        )

    def test_an_unused_input_gets_a_zero_gradient(self):
        graph = {
            "inputs": ["a", "unused"],
            "nodes": [{"name": "s", "op": "sum", "args": ["a"]}],
            "output": "s",
        }
        _, gradients = self.adapter.backprop(graph, {"a": np.ones(2), "unused": np.ones((2, 2))})
        assert_close(gradients["unused"], np.zeros((2, 2)), rtol=0.0)

    # -- graphs: rejected ----------------------------------------------------------------

    @pytest.mark.parametrize("case", sorted(BAD_GRAPHS))
    def test_bad_graph_is_rejected(self, case):
        nodes, inputs, message = BAD_GRAPHS[case]
        graph = {"inputs": list(inputs), "nodes": nodes, "output": "s"}
        for run in (
            lambda: self.adapter.backprop(graph, inputs),
            lambda: self.adapter.jacobian(graph, inputs, "x"),
        ):
            with pytest.raises(Exception, match=message):
                run()

    def test_missing_or_extra_input_arrays_are_rejected(self):
        graph = {"inputs": ["x", "y"], "nodes": [_node("s", "dot", "x", "y")], "output": "s"}
        with pytest.raises(Exception, match="no array given"):
            self.adapter.backprop(graph, {"x": np.ones(3)})
        with pytest.raises(Exception, match="not graph inputs"):
            self.adapter.backprop(graph, {"x": np.ones(3), "y": np.ones(3), "z": np.ones(3)})

    def test_backprop_rejects_a_vector_output_and_jacobian_an_unknown_wrt(self):
        graph = {
            "inputs": ["x"],
            "nodes": [{"name": "s", "op": "tanh", "args": ["x"]}],
            "output": "s",
        }
        with pytest.raises(Exception, match="scalar"):
            self.adapter.backprop(graph, {"x": np.ones(3)})
        with pytest.raises(Exception, match="wrt"):
            self.adapter.jacobian(graph, {"x": np.ones(3)}, "y")
