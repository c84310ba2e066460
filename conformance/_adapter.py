"""Loading an adapter from its spec, and calling its members safely.

A spec is spelled one way everywhere (CLI option, pytest option, ``GRADSPEC_ADAPTER``):

========================  =====================================================
``reference``, ``torch``  an adapter shipped with gradspec (see `SHIPPED`)
``package.module``        that module is the adapter
``package.module:name``   attribute ``name`` of the module (object, class or
                          zero-argument factory)
``path/to/file.py[:name]`` a file that is not installed; its folder goes on
                          ``sys.path`` so it can import its siblings
========================  =====================================================
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .adapters import SHIPPED as _SHIPPED

__all__ = [
    "ELEMENTWISE",
    "MEMBERS",
    "SHIPPED",
    "AdapterCallError",
    "AdapterLoadError",
    "LoadedAdapter",
    "load_adapter",
]

#: Adapters shipped with gradspec, by name, and the extra that installs what each needs
#: (the registry lives beside the adapters, in ``gradspec.conformance.adapters``).
SHIPPED: dict[str, tuple[str, str | None]] = _SHIPPED

#: The elementwise members of contract version 1, functions first then derivatives.
ELEMENTWISE: tuple[str, ...] = (
    "sigmoid",
    "tanh",
    "hardtanh",
    "relu",
    "leaky_relu",
    "swish",
    "sigmoid_derivative",
    "tanh_derivative",
    "hardtanh_derivative",
    "relu_derivative",
    "leaky_relu_derivative",
    "swish_derivative",
)

#: Every callable member of contract version 1.
MEMBERS: tuple[str, ...] = (*ELEMENTWISE, "linear", "linear_backward", "backprop", "jacobian")


class AdapterLoadError(Exception):
    """The spec does not name a loadable adapter. The message is one readable paragraph."""


class AdapterCallError(Exception):
    """An adapter member raised, or returned something that is not an array.

    Attributes
    ----------
    member : str
        The member called.
    original : BaseException or None
        What the member raised, if it raised.
    """

    def __init__(self, member: str, message: str, original: BaseException | None = None):
        super().__init__(message)
        self.member = member
        self.original = original


class LoadedAdapter:
    """An adapter object plus what the suite needs to know about it.

    Parameters
    ----------
    obj : object
        The module, instance or (already instantiated) class instance.
    spec : str
        The spec it was loaded from; used in reproducers.
    """

    def __init__(self, obj: Any, spec: str) -> None:
        self.obj = obj
        self.spec = spec
        self.name: str = str(getattr(obj, "name", spec))
        self.dtypes: tuple[str, ...] = _declared_dtypes(obj, spec)

    def __repr__(self) -> str:
        return f"LoadedAdapter({self.spec!r}, name={self.name!r})"

    def has(self, member: str) -> bool:
        """Whether the adapter provides ``member`` as a callable."""
        return callable(getattr(self.obj, member, None))

    def missing(self, members: tuple[str, ...]) -> tuple[str, ...]:
        """The members of ``members`` that the adapter does not provide."""
        return tuple(m for m in members if not self.has(m))

    def call(self, member: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``member`` and convert its result(s) to NumPy.

        A single result becomes an ndarray; a tuple or list of results becomes a tuple of
        ndarrays; a dict (backprop's gradients) becomes a dict of ndarrays. Anything the
        member raises is re-raised as `AdapterCallError` naming the member.
        """
        function: Callable[..., Any] = getattr(self.obj, member)
        try:
            result = function(*args, **kwargs)
        except Exception as exc:
            raise AdapterCallError(
                member, f"{member} raised {type(exc).__name__}: {exc}", exc
            ) from exc
        return _to_numpy(member, result)

    def library_versions(self) -> dict[str, str]:
        """Versions of the libraries the adapter is built on, for reports.

        NumPy always; PyTorch, JAX (with jaxlib) and SciPy when the adapter's own module uses
        them, not merely because something else in the process imported them.
        """
        versions = {"numpy": np.__version__}
        used = _libraries_used_by(self.obj)
        if "jax" in used:
            used.add("jaxlib")  # JAX's compiled half, versioned on its own
        for library in ("torch", "jax", "jaxlib", "scipy"):
            module = sys.modules.get(library)
            if library in used and module is not None and hasattr(module, "__version__"):
                versions[library] = str(module.__version__)
        return versions


def _libraries_used_by(obj: Any) -> set[str]:
    """Top-level package names of the modules and functions in the adapter module's globals."""
    module = obj if inspect.ismodule(obj) else sys.modules.get(type(obj).__module__)
    if module is None:
        return set()
    used = set()
    for value in vars(module).values():
        if inspect.ismodule(value):
            name = value.__name__
        else:
            name = getattr(value, "__module__", None)
        if isinstance(name, str):
            used.add(name.split(".")[0])
    return used


def _declared_dtypes(obj: Any, spec: str) -> tuple[str, ...]:
    declared = getattr(obj, "dtypes", ("float32", "float64"))
    if isinstance(declared, str):
        declared = (declared,)
    try:
        names = tuple(str(np.dtype(d)) for d in declared)
    except TypeError:
        names = ()
    if not names or any(name not in ("float32", "float64") for name in names):
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: its member 'dtypes' is {declared!r}; the contract expects "
            "a tuple of dtype names, each 'float32' or 'float64', for example ('float64',)."
        )
    return names


