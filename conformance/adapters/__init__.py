"""Adapters shipped with gradspec: ``reference``, ``torch`` and ``jax``."""
