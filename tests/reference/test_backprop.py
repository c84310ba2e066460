"""backprop and jacobian on random graphs, checked against central differences.

The truth here is independent of the engine: a small evaluator in this file computes every op
with its own NumPy formula, and a central-difference Jacobian of that evaluator is what the
engine's gradients are compared with.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradspec import reference
from gradspec.reference import oracle
from gradspec.reference._backprop import _forward, backprop, jacobian
from gradspec.reference._graph import check_graph

ELEMENTWISE = ("sigmoid", "tanh", "hardtanh", "relu", "swish", "leaky_relu")
ALL_OPS = ("linear", "matmul", "add", "mul", "dot", "sum", *ELEMENTWISE)


# --- an independent evaluator ----------------------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(z / 2))  # an identity that cannot overflow


LOCAL: dict[str, Callable[..., np.ndarray]] = {
    "linear": lambda W, x, b, **_: W @ x + b,
    "matmul": lambda A, B, **_: A @ B,
    "add": lambda a, b, **_: a + b,
    "mul": lambda a, b, **_: a * b,
    "dot": lambda u, h, **_: np.sum(u * h),
    "sum": lambda a, **_: np.sum(a),
    "sigmoid": lambda a, **_: _sigmoid(a),
    "tanh": lambda a, **_: np.tanh(a),
    "hardtanh": lambda a, **_: np.minimum(np.maximum(a, -1.0), 1.0),
    "relu": lambda a, **_: np.maximum(a, 0.0),
    "swish": lambda a, **_: a * _sigmoid(a),
    "leaky_relu": lambda a, negative_slope=0.01: np.where(a > 0, a, negative_slope * a),
}


def evaluate(graph: dict, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every value of the graph, evaluating whatever node is ready until all are done."""
    values = dict(inputs)
    pending = list(graph["nodes"])
    while pending:
        ready = [node for node in pending if all(arg in values for arg in node["args"])]
        for node in ready:
            attributes = {k: v for k, v in node.items() if k not in ("name", "op", "args")}
            args = [values[arg] for arg in node["args"]]
            values[node["name"]] = np.asarray(LOCAL[node["op"]](*args, **attributes))
        pending = [node for node in pending if node not in ready]
    return values


