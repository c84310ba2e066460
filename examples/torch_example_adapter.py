"""A small PyTorch adapter: values from torch, every derivative from autograd.

Run it with ``gradspec check --adapter examples/torch_example_adapter.py:TorchAdapter``.
It provides four members; every other clause is reported as *not provided*. The complete
adapter that ships with gradspec is ``gradspec.conformance.adapters.torch_adapter``
(``--adapter torch``).
"""

from __future__ import annotations

import numpy as np
import torch


class TorchAdapter:
    name = f"torch {torch.__version__} (example)"

    @staticmethod
    def _leaf(array: np.ndarray) -> torch.Tensor:
        # torch.tensor copies: autograd can never write into the suite's array.
        return torch.tensor(array, requires_grad=True)

    def tanh(self, z: np.ndarray) -> np.ndarray:
        return torch.tanh(torch.tensor(z)).numpy()

    def tanh_derivative(self, z: np.ndarray) -> np.ndarray:
        t = self._leaf(z)
        # The gradient of sum(tanh(t)) is tanh'(t) elementwise.
        (grad,) = torch.autograd.grad(torch.tanh(t).sum(), t)
        return grad.numpy()

    def linear(self, W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
        return torch.nn.functional.linear(torch.tensor(x), torch.tensor(W), torch.tensor(b)).numpy()

    def linear_backward(self, W, x, b, grad_z):
        Wt, xt, bt = self._leaf(W), self._leaf(x), self._leaf(b)
        z = torch.nn.functional.linear(xt, Wt, bt)
        # s = sum(grad_z * z): its gradients are exactly what the contract asks for.
        grads = torch.autograd.grad((torch.tensor(grad_z) * z).sum(), (Wt, xt, bt))
        return tuple(g.numpy() for g in grads)
