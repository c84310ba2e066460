"""Elementwise activations and their derivatives (provisional, correct but not yet tuned).

This first version is replaced by the accurate, stable implementation; the names and
signatures here are final.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from ._validation import as_float_array, check_negative_slope


def _wrap(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return np.asarray(result, dtype=dtype)


def sigmoid(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="sigmoid")
    return _wrap(special.expit(z), z.dtype)


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="sigmoid_derivative")
    return _wrap(special.expit(z) * special.expit(-z), z.dtype)


def tanh(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="tanh")
    return _wrap(np.tanh(z), z.dtype)


def tanh_derivative(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="tanh_derivative")
    with np.errstate(over="ignore"):
        return _wrap(1.0 / np.cosh(z) ** 2, z.dtype)


def hardtanh(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="hardtanh")
    return _wrap(np.clip(z, -1.0, 1.0), z.dtype)


def hardtanh_derivative(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="hardtanh_derivative")
    out = ((z > -1) & (z < 1)).astype(z.dtype)
    return _wrap(np.where(np.isnan(z), z, out), z.dtype)


def relu(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="relu")
    return _wrap(np.where(z > 0, z, np.where(np.isnan(z), z, 0.0)), z.dtype)


def relu_derivative(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="relu_derivative")
    return _wrap(np.where(np.isnan(z), z, (z > 0).astype(z.dtype)), z.dtype)


def leaky_relu(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    z = as_float_array(z, name="z", func="leaky_relu")
    slope = check_negative_slope(negative_slope, func="leaky_relu")
    return _wrap(np.where(z > 0, z, z * z.dtype.type(slope)), z.dtype)


def leaky_relu_derivative(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    z = as_float_array(z, name="z", func="leaky_relu_derivative")
    slope = check_negative_slope(negative_slope, func="leaky_relu_derivative")
    out = np.where(z > 0, 1.0, slope).astype(z.dtype)
    return _wrap(np.where(np.isnan(z), z, out), z.dtype)


def swish(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="swish")
    return _wrap(z * special.expit(z), z.dtype)


def swish_derivative(z: ArrayLike) -> np.ndarray:
    z = as_float_array(z, name="z", func="swish_derivative")
    s = special.expit(z)
    return _wrap(s + z * s * special.expit(-z), z.dtype)