def _to_numpy(member: str, result: Any) -> Any:
    try:
        if isinstance(result, dict):
            return {key: _as_array(value) for key, value in result.items()}
        if isinstance(result, (tuple, list)):
            return tuple(
                {k: _as_array(v) for k, v in item.items()}
                if isinstance(item, dict)
                else _as_array(item)
                for item in result
            )
        return _as_array(result)
    except Exception as exc:
        raise AdapterCallError(
            member,
            f"{member} returned a {type(result).__name__} that numpy.asarray cannot read: {exc}",
            exc,
        ) from exc


def _as_array(value: Any) -> np.ndarray:
    # Tensors that track gradients refuse __array__; detach them the way their users would.
    if hasattr(value, "detach") and callable(value.detach):
        value = value.detach()
    if hasattr(value, "cpu") and callable(value.cpu):
        value = value.cpu()
    return np.asarray(value)


def load_adapter(spec: str) -> LoadedAdapter:
    """Load the adapter named by ``spec`` (see the module docstring for the spellings).

    Raises
    ------
    AdapterLoadError
        With one paragraph naming the spec, what was tried and what to do.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise AdapterLoadError(
            "No adapter given. Name one with --adapter (CLI), --gradspec-adapter (pytest) or "
            f"GRADSPEC_ADAPTER: a shipped name ({', '.join(SHIPPED)}), a module "
            "(package.module[:name]) or a file (path/to/file.py[:name])."
        )
    spec = spec.strip()
    if spec.startswith("cmd:"):
        # An out-of-process adapter: a program speaking JSON lines over stdin/stdout.
        from ._pipe import PipeAdapter, PipeError

        try:
            program = PipeAdapter(spec[len("cmd:") :])
        except PipeError as exc:
            raise AdapterLoadError(f"Adapter spec {spec!r}: {exc}") from None
        loaded = LoadedAdapter(program, spec)
        if not program.members:
            program.close()
            raise AdapterLoadError(
                f"Adapter spec {spec!r}: the program answered the handshake but lists no "
                "member of the contract, so nothing can be checked."
            )
        return loaded
    target, _, attribute = spec.partition(":")
    # A Windows drive letter ("C:\\x.py") is not an attribute separator.
    if len(target) == 1 and attribute[:1] in ("\\", "/"):
        target, _, attribute = spec[2:].partition(":")
        target = spec[:2] + target
    if target in SHIPPED:
        module = _import_shipped(spec, target)
    elif target.endswith(".py") or "/" in target or "\\" in target:
        module = _import_file(spec, Path(target))
    else:
        module = _import_module(spec, target)
    obj: Any = module
    if attribute:
        if not hasattr(module, attribute):
            public = sorted(n for n in vars(module) if not n.startswith("_"))[:20]
            raise AdapterLoadError(
                f"Adapter spec {spec!r}: the module {target!r} was imported but has no "
                f"attribute {attribute!r}. Its public names include: {', '.join(public)}."
            )
        obj = getattr(module, attribute)
        if inspect.isclass(obj) or (callable(obj) and inspect.isfunction(obj)):
            try:
                obj = obj()
            except Exception as exc:
                raise AdapterLoadError(
                    f"Adapter spec {spec!r}: {attribute!r} is a class or factory, so the suite "
                    f"calls it with no arguments, and that raised {type(exc).__name__}: {exc}"
                ) from None
    loaded = LoadedAdapter(obj, spec)
    provided = [m for m in MEMBERS if loaded.has(m)]
    if not provided:
        raise AdapterLoadError(
            f"Adapter spec {spec!r} loaded {type(obj).__name__} {getattr(obj, '__name__', '')!s}"
            " but it provides none of the contract's members (for example sigmoid, linear, "
            "backprop). Check that you named the right module or attribute."
        )
    return loaded


def _import_shipped(spec: str, name: str) -> Any:
    module_name, extra = SHIPPED[name]
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        install = f' Install it with: pip install "gradspec[{extra}]".' if extra else ""
        raise AdapterLoadError(
            f"Adapter spec {spec!r} names the shipped {name!r} adapter, which could not be "
            f"imported: {exc}.{install}"
        ) from None


def _import_module(spec: str, module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise AdapterLoadError(
                f"Adapter spec {spec!r}: no module named {module_name!r} could be found, and "
                f"it is not a shipped adapter ({', '.join(SHIPPED)}). For a file that is not "
                "installed, give its path ending in .py."
            ) from None
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: importing {module_name!r} failed because it needs "
            f"the module {exc.name!r}, which is not installed."
        ) from None
    except Exception as exc:
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: importing {module_name!r} raised {type(exc).__name__}: {exc}"
        ) from None


def _import_file(spec: str, path: Path) -> Any:
    path = path.expanduser()
    if not path.is_file():
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: the file {str(path)!r} does not exist "
            f"(looked in {str(Path.cwd())!r})."
        )
    folder = str(path.resolve().parent)
    # The folder goes on sys.path so a student's file can import its sibling modules.
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module_name = f"_gradspec_adapter_{path.stem}"
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise AdapterLoadError(f"Adapter spec {spec!r}: {str(path)!r} is not a Python file.")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: running {str(path)!r} raised {type(exc).__name__}: {exc}"
        ) from None
    return module
