"""gradspec: the reference for the math of neural-network layers.

The distribution has two parts, each an import package of its own:

- `gradspec.reference`: the reference implementation (activations, linear layer,
  Jacobians, backprop engine, gradient check), accurate enough to be ground truth.
- `gradspec.conformance`: the property-based conformance suite that any other
  implementation plugs into through an adapter.

``gradspec.check(adapter)`` runs the suite in one call on anything a notebook holds (a spec
string, a module, a class, an instance, a dict of functions) and returns the report.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gradspec")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

from ._check import check

__all__ = ["__version__", "check"]
