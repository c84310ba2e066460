"""The PyTorch adapter: contract version 1 run through PyTorch's eager ops and autograd.

The adapter uses PyTorch the way its users do, so that the suite measures PyTorch and not
this file: values come from ``torch.sigmoid``, ``torch.tanh`` and
``torch.nn.functional``; every derivative comes from ``torch.autograd`` (never a formula
written here); the layer is ``torch.nn.functional.linear`` (what ``torch.nn.Linear`` runs);
graphs are built from torch ops and differentiated by ``backward``. The adapter only
converts arrays. Whatever PyTorch returns (its kink conventions, NaN or 0 at infinities, flushed
tails) is passed on unchanged for the suite to judge; see ``FINDINGS.md`` beside this file.

Conversions: every NumPy input is copied into a new tensor (``torch.tensor``), so nothing the
library or autograd does can write into the caller's array; results are returned as NumPy
arrays of the input's dtype.

Examples
--------
>>> import numpy as np
>>> from gradspec.conformance.adapters import torch_adapter
>>> torch_adapter.relu_derivative(np.array([-1.0, 0.0, 2.0]))  # PyTorch's relu'(0) is 0
array([0., 0., 1.])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike

from gradspec.reference._validation import as_float_array

from ._graph import evaluate, read_graph, size

__all__ = [
    "backprop",
    "dtypes",
    "hardtanh",
    "hardtanh_derivative",
    "jacobian",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_backward",
    "name",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "swish",
    "swish_derivative",
    "tanh",
    "tanh_derivative",
]

#: Display name used in conformance reports.
name = f"PyTorch {torch.__version__}"

#: Both dtypes of the contract; PyTorch computes float32 in float32.
dtypes = ("float32", "float64")

Tensor = torch.Tensor


def _tensor(value: ArrayLike, *, arg: str, func: str, grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``value`` (same dtype), tracking gradients if ``grad``.

    ``torch.from_numpy`` would share the caller's memory; a copy makes writes impossible.
    """
    array = as_float_array(value, name=arg, func=func)
    return torch.tensor(array, requires_grad=grad)


def _numpy(tensor: Tensor) -> np.ndarray:
    return tensor.detach().numpy()


def _value(f: Callable[[Tensor], Tensor], z: ArrayLike, func: str) -> np.ndarray:
    with torch.no_grad():
        return _numpy(f(_tensor(z, arg="z", func=func)))


def _derivative(f: Callable[[Tensor], Tensor], z: ArrayLike, func: str) -> np.ndarray:
    """f'(z) elementwise: the vector-Jacobian product of f with a cotangent of ones."""
    t = _tensor(z, arg="z", func=func, grad=True)
    y = f(t)
    (grad,) = torch.autograd.grad(y, t, grad_outputs=torch.ones_like(y))
    return _numpy(grad)


def _hardtanh(t: Tensor) -> Tensor:
    return F.hardtanh(t, min_val=-1.0, max_val=1.0)


def _leaky(negative_slope: float) -> Callable[[Tensor], Tensor]:
    return lambda t: F.leaky_relu(t, negative_slope=float(negative_slope))


def sigmoid(z: ArrayLike) -> np.ndarray:
    """``torch.sigmoid``."""
    return _value(torch.sigmoid, z, "sigmoid")


def tanh(z: ArrayLike) -> np.ndarray:
    """``torch.tanh``."""
    return _value(torch.tanh, z, "tanh")


def hardtanh(z: ArrayLike) -> np.ndarray:
    """``torch.nn.functional.hardtanh`` on [-1, 1]."""
    return _value(_hardtanh, z, "hardtanh")


def relu(z: ArrayLike) -> np.ndarray:
    """``torch.nn.functional.relu``."""
    return _value(F.relu, z, "relu")


