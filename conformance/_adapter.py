"""Loading an adapter from its spec, and calling its members safely.

A spec is spelled one way everywhere (CLI option, pytest option, ``GRADSPEC_ADAPTER``):

========================  =====================================================
``reference``, ``torch``  an adapter shipped with gradspec (see `SHIPPED`)
``package.module``        that module is the adapter
``package.module:name``   attribute ``name`` of the module (object, class or
                          zero-argument factory)
``path/to/file.py[:name]`` a file that is not installed; its folder is on
                          ``sys.path`` while it is imported, so it can import
                          its siblings
========================  =====================================================

From Python (a notebook), `load_adapter` also takes the object itself: a module, a class
(instantiated with no arguments, as the contract says), an instance, or a mapping of member
names to callables.

`LoadedAdapter.call` is the one place where the suite calls adapter members: it converts
results to NumPy, turns anything the member raises (`BaseException` included, except a real
Ctrl-C) into `AdapterCallError`, and counts calls and input shapes in `CallTally`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import _interrupt
from .adapters import SHIPPED as _SHIPPED
from .contract import ELEMENTWISE, GRAPH_OPS, MEMBERS

__all__ = [
    "ELEMENTWISE",
    "MEMBERS",
    "SHIPPED",
    "AdapterCallError",
    "AdapterLoadError",
    "CallTally",
    "LoadedAdapter",
    "load_adapter",
    "safe_text",
    "without_escapes",
]

#: Adapters shipped with gradspec, by name, and the extra that installs what each needs
#: (the registry lives beside the adapters, in ``gradspec.conformance.adapters``).
SHIPPED: dict[str, tuple[str, str | None]] = _SHIPPED

# The contract's members are stated once, in .contract (re-exported here for old imports).


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
    raised : bool
        True when the member itself raised (a rejection, for checks that expect one);
        False when it returned something NumPy cannot read, or when its program crashed,
        hung or broke the protocol: garbage must never read as a rejection.
    """

    def __init__(
        self,
        member: str,
        message: str,
        original: BaseException | None = None,
        *,
        raised: bool | None = None,
    ):
        super().__init__(message)
        self.member = member
        self.original = original
        if raised is None:
            from ._pipe import PipeError, RemoteError

            raised = (
                original is not None
                and not isinstance(original, PipeError)
                and not (isinstance(original, RemoteError) and not original.raised)
            )
        self.raised = raised

    @property
    def unreadable(self) -> bool:
        """True when the member did not raise: it returned something NumPy cannot read, or
        its program crashed, hung or broke the protocol. Such garbage is never a rejection,
        and a check cannot look through it to the values."""
        return not self.raised


