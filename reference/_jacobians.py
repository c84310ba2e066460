r"""The notes' "useful Jacobians", in Jacobian form, and the way to the shape convention.

Two ways of writing the same derivatives appear in the notes:

*Jacobian form*
    The derivative of an output of size \(p\) with respect to an input of size \(q\)
    is a \(p \times q\) matrix whose row \(i\) is the gradient of output element
    \(i\) (both flattened in C order). A scalar output gives one row.
*Shape convention*
    The gradient of a scalar with respect to a parameter has the parameter's shape. This is
    what backprop passes around: ``grad_W`` is an (m, n) matrix, not a row of m n numbers.

For a scalar output the two carry the same numbers: reshaping the Jacobian row to the
parameter's shape gives the shape-convention gradient (`jacobian_to_gradient`). For a
vector output, the shape-convention gradient of \(s = g^\top y\) is the vector-Jacobian
product \(g^\top J\) reshaped (`vector_jacobian_product`), which is what every
backward rule computes without ever building \(J\).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._activations import activation
from ._validation import as_float_array, as_float_array_of_ndim, check_negative_slope

__all__ = [
    "activation_jacobian",
    "dot_jacobian",
    "gradient_to_jacobian",
    "jacobian_to_gradient",
    "linear_jacobian_W",
    "linear_jacobian_b",
    "linear_jacobian_x",
    "vector_jacobian_product",
]


def activation_jacobian(name: str, z: ArrayLike, *, negative_slope: float = 0.01) -> np.ndarray:
    r"""Jacobian of an elementwise activation \(a = f(z)\) at a vector ``z``.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "swish"}
        The activation.
    z : ndarray, shape (n,)
        The point.
    negative_slope : float, default 0.01
        Only for ``leaky_relu``.

    Returns
    -------
    ndarray, shape (n, n)
        \(\operatorname{diag}(f'(z))\).

    Notes
    -----
    \(a_i = f(z_i)\) depends on \(z_i\) alone, so
    \(\partial a_i / \partial z_j = f'(z_i)\) when \(i = j\) and exactly 0 otherwise:
    the Jacobian is diagonal. That is why backprop through an activation is an elementwise
    product, \(\delta_z = \delta_a \odot f'(z)\), and never a matrix product.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import activation_jacobian
    >>> activation_jacobian("relu", np.array([-1.0, 2.0]))
    array([[0., 0.],
           [0., 1.]])
    """
    derivative = activation(name, func="activation_jacobian", derivative=True)
    z = as_float_array_of_ndim(z, (1,), name="z", func="activation_jacobian")
    if name == "leaky_relu":
        slope = check_negative_slope(negative_slope, func="activation_jacobian")
        return np.diag(derivative(z, negative_slope=slope))
    return np.diag(derivative(z))


def linear_jacobian_x(W: ArrayLike) -> np.ndarray:
    r"""Jacobian of \(z = W x + b\) with respect to \(x\): the matrix \(W\) itself.

    Parameters
    ----------
    W : ndarray, shape (m, n)

    Returns
    -------
    ndarray, shape (m, n)
        \(\partial z / \partial x = W\) (a copy).

    Notes
    -----
    \(z_i = \sum_k W_{ik} x_k + b_i\), so \(\partial z_i / \partial x_k = W_{ik}\).
    """
    W = as_float_array_of_ndim(W, (2,), name="W", func="linear_jacobian_x")
    return W.copy()


def linear_jacobian_b(W: ArrayLike) -> np.ndarray:
    r"""Jacobian of \(z = W x + b\) with respect to \(b\): the identity.

    Parameters
    ----------
    W : ndarray, shape (m, n)
        Only its row count and dtype are used.

    Returns
    -------
    ndarray, shape (m, m)
        \(\partial z / \partial b = I_m\).
    """
    W = as_float_array_of_ndim(W, (2,), name="W", func="linear_jacobian_b")
    return np.eye(W.shape[0], dtype=W.dtype)


def linear_jacobian_W(W: ArrayLike, x: ArrayLike) -> np.ndarray:
    r"""Jacobian of \(z = W x + b\) with respect to \(W\), flattened in C order.

    Parameters
    ----------
    W : ndarray, shape (m, n)
        Only its shape and dtype are used (the derivative does not depend on W).
    x : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (m, m * n)
        Row \(i\) holds \(x^\top\) in the columns of \(W_{i,:}\) and zeros
        elsewhere: \(\partial z_i / \partial W_{jk} = \delta_{ij} x_k\).

    Notes
    -----
    In the shape convention, the gradient of \(s = g^\top z\) with respect to W is the
    (m, n) outer product \(g x^\top\); it equals
    ``vector_jacobian_product(linear_jacobian_W(W, x), g, W.shape)``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import linear_jacobian_W
    >>> linear_jacobian_W(np.zeros((2, 3)), np.array([1.0, 2.0, 3.0]))
    array([[1., 2., 3., 0., 0., 0.],
           [0., 0., 0., 1., 2., 3.]])
    """
    W = as_float_array_of_ndim(W, (2,), name="W", func="linear_jacobian_W")
    x = as_float_array_of_ndim(x, (1,), name="x", func="linear_jacobian_W")
    m, n = W.shape
    if x.shape != (n,):
        wanted = f"({n},) to match W of shape {W.shape}"
        raise ValueError(f"linear_jacobian_W: x must have shape {wanted}; got {x.shape}.")
    # Block i of row i is x: the Kronecker product of the identity with the row x^T.
    return np.kron(np.eye(m, dtype=W.dtype), x[np.newaxis, :].astype(W.dtype, copy=False))


def dot_jacobian(h: ArrayLike) -> np.ndarray:
    r"""Jacobian of \(u^\top h\) with respect to \(u\): the row \(h^\top\).

    Parameters
    ----------
    h : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (1, n)
        \(\partial (u^\top h) / \partial u = h^\top\) in Jacobian form. In the shape
        convention the same derivative is written \(h\), shape (n,): see
        `jacobian_to_gradient`.
    """
    h = as_float_array_of_ndim(h, (1,), name="h", func="dot_jacobian")
    return h[np.newaxis, :].copy()


def jacobian_to_gradient(jacobian: ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
    r"""Turn the Jacobian row of a scalar output into the shape-convention gradient.

    Parameters
    ----------
    jacobian : ndarray, shape (1, prod(shape))
        Jacobian form of \(\partial s / \partial p\) for a scalar \(s\).
    shape : tuple of int
        The parameter's shape.

    Returns
    -------
    ndarray, shape ``shape``

    Examples
    --------
    >>> import numpy as np
    >>> from gradspec.reference import dot_jacobian, jacobian_to_gradient
    >>> jacobian_to_gradient(dot_jacobian(np.array([1.0, 2.0])), (2,))
    array([1., 2.])
    """
    jacobian = as_float_array(jacobian, name="jacobian", func="jacobian_to_gradient")
    shape = tuple(int(d) for d in shape)
    size = int(np.prod(shape))
    if jacobian.shape != (1, size):
        wanted = f"(1, {size}) for a parameter of shape {shape}; got {jacobian.shape}"
        vector = "For a vector output use vector_jacobian_product."
        raise ValueError(
            f"jacobian_to_gradient: a scalar output's Jacobian must have shape {wanted}. {vector}"
        )
    return jacobian.reshape(shape).copy()


def gradient_to_jacobian(gradient: ArrayLike) -> np.ndarray:
    """Turn a shape-convention gradient of a scalar into its Jacobian row, shape (1, size)."""
    gradient = as_float_array(gradient, name="gradient", func="gradient_to_jacobian")
    return gradient.reshape(1, -1).copy()


def vector_jacobian_product(
    jacobian: ArrayLike, grad_output: ArrayLike, input_shape: tuple[int, ...]
) -> np.ndarray:
    r"""Shape-convention gradient of \(s = g^\top y\) from the Jacobian of \(y\).

    Parameters
    ----------
    jacobian : ndarray, shape (y.size, prod(input_shape))
        Jacobian form of \(\partial y / \partial p\).
    grad_output : ndarray, shape of y
        \(g\), the gradient flowing back into \(y\).
    input_shape : tuple of int
        The parameter's shape.

    Returns
    -------
    ndarray, shape ``input_shape``
        \((g^\top J)\) reshaped: the chain rule in the shape convention.
    """
    func = "vector_jacobian_product"
    jacobian = as_float_array_of_ndim(jacobian, (2,), name="jacobian", func=func)
    grad_output = as_float_array(grad_output, name="grad_output", func=func)
    input_shape = tuple(int(d) for d in input_shape)
    expected = (grad_output.size, int(np.prod(input_shape)))
    if jacobian.shape != expected:
        wanted = f"(grad_output.size, prod(input_shape)) = {expected}"
        raise ValueError(f"{func}: the Jacobian must have shape {wanted}; got {jacobian.shape}.")
    return (grad_output.reshape(-1) @ jacobian).reshape(input_shape)
