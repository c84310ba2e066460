"""Turning what a notebook holds into a `LoadedAdapter`: a spec, module, class, instance or dict.

`load_adapter` takes a spec string; a notebook user holds objects. `as_adapter` accepts

- a spec string (``"reference"``, ``"my_adapter.py"``): `load_adapter` itself;
- a `LoadedAdapter`: as it is;
- a module: its functions are the members;
- a class: instantiated with no arguments, as the CLI does for ``file.py:Class``;
- an instance of any class: its attributes are the members;
- a mapping from member names to callables (plus, optionally, ``name``, ``dtypes`` and
  ``graph_ops`` values).

The spec recorded for an object (shown in reports) is its import path when it has one
(``package.module`` or ``package.module:Class``), else a description such as
``<object of class Mine>``, which `load_adapter` cannot load again.
"""

from __future__ import annotations

import importlib.util
import inspect
import types
from collections.abc import Mapping
from typing import Any

from ._adapter import MEMBERS, AdapterLoadError, LoadedAdapter, load_adapter

__all__ = ["as_adapter"]

#: Values a mapping adapter may hold besides callable members.
_SETTINGS = ("name", "dtypes", "graph_ops")


def as_adapter(adapter: Any) -> LoadedAdapter:
    """The `LoadedAdapter` for any of the objects of the module docstring.

    Raises
    ------
    AdapterLoadError
        One paragraph naming what was given and what was expected: a class that cannot be
        instantiated with no arguments, a mapping with unknown keys or values that are not
        callable, an object that provides none of the contract's members.
    """
    if isinstance(adapter, LoadedAdapter):
        return adapter
    if isinstance(adapter, str):
        return load_adapter(adapter)
    if isinstance(adapter, Mapping):
        obj: Any = _namespace(adapter)
        spec = f"<mapping of {', '.join(sorted(map(str, adapter)))}>"
    elif inspect.ismodule(adapter):
        obj, spec = adapter, _module_spec(adapter)
    elif inspect.isclass(adapter):
        try:
            obj = adapter()
        except Exception as error:
            raise AdapterLoadError(
                f"The adapter class {adapter.__qualname__} is instantiated with no arguments, "
                f"and that raised {type(error).__name__}: {error}. Pass an instance instead."
            ) from None
        spec = _class_spec(adapter)
    elif adapter is None:
        raise AdapterLoadError(
            'No adapter given: pass a spec string ("reference", "my_adapter.py"), a '
            "module, a class, an instance, or a dict of member names to functions."
        )
    else:
        obj, spec = adapter, f"<object of class {type(adapter).__qualname__}>"
    loaded = LoadedAdapter(obj, spec)
    if not any(loaded.has(member) for member in MEMBERS):
        raise AdapterLoadError(
            f"The adapter {spec} provides none of the contract's members (for example "
            "sigmoid, linear_backward, backprop); give it functions with those names."
        )
    return loaded


def _namespace(members: Mapping[Any, Any]) -> types.SimpleNamespace:
    unknown = sorted(str(k) for k in members if k not in MEMBERS and k not in _SETTINGS)
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
    return types.SimpleNamespace(**{str(k): v for k, v in members.items()})


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