_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(value: Any, limit: int = 2000) -> str:
    """``str(value)`` for messages: never raises, no terminal escapes or control characters.

    Adapter code chooses its exception messages and names; one whose ``__str__`` raises, or
    that carries ANSI colour codes (which would break JUnit XML and could repaint a
    terminal), must still give a readable line. Long texts are clipped to ``limit``.

    Examples
    --------
    >>> safe_text(chr(27) + "[31mred" + chr(27) + "[0m, and a NUL" + chr(0) + " dropped")
    'red, and a NUL dropped'
    """
    try:
        text = value if isinstance(value, str) else str(value)
        text = str.__str__(text)  # a str subclass's own __str__ is not trusted either
    except BaseException as exc:  # adapter code chose what to raise
        _reraise_real_interrupt(exc)
        return f"<unprintable {type(value).__name__}>"
    text = _CONTROL.sub("", without_escapes(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def without_escapes(text: str) -> str:
    """``text`` without terminal escape sequences (ANSI colours, cursor moves, titles)."""
    return _ANSI.sub("", text)


@dataclass
class CallTally:
    """Adapter calls made while one clause ran, and the distinct inputs' shapes.

    Attributes
    ----------
    calls : int
        Calls of any member.
    shapes : set of tuple
        Distinct ``(member, dtype, shapes)`` keys, ``shapes`` being the shapes of the call's
        array arguments in order (a graph's inputs by name): libraries that compile per
        shape pay once per key.
    first_error : AdapterCallError or None
        The first error a member raised, kept so the runner can name it even when the check
        (or Hypothesis, replaying an intermittent error) reports something else.
    """

    calls: int = 0
    shapes: set[tuple[Any, ...]] = field(default_factory=set)
    first_error: AdapterCallError | None = None

    def count(self, member: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        self.calls += 1
        shapes: list[Any] = []
        dtype = ""
        for value in (*args, *kwargs.values()):
            if isinstance(value, np.ndarray):
                shapes.append(value.shape)
                dtype = dtype or str(value.dtype)
            elif isinstance(value, Mapping) and all(
                isinstance(v, np.ndarray) for v in value.values()
            ):
                shapes.append(tuple(sorted((str(k), v.shape) for k, v in value.items())))
                for v in value.values():
                    dtype = dtype or str(v.dtype)
        self.shapes.add((member, dtype, tuple(shapes)))


class LoadedAdapter:
    """An adapter object plus what the suite needs to know about it.

    Parameters
    ----------
    obj : object
        The module, instance or (already instantiated) class instance.
    spec : str
        The spec it was loaded from; used in reproducers.

    Attributes
    ----------
    tally : CallTally
        Calls counted so far; the runner starts a fresh one for each clause.
    """

    def __init__(self, obj: Any, spec: str) -> None:
        self.obj = obj
        self.spec = spec
        self.name: str = _display_name(obj, spec)
        self.dtypes: tuple[str, ...] = _declared_dtypes(obj, spec)
        self.tally = CallTally()
        #: The graph ops the engine declares it supports (None: every op of the contract).
        self.graph_ops: tuple[str, ...] | None = _declared_graph_ops(obj, spec)

    def __repr__(self) -> str:
        return f"LoadedAdapter({self.spec!r}, name={self.name!r})"

    def has(self, member: str) -> bool:
        """Whether the adapter provides ``member`` as a callable.

        An attribute lookup that raises (a module ``__getattr__`` that raises anything) means
        the member is not provided.
        """
        try:
            return callable(getattr(self.obj, member, None))
        except BaseException as exc:  # adapter code chose what to raise
            _reraise_real_interrupt(exc)
            return False

    def missing(self, members: tuple[str, ...]) -> tuple[str, ...]:
        """The members of ``members`` that the adapter does not provide."""
        return tuple(m for m in members if not self.has(m))

    def call(self, member: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``member`` and convert its result(s) to NumPy.

        A single result becomes an ndarray; a tuple or list of results becomes a tuple of
        ndarrays; a dict (backprop's gradients) becomes a dict of ndarrays. Anything the
        member raises, `BaseException` included (``SystemExit``, ``GeneratorExit``,
        pytest's skip), is re-raised as `AdapterCallError` naming the member; only a real
        Ctrl-C (see `gradspec.conformance._interrupt`) goes through. Each call is counted
        in `tally`.
        """
        self.tally.count(member, args, kwargs)
        try:
            function: Callable[..., Any] = getattr(self.obj, member)
            result = function(*args, **kwargs)
            return _to_numpy(member, result)
        except AdapterCallError as error:
            self._remember(error)
            raise
        except BaseException as exc:  # adapter code chose what to raise
            _reraise_real_interrupt(exc)
            error = AdapterCallError(member, _call_error_text(member, exc), exc)
            self._remember(error)
            raise error from None

    def _remember(self, error: AdapterCallError) -> None:
        if self.tally.first_error is None:
            self.tally.first_error = error

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


def _call_error_text(member: str, exc: BaseException) -> str:
    from ._pipe import PipeError, RemoteError

    if isinstance(exc, PipeError):  # the program was ended, hung or broke the protocol
        return f"{member}: {safe_text(exc)}"
    if isinstance(exc, RemoteError):  # the member raised, in the program
        return f"{member} raised {safe_text(exc) or 'an error without a message'}"
    text = safe_text(exc)
    return f"{member} raised {type(exc).__name__}" + (f": {text}" if text else "")


def _display_name(obj: Any, spec: str) -> str:
    try:
        name = getattr(obj, "name", spec)
    except BaseException as exc:  # a lookup that raises (a module __getattr__): no name given
        _reraise_real_interrupt(exc)
        return spec
    text = safe_text(name, limit=200)
    if text.startswith("<unprintable "):
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: its member 'name' is a {type(name).__name__} that cannot "
            "be turned into text (its __str__ raised); 'name' is an optional display string."
        )
    return text


def _declared_dtypes(obj: Any, spec: str) -> tuple[str, ...]:
    declared: Any = ("float32", "float64")
    names: tuple[str, ...] = ()
    try:
        declared = getattr(obj, "dtypes", declared)
    except BaseException as exc:  # a lookup that raises (a module __getattr__): none declared
        _reraise_real_interrupt(exc)
    try:
        if isinstance(declared, str):
            declared = (declared,)
        if not isinstance(declared, Mapping):  # a dict would pass as its keys
            names = tuple(str(np.dtype(d)) for d in declared)
    except BaseException as exc:  # adapter code chose what to raise
        _reraise_real_interrupt(exc)
        names = ()
    if not names or any(name not in ("float32", "float64") for name in names):
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: its member 'dtypes' is {safe_text(repr_of(declared), 200)};"
            " the contract expects a tuple of dtype names, each 'float32' or 'float64', for "
            "example ('float64',)."
        )
    return names


def repr_of(value: Any) -> str:
    """``repr(value)`` that never raises (adapter objects choose their own ``__repr__``)."""
    try:
        return repr(value)
    except BaseException as exc:  # adapter code chose what to raise
        _reraise_real_interrupt(exc)
        return f"<{type(value).__name__} whose repr raised>"


def _declared_graph_ops(obj: Any, spec: str) -> tuple[str, ...] | None:
    """The optional member ``graph_ops`` (contract 1.1): the op names the engine supports."""
    declared: Any = None
    try:
        declared = getattr(obj, "graph_ops", None)
    except BaseException as exc:  # a lookup that raises (a module __getattr__): none declared
        _reraise_real_interrupt(exc)
    if declared is None:
        return None
    try:
        names = (declared,) if isinstance(declared, str) else tuple(declared)
    except BaseException as exc:  # adapter code chose what to raise
        _reraise_real_interrupt(exc)
        names = ()
    unknown = [n for n in names if n not in GRAPH_OPS]
    if not names or unknown:
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: its member 'graph_ops' is "
            f"{safe_text(repr_of(declared), 200)}; the contract "
            f"expects a non-empty tuple of op names from {', '.join(GRAPH_OPS)}"
            + (f" (unknown: {', '.join(map(str, unknown))})." if unknown else ".")
        )
    return tuple(dict.fromkeys(names))


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
    except BaseException as exc:  # the result's own methods are adapter code
        _reraise_real_interrupt(exc)
        raise AdapterCallError(
            member,
            f"{member} returned a {type(result).__name__} that numpy.asarray cannot read: "
            f"{safe_text(exc)}",
            exc,
            raised=False,
        ) from None


def _as_array(value: Any) -> np.ndarray:
    # Tensors that track gradients refuse __array__; detach them the way their users would.
    if hasattr(value, "detach") and callable(value.detach):
        value = value.detach()
    if hasattr(value, "cpu") and callable(value.cpu):
        value = value.cpu()
    return np.asarray(value)


def load_adapter(spec: Any) -> LoadedAdapter:
    """Load the adapter named by ``spec``, or wrap the adapter object ``spec`` itself.

    Parameters
    ----------
    spec : str, module, class, object, mapping or LoadedAdapter
        A spec string (see the module docstring for the spellings); or what a notebook
        holds: a module, a class (instantiated with no arguments), an instance, or a
        mapping of member names (and optionally ``name``, ``dtypes``, ``graph_ops``) to
        values. A `LoadedAdapter` is returned as is.

    Raises
    ------
    AdapterLoadError
        With one paragraph naming the spec, what was tried and what to do.
    """
    if isinstance(spec, LoadedAdapter):
        return spec
    if not isinstance(spec, str):
        return _load_object(spec)
    if not spec.strip():
        raise AdapterLoadError(
            "No adapter given. Name one with --adapter (CLI), --gradspec-adapter (pytest) or "
            f"GRADSPEC_ADAPTER: a shipped name ({', '.join(SHIPPED)}), a module "
            "(package.module[:name]) or a file (path/to/file.py[:name]); from Python, pass "
            "the module, class, instance or dict of functions itself."
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
        try:
            present = hasattr(module, attribute)
        except BaseException as exc:  # a module __getattr__ is adapter code
            _reraise_real_interrupt(exc)
            present = False
        if not present:
            public = sorted(n for n in vars(module) if not n.startswith("_"))[:20]
            raise AdapterLoadError(
                f"Adapter spec {spec!r}: the module {target!r} was imported but has no "
                f"attribute {attribute!r}. Its public names include: {', '.join(public)}."
            )
        obj = getattr(module, attribute)
        if inspect.isclass(obj) or (callable(obj) and inspect.isfunction(obj)):
            try:
                obj = obj()
            except BaseException as exc:  # adapter code chose what to raise
                _reraise_real_interrupt(exc)
                raise AdapterLoadError(
                    f"Adapter spec {spec!r}: {attribute!r} is a class or factory, so the suite "
                    f"calls it with no arguments, and that raised {type(exc).__name__}: "
                    f"{safe_text(exc)}"
                ) from None
    return _checked(obj, spec)


def _checked(obj: Any, spec: str) -> LoadedAdapter:
    loaded = LoadedAdapter(obj, spec)
    provided = [m for m in MEMBERS if loaded.has(m)]
    if not provided:
        raise AdapterLoadError(
            f"Adapter spec {spec!r} loaded {type(obj).__name__} "
            f"{safe_text(_own_attribute(obj, '__name__'), 100)} but it provides none of the "
            "contract's members (for example sigmoid, linear, backprop). Check that you named "
            "the right module or attribute."
        )
    return loaded


def _own_attribute(obj: Any, name: str) -> Any:
    """``obj.name`` if the object itself holds it, without running a ``__getattr__``."""
    try:
        return vars(obj).get(name, "")
    except TypeError:  # no __dict__
        return ""


def _reraise_real_interrupt(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt) and _interrupt.requested():
        raise exc


#: Values a mapping adapter may hold besides its callable members.
_SETTINGS = ("name", "dtypes", "graph_ops")


def _load_object(adapter: Any) -> LoadedAdapter:
    """The adapter a notebook holds: a module, class, instance or mapping (see `load_adapter`).

    The spec recorded for it (shown in reports) is its import path when it has one
    (``package.module`` or ``package.module:Class``), else a description such as
    ``<object of class Mine>``, which `load_adapter` cannot load again.
    """
    if adapter is None:
        raise AdapterLoadError(
            'No adapter given: pass a spec string ("reference", "my_adapter.py"), a '
            "module, a class, an instance, or a dict of member names to functions."
        )
    if isinstance(adapter, Mapping):
        obj: Any = _namespace(adapter)
        spec = f"<mapping of {', '.join(sorted(adapter))}>"
    elif inspect.ismodule(adapter):
        obj, spec = adapter, _module_spec(adapter)
    elif inspect.isclass(adapter):
        obj, spec = _instantiate(adapter), _class_spec(adapter)
    else:
        obj, spec = adapter, f"<object of class {type(adapter).__qualname__}>"
    loaded = LoadedAdapter(obj, spec)
    if not any(loaded.has(member) for member in MEMBERS):
        raise AdapterLoadError(
            f"The adapter {spec} provides none of the contract's members (for example "
            "sigmoid, linear_backward, backprop); give it functions with those names."
        )
    return loaded


def _instantiate(cls: type) -> Any:
    # The contract: a class is instantiated with no arguments (pass an instance otherwise).
    try:
        inspect.signature(cls).bind()
    except TypeError:
        raise AdapterLoadError(
            f"The adapter class {cls.__qualname__} is instantiated with no arguments, but its "
            "constructor needs some. Pass an instance instead."
        ) from None
    except ValueError:  # no signature to read (a builtin): let the call itself say
        pass
    try:
        return cls()
    except BaseException as exc:  # adapter code chose what to raise
        _reraise_real_interrupt(exc)
        raise AdapterLoadError(
            f"The adapter class {cls.__qualname__} is instantiated with no arguments, and that "
            f"raised {type(exc).__name__}: {safe_text(exc)}. Pass an instance instead."
        ) from None


def _namespace(members: Mapping[Any, Any]) -> types.SimpleNamespace:
    bad = [key for key in members if not isinstance(key, str)]
    if bad:
        raise AdapterLoadError(
            f"An adapter given as a mapping has the key {repr_of(bad[0])}; its keys are "
            "member names (strings) such as 'sigmoid' or 'backprop'."
        )
    unknown = sorted(k for k in members if k not in MEMBERS and k not in _SETTINGS)
    if unknown:
        raise AdapterLoadError(
            f"The adapter mapping has key(s) {', '.join(map(repr, unknown))} that are not "
            f"members of the contract; the members are {', '.join(MEMBERS)} (and the "
            f"settings {', '.join(_SETTINGS)})."
        )
    not_callable = sorted(k for k, v in members.items() if k in MEMBERS and not callable(v))
    if not_callable:
        raise AdapterLoadError(
            f"The adapter mapping's {', '.join(map(repr, not_callable))} must be functions "
            "(callables); got "
            + ", ".join(f"{type(members[k]).__name__} for {k!r}" for k in not_callable)
            + "."
        )
    return types.SimpleNamespace(**members)


def _importable(module_name: str) -> bool:
    if module_name in ("__main__", "builtins") or module_name.startswith("_gradspec_adapter_"):
        return False
    try:
        return importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        return False


def _module_spec(module: types.ModuleType) -> str:
    name = module.__name__
    return name if _importable(name) else f"<module {name}>"


def _class_spec(cls: type) -> str:
    module = cls.__module__
    if _importable(module) and "<locals>" not in cls.__qualname__:
        return f"{module}:{cls.__qualname__}"
    return f"<class {cls.__qualname__}>"


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
    except BaseException as exc:  # SystemExit at import is the module's choice
        _reraise_real_interrupt(exc)
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: importing {module_name!r} raised {type(exc).__name__}: "
            f"{safe_text(exc)}"
        ) from None


def _import_file(spec: str, path: Path) -> Any:
    path = path.expanduser()
    if not path.is_file():
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: the file {str(path)!r} does not exist "
            f"(looked in {str(Path.cwd())!r})."
        )
    folder = str(path.resolve().parent)
    module_name = f"_gradspec_adapter_{path.stem}"
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise AdapterLoadError(f"Adapter spec {spec!r}: {str(path)!r} is not a Python file.")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    # The folder is on sys.path while the file runs, so a student's file can import its
    # sibling modules; it is taken off again so the rest of the process is not affected.
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        module_spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit at import is the file's choice
        sys.modules.pop(module_name, None)
        _reraise_real_interrupt(exc)
        raise AdapterLoadError(
            f"Adapter spec {spec!r}: running {str(path)!r} raised {type(exc).__name__}: "
            f"{safe_text(exc)}"
        ) from None
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
    return module
