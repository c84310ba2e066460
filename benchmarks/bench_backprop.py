"""Speed of the reference graph engine (``backprop``) next to hand-written NumPy and PyTorch.

Run from the repository root::

    python benchmarks/bench_backprop.py [--repeats 15]

Two workloads:

1. **MLP**: 4 layers, 512 wide, batch 256, tanh, float64, output the sum of the last layer.
   The contract's ``linear`` op takes one example ``x`` of shape (n,), and ``add`` does not
   broadcast, so each layer is written with ``matmul`` and ``add`` and a bias *matrix*::

       m_k = matmul(h_{k-1}, W_k)    (256, 512) @ (512, 512)
       z_k = add(m_k, B_k)           B_k of shape (256, 512)
       h_k = tanh(z_k)
       s   = sum(h_4)

   Every array (X, W_k, B_k) is a graph input, so backprop returns nine gradients; the NumPy
   and PyTorch versions compute the same nine. Figure of merit: (forward + backward) time
   divided by forward time. Forward for the engine is the graph check plus the forward pass.
   Goal: at most 2.5.
2. **Chain**: 10,000 ``tanh`` nodes on a 2-element vector. Figure of merit: the time of one
   ``backprop`` call (check, forward and backward) per node. Goal: at most 10 us per node.

NumPy and PyTorch each use ``BENCH_THREADS`` BLAS threads (default 1). Timings are medians
over interleaved repetitions (each repetition runs every contestant once,
so a slow spell of the shared machine hits them all alike).
"""

from __future__ import annotations

import os

# BLAS thread pools are sized when NumPy and PyTorch load, so this must come first. One
# thread each by default: two libraries spinning their own pools on a shared 2-core machine
# slow each other down unpredictably. BENCH_THREADS=2 measures both with two threads.
THREADS = os.environ.setdefault("BENCH_THREADS", "1")
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = THREADS

import argparse  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import interleaved_medians  # noqa: E402

from gradspec.reference._backprop import _forward, backprop  # noqa: E402
from gradspec.reference._graph import check_graph  # noqa: E402

torch.set_num_threads(int(THREADS))

LAYERS, WIDTH, BATCH, CHAIN = 4, 512, 256, 10_000


