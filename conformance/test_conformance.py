"""The conformance suite as pytest items, one per clause and dtype.

This module holds no tests of its own: the gradspec pytest plugin
(`gradspec.conformance.pytest_plugin`) collects it as the clauses of the spec run
against the adapter named by ``--gradspec-adapter`` or ``GRADSPEC_ADAPTER``::

    pytest --pyargs gradspec.conformance --gradspec-adapter reference -p no:cacheprovider
"""