def branches(graph: dict, values: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Which side of its kink every argument element of relu, leaky_relu and hardtanh is on."""
    sides = []
    for node in graph["nodes"]:
        a = values[node["args"][0]]
        if node["op"] in ("relu", "leaky_relu"):
            sides.append(a > 0)
        elif node["op"] == "hardtanh":
            sides.append(np.sign(a + 1) + np.sign(a - 1))
    return sides


def fd_jacobian(graph: dict, inputs: dict[str, np.ndarray], wrt: str) -> np.ndarray:
    """Central-difference Jacobian of the output w.r.t. ``wrt``, shape (out.size, wrt.size).

    Step h_j = eps^(1/3) max(1, |x_j|), which balances the O(h^2) truncation error against
    the O(eps / h) rounding error; the step actually taken, (x + h) - (x - h), is the divisor.
    A column whose perturbation moves any kink argument to the other side of its kink is NaN:
    there the function is not smooth and no finite difference is a derivative.
    """
    base = evaluate(graph, inputs)
    base_sides = branches(graph, base)
    x = inputs[wrt]
    out_size = base[graph["output"]].size
    result = np.full((out_size, x.size), np.nan)
    for j in range(x.size):
        h = np.finfo(np.float64).eps ** (1 / 3) * max(1.0, abs(x.flat[j]))
        plus, minus = x.copy(), x.copy()
        plus.flat[j] += h
        minus.flat[j] -= h
        sides_kept = True
        outputs = []
        for point in (plus, minus):
            values = evaluate(graph, {**inputs, wrt: point})
            sides = branches(graph, values)
            sides_kept &= all(np.array_equal(s, t) for s, t in zip(sides, base_sides, strict=True))
            outputs.append(values[graph["output"]].ravel())
        if sides_kept:
            result[:, j] = (outputs[0] - outputs[1]) / (plus.flat[j] - minus.flat[j])
    return result


def assert_close_to_fd(analytic: np.ndarray, numeric: np.ndarray, scale: float) -> None:
    smooth = ~np.isnan(numeric)
    np.testing.assert_allclose(analytic[smooth], numeric[smooth], rtol=1e-6, atol=1e-7 * scale)


# --- random graphs ---------------------------------------------------------------------------


@st.composite
def dags(draw: st.DrawFn, *, max_nodes: int = 7) -> tuple[dict, dict[str, np.ndarray]]:
    """A random graph over every op, with fan-out, listed in random order, and its inputs.

    Each node draws an op, then for each argument either reuses an existing value of a fitting
    shape (fan-out, including ``add(a, a)``) or creates a new input of that shape. Every value
    that no node uses is summed into the scalar output, so every node and input reaches it.
    Input elements lie in [-2, 2]; dimensions are 1 to 3.
    """
    shapes: dict[str, tuple[int, ...]] = {}
    input_names: list[str] = []
    dims = st.integers(1, 3)

    def pick(fits: Callable[[tuple[int, ...]], bool], make: Callable[[], tuple[int, ...]]) -> str:
        candidates = [name for name, shape in shapes.items() if fits(shape)]
        if candidates and draw(st.booleans()):
            return draw(st.sampled_from(candidates))
        name = f"x{len(input_names)}"
        shapes[name] = make()
        input_names.append(name)
        return name

    def any_shape() -> tuple[int, ...]:
        return tuple(draw(st.lists(dims, max_size=2)))

    nodes: list[dict[str, Any]] = []
    for k in range(draw(st.integers(1, max_nodes))):
        op = draw(st.sampled_from(ALL_OPS))
        if op in ("linear", "matmul"):
            first = pick(lambda s: len(s) == 2, lambda: (draw(dims), draw(dims)))
            m, n = shapes[first]
            if op == "linear":
                x = pick(lambda s, n=n: s == (n,), lambda n=n: (n,))
                args = [first, x, pick(lambda s, m=m: s == (m,), lambda m=m: (m,))]
            else:
                fits = lambda s, n=n: len(s) in (1, 2) and s[0] == n  # noqa: E731
                args = [first, pick(fits, lambda n=n: (n, draw(dims)))]
        elif op in ("add", "mul", "dot"):
            if op == "dot":
                first = pick(lambda s: len(s) == 1, lambda: (draw(dims),))
            else:
                first = pick(lambda s: True, any_shape)
            want = shapes[first]
            args = [first, pick(lambda s, want=want: s == want, lambda want=want: want)]
        else:  # one argument of any shape
            args = [pick(lambda s: True, any_shape)]
        node: dict[str, Any] = {"name": f"n{k}", "op": op, "args": args}
        if op == "leaky_relu":
            slope = draw(st.sampled_from([None, 0.0, 0.1, 0.5, 2.0]))
            if slope is not None:
                node["negative_slope"] = slope
        nodes.append(node)
        shapes[node["name"]] = _shape_of(op, [shapes[a] for a in args])

    used = {arg for node in nodes for arg in node["args"]}
    total = None
    for node in list(nodes):
        if node["name"] in used:
            continue
        name = node["name"]
        if shapes[name] != ():
            nodes.append({"name": f"sum_{name}", "op": "sum", "args": [name]})
            name = f"sum_{name}"
        if total is not None:
            nodes.append({"name": f"total_{name}", "op": "add", "args": [total, name]})
            name = f"total_{name}"
        total = name

    elements = st.floats(-2, 2, allow_nan=False, width=64)
    inputs = {
        name: draw(hnp.arrays(np.float64, shapes[name], elements=elements)) for name in input_names
    }
    graph = {"inputs": input_names, "nodes": draw(st.permutations(nodes)), "output": total}
    return graph, inputs


def _shape_of(op: str, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    if op in ("dot", "sum"):
        return ()
    if op == "linear":
        return shapes[0][:1]
    if op == "matmul":
        return shapes[0][:1] + shapes[1][1:]
    return shapes[0]


def scale_of(values: np.ndarray) -> float:
    return max(1.0, float(np.max(np.abs(values), initial=0.0)))


# --- properties ------------------------------------------------------------------------------


@given(dags())
def test_backprop_matches_central_differences(problem):
    graph, inputs = problem
    output, gradients = backprop(graph, inputs)
    expected_output = evaluate(graph, inputs)[graph["output"]]
    assert output.shape == () and output.dtype == np.float64
    np.testing.assert_allclose(output, expected_output, rtol=1e-12, atol=1e-12)
    assert list(gradients) == graph["inputs"]
    for name, x in inputs.items():
        assert gradients[name].shape == x.shape and gradients[name].dtype == x.dtype
        numeric = fd_jacobian(graph, inputs, name).reshape(x.shape)
        assert_close_to_fd(gradients[name], numeric, scale_of(expected_output))


@given(dags(), st.data())
def test_jacobian_of_any_node_matches_central_differences(problem, data):
    graph, inputs = problem
    graph = {**graph, "output": data.draw(st.sampled_from([n["name"] for n in graph["nodes"]]))}
    wrt = data.draw(st.sampled_from(graph["inputs"]))
    J = jacobian(graph, inputs, wrt)
    output = evaluate(graph, inputs)[graph["output"]]
    assert J.shape == (output.size, inputs[wrt].size) and J.dtype == np.float64
    assert_close_to_fd(J, fd_jacobian(graph, inputs, wrt), scale_of(output))


@given(dags(), st.data())
def test_node_order_does_not_change_any_bit(problem, data):
    graph, inputs = problem
    shuffled = {**graph, "nodes": data.draw(st.permutations(graph["nodes"]))}
    output, gradients = backprop(graph, inputs)
    output2, gradients2 = backprop(shuffled, inputs)
    np.testing.assert_array_equal(output, output2)
    for name in inputs:
        np.testing.assert_array_equal(gradients[name], gradients2[name])
        np.testing.assert_array_equal(
            jacobian(graph, inputs, name), jacobian(shuffled, inputs, name)
        )


@given(dags())
def test_jacobian_rows_of_a_scalar_output_are_the_backprop_gradients(problem):
    graph, inputs = problem
    _, gradients = backprop(graph, inputs)
    for name, x in inputs.items():
        J = jacobian(graph, inputs, name)
        assert J.shape == (1, x.size)
        np.testing.assert_array_equal(J.reshape(x.shape), gradients[name])


@given(dags())
def test_float32_in_float32_out(problem):
    graph, inputs = problem
    inputs32 = {name: x.astype(np.float32) for name, x in inputs.items()}
    output, gradients = backprop(graph, inputs32)
    assert output.dtype == np.float32
    for name, x in inputs32.items():
        assert gradients[name].dtype == np.float32 and gradients[name].shape == x.shape
    for name in inputs:
        assert jacobian(graph, inputs32, name).dtype == np.float32


@given(dags())
def test_inputs_are_not_modified_and_gradients_do_not_share_memory(problem):
    graph, inputs = problem
    copies = {name: x.copy() for name, x in inputs.items()}
    output, gradients = backprop(graph, inputs)
    jacobian(graph, inputs, graph["inputs"][0])
    for name, x in inputs.items():
        np.testing.assert_array_equal(x, copies[name])
    arrays = [output, *gradients.values(), *inputs.values()]
    for i, a in enumerate(arrays):
        for b in arrays[i + 1 :]:
            assert not np.shares_memory(a, b)


def public_function(op: str, suffix: str = "") -> Callable[[np.ndarray], np.ndarray]:
    """The reference's public function for a graph op (``suffix="_derivative"``: its f')."""
    function = getattr(reference, op + suffix)
    if op == "leaky_relu":
        return lambda z: function(z, negative_slope=0.2)
    return function


@pytest.mark.parametrize("op", ELEMENTWISE)
@given(z=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5, width=64)))
def test_jacobian_of_an_elementwise_activation_is_diagonal(op, z):
    node = {"name": "a", "op": op, "args": ["z"]}
    if op == "leaky_relu":
        node["negative_slope"] = 0.2
    J = jacobian({"inputs": ["z"], "nodes": [node], "output": "a"}, {"z": z}, "z")
    np.testing.assert_array_equal(J, np.diag(public_function(op, "_derivative")(z)))


# --- hand-picked cases -----------------------------------------------------------------------


def test_reused_node_gradients_add_up():
    # b = a + a, c = b + b: c = 4a, so dc/da = 4 (an engine that overwrites gets 1 or 2).
    graph = {
        "inputs": ["a"],
        "nodes": [
            {"name": "c", "op": "add", "args": ["b", "b"]},
            {"name": "b", "op": "add", "args": ["a", "a"]},
        ],
        "output": "c",
    }
    output, gradients = backprop(graph, {"a": np.array(1.5)})
    assert output == 6.0
    assert gradients["a"] == 4.0
    np.testing.assert_array_equal(jacobian(graph, {"a": np.array(1.5)}, "a"), [[4.0]])


def test_the_contract_example_against_hand_derived_gradients():
    graph = {
        "inputs": ["W", "x", "b", "u"],
        "nodes": [
            {"name": "s", "op": "dot", "args": ["u", "a"]},
            {"name": "z", "op": "linear", "args": ["W", "x", "b"]},
            {"name": "a", "op": "leaky_relu", "args": ["z"], "negative_slope": 0.1},
        ],
        "output": "s",
    }
    rng = np.random.default_rng(3)
    W, x, b, u = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3), rng.normal(size=3)
    z = W @ x + b
    slope = np.where(z > 0, 1.0, 0.1)
    a = z * slope
    output, g = backprop(graph, {"W": W, "x": x, "b": b, "u": u})
    # s = u . a(z): ds/du = a, ds/dz = u * a'(z), then z = W x + b.
    np.testing.assert_allclose(output, u @ a, rtol=1e-14)
    np.testing.assert_allclose(g["u"], a, rtol=1e-14)
    np.testing.assert_allclose(g["b"], u * slope, rtol=1e-14)
    np.testing.assert_allclose(g["W"], np.outer(u * slope, x), rtol=1e-14)
    np.testing.assert_allclose(g["x"], W.T @ (u * slope), rtol=1e-14)


def test_an_input_the_output_ignores_gets_zeros_of_its_shape():
    graph = {
        "inputs": ["x", "unused"],
        "nodes": [{"name": "s", "op": "sum", "args": ["x"]}],
        "output": "s",
    }
    inputs = {"x": np.ones(3, np.float32), "unused": np.ones((2, 2), np.float32)}
    _, gradients = backprop(graph, inputs)
    np.testing.assert_array_equal(gradients["unused"], np.zeros((2, 2), np.float32))
    assert gradients["unused"].dtype == np.float32
    np.testing.assert_array_equal(jacobian(graph, inputs, "unused"), np.zeros((1, 4)))


def test_an_input_as_the_output():
    inputs = {"x": np.array([[1.0, 2.0], [3.0, 4.0]]), "y": np.ones(2)}
    graph = {"inputs": ["x", "y"], "nodes": [], "output": "x"}
    np.testing.assert_array_equal(jacobian(graph, inputs, "x"), np.eye(4))
    np.testing.assert_array_equal(jacobian(graph, inputs, "y"), np.zeros((4, 2)))


def test_matmul_of_a_matrix_and_a_vector():
    A, v = np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0, 2.0])
    graph = {
        "inputs": ["A", "v"],
        "nodes": [{"name": "y", "op": "matmul", "args": ["A", "v"]}],
        "output": "y",
    }
    # y = A v: dy/dv = A, and dy_i/dA_jk = [i == j] v_k.
    np.testing.assert_array_equal(jacobian(graph, {"A": A, "v": v}, "v"), A)
    np.testing.assert_array_equal(
        jacobian(graph, {"A": A, "v": v}, "A"), np.kron(np.eye(2), v[None, :])
    )


def test_a_chain_of_100000_nodes_needs_no_recursion():
    n = 100_000
    nodes = [{"name": f"a{k}", "op": "tanh", "args": [f"a{k - 1}" if k else "x"]} for k in range(n)]
    nodes.append({"name": "s", "op": "sum", "args": [f"a{n - 1}"]})
    nodes.reverse()  # the worst listing order: every node before the one it uses
    x = np.array([0.5, 0.3])
    output, gradients = backprop({"inputs": ["x"], "nodes": nodes, "output": "s"}, {"x": x})
    # Independently: a_k = tanh(a_{k-1}), and the derivative is the product of tanh'(a_{k-1}).
    values, derivative = [float(v) for v in x], [1.0, 1.0]
    for _ in range(n):
        for i in range(2):
            derivative[i] *= 1 - math.tanh(values[i]) ** 2
            values[i] = math.tanh(values[i])
    np.testing.assert_allclose(output, sum(values), rtol=1e-9)
    np.testing.assert_allclose(gradients["x"], derivative, rtol=1e-9)


def test_a_value_used_ten_thousand_times():
    # a_k = a_{k-1} + x, so a_n = (n + 1) x: x's gradient collects n + 1 contributions.
    n = 10_000
    nodes = [
        {"name": f"a{k}", "op": "add", "args": [f"a{k - 1}" if k else "x", "x"]} for k in range(n)
    ]
    graph = {
        "inputs": ["x"],
        "nodes": [*nodes, {"name": "s", "op": "sum", "args": [f"a{n - 1}"]}],
        "output": "s",
    }
    _, gradients = backprop(graph, {"x": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(gradients["x"], [n + 1, n + 1])


@pytest.mark.parametrize("op", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_engine_computes_activations_and_their_gradients_to_the_oracle_bound(op, dtype):
    # An activation node and its backward rule, against the exact oracle (not against the
    # public functions the engine calls): tails, subnormals, kinks, infinities and NaN.
    info = np.finfo(dtype)
    ordinary = [0.0, -0.0, 1.0, -1.0, 0.5, -1.2785, 30.0, -40.0, 360.0, -724.0, -1e4, 1e4]
    extreme = [info.smallest_subnormal, -info.tiny, info.max, -info.max, np.inf, -np.inf, np.nan]
    z = np.array([*ordinary, *extreme], dtype=dtype)
    node = {"name": "a", "op": op, "args": ["z"]}
    slope = 0.2
    if op == "leaky_relu":
        node["negative_slope"] = slope
    graph = {"inputs": ["z"], "nodes": [node, {"name": "s", "op": "sum", "args": ["a"]}]}
    graph["output"] = "s"
    with np.errstate(all="ignore"):
        values = _forward(check_graph(graph, {"z": z}, func="test"))
        _, gradients = backprop(graph, {"z": z})
    bound = 1.0 if dtype == np.float32 else 4.0
    for name, got in ((op, values["a"]), (f"{op}_derivative", gradients["z"])):
        assert got.dtype == dtype
        scale = "sigmoid" if name == "swish_derivative" else None
        errors = oracle.ulp_error(name, z, got, negative_slope=slope, scale=scale)
        assert errors.max() <= bound, (name, z[np.argmax(errors)], errors.max())
