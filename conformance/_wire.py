"""Arrays, graphs and call results as JSON: the encoding shared by test vectors and the pipe.

Programs in any language read and write these objects, so the rules are few and exact:

- An **array** is ``{"dtype": "float32" | "float64", "shape": [d0, d1, ...], "data": [...]}``
  with the elements in C (row-major) order; ``shape`` is ``[]`` for a 0-d array, whose
  ``data`` holds one element. Each element is a **decimal string** that names the value
  exactly: the shortest string that reads back to the same number in that dtype (Python's
  ``repr`` for float64, the float32 value's shortest form for float32), or ``"nan"``,
  ``"inf"``, ``"-inf"``; ``"-0.0"`` keeps the sign of zero. A float32 string may be read as a
  float64 and then rounded to float32: that double rounding is exact for these strings.
  Readers also accept JSON numbers, and ``"base64"`` (the little-endian bytes) instead of
  ``"data"``.
- **Arguments** of a member call are one JSON object keyed by the contract's parameter names
  (`PARAMETERS`): ``z``, ``W``, ``x``, ``b``, ``grad_z`` are arrays, ``graph`` is the
  contract's graph dict as is, ``inputs`` maps input names to arrays, ``wrt`` is a string and
  ``negative_slope`` a decimal string.
- A **result** is an array (elementwise members, ``linear``, ``jacobian``), a list of three
  arrays (``linear_backward``: grad_W, grad_x, grad_b) or, for ``backprop``,
  ``{"output": array, "gradients": {name: array}}``.

The **npy encoding** (`encode_value`, `decode_value`), negotiated in the handshake, is what
``--isolate`` speaks to its own Python child: it carries whatever the member returned after
the suite's conversion to NumPy (any numeric dtype, any nesting of tuples and dicts), so the
suite judges exactly what it would judge in process. Arrays travel as ``.npy`` bytes, read
with ``allow_pickle=False`` so a reply can never run code in the suite.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "PARAMETERS",
    "WireError",
    "decode_args",
    "decode_array",
    "decode_result",
    "decode_value",
    "encode_args",
    "encode_array",
    "encode_float",
    "encode_result",
    "encode_value",
]

#: How deep `decode_value` follows nested tuples and dicts (a reply is data, not a puzzle).
MAX_DEPTH = 8

#: Each contract member's parameters, in call order (the optional ones last).
PARAMETERS: dict[str, tuple[str, ...]] = {
    **{
        name: ("z",)
        for name in (
            "sigmoid",
            "tanh",
            "hardtanh",
            "relu",
            "swish",
            "sigmoid_derivative",
            "tanh_derivative",
            "hardtanh_derivative",
            "relu_derivative",
            "swish_derivative",
        )
    },
    "leaky_relu": ("z", "negative_slope"),
    "leaky_relu_derivative": ("z", "negative_slope"),
    "linear": ("W", "x", "b"),
    "linear_backward": ("W", "x", "b", "grad_z"),
    "backprop": ("graph", "inputs"),
    "jacobian": ("graph", "inputs", "wrt"),
}

_ARRAY_PARAMETERS = frozenset({"z", "W", "x", "b", "grad_z"})
_DTYPES = {"float32": np.float32, "float64": np.float64}


class WireError(ValueError):
    """A JSON object does not follow the encoding; the message says where and what was expected."""


def encode_float(value: float, dtype: str = "float64") -> str:
    """The exact decimal string of one value of ``dtype``.

    Examples
    --------
    >>> encode_float(0.1), encode_float(0.1, "float32"), encode_float(-0.0)
    ('0.1', '0.1', '-0.0')
    >>> encode_float(float("nan")), encode_float(float("-inf"))
    ('nan', '-inf')
    """
    if dtype == "float32":
        return str(np.float32(value))
    return repr(float(value))


def encode_array(array: Any) -> dict[str, Any]:
    """An ndarray (float32 or float64) as ``{"dtype", "shape", "data"}``.

    Examples
    --------
    >>> encode_array(np.array([[1.5, -0.0]], dtype=np.float32))
    {'dtype': 'float32', 'shape': [1, 2], 'data': ['1.5', '-0.0']}
    """
    a = np.asarray(array)
    dtype = str(a.dtype)
    if dtype not in _DTYPES:
        raise WireError(f"only float32 and float64 arrays can be encoded; got dtype {dtype}")
    flat = a.reshape(-1)
    if dtype == "float64":
        data = [repr(v) for v in flat.tolist()]
    else:
        data = [str(v) for v in flat]
    return {"dtype": dtype, "shape": [int(n) for n in a.shape], "data": data}


def _read_element(item: Any, where: str, index: int) -> float:
    if isinstance(item, bool) or not isinstance(item, (str, int, float)):
        shown = "null" if item is None else repr(item)[:40]
        raise WireError(
            f"{where}: element {index} is {shown}; expected a decimal string such as "
            "'0.5', 'nan', 'inf' or '-inf' (JSON has no NaN or infinity)"
        )
    try:
        return float(item)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond float range
        raise WireError(
            f"{where}: element {index} is {item!r}, which is not a decimal number "
            "(expected for example '0.5', '-1e-300', 'nan', 'inf', '-inf')"
        ) from None


def decode_array(obj: Any, *, where: str = "array") -> np.ndarray:
    """Read an encoded array back into a C-contiguous ndarray of its dtype.

    Raises
    ------
    WireError
        Naming ``where`` and the problem: a missing key, an unknown dtype, a bad shape, an
        element that is not a number, or a number of elements that does not fit the shape.

    Examples
    --------
    >>> decode_array({"dtype": "float64", "shape": [2], "data": ["1e-300", "-inf"]})
    array([1.e-300,    -inf])
    """
    if not isinstance(obj, Mapping):
        raise WireError(
            f"{where}: expected an array object {{'dtype', 'shape', 'data'}}; "
            f"got {type(obj).__name__} {_short(obj)}"
        )
    dtype = obj.get("dtype")
    if dtype not in _DTYPES:
        raise WireError(f"{where}: dtype is {dtype!r}; expected 'float32' or 'float64'")
    shape = obj.get("shape")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise WireError(
            f"{where}: shape is {_short(shape)}; expected a list of sizes >= 0 ([] for 0-d)"
        )
    size = math.prod(shape)
    if "base64" in obj:
        raw = base64.b64decode(str(obj["base64"]), validate=True)
        itemsize = np.dtype(dtype).itemsize
        if len(raw) != size * itemsize:
            raise WireError(
                f"{where}: shape {shape} needs {size * itemsize} bytes of {dtype}; the base64 "
                f"data holds {len(raw)}"
            )
        values = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
        return values.astype(dtype).reshape(shape)  # astype copies: a fresh C-ordered array
    data = obj.get("data")
    if not isinstance(data, list):
        raise WireError(f"{where}: 'data' is {_short(data)}; expected a list of decimal strings")
    if len(data) != size:
        raise WireError(
            f"{where}: shape {shape} has {size} element{'s' if size != 1 else ''}, but 'data' "
            f"holds {len(data)}"
        )
    numbers = [_read_element(item, where, i) for i, item in enumerate(data)]
    # Read in float64, then rounded once to float32: exact for the strings described above.
    with np.errstate(over="ignore"):
        values = np.array(numbers, dtype=np.float64).astype(dtype)
    # np.ascontiguousarray would turn a 0-d array into shape (1,).
    return values.reshape(shape)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def encode_args(member: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """A member's arguments (by parameter name) as the JSON ``args`` object."""
    out: dict[str, Any] = {}
    for name, value in args.items():
        if name in _ARRAY_PARAMETERS:
            out[name] = encode_array(value)
        elif name == "inputs":
            out[name] = {key: encode_array(array) for key, array in value.items()}
        elif name == "negative_slope":
            out[name] = encode_float(value)
        else:  # graph (already JSON-compatible), wrt
            out[name] = value
    return out


