"""gradspec: the reference for the math of neural-network layers.

The distribution has two parts, each an import package of its own:

- `gradspec.reference`: the reference implementation (activations, linear layer,
  Jacobians, backprop engine, gradient check), accurate enough to be ground truth.
- `gradspec.conformance`: the property-based conformance suite that any other
  implementation plugs into through an adapter.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gradspec")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