def leaky_relu(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    """``torch.nn.functional.leaky_relu``."""
    return _value(_leaky(negative_slope), z, "leaky_relu")


def swish(z: ArrayLike) -> np.ndarray:
    """``torch.nn.functional.silu`` (swish with beta = 1)."""
    return _value(F.silu, z, "swish")


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    """Autograd derivative of ``torch.sigmoid``."""
    return _derivative(torch.sigmoid, z, "sigmoid_derivative")


def tanh_derivative(z: ArrayLike) -> np.ndarray:
    """Autograd derivative of ``torch.tanh``."""
    return _derivative(torch.tanh, z, "tanh_derivative")


def hardtanh_derivative(z: ArrayLike) -> np.ndarray:
    """Autograd derivative of ``torch.nn.functional.hardtanh``."""
    return _derivative(_hardtanh, z, "hardtanh_derivative")


def relu_derivative(z: ArrayLike) -> np.ndarray:
    """Autograd derivative of ``torch.nn.functional.relu``."""
    return _derivative(F.relu, z, "relu_derivative")


def leaky_relu_derivative(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    """Autograd derivative of ``torch.nn.functional.leaky_relu``."""
    return _derivative(_leaky(negative_slope), z, "leaky_relu_derivative")


def swish_derivative(z: ArrayLike) -> np.ndarray:
    """Autograd derivative of ``torch.nn.functional.silu``."""
    return _derivative(F.silu, z, "swish_derivative")


def linear(W: ArrayLike, x: ArrayLike, b: ArrayLike) -> np.ndarray:
    """``torch.nn.functional.linear(x, W, b)``, i.e. z = x W^T + b, for (n,) or (B, n) x."""
    with torch.no_grad():
        tensors = [_tensor(a, arg=n, func="linear") for n, a in (("x", x), ("W", W), ("b", b))]
        return _numpy(F.linear(*tensors))


def linear_backward(
    W: ArrayLike, x: ArrayLike, b: ArrayLike, grad_z: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(grad_W, grad_x, grad_b) from autograd, with ``grad_z`` as the cotangent of z."""
    func = "linear_backward"
    Wt, xt, bt = (
        _tensor(a, arg=n, func=func, grad=True) for n, a in (("W", W), ("x", x), ("b", b))
    )
    z = F.linear(xt, Wt, bt)
    cotangent = _tensor(grad_z, arg="grad_z", func=func)
    grads = torch.autograd.grad(z, (Wt, xt, bt), grad_outputs=cotangent)
    return tuple(_numpy(g) for g in grads)  # type: ignore[return-value]


#: The library op behind each graph op; ``linear`` takes the contract's (W, x, b) order.
_OPS: dict[str, Callable[..., Tensor]] = {
    "linear": lambda W, x, b: F.linear(x, W, b),
    "matmul": torch.matmul,
    "add": torch.add,
    "mul": torch.mul,
    "dot": torch.dot,
    "sum": torch.sum,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "hardtanh": _hardtanh,
    "relu": F.relu,
    "swish": F.silu,
    "leaky_relu": F.leaky_relu,
}


def backprop(
    graph: Mapping[str, Any], inputs: Mapping[str, ArrayLike]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Build the graph from torch ops in topological order, then call ``backward``.

    Returns the 0-d output and the gradient for every input (zeros for an input the output
    does not depend on, where PyTorch leaves ``.grad`` as None).
    """
    plan = read_graph(graph, inputs, func="backprop", scalar_output=True)
    leaves = {n: torch.tensor(a, requires_grad=True) for n, a in plan.arrays.items()}
    output = evaluate(plan, leaves, _OPS)[plan.output]
    output.backward()
    gradients = {
        n: _numpy(t.grad) if t.grad is not None else np.zeros_like(plan.arrays[n])
        for n, t in leaves.items()
    }
    return _numpy(output), gradients


def jacobian(graph: Mapping[str, Any], inputs: Mapping[str, ArrayLike], wrt: str) -> np.ndarray:
    """``torch.autograd.functional.jacobian`` of the output w.r.t. ``inputs[wrt]``, as 2-D.

    Returns shape (output.size, inputs[wrt].size). PyTorch's jacobian cannot stack zero rows,
    so an empty output or input gives the (necessarily empty) zero-size array directly.
    """
    plan = read_graph(graph, inputs, func="jacobian", wrt=wrt)
    rows, columns = size(plan.shapes[plan.output]), size(plan.shapes[wrt])
    if rows == 0 or columns == 0:
        return np.zeros((rows, columns), dtype=plan.dtype)
    constants = {n: torch.tensor(a) for n, a in plan.arrays.items()}

    def output_of(t: Tensor) -> Tensor:
        return evaluate(plan, {**constants, wrt: t}, _OPS)[plan.output]

    full = torch.autograd.functional.jacobian(output_of, constants[wrt])
    return _numpy(full).reshape(rows, columns)
