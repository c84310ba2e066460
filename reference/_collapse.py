r"""Why networks are non-linear: a stack of linear layers is one linear layer.

Two layers without an activation between them compose to one:

\[
    W_2 (W_1 x + b_1) + b_2 = (W_2 W_1) x + (W_2 b_1 + b_2).
\]

By induction any depth collapses, so depth adds no representational power unless an
activation sits between the layers. `collapse_linear_stack` computes the equivalent
layer; the tests check that a stack without activations equals its collapse and that a stack
with one does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._activations import activation as by_name
from ._linear import check_layer, linear

__all__ = ["apply_linear_stack", "collapse_linear_stack"]

#: A stack of layers, first applied first: (W, b) pairs, W of shape (m, n) and b of shape (m,).
Layers = Sequence[tuple[ArrayLike, ArrayLike]]


def _layers_as_arrays(layers: Layers, func: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every layer checked up front (`check_layer`), naming the layer at fault."""
    if len(layers) == 0:
        raise ValueError(f"{func}: the stack is empty; give at least one (W, b) pair.")
    arrays = []
    for index, layer in enumerate(layers):
        try:
            W, b = layer
        except (TypeError, ValueError):
            got = type(layer).__name__
            raise TypeError(f"{func}: layer {index} must be a (W, b) pair; got {got}.") from None
        arrays.append(check_layer(W, b, func=func, layer=f"layer {index}'s "))
    return arrays


def collapse_linear_stack(layers: Layers) -> tuple[np.ndarray, np.ndarray]:
    r"""The single layer equivalent to applying ``layers`` one after another.

    Parameters
    ----------
    layers : sequence of (W, b) pairs
        Layer \(k\) has ``W`` of shape \((m_k, n_k)\) and ``b`` of shape
        \((m_k,)\), with \(n_{k+1} = m_k\). Applied first to last.

    Returns
    -------
    W : ndarray, shape (m_last, n_first)
        \(W_L \cdots W_2 W_1\).
    b : ndarray, shape (m_last,)
        \(b\) built by pushing each bias through the layers after it:
        \(b \leftarrow W_k b + b_k\).

    Raises
    ------
    ValueError
        If the stack is empty, a W is not 2-D, a b is not 1-D of W's row count, or
        consecutive shapes do not chain.
    TypeError
        If a layer is not a (W, b) pair of float32/float64 arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import collapse_linear_stack
    >>> W, b = collapse_linear_stack([(np.eye(2) * 2, np.ones(2)), (np.eye(2), np.ones(2))])
    >>> W, b
    (array([[2., 0.],
           [0., 2.]]), array([2., 2.]))
    """
    func = "collapse_linear_stack"
    arrays = _layers_as_arrays(layers, func)
    W_total, b_total = arrays[0]
    for index, (W, b) in enumerate(arrays[1:], start=1):
        if W.shape[1] != W_total.shape[0]:
            n = W_total.shape[0]
            wrong = f"layer {index} has W of shape {W.shape}, but the layers before it produce"
            raise ValueError(f"{func}: {wrong} {n} values; expected W of shape (m, {n}).")
        b_total = linear(W, b_total, b)  # W b_total + b: the bias pushed through layer index
        W_total = W @ W_total
    return W_total, b_total


def apply_linear_stack(layers: Layers, x: ArrayLike, activation: str | None = None) -> np.ndarray:
    """Apply ``layers`` to ``x`` in order, with an optional activation between layers.

    Parameters
    ----------
    layers : sequence of (W, b) pairs
    x : ndarray, shape (n,) or (B, n)
    activation : str, optional
        Name of a reference activation (``"tanh"``...) applied between consecutive layers
        (not after the last). ``None`` keeps the stack linear.

    Returns
    -------
    ndarray, shape (m_last,) or (B, m_last)
    """
    func = "apply_linear_stack"
    arrays = _layers_as_arrays(layers, func)
    between = None if activation is None else by_name(activation, func=func)
    out = np.asarray(x)
    for index, (W, b) in enumerate(arrays):
        if index > 0 and between is not None:
            out = between(out)
        out = linear(W, out, b)
    return out