def mlp_problem(seed: int = 0) -> tuple[dict, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(WIDTH)
    inputs = {"X": rng.standard_normal((BATCH, WIDTH))}
    nodes = []
    previous = "X"
    for k in range(1, LAYERS + 1):
        inputs[f"W{k}"] = rng.standard_normal((WIDTH, WIDTH)) * scale
        inputs[f"B{k}"] = rng.standard_normal((BATCH, WIDTH)) * 0.1
        nodes += [
            {"name": f"m{k}", "op": "matmul", "args": [previous, f"W{k}"]},
            {"name": f"z{k}", "op": "add", "args": [f"m{k}", f"B{k}"]},
            {"name": f"h{k}", "op": "tanh", "args": [f"z{k}"]},
        ]
        previous = f"h{k}"
    nodes.append({"name": "s", "op": "sum", "args": [previous]})
    graph = {"inputs": list(inputs), "nodes": nodes, "output": "s"}
    return graph, inputs


def numpy_forward(inputs: dict[str, np.ndarray]) -> tuple[float, list[np.ndarray]]:
    h, hs = inputs["X"], [inputs["X"]]
    for k in range(1, LAYERS + 1):
        h = np.tanh(h @ inputs[f"W{k}"] + inputs[f"B{k}"])
        hs.append(h)
    return float(h.sum()), hs


def numpy_forward_backward(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    _, hs = numpy_forward(inputs)
    grads = {}
    g = np.ones_like(hs[-1])
    for k in range(LAYERS, 0, -1):
        g = g * (1 - hs[k] ** 2)  # tanh' from the output: the cheapest hand-written form
        grads[f"B{k}"] = g
        grads[f"W{k}"] = hs[k - 1].T @ g
        g = g @ inputs[f"W{k}"].T
    grads["X"] = g
    return grads


def backward_matmuls(inputs: dict[str, np.ndarray]) -> Callable[[], None]:
    """The eight matrix products every backward pass of this MLP must do, and nothing else.

    Per layer, dW_k = h_{k-1}^T g_k and dh_{k-1} = g_k W_k^T: each as many flops as the
    forward's h_{k-1} W_k. Their time over the forward time bounds the MLP ratio from below:
    (forward + backward) / forward >= 1 + (these products) / forward, whatever the engine.
    """
    _, hs = numpy_forward(inputs)
    g = np.random.default_rng(1).standard_normal(hs[-1].shape)

    def run() -> None:
        for k in range(LAYERS, 0, -1):
            hs[k - 1].T @ g
            g @ inputs[f"W{k}"].T

    return run


def torch_inputs(inputs: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {name: torch.tensor(a, requires_grad=True) for name, a in inputs.items()}


def torch_forward(t: dict[str, torch.Tensor]) -> torch.Tensor:
    h = t["X"]
    for k in range(1, LAYERS + 1):
        h = torch.tanh(h @ t[f"W{k}"] + t[f"B{k}"])
    return h.sum()


def torch_forward_backward(t: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    return torch.autograd.grad(torch_forward(t), list(t.values()))


def chain_problem() -> tuple[dict, dict[str, np.ndarray]]:
    nodes = [{"name": "a0", "op": "tanh", "args": ["x"]}]
    nodes += [{"name": f"a{k}", "op": "tanh", "args": [f"a{k - 1}"]} for k in range(1, CHAIN)]
    nodes.append({"name": "s", "op": "sum", "args": [f"a{CHAIN - 1}"]})
    graph = {"inputs": ["x"], "nodes": nodes, "output": "s"}
    return graph, {"x": np.array([0.5, -0.3])}


def torch_chain(x: torch.Tensor) -> torch.Tensor:
    a = x
    for _ in range(CHAIN):
        a = torch.tanh(a)
    (grad,) = torch.autograd.grad(a.sum(), [x])
    return grad


def engine_forward(graph: dict, inputs: dict[str, np.ndarray]) -> object:
    return _forward(check_graph(graph, inputs, func="backprop"))


def medians(contestants: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each contestant over interleaved repetitions, in seconds."""
    timed = interleaved_medians(contestants, repeats)
    return {name: value["wall_median"] for name, value in timed.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")

    graph, inputs = mlp_problem()
    t = torch_inputs(inputs)
    m = medians(
        {
            "engine fwd": lambda: engine_forward(graph, inputs),
            "engine fwd+bwd": lambda: backprop(graph, inputs),
            "numpy fwd": lambda: numpy_forward(inputs),
            "numpy fwd+bwd": lambda: numpy_forward_backward(inputs),
            "torch fwd": lambda: torch_forward(t),
            "torch fwd+bwd": lambda: torch_forward_backward(t),
            "backward matmuls": backward_matmuls(inputs),
        },
        repeats,
    )
    print(f"\nMLP {LAYERS} x {WIDTH}, batch {BATCH}, tanh, float64 (median of {repeats})")
    print(f"{'':10}{'forward':>12}{'fwd+bwd':>12}{'ratio':>8}")
    for who in ("engine", "numpy", "torch"):
        fwd, both = m[f"{who} fwd"], m[f"{who} fwd+bwd"]
        print(f"{who:10}{fwd * 1e3:10.2f}ms{both * 1e3:10.2f}ms{both / fwd:8.2f}")
    floor = 1 + m["backward matmuls"] / m["engine fwd"]
    print(
        f"the backward's 8 matrix products alone: {m['backward matmuls'] * 1e3:.2f} ms, so no "
        f"engine with this forward can get below a ratio of {floor:.2f}"
    )
    print("goal: engine ratio <= 2.5")
    print(
        f"engine / hand-written NumPy, fwd+bwd: {m['engine fwd+bwd'] / m['numpy fwd+bwd']:.2f}; "
        f"engine / torch: {m['engine fwd+bwd'] / m['torch fwd+bwd']:.2f}"
    )

    graph, inputs = chain_problem()
    x = torch.tensor(inputs["x"], requires_grad=True)
    m = medians(
        {
            "engine fwd": lambda: engine_forward(graph, inputs),
            "engine fwd+bwd": lambda: backprop(graph, inputs),
            "torch fwd+bwd": lambda: torch_chain(x),
        },
        max(3, repeats // 3),
    )
    per_node = {name: value / CHAIN * 1e6 for name, value in m.items()}
    print(f"\nchain of {CHAIN} tanh nodes on a 2-vector, time per node")
    print(f"engine check+forward         {per_node['engine fwd']:6.2f} us")
    print(f"engine check+forward+backward{per_node['engine fwd+bwd']:6.2f} us   (goal <= 10 us)")
    print(f"torch forward+backward       {per_node['torch fwd+bwd']:6.2f} us")


if __name__ == "__main__":
    main()
