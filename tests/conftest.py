"""Test-session settings shared by every test module.

Hypothesis runs derandomized (a fixed seed) with no example database, so a CI run is
reproducible and writes nothing into the work tree. Set GRADSPEC_TEST_PROFILE=explore to
search with fresh random seeds instead.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    max_examples=1000,
)
settings.load_profile(os.environ.get("GRADSPEC_TEST_PROFILE", "ci"))
