"""The layer z = W x + b and its backward pass in the shape convention."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, as_float_array_of_ndim, check_same_dtype

__all__ = ["linear", "linear_backward"]


def check_layer(
    W: ArrayLike, b: ArrayLike, *, func: str, layer: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """Check W (m, n) and b (m,) of one dtype and return them.

    ``layer`` ("layer 2's ") prefixes the argument names in the messages.
    """
    W = as_float_array_of_ndim(W, (2,), name=f"{layer}W", func=func)
    b = as_float_array_of_ndim(b, (1,), name=f"{layer}b", func=func)
    check_same_dtype(func, **{f"{layer}W": W, f"{layer}b": b})
    if b.shape != W.shape[:1]:
        wanted = f"({W.shape[0]},) (the rows of W, shape {W.shape})"
        raise ValueError(f"{func}: {layer}b must have shape {wanted}; got b of shape {b.shape}.")
    return W, b


def _validate_layer(
    W: ArrayLike, x: ArrayLike, b: ArrayLike, *, func: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the shapes W (m, n), x (n,) or (B, n), b (m,) and one dtype; return the arrays."""
    W, b = check_layer(W, b, func=func)
    x = as_float_array_of_ndim(x, (1, 2), name="x", func=func)
    check_same_dtype(func, W=W, x=x)
    n = W.shape[1]
    if x.shape[-1] != n:
        wanted = f"{n} features (the columns of W, shape {W.shape})"
        expected = f"Expected ({n},) or (batch, {n})."
        raise ValueError(f"{func}: x must have {wanted}; got x of shape {x.shape}. {expected}")
    return W, x, b


def linear(W: ArrayLike, x: ArrayLike, b: ArrayLike) -> np.ndarray:
    r"""Apply the layer \(z = W x + b\) to one example or a batch.

    Parameters
    ----------
    W : ndarray, shape (m, n)
        Weights.
    x : ndarray, shape (n,) or (B, n)
        One example, or a batch of B examples, one per row.
    b : ndarray, shape (m,)
        Bias.

    Returns
    -------
    z : ndarray, shape (m,) or (B, m)
        \(z = W x + b\); for a batch, row ``i`` is \(W x_i + b\). Same dtype as the
        inputs.

    Raises
    ------
    ValueError
        If the shapes do not fit together.
    TypeError
        If the arrays are not float32/float64 or do not share one dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import linear
    >>> W = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> linear(W, np.array([1.0, 1.0]), np.array([0.5, -0.5]))
    array([3.5, 6.5])
    """
    W, x, b = _validate_layer(W, x, b, func="linear")
    # x @ W.T handles a single example and a batch alike: (n,) @ (n, m) and (B, n) @ (n, m).
    return x @ W.T + b


def linear_backward(
    W: ArrayLike, x: ArrayLike, b: ArrayLike, grad_z: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradients of \(s = \sum_i g_i z_i\) with respect to W, x and b.

    Here \(z = W x + b\) and \(g\) is ``grad_z``, the gradient flowing back into z.
    Each result has exactly the shape of its parameter (the shape convention).

    Parameters
    ----------
    W : ndarray, shape (m, n)
    x : ndarray, shape (n,) or (B, n)
    b : ndarray, shape (m,)
    grad_z : ndarray, shape (m,) or (B, m)
        The shape of z.

    Returns
    -------
    grad_W : ndarray, shape (m, n)
        \(\sum_i g_i x_i^\top\), summed over the batch.
    grad_x : ndarray, shape of x
        \(W^\top g_i\) for each example (computed as ``grad_z @ W``).
    grad_b : ndarray, shape (m,)
        \(\sum_i g_i\), summed over the batch.

    Notes
    -----
    For one example, \(\partial s / \partial W_{jk} = g_j x_k\), so the gradient is the
    outer product \(g x^\top\); in Jacobian form it would be a row of m n entries instead.
    The bias is shared by every example of a batch, so its gradient sums over the batch, and
    so does the weights'.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import linear_backward
    >>> W = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> gW, gx, gb = linear_backward(W, np.array([1.0, -1.0]), np.zeros(2), np.array([1.0, 0.0]))
    >>> gW
    array([[ 1., -1.],
           [ 0., -0.]])
    >>> gx, gb
    (array([1., 2.]), array([1., 0.]))
    """
    W, x, b = _validate_layer(W, x, b, func="linear_backward")
    grad_z = as_float_array(grad_z, name="grad_z", func="linear_backward")
    check_same_dtype("linear_backward", W=W, grad_z=grad_z)
    expected = (*x.shape[:-1], W.shape[0])
    if grad_z.shape != expected:
        wrong = f"grad_z must have the shape of z, {expected}; got {grad_z.shape}"
        raise ValueError(f"linear_backward: {wrong}.")
    if x.ndim == 1:
        grad_W = np.outer(grad_z, x)
        grad_b = grad_z.copy()
    else:
        # (m, B) @ (B, n) sums the outer products over the batch in one matmul.
        grad_W = grad_z.T @ x
        grad_b = grad_z.sum(axis=0)
    grad_x = grad_z @ W
    return grad_W, grad_x, grad_b
