"""The gradspec conformance suite."""
