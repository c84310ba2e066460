"""The checks of the conformance suite, one module per family of clauses.

Each module exposes factories that return ``check(ctx)`` functions; the registry
(`gradspec.conformance.clauses`) binds them to clause ids, statements and tolerances.
"""

__all__: list[str] = []
