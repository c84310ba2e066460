"""Every docstring example in the package runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import gradspec

PACKAGES = ("gradspec", "gradspec.reference", "gradspec.conformance")


def modules() -> list[str]:
    names = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.iter_modules(package.__path__, prefix=f"{package_name}."):
            # Shipped library adapters need optional dependencies, __main__ runs the CLI, and
            # the conformance plugin's test module is collected by pytest, not imported here.
            if info.name.endswith(("_adapter", "test_conformance", "conftest", "__main__")):
                continue
            names.append(info.name)
    return sorted(set(names))


@pytest.mark.parametrize("module_name", modules())
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    with np.printoptions(legacy=False):
        result = doctest.testmod(
            module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        )
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"


def test_the_package_has_docstring_examples_at_all():
    """Guard against the parametrized test above passing because it found nothing to run."""
    attempted = 0
    for module_name in modules():
        finder = doctest.DocTestFinder()
        attempted += sum(len(t.examples) for t in finder.find(importlib.import_module(module_name)))
    assert attempted >= 10, f"only {attempted} docstring examples found in {gradspec.__name__}"