def decode_args(member: str, obj: Any, *, where: str = "args") -> dict[str, Any]:
    """The JSON ``args`` object back as Python values: arrays, dicts of arrays, floats."""
    if member not in PARAMETERS:
        raise WireError(f"{where}: unknown member {member!r}; expected one of {list(PARAMETERS)}")
    if not isinstance(obj, Mapping):
        raise WireError(f"{where}: expected an object keyed by parameter name; got {_short(obj)}")
    allowed = PARAMETERS[member]
    unknown = [key for key in obj if key not in allowed]
    if unknown:
        raise WireError(
            f"{where}: {member} has no parameter {unknown[0]!r}; its parameters are {allowed}"
        )
    out: dict[str, Any] = {}
    for name in allowed:
        if name not in obj:
            continue
        value = obj[name]
        if name in _ARRAY_PARAMETERS:
            out[name] = decode_array(value, where=f"{where}.{name}")
        elif name == "inputs":
            if not isinstance(value, Mapping):
                raise WireError(f"{where}.inputs: expected an object of arrays")
            out[name] = {
                key: decode_array(array, where=f"{where}.inputs.{key}")
                for key, array in value.items()
            }
        elif name == "negative_slope":
            out[name] = _read_element(value, f"{where}.negative_slope", 0)
        else:
            out[name] = value
    return out


