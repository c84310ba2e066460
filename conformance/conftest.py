"""Registers the gradspec pytest plugin when pytest collects this package without it.

The plugin is normally loaded through its ``pytest11`` entry point, or ``-p
gradspec.conformance.pytest_plugin``; this covers ``pytest --pyargs gradspec.conformance``
in an environment where the entry point is absent. Options cannot be added this late, so
the adapter then comes from ``GRADSPEC_ADAPTER`` and the other settings keep their defaults.
"""

from __future__ import annotations

import pytest

from gradspec.conformance import pytest_plugin


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.is_registered(pytest_plugin):
        config.pluginmanager.register(pytest_plugin, "gradspec-conformance")
