"""Time the reference activations against the textbook NumPy formulas (and PyTorch on CPU).

Not a test: it prints, for every activation and derivative and both dtypes, the median time
of the reference, of the naive NumPy formula and (when importable) of PyTorch, and the ratio
reference / naive. Repetitions are interleaved (one run of each contender per round), so a
slow moment of the shared machine hits all of them alike.

Usage::

    python benchmarks/bench_activations.py [--size 1000000] [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable

import numpy as np
from _common import interleaved_medians

from gradspec import reference

SLOPE = 0.01


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


#: What a NumPy user writes from the lecture notes, one entry per reference function.
NAIVE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": _sigmoid,
    "sigmoid_derivative": lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)),
    "tanh": np.tanh,
    "tanh_derivative": lambda z: 1.0 - np.tanh(z) ** 2,
    "hardtanh": lambda z: np.clip(z, -1.0, 1.0),
    "hardtanh_derivative": lambda z: ((z > -1) & (z < 1)).astype(z.dtype),
    "relu": lambda z: np.maximum(z, 0.0),
    "relu_derivative": lambda z: (z > 0).astype(z.dtype),
    "leaky_relu": lambda z: np.where(z > 0, z, SLOPE * z),
    "leaky_relu_derivative": lambda z: np.where(z > 0, 1.0, SLOPE).astype(z.dtype),
    "swish": lambda z: z * _sigmoid(z),
    "swish_derivative": lambda z: _sigmoid(z) * (1.0 + z * (1.0 - _sigmoid(z))),
}


def float32_round_trip(z: np.ndarray) -> np.ndarray:
    """float32 -> float64 -> float32 with no arithmetic in between.

    The conversions the reference does around every float32 call of a smooth function (it
    widens the input once and rounds the result once): the cost of that choice alone,
    before any function is evaluated.
    """
    return z.astype(np.float64).astype(np.float32)


#: The textbook tanh quotient, timed as a second naive form of tanh.
TEXTBOOK_TANH = lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))  # noqa: E731


def _torch_functions() -> tuple[object, dict[str, Callable]] | None:
    """PyTorch's own kernels for each function (derivatives through its backward ops)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # NumPy's ufuncs use one thread; compare like with like
    F = torch.nn.functional
    aten = torch.ops.aten

    def ones(z):
        return torch.ones_like(z)

    table = {
        "sigmoid": torch.sigmoid,
        "sigmoid_derivative": lambda z: aten.sigmoid_backward(ones(z), torch.sigmoid(z)),
        "tanh": torch.tanh,
        "tanh_derivative": lambda z: aten.tanh_backward(ones(z), torch.tanh(z)),
        "hardtanh": F.hardtanh,
        "hardtanh_derivative": lambda z: aten.hardtanh_backward(ones(z), z, -1.0, 1.0),
        "relu": torch.relu,
        "relu_derivative": lambda z: aten.threshold_backward(ones(z), z, 0.0),
        "leaky_relu": lambda z: F.leaky_relu(z, SLOPE),
        "leaky_relu_derivative": lambda z: aten.leaky_relu_backward(ones(z), z, SLOPE, False),
        "swish": F.silu,
        "swish_derivative": lambda z: aten.silu_backward(ones(z), z),
    }
    return torch, table


def activation_contenders(
    name: str, z: np.ndarray, tz: object | None, torch_table: dict[str, Callable]
) -> dict[str, Callable[[], object]]:
    """What to time for one function on ``z``: the reference, the naive formula, PyTorch.

    ``tz`` is ``z`` as a tensor (None without PyTorch); ``torch_table`` is the second item
    of `_torch_functions`.
    """
    ours, naive = getattr(reference, name), NAIVE[name]
    contenders = {"reference": lambda: ours(z), "naive": lambda: naive(z)}
    if tz is not None:
        contenders["torch"] = lambda: torch_table[name](tz)
    return contenders


def _describe_machine(torch: object | None) -> str:
    import scipy

    lines = [
        f"machine: {platform.machine()} {platform.processor() or ''} cores={os.cpu_count()}",
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
        + (f", torch {torch.__version__} (1 thread)" if torch is not None else ", no torch"),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="elements per array")
    parser.add_argument("--rounds", type=int, default=21, help="interleaved repetitions")
    args = parser.parse_args()

    found = _torch_functions()
    torch, torch_table = found if found is not None else (None, {})
    print(_describe_machine(torch))
    print(f"{args.size} elements, z ~ 4 N(0, 1), median of {args.rounds} interleaved rounds, ms")
    header = f"{'function':24s}{'dtype':9s}{'reference':>10s}{'naive':>9s}{'ratio':>7s}"
    print(header + (f"{'torch':>9s}{'ref/torch':>10s}" if torch is not None else ""))

    rng = np.random.default_rng(0)
    base = 4.0 * rng.standard_normal(args.size)
    # NumPy warns on the overflows of the naive formulas (exp(-z) for z < -709 cannot occur
    # with these inputs, but keep the timing loop quiet regardless).
    with np.errstate(all="ignore"):
        for dtype in (np.float32, np.float64):
            z = base.astype(dtype)
            tz = torch.from_numpy(z) if torch is not None else None
            for name in NAIVE:
                contenders = activation_contenders(name, z, tz, torch_table)
                if name == "tanh":
                    contenders["textbook"] = lambda z=z: TEXTBOOK_TANH(z)
                timed = interleaved_medians(contenders, args.rounds)
                t = {who: v["wall_median"] * 1e3 for who, v in timed.items()}  # ms
                line = (
                    f"{name:24s}{np.dtype(dtype).name:9s}{t['reference']:10.2f}"
                    f"{t['naive']:9.2f}{t['reference'] / t['naive']:7.2f}"
                )
                if torch is not None:
                    line += f"{t['torch']:9.2f}{t['reference'] / t['torch']:10.2f}"
                if "textbook" in t:
                    line += (
                        f"   (textbook quotient {t['textbook']:.2f} ms, "
                        f"ratio {t['reference'] / t['textbook']:.2f})"
                    )
                print(line)


if __name__ == "__main__":
    main()