def encode_result(member: str, result: Any) -> Any:
    """A member's result (after conversion to NumPy) as JSON."""
    if member == "linear_backward":
        return [encode_array(part) for part in result]
    if member == "backprop":
        output, gradients = result
        return {
            "output": encode_array(output),
            "gradients": {key: encode_array(value) for key, value in gradients.items()},
        }
    return encode_array(result)


def decode_result(member: str, obj: Any, *, where: str = "result") -> Any:
    """A JSON result back as the Python value the contract describes.

    ``linear_backward`` gives a tuple of three arrays, ``backprop`` a tuple
    ``(output, {name: gradient})``, every other member one array.
    """
    if member == "linear_backward":
        if not isinstance(obj, list) or len(obj) != 3:
            raise WireError(
                f"{where}: linear_backward answers a list of three arrays [grad_W, grad_x, "
                f"grad_b]; got {_short(obj)}"
            )
        return tuple(
            decode_array(part, where=f"{where}[{i}] ({name})")
            for i, (part, name) in enumerate(zip(obj, ("grad_W", "grad_x", "grad_b"), strict=True))
        )
    if member == "backprop":
        if not isinstance(obj, Mapping) or "output" not in obj or "gradients" not in obj:
            raise WireError(
                f"{where}: backprop answers {{'output': array, 'gradients': {{name: array}}}}; "
                f"got {_short(obj)}"
            )
        gradients = obj["gradients"]
        if not isinstance(gradients, Mapping):
            raise WireError(f"{where}.gradients: expected an object of arrays by input name")
        return (
            decode_array(obj["output"], where=f"{where}.output"),
            {
                key: decode_array(value, where=f"{where}.gradients.{key}")
                for key, value in gradients.items()
            },
        )
    return decode_array(obj, where=where)


def encode_value(value: Any) -> Any:
    """An ndarray, or tuples and str-keyed dicts of them, as JSON with ``.npy`` arrays.

    Raises
    ------
    WireError
        For anything else, or an array of Python objects (which cannot travel without
        pickling).

    Examples
    --------
    >>> decode_value(encode_value((np.arange(3), {"x": np.float32(2.5)})))
    (array([0, 1, 2]), {'x': array(2.5, dtype=float32)})
    """
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise WireError(f"an array of Python objects (dtype {array.dtype}) cannot be sent")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return {"npy": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, tuple):
        return {"tuple": [encode_value(item) for item in value]}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"dict": {key: encode_value(item) for key, item in value.items()}}
    raise WireError(f"a {type(value).__name__} cannot be sent; expected arrays, tuples, dicts")


def decode_value(obj: Any, *, where: str = "result", depth: int = 0) -> Any:
    """The inverse of `encode_value`; a `WireError` names anything malformed."""
    if depth > MAX_DEPTH:
        raise WireError(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if not isinstance(obj, Mapping) or len(obj) != 1:
        raise WireError(f"{where}: expected one of {{'npy'}}, {{'tuple'}}, {{'dict'}}")
    ((kind, body),) = obj.items()
    if kind == "unencodable":
        raise WireError(f"{where}: the member returned what cannot be sent: {_short(body)}")
    if kind == "npy" and isinstance(body, str):
        try:
            raw = base64.b64decode(body, validate=True)
            array = np.load(io.BytesIO(raw), allow_pickle=False)
        except Exception as exc:  # any malformed bytes are the sender's fault
            raise WireError(f"{where}: not a .npy array ({type(exc).__name__}: {exc})") from None
        if not isinstance(array, np.ndarray):
            raise WireError(f"{where}: not a .npy array")
        return array
    if kind == "tuple" and isinstance(body, list):
        return tuple(
            decode_value(item, where=f"{where}[{i}]", depth=depth + 1)
            for i, item in enumerate(body)
        )
    if kind == "dict" and isinstance(body, Mapping):
        return {
            str(key): decode_value(item, where=f"{where}[{key!r}]", depth=depth + 1)
            for key, item in body.items()
        }
    raise WireError(f"{where}: unknown value kind {_short(kind)}")
