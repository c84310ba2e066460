"""Adapters shipped with gradspec, by name: the reference and one per library.

Each library adapter imports its library only when it is itself imported, so this package
imports nothing heavy; `SHIPPED` is what ``--adapter NAME`` resolves.
"""

from __future__ import annotations

__all__ = ["LIBRARIES", "SHIPPED"]

#: Per library adapter name (also the library's top-level import name): (module under this
#: package, gradspec extra, pip package).
LIBRARIES: dict[str, tuple[str, str, str]] = {
    "torch": ("torch_adapter", "torch", "torch"),
    "jax": ("jax_adapter", "jax", "jax"),
    "autograd": ("autograd_adapter", "autograd", "autograd"),
    "mygrad": ("mygrad_adapter", "mygrad", "mygrad"),
    "tinygrad": ("tinygrad_adapter", "tinygrad", "tinygrad"),
    "tensorflow": ("tensorflow_adapter", "tensorflow", "tensorflow-cpu"),
    "keras": ("keras_adapter", "keras", "keras"),
    "paddle": ("paddle_adapter", "paddle", "paddlepaddle"),
    "pytensor": ("pytensor_adapter", "pytensor", "pytensor"),
    "mlx": ("mlx_adapter", "mlx", '"mlx[cpu]"'),
}

#: Every shipped adapter name: (module to import, gradspec extra that installs its library).
SHIPPED: dict[str, tuple[str, str | None]] = {
    "reference": ("gradspec.reference", None),
    **{name: (f"{__name__}.{module}", extra) for name, (module, extra, _) in LIBRARIES.items()},
}
