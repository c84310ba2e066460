"""The one skeleton behind every shipped library adapter: contract members from a backend.

A library adapter is a small *backend* object that knows one library: how to turn a NumPy
array into the library's array and back, the library's function for each op, and how to ask
the library's autodiff for a vector-Jacobian product. This module turns a backend into the
contract's members (`LibraryAdapter`), the same way for every library:

* activations: the library's function, evaluated on the converted input;
* derivatives: the vector-Jacobian product of the library's (elementwise) function with a
  cotangent of ones, which for an elementwise f is f'(z) elementwise;
* ``linear``: the backend's layer op; ``linear_backward``: its vjp with cotangent ``grad_z``;
* ``backprop``: the graph is checked by the reference's checker (`read_graph`), run node by
  node with the library's ops (`graph_function`), and differentiated by the library's vjp
  with cotangent 1;
* ``jacobian``: for a scalar output, its one row is the vjp with cotangent 1 (backprop's
  computation); otherwise the backend's own Jacobian transform where it has one, otherwise
  one vjp per output element with a unit cotangent (what
  ``torch.autograd.functional.jacobian`` does).

Nothing here computes a value or a derivative: results are the library's, converted back to
NumPy without a cast, so the suite sees the library's dtypes, NaNs and conventions.

Each backend call carries a *key* naming the computation (``("derivative", "tanh")``, or a
graph's `structure_key`), so that a backend that compiles (JAX, PyTensor) can compile each
computation once and reuse it; eager backends ignore it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gradspec.reference._rules import OPS
from gradspec.reference._validation import as_float_array

from .._adapter import ELEMENTWISE
from ._graph import graph_function, read_graph, size, structure_key

__all__ = [
    "ACTIVATIONS",
    "GRAPH_OPS",
    "MIN_PADDED",
    "Backend",
    "EagerBackend",
    "LibraryAdapter",
    "export",
    "padded_length",
    "require",
]

#: The contract's activations; each has a derivative member ``<name>_derivative``.
ACTIVATIONS: tuple[str, ...] = tuple(m for m in ELEMENTWISE if not m.endswith("_derivative"))

#: Every op of the contract's graphs (the reference's op table).
GRAPH_OPS: tuple[str, ...] = tuple(OPS)


def require(module: str, *, pip: str) -> ModuleType:
    """Import ``module`` for an adapter, or raise an ImportError that says what to install.

    Parameters
    ----------
    module : str
        The import name (``"tensorflow"``, ``"mlx.core"``).
    pip : str
        The package that provides it on PyPI (``"tensorflow-cpu"``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        # The loader adds the line that installs it with gradspec's extra for the library.
        raise ImportError(
            f"it needs {module!r}, which does not import ({error}); its PyPI package is "
            f"{pip}: pip install {pip}"
        ) from None


#: The shortest array a flattening backend's elementwise function is given (see
#: `padded_length`): small inputs of every shape (0-d, empty, a few elements) share one.
MIN_PADDED = 128


def padded_length(n: int) -> int:
    """The length a flattening backend pads ``n`` elements to: the next power of two, at
    least `MIN_PADDED`: few lengths, so few compilations, and above `MIN_PADDED` at most
    twice the elements."""
    return max(MIN_PADDED, 1 << max(0, n - 1).bit_length())


class Backend:
    """What `LibraryAdapter` asks of a library. Subclass `EagerBackend` for an eager library.

    Attributes
    ----------
    library : str
        Display name with version, e.g. ``"tinygrad 0.14.0"``.
    dtypes : tuple of str
        The contract dtypes the library computes in.
    graph_ops : tuple of str or None
        The graph ops the library supports, when it lacks some of `GRAPH_OPS`.
    flatten : bool
        Give elementwise functions the input flattened to 1-D and padded with zeros to a
        `padded_length` (then cut the result and reshape it back), for libraries that
        compile per shape: one compilation per padded length, whatever the input's shape.
    ops : mapping of str to callable
        The library function for every op of `GRAPH_OPS` the library supports, on library
        arrays; ``linear`` takes the contract's (W, x, b) with x of shape (n,) or (B, n);
        ``leaky_relu`` takes the keyword ``negative_slope``.
    """

    library: str = ""
    dtypes: tuple[str, ...] = ("float32", "float64")
    graph_ops: tuple[str, ...] | None = None
    flatten: bool = False
    ops: Mapping[str, Callable[..., Any]] = {}

    def evaluate(
        self, key: Any, f: Callable[..., Any], arrays: Sequence[np.ndarray], params: tuple
    ) -> np.ndarray:
        """``f(*arrays, *params)`` with the arrays converted to the library's, as NumPy."""
        raise NotImplementedError

    def vjp(
        self,
        key: Any,
        f: Callable[..., Any],
        primals: Sequence[np.ndarray],
        cotangent: np.ndarray,
        params: tuple,
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """The output of ``f(*primals, *params)`` and the vjp with ``cotangent``, per primal.

        A gradient may be None where the library reports that the output does not depend on
        that primal (PyTorch's ``allow_unused``); the skeleton then returns zeros.
        """
        raise NotImplementedError

    def jacobian(
        self, key: Any, f: Callable[..., Any], primals: Sequence[np.ndarray], wrt: int
    ) -> np.ndarray | None:
        """The library's own Jacobian transform of ``f`` w.r.t. ``primals[wrt]``, if it has one.

        Shape ``output.shape + primals[wrt].shape``. None (the default) makes the skeleton
        build it row by row from `vjp`.
        """
        return None


class EagerBackend(Backend):
    """A backend for a library that runs op by op: define `to_library`, `to_numpy`, `vjp`."""

    def to_library(self, array: np.ndarray) -> Any:
        """A new library array holding a copy of ``array``, same dtype."""
        raise NotImplementedError

    def to_numpy(self, value: Any) -> np.ndarray:
        """The library array ``value`` as NumPy, same dtype (no cast)."""
        return np.asarray(value)

    def evaluate(
        self, key: Any, f: Callable[..., Any], arrays: Sequence[np.ndarray], params: tuple
    ) -> np.ndarray:
        return self.to_numpy(f(*(self.to_library(a) for a in arrays), *params))


class LibraryAdapter:
    """The contract's members for one backend; see the module docstring for how each runs.

    Parameters
    ----------
    backend : Backend
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.library
        self.dtypes = tuple(backend.dtypes)
        self.graph_ops = backend.graph_ops

    # -- elementwise -------------------------------------------------------------------

    def _elementwise(
        self, activation: str, derivative: bool, z: ArrayLike, negative_slope: float | None
    ) -> np.ndarray:
        func = f"{activation}_derivative" if derivative else activation
        array = as_float_array(z, name="z", func=func)
        op = self.backend.ops[activation]
        params: tuple = ()
        if negative_slope is None:
            f = op
        else:
            params = (float(negative_slope),)

            def f(t: Any, slope: Any) -> Any:
                return op(t, negative_slope=slope)

        if self.backend.flatten:
            # Zeros are in every activation's domain; each element's result is its own.
            flat = np.zeros(padded_length(array.size), dtype=array.dtype)
            flat[: array.size] = array.reshape(-1)
        else:
            flat = array
        if derivative:
            _, (gradient,) = self.backend.vjp(
                ("derivative", activation), f, [flat], np.ones_like(flat), params
            )
            result = np.zeros_like(flat) if gradient is None else gradient
        else:
            result = self.backend.evaluate(("value", activation), f, [flat], params)
        return result[: array.size].reshape(array.shape) if self.backend.flatten else result

    def members(self) -> dict[str, Callable[..., Any]]:
        """Every member of `MEMBERS`, as plain functions with the contract's signatures."""
        library = self.backend.library.split(" ")[0]
        functions: dict[str, Callable[..., Any]] = {}
        for activation in ACTIVATIONS:
            for derivative in (False, True):
                member = f"{activation}_derivative" if derivative else activation
                function = self._member(activation, derivative)
                function.__name__ = function.__qualname__ = member
                what = f"the vjp (ones) of {library}'s" if derivative else f"{library}'s"
                function.__doc__ = f"``{member}`` by {what} ``{activation}`` op."
                functions[member] = function
        for member in ("linear", "linear_backward", "backprop", "jacobian"):
            functions[member] = getattr(self, member)
        return functions

    def _member(self, activation: str, derivative: bool) -> Callable[..., np.ndarray]:
        if activation == "leaky_relu":

            def leaky(z: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
                return self._elementwise(activation, derivative, z, negative_slope)

            return leaky

        def plain(z: ArrayLike) -> np.ndarray:
            return self._elementwise(activation, derivative, z, None)

        return plain

    # -- layer -------------------------------------------------------------------------

    def linear(self, W: ArrayLike, x: ArrayLike, b: ArrayLike) -> np.ndarray:
        """z = W x + b by the library's layer op, for x of shape (n,) or (B, n)."""
        arrays = [
            as_float_array(a, name=n, func="linear") for n, a in (("W", W), ("x", x), ("b", b))
        ]
        return self.backend.evaluate(("linear",), self.backend.ops["linear"], arrays, ())

    def linear_backward(
        self, W: ArrayLike, x: ArrayLike, b: ArrayLike, grad_z: ArrayLike
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(grad_W, grad_x, grad_b): the library's vjp of its layer op with ``grad_z``."""
        func = "linear_backward"
        arrays = [as_float_array(a, name=n, func=func) for n, a in (("W", W), ("x", x), ("b", b))]
        cotangent = as_float_array(grad_z, name="grad_z", func=func)
        W_, x_, _ = arrays
        if W_.ndim == 2 and x_.ndim >= 1:
            z_shape = (*x_.shape[:-1], W_.shape[0])
            if cotangent.shape != z_shape:
                # Libraries report this deep inside their autodiff; say it in contract terms.
                raise ValueError(
                    f"{func}: grad_z must have the shape of z = W x + b, {z_shape}; "
                    f"got {cotangent.shape}."
                )
        _, gradients = self.backend.vjp(
            ("linear_backward",), self.backend.ops["linear"], arrays, cotangent, ()
        )
        return tuple(  # type: ignore[return-value]
            np.zeros_like(a) if g is None else g for a, g in zip(arrays, gradients, strict=True)
        )

    # -- graphs ------------------------------------------------------------------------

    def backprop(
        self, graph: Mapping[str, Any], inputs: Mapping[str, ArrayLike]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The library's vjp (cotangent 1) of the graph run with the library's ops.

        Returns the 0-d output and the gradient for every input (zeros where the library
        says the output does not depend on it).
        """
        plan = read_graph(graph, inputs, func="backprop", scalar_output=True)
        self._check_ops(plan, "backprop")
        primals = [plan.arrays[n] for n in plan.inputs]
        output, gradients = self.backend.vjp(
            structure_key(plan, "backprop"),
            graph_function(plan, self.backend.ops),
            primals,
            np.ones((), dtype=plan.dtype),
            (),
        )
        return output, {
            n: np.zeros_like(a) if g is None else g
            for n, a, g in zip(plan.inputs, primals, gradients, strict=True)
        }

    def jacobian(
        self, graph: Mapping[str, Any], inputs: Mapping[str, ArrayLike], wrt: str
    ) -> np.ndarray:
        """d output / d inputs[wrt] in Jacobian form, shape (output.size, inputs[wrt].size)."""
        plan = read_graph(graph, inputs, func="jacobian", wrt=wrt)
        self._check_ops(plan, "jacobian")
        rows, columns = size(plan.shapes[plan.output]), size(plan.shapes[wrt])
        if rows == 0 or columns == 0:
            # Nothing to differentiate; some libraries cannot stack zero rows.
            return np.zeros((rows, columns), dtype=plan.dtype)
        out_shape = plan.shapes[plan.output]
        if out_shape == ():
            # One row: the vjp with cotangent 1, which is what a Jacobian transform computes
            # for it, and backprop's very computation (a compiling library reuses it).
            return self.backprop(graph, inputs)[1][wrt].reshape(1, columns)
        primals = [plan.arrays[n] for n in plan.inputs]
        index = plan.inputs.index(wrt)
        f = graph_function(plan, self.backend.ops)
        # One key for every wrt: a Jacobian transform or the vjp (which gives the gradient
        # of every input at once) compiled for one input serves the others.
        key = structure_key(plan, "jacobian")
        full = self.backend.jacobian(key, f, primals, index)
        if full is not None:
            return np.asarray(full).reshape(rows, columns)
        matrix = []
        for row in range(rows):
            cotangent = np.zeros(rows, dtype=plan.dtype)
            cotangent[row] = 1
            _, gradients = self.backend.vjp(key, f, primals, cotangent.reshape(out_shape), ())
            gradient = gradients[index]
            matrix.append(
                np.zeros(columns, plan.dtype) if gradient is None else gradient.reshape(-1)
            )
        return np.stack(matrix)

    def _check_ops(self, plan: Any, func: str) -> None:
        missing = sorted({n.op_name for n in plan.order} - set(self.backend.ops))
        if missing:
            raise ValueError(
                f"{func}: {self.name} has no op {', '.join(map(repr, missing))}; it supports "
                f"{', '.join(self.graph_ops or tuple(self.backend.ops))}."
            )


def export(adapter: LibraryAdapter, namespace: dict[str, Any]) -> list[str]:
    """Put ``adapter``'s members, ``name``, ``dtypes`` (and ``graph_ops``) into a module.

    Returns the names put there, for the module's ``__all__``.
    """
    public = {**adapter.members(), "name": adapter.name, "dtypes": adapter.dtypes}
    if adapter.graph_ops is not None:
        public["graph_ops"] = adapter.graph_ops
    namespace.update(public)
    return sorted(public)
