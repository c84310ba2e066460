"""A catalog of deliberately wrong adapters that the suite must reject."""
